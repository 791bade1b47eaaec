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

/**
 * The value of `text` when it is an integer as Redis's string2ll reads one: an optional '-',
 * digits without leading zeros ("0" alone; not "-0"), within 64 bits. Safe integers come back as
 * numbers, the rest as bigints; undefined when `text` is no such integer.
 */
export function canonicalInteger(text: string): number | bigint | undefined {
  const length = text.length;
  if (length === 0 || length > 20) return undefined;
  // 15 characters hold at most 15 digits: below 2^53, exact as a number.
  if (length > 15) return parseInt64(text);
  const negative = text.charCodeAt(0) === 0x2d;
  let i = negative ? 1 : 0;
  const first = text.charCodeAt(i);
  if (first === 0x30) return length === 1 ? 0 : undefined;
  if (!(first >= 0x31 && first <= 0x39)) return undefined; // also "-" alone (NaN)
  let value = 0;
  for (; i < length; i++) {
    const digit = text.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) return undefined;
    value = value * 10 + digit;
  }
  return negative ? -value : value;
}

/** The decimal text of the signed 64-bit integer with halves `high` (signed) and `low` (unsigned). */
export function int64Text(low: number, high: number): string {
  if (high >= -0x200000 && high < 0x200000) return String(high * 0x100000000 + low);
  return ((BigInt(high) << 32n) + BigInt(low)).toString();
}
