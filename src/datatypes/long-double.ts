/**
 * The x87 80-bit extended precision float ("long double" on x86-64, the platform Redis is
 * built for), emulated exactly with BigInt. INCRBYFLOAT parses, adds and prints in this
 * precision: its 64-bit significand is why 10.50 + 0.1 prints "10.6" where doubles would print
 * "10.59999999999999964", and its range reaches 1.19e4932. A value is sign * mantissa * 2^exponent.
 */
export interface LongDouble {
  readonly negative: boolean;
  readonly mantissa: bigint;
  readonly exponent: number;
  readonly infinite: boolean;
}

/** Significand bits. */
const PRECISION = 64;
/** Exponent of the smallest subnormal, 2^-16445. */
const MIN_EXPONENT = -16445;
/** Largest exponent for a 64-bit mantissa: values stay below 2^16384. */
const MAX_EXPONENT = 16384 - PRECISION;
/** Redis's MAX_LONG_DOUBLE_CHARS: longer inputs are not parsed. */
const MAX_CHARS = 5 * 1024;
/** Decimal digits printed after the point (Redis prints with "%.17Lf"). */
const FRACTION_DIGITS = 17;
const FRACTION_SCALE = 10n ** BigInt(FRACTION_DIGITS);

const DECIMAL = /^([0-9]*)(?:\.([0-9]*))?(?:[eE]([-+]?[0-9]+))?$/;
const HEX = /^0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([-+]?[0-9]+))?$/;

function infinity(negative: boolean): LongDouble {
  return { negative, mantissa: 0n, exponent: 0, infinite: true };
}

function zero(negative: boolean): LongDouble {
  return { negative, mantissa: 0n, exponent: 0, infinite: false };
}

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/** An exponent written in the input, clamped where any larger magnitude over- or underflows anyway. */
function exponentOf(text: string | undefined): number {
  if (text === undefined) return 0;
  const value = Number(text);
  return Math.max(-1e7, Math.min(1e7, value));
}

/**
 * Rounds num / den * 2^exp2 (num, den > 0) to the nearest long double, ties to even, with
 * gradual underflow; too large gives infinity.
 */
function round(negative: boolean, num: bigint, den: bigint, exp2: number): LongDouble {
  if (num === 0n) return zero(negative);
  // Take the quotient with two spare bits (plus a sticky remainder) above the precision.
  let exponent = exp2 + bitLength(num) - bitLength(den) - PRECISION - 2;
  const shift = exp2 - exponent;
  const n = shift >= 0 ? num << BigInt(shift) : num;
  const d = shift >= 0 ? den : den << BigInt(-shift);
  let q = n / d;
  const sticky = q * d !== n;
  let drop = bitLength(q) - PRECISION;
  if (exponent + drop < MIN_EXPONENT) drop = MIN_EXPONENT - exponent;
  const bits = BigInt(drop);
  const rest = q & ((1n << bits) - 1n);
  const half = 1n << (bits - 1n);
  q >>= bits;
  exponent += drop;
  if (rest > half || (rest === half && (sticky || (q & 1n) === 1n))) q += 1n;
  if (q >> BigInt(PRECISION) !== 0n) {
    q >>= 1n;
    exponent++;
  }
  if (exponent > MAX_EXPONENT) return infinity(negative);
  return q === 0n ? zero(negative) : { negative, mantissa: q, exponent, infinite: false };
}

/**
 * Parses as Redis's string2ld (strtold): decimal or hexadecimal (0x1.8p3) notation, "inf" or
 * "infinity" in any case, an optional sign; no spaces, no NaN, nothing after the number. A
 * finite input that over- or underflows to zero (ERANGE) is rejected. Undefined when invalid.
 */
export function parseLongDouble(text: string): LongDouble | undefined {
  if (text.length === 0 || text.length >= MAX_CHARS) return undefined;
  const sign = text.charCodeAt(0);
  const negative = sign === 0x2d;
  const body = sign === 0x2d || sign === 0x2b ? text.slice(1) : text;
  const lower = body.toLowerCase();
  if (lower === 'inf' || lower === 'infinity') return infinity(negative);
  let value: LongDouble;
  const hex = HEX.exec(body);
  if (hex !== null) {
    const digits = hex[1] + (hex[2] ?? '');
    if (digits === '') return undefined;
    const mantissa = BigInt('0x' + digits);
    if (mantissa === 0n) return zero(negative);
    const exp2 = exponentOf(hex[3]) - 4 * (hex[2] ?? '').length;
    const magnitude = bitLength(mantissa) + exp2;
    if (magnitude > MAX_EXPONENT + PRECISION + 1) return undefined;
    if (magnitude < MIN_EXPONENT - 1) return undefined;
    value = round(negative, mantissa, 1n, exp2);
  } else {
    const decimal = DECIMAL.exec(body);
    if (decimal === null) return undefined;
    const digits = (decimal[1] + (decimal[2] ?? '')).replace(/^0+/, '');
    if (decimal[1] === '' && (decimal[2] ?? '') === '') return undefined;
    if (digits === '') return zero(negative);
    const exp10 = exponentOf(decimal[3]) - (decimal[2] ?? '').length;
    // 10^magnitude bounds the value: far outside the range it cannot come back.
    const magnitude = exp10 + digits.length;
    if (magnitude > 4940) return undefined;
    if (magnitude < -4960) return undefined;
    const mantissa = BigInt(digits);
    value = exp10 >= 0
      ? round(negative, mantissa * 10n ** BigInt(exp10), 1n, 0)
      : round(negative, mantissa, 10n ** BigInt(-exp10), 0);
  }
  return value.infinite || value.mantissa === 0n ? undefined : value;
}

/** a + b rounded to a long double; infinite when either is, or when the sum overflows. */
export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble {
  if (a.infinite || b.infinite) return infinity(false);
  if (a.mantissa === 0n) return b;
  if (b.mantissa === 0n) return a;
  const base = Math.min(a.exponent, b.exponent);
  const ma = a.mantissa << BigInt(a.exponent - base);
  const mb = b.mantissa << BigInt(b.exponent - base);
  const sum = (a.negative ? -ma : ma) + (b.negative ? -mb : mb);
  if (sum === 0n) return zero(false);
  return sum < 0n ? round(true, -sum, 1n, base) : round(false, sum, 1n, base);
}

/**
 * Formats as Redis's ld2string in human mode: printf "%.17Lf" (plain decimal, never an
 * exponent, rounded half to even), then trailing zeros and a trailing point removed, "-0" as "0".
 */
export function formatLongDouble(value: LongDouble): string {
  const { mantissa, exponent } = value;
  let scaled: bigint;
  if (exponent >= 0) {
    scaled = (mantissa << BigInt(exponent)) * FRACTION_SCALE;
  } else {
    const n = mantissa * FRACTION_SCALE;
    const bits = BigInt(-exponent);
    scaled = n >> bits;
    const rest = n - (scaled << bits);
    const half = 1n << (bits - 1n);
    if (rest > half || (rest === half && (scaled & 1n) === 1n)) scaled += 1n;
  }
  const digits = scaled.toString().padStart(FRACTION_DIGITS + 1, '0');
  const fraction = digits.slice(-FRACTION_DIGITS).replace(/0+$/, '');
  const text = (value.negative ? '-' : '') + digits.slice(0, -FRACTION_DIGITS) + (fraction === '' ? '' : '.' + fraction);
  return text === '-0' ? '0' : text;
}
