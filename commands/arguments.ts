import { parseDouble } from '../src/datatypes/double.js';
import { parseInt64 } from '../src/datatypes/int64.js';
import { parseLongDouble } from '../src/datatypes/long-double.js';
import { CommandError, Err, fail } from '../src/errors.js';

/**
 * Parses an integer argument as a JS number (exact up to 2^53; int64 values beyond that are
 * rounded, which only matters for range checks). Short inputs take a fast path without BigInt.
 */
export function parseInteger(text: string): number | undefined {
  const n = text.length;
  if (n > 0 && n <= 15) {
    let i = text.charCodeAt(0) === 0x2d ? 1 : 0;
    if (i === n) return undefined;
    if (text.charCodeAt(i) === 0x30) return n === 1 ? 0 : undefined;
    let value = 0;
    for (; i < n; i++) {
      const c = text.charCodeAt(i) - 0x30;
      if (c < 0 || c > 9) return undefined;
      value = value * 10 + c;
    }
    return text.charCodeAt(0) === 0x2d ? -value : value;
  }
  const big = parseInt64(text);
  return big === undefined ? undefined : Number(big);
}

/** An integer argument, or Redis's "value is not an integer or out of range" (or `error`). */
export function integerArg(text: string, error: string = Err.notInteger): number {
  const value = parseInteger(text);
  if (value === undefined) throw new CommandError(error);
  return value;
}

/** A float argument read as Redis's string2d (see parseDouble), or "value is not a valid float" (or `error`). */
export function doubleArg(text: string, error: string = Err.notFloat): number {
  const value = parseDouble(text);
  if (value === undefined) throw new CommandError(error);
  return value;
}

/**
 * A SCAN cursor read as Redis's strtoul does: an unsigned 64-bit decimal with an optional sign
 * (a negative one wraps around), "" being 0; anything else is "invalid cursor".
 */
export function cursorArg(text: string): number {
  if (!/^([-+]?[0-9]+)?$/.test(text)) fail(Err.invalidCursor);
  const value = text === '' ? 0n : BigInt(text);
  if (value > 2n ** 64n - 1n || value < -(2n ** 64n - 1n)) fail(Err.invalidCursor);
  return Number(BigInt.asUintN(64, value));
}

/** Compares an option name case-insensitively without allocating for the common cases. */
export function isOption(arg: string, upper: string): boolean {
  return arg.length === upper.length && (arg === upper || arg.toUpperCase() === upper);
}

/** A timeout in milliseconds (WAIT, CLIENT PAUSE), as Redis's getTimeoutFromObjectOrReply. */
export function millisecondsTimeoutArg(text: string): number {
  const value = parseInteger(text);
  if (value === undefined) fail('ERR timeout is not an integer or out of range');
  if (value < 0) fail('ERR timeout is negative');
  return value;
}

/**
 * A blocking command's timeout: seconds with decimals, returned in milliseconds (0 = forever).
 * As Redis 7.0, seconds * 1000 is rounded up (0.0001 waits 1 ms, -0.0001 forever), and a value
 * beyond the 64-bit range, infinities included, converts to a negative number there.
 */
export function blockingTimeoutArg(text: string): number {
  const seconds = parseLongDouble(text);
  if (seconds === undefined) fail('ERR timeout is not a float or out of range');
  const magnitude = seconds.infinite ? Infinity : Number(seconds.mantissa) * 2 ** seconds.exponent * 1000;
  const ms = Math.ceil(seconds.negative ? -magnitude : magnitude);
  if (ms < 0 || ms >= 2 ** 63) fail('ERR timeout is negative');
  return ms;
}

/**
 * Most picks one reply of SRANDMEMBER, HRANDFIELD or ZRANDMEMBER with a negative count (repeats
 * allowed) may hold: 2^27, gigabytes of reply, far beyond any useful request. Redis streams any
 * count until its memory runs out; here such a reply would block the event loop until then.
 */
const MAX_REPEATED_PICKS = 2 ** 24 * 8;

/** The number of picks (>= 0) a repeated-pick count asks for, refused before anything is written when too large. */
export function repeatedPicks(count: bigint | number): number {
  if (count > MAX_REPEATED_PICKS) fail(Err.countTooLarge);
  return Number(count);
}
