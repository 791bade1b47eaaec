/** Signed 64-bit integers, the range of Redis's long long. */
export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;

/**
 * Parses a signed 64-bit integer as Redis's string2ll: optional '-', digits, no '+', no leading
 * zeros or spaces. Returns undefined when malformed or out of range.
 */
export function parseInt64(text: string): bigint | undefined {
  const n = text.length;
  if (n === 0 || n > 20) return undefined;
  let i = text.charCodeAt(0) === 0x2d ? 1 : 0;
  if (i === n) return undefined;
  if (text.charCodeAt(i) === 0x30) return n === 1 ? 0n : undefined;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return undefined;
  }
  const value = BigInt(text);
  return value < INT64_MIN || value > INT64_MAX ? undefined : value;
}
