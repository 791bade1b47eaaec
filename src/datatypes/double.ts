/**
 * IEEE doubles read and written exactly as Redis 7.0 does with the C library: strtod for input
 * (scores, weights, score ranges) and printf "%.17g" for output (ZSCORE, WITHSCORES...).
 */

/** Where the last `scanDouble` stopped (index of the first character not part of the number). */
let scanEnd = 0;
/** Whether the last `scanDouble` over- or underflowed to infinity or zero (strtod's ERANGE case Redis rejects). */
let scanOutOfRange = false;

const HEX_DIGIT = /^[0-9a-fA-F]$/;

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isHexDigit(text: string, i: number): boolean {
  return i < text.length && HEX_DIGIT.test(text[i]);
}

/** C's isspace in the "C" locale. */
function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

function matchesWord(text: string, at: number, word: string): boolean {
  return text.length - at >= word.length && text.slice(at, at + word.length).toLowerCase() === word;
}

/**
 * glibc's strtod from `start`: leading spaces, a sign, then a decimal or hexadecimal number,
 * "inf"/"infinity" or "nan[(chars)]" in any case. Returns the value (0 when nothing could be
 * read, `scanEnd` then being `start`) and sets `scanEnd` and `scanOutOfRange`.
 */
function scanDouble(text: string, start: number): number {
  scanOutOfRange = false;
  const n = text.length;
  let i = start;
  while (i < n && isSpace(text.charCodeAt(i))) i++;
  let negative = false;
  const sign = text.charCodeAt(i);
  if (sign === 0x2d || sign === 0x2b) {
    negative = sign === 0x2d;
    i++;
  }
  const c = text.charCodeAt(i) | 0x20;
  if (c === 0x69 /* i */ && matchesWord(text, i, 'inf')) {
    scanEnd = matchesWord(text, i, 'infinity') ? i + 8 : i + 3;
    return negative ? -Infinity : Infinity;
  }
  if (c === 0x6e /* n */ && matchesWord(text, i, 'nan')) {
    scanEnd = i + 3;
    if (text.charCodeAt(scanEnd) === 0x28) {
      let j = scanEnd + 1;
      while (j < n && /[0-9A-Za-z_]/.test(text[j])) j++;
      if (text.charCodeAt(j) === 0x29) scanEnd = j + 1;
    }
    return NaN;
  }
  if (text.charCodeAt(i) === 0x30 && (text.charCodeAt(i + 1) | 0x20) === 0x78) {
    const hexStart = i + 2;
    if (isHexDigit(text, hexStart) || (text.charCodeAt(hexStart) === 0x2e && isHexDigit(text, hexStart + 1))) {
      const value = scanHex(text, hexStart);
      return negative ? -value : value;
    }
  }
  const digitsStart = i;
  let nonZero = false;
  let digits = 0;
  for (; i < n; i++) {
    const d = text.charCodeAt(i);
    if (!isDigit(d)) break;
    if (d !== 0x30) nonZero = true;
    digits++;
  }
  if (text.charCodeAt(i) === 0x2e) {
    for (i++; i < n; i++) {
      const d = text.charCodeAt(i);
      if (!isDigit(d)) break;
      if (d !== 0x30) nonZero = true;
      digits++;
    }
  }
  if (digits === 0) {
    scanEnd = start;
    return 0;
  }
  if ((text.charCodeAt(i) | 0x20) === 0x65 /* e */) {
    let j = i + 1;
    const s = text.charCodeAt(j);
    if (s === 0x2d || s === 0x2b) j++;
    if (isDigit(text.charCodeAt(j))) {
      while (j < n && isDigit(text.charCodeAt(j))) j++;
      i = j;
    }
  }
  scanEnd = i;
  // JS number parsing is correctly rounded, as glibc's strtod.
  const value = Number(text.slice(digitsStart, i));
  if (value === Infinity || (value === 0 && nonZero)) scanOutOfRange = true;
  return negative ? -value : value;
}

/** The hexadecimal float at `i` (after "0x"), correctly rounded (ties to even), subnormals included. */
function scanHex(text: string, i: number): number {
  const n = text.length;
  let mantissa = '';
  let fractionDigits = 0;
  for (; i < n && isHexDigit(text, i); i++) mantissa += text[i];
  if (text.charCodeAt(i) === 0x2e) {
    for (i++; i < n && isHexDigit(text, i); i++) {
      mantissa += text[i];
      fractionDigits++;
    }
  }
  let exponent = 0;
  if ((text.charCodeAt(i) | 0x20) === 0x70 /* p */) {
    let j = i + 1;
    const s = text.charCodeAt(j);
    if (s === 0x2d || s === 0x2b) j++;
    if (isDigit(text.charCodeAt(j))) {
      const digitsStart = j;
      while (j < n && isDigit(text.charCodeAt(j))) j++;
      // Beyond this magnitude every mantissa over- or underflows anyway.
      exponent = Math.min(1e7, Number(text.slice(digitsStart, j))) * (s === 0x2d ? -1 : 1);
      i = j;
    }
  }
  scanEnd = i;
  let m = BigInt('0x' + mantissa);
  if (m === 0n) return 0;
  const exp2 = exponent - 4 * fractionDigits;
  const bits = m.toString(2).length;
  const top = bits - 1 + exp2;
  if (top > 1023) {
    scanOutOfRange = true;
    return Infinity;
  }
  const lsb = Math.max(top - 52, -1074);
  const drop = lsb - exp2;
  if (drop <= 0) return Number(m) * 2 ** exp2;
  if (drop > bits + 1) {
    scanOutOfRange = true;
    return 0;
  }
  const shift = BigInt(drop);
  const rest = m & ((1n << shift) - 1n);
  const half = 1n << (shift - 1n);
  m >>= shift;
  if (rest > half || (rest === half && (m & 1n) === 1n)) m += 1n;
  const value = Number(m) * 2 ** lsb;
  if (value === 0 || value === Infinity) scanOutOfRange = true;
  return value;
}

/**
 * A float argument as Redis's string2d reads it (ZADD scores, ZINCRBY, WEIGHTS): the whole
 * string must be a number, no leading space, no NaN, no overflow or underflow to zero.
 * Undefined when invalid.
 */
export function parseDouble(text: string): number | undefined {
  if (text.length === 0 || isSpace(text.charCodeAt(0))) return undefined;
  const value = scanDouble(text, 0);
  if (scanEnd !== text.length || scanOutOfRange || value !== value) return undefined;
  return value;
}

/**
 * A score range bound as Redis's zslParseRange reads it: strtod from `start` up to the end of
 * the C string (a NUL byte ends it), leading spaces and out-of-range values allowed, no NaN.
 */
export function parseRangeDouble(text: string, start: number): number | undefined {
  const value = scanDouble(text, start);
  if ((scanEnd !== text.length && text.charCodeAt(scanEnd) !== 0) || value !== value) return undefined;
  return value;
}

/**
 * printf("%.17g", d) as Redis 7.0 replies with doubles: 17 significant digits, the shorter of
 * fixed and exponent notation, trailing zeros dropped; "inf", "-inf", "-0".
 */
export function formatDouble(d: number): string {
  if (Number.isSafeInteger(d)) return d === 0 && 1 / d < 0 ? '-0' : String(d);
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  if (d !== d) return 'nan';
  const [mantissa, exponentText] = toExponential17(d).split('e');
  const exponent = Number(exponentText);
  const negative = mantissa.charCodeAt(0) === 0x2d;
  const digits = (negative ? mantissa.slice(1) : mantissa).replace('.', '').replace(/0+$/, '');
  let body: string;
  if (exponent < -4 || exponent >= 17) {
    const fraction = digits.slice(1);
    const sign = exponent < 0 ? '-' : '+';
    const magnitude = Math.abs(exponent);
    body = digits[0] + (fraction === '' ? '' : '.' + fraction) + 'e' + sign + (magnitude < 10 ? '0' : '') + magnitude;
  } else if (exponent < 0) {
    body = '0.' + '0'.repeat(-exponent - 1) + digits;
  } else if (digits.length <= exponent + 1) {
    body = digits + '0'.repeat(exponent + 1 - digits.length);
  } else {
    body = digits.slice(0, exponent + 1) + '.' + digits.slice(exponent + 1);
  }
  return negative ? '-' + body : body;
}

/**
 * d.toExponential(16), except that an exact tie at the 17th digit is rounded to even as printf
 * does (JS rounds ties up). A tie needs an exact decimal expansion of exactly 18 significant
 * digits, which only a double with few fractional bits has; those are redone exactly.
 */
function toExponential17(d: number): string {
  const magnitude = Math.abs(d);
  let fractionBits = 0;
  for (let scaled = magnitude; !Number.isInteger(scaled) && fractionBits <= 1100; scaled *= 2) fractionBits++;
  // Significant digits of the exact expansion (log10 may be off by one near powers of ten).
  const significant = Math.floor(Math.log10(magnitude)) + 1 + fractionBits;
  if (fractionBits === 0 || Math.abs(significant - 18) > 1) return d.toExponential(16);
  // Exact: magnitude = m / 2^fractionBits with m an odd integer, so m * 5^fractionBits holds its digits.
  const m = BigInt(magnitude * 2 ** fractionBits);
  const decimal = (m * 5n ** BigInt(fractionBits)).toString();
  if (decimal.length !== 18 || !decimal.endsWith('5')) return d.toExponential(16);
  const shortened = d.toExponential(16);
  const kept = BigInt(decimal.slice(0, 17));
  if (kept % 2n === 0n) {
    const [, exponentText] = shortened.split('e');
    const text = kept.toString();
    return (d < 0 ? '-' : '') + text[0] + '.' + text.slice(1) + 'e' + exponentText;
  }
  return shortened;
}
