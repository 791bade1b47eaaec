import type { Client } from '../src/client.js';
import type { CommandSpec } from '../src/command.js';
import { Err, fail } from '../src/errors.js';
import type { StringValue } from '../src/keyspace/values.js';
import { isString } from '../src/keyspace/values.js';
import { appendBytes, bytesOf, latin1Of, MAX_BUFFER_LENGTH, writableBytes } from '../src/datatypes/byte-string.js';
import { lcsTableBytes, longestCommonSubsequence } from '../src/datatypes/lcs.js';
import { addLongDouble, formatLongDouble, parseLongDouble, type LongDouble } from '../src/datatypes/long-double.js';
import { integerArg, isOption, parseInteger } from './arguments.js';
import { INT64_MAX, INT64_MIN, parseInt64 } from '../src/datatypes/int64.js';
import { keyModified, notify, propagateAs, readString, writableString } from './access.js';

/** Up to this length APPEND concatenates strings; longer values grow in a Buffer with room, as sds does. */
const APPEND_AS_STRING_MAX = 16 * 1024;
const EMPTY = Buffer.alloc(0);
const ZERO: LongDouble = { negative: false, mantissa: 0n, exponent: 0, infinite: false };

// The options of SET and GETEX (Redis's OBJ_* flags).
const NX = 1 << 0;
const XX = 1 << 1;
const EX = 1 << 2;
const PX = 1 << 3;
const KEEPTTL = 1 << 4;
const GET = 1 << 5;
const EXAT = 1 << 6;
const PXAT = 1 << 7;
const PERSIST = 1 << 8;
const ANY_EXPIRE = EX | PX | EXAT | PXAT;

const EXPIRE_FLAGS = new Map([['EX', EX], ['PX', PX], ['EXAT', EXAT], ['PXAT', PXAT]]);

interface StringOptions {
  flags: number;
  /** The expire argument of EX/PX/EXAT/PXAT, unparsed. */
  expire: string | undefined;
}

/**
 * Parses the options of SET (from argv[3]) or GETEX (from argv[2]) as Redis's
 * parseExtendedStringArgumentsOrReply: conflicting options are a syntax error, repeating one is not.
 */
function parseStringOptions(argv: string[], forSet: boolean): StringOptions {
  let flags = 0;
  let expire: string | undefined;
  for (let j = forSet ? 3 : 2; j < argv.length; j++) {
    const option = argv[j].toUpperCase();
    const hasNext = j + 1 < argv.length;
    const expireFlag = EXPIRE_FLAGS.get(option);
    if (forSet && option === 'NX' && !(flags & XX)) {
      flags |= NX;
    } else if (forSet && option === 'XX' && !(flags & NX)) {
      flags |= XX;
    } else if (forSet && option === 'GET') {
      flags |= GET;
    } else if (forSet && option === 'KEEPTTL' && !(flags & ANY_EXPIRE)) {
      flags |= KEEPTTL;
    } else if (!forSet && option === 'PERSIST' && !(flags & ANY_EXPIRE)) {
      flags |= PERSIST;
    } else if (expireFlag !== undefined && hasNext && !(flags & (KEEPTTL | PERSIST | (ANY_EXPIRE & ~expireFlag)))) {
      flags |= expireFlag;
      expire = argv[++j];
    } else {
      fail(Err.syntax);
    }
  }
  return { flags, expire };
}

/**
 * The absolute expiry time in ms that an EX/PX/EXAT/PXAT argument asks for, as Redis's
 * getExpireMillisecondsOrReply: positive, and without overflowing a signed 64-bit integer.
 */
function expireTime(client: Client, text: string, flags: number, command: string): number {
  const n = parseInteger(text);
  if (n === undefined) fail(Err.notInteger);
  if (n <= 0) fail(Err.invalidExpire(command));
  const unit = flags & (EX | EXAT) ? 1000 : 1;
  const base = flags & (EX | PX) ? client.server.now() : 0;
  const when = n * unit + base;
  if (when <= Number.MAX_SAFE_INTEGER) return when;
  if (BigInt(parseInt64(text)!) * BigInt(unit) + BigInt(base) > INT64_MAX) fail(Err.invalidExpire(command));
  return when;
}

/**
 * Redis's checkStringLength: a value may not grow beyond proto-max-bulk-len (nor beyond what a
 * Buffer can hold).
 */
function checkStringLength(client: Client, length: number): void {
  if (length > client.server.config.get('proto-max-bulk-len') || length > MAX_BUFFER_LENGTH) fail(Err.stringTooLong);
}

/** GET key */
function get(client: Client, argv: string[]): void {
  client.reply.bulkOrNull(readString(client, argv[1]));
}

/** What SET-like commands reply: SET's OK/nil, or SETNX's 1/0. */
const enum SetReply {
  OkOrNull,
  OneOrZero,
}

/**
 * The shared body of SET, SETNX, SETEX and PSETEX (Redis's setGenericCommand). The expire is
 * validated first, then GET replies with the old value, then NX/XX decide.
 */
function setGeneric(client: Client, key: string, value: string, flags: number, expire: string | undefined, command: string, replies: SetReply): void {
  const when = expire === undefined ? undefined : expireTime(client, expire, flags, command);
  if (flags & GET) client.reply.bulkOrNull(readString(client, key));
  const db = client.db;
  const found = db.lookup(key) !== undefined;
  if ((flags & NX && found) || (flags & XX && !found)) {
    if (flags & GET) return;
    if (replies === SetReply.OneOrZero) client.reply.integer(0);
    else client.reply.nullBulk();
    return;
  }
  db.set(key, value, (flags & KEEPTTL) !== 0);
  keyModified(client, db, key, 'set');
  if (when !== undefined) {
    db.setExpire(key, when);
    notify(client, db, key, 'expire');
    // SET EX/PX/EXAT, SETEX and PSETEX replay with the absolute time they set.
    propagateAs(client, ['SET', key, value, 'PXAT', String(when)]);
  }
  if (flags & GET) return;
  if (replies === SetReply.OneOrZero) client.reply.integer(1);
  else client.reply.ok();
}

/** SET key value [NX | XX] [GET] [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | KEEPTTL] */
function set(client: Client, argv: string[]): void {
  if (argv.length === 3) {
    const db = client.db;
    db.set(argv[1], argv[2]);
    keyModified(client, db, argv[1], 'set');
    client.reply.ok();
    return;
  }
  const { flags, expire } = parseStringOptions(argv, true);
  setGeneric(client, argv[1], argv[2], flags, expire, 'set', SetReply.OkOrNull);
}

/** SETNX key value */
function setnx(client: Client, argv: string[]): void {
  setGeneric(client, argv[1], argv[2], NX, undefined, 'setnx', SetReply.OneOrZero);
}

/** SETEX key seconds value */
function setex(client: Client, argv: string[]): void {
  setGeneric(client, argv[1], argv[3], EX, argv[2], 'setex', SetReply.OkOrNull);
}

/** PSETEX key milliseconds value */
function psetex(client: Client, argv: string[]): void {
  setGeneric(client, argv[1], argv[3], PX, argv[2], 'psetex', SetReply.OkOrNull);
}

/** GETSET key value */
function getset(client: Client, argv: string[]): void {
  client.reply.bulkOrNull(readString(client, argv[1]));
  const db = client.db;
  db.set(argv[1], argv[2]);
  keyModified(client, db, argv[1], 'set');
}

/** GETDEL key */
function getdel(client: Client, argv: string[]): void {
  const value = readString(client, argv[1]);
  client.reply.bulkOrNull(value);
  if (value === undefined) return;
  const db = client.db;
  db.delete(argv[1]);
  keyModified(client, db, argv[1], 'del');
}

/** GETEX key [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | PERSIST] */
function getex(client: Client, argv: string[]): void {
  const { flags, expire } = parseStringOptions(argv, false);
  const key = argv[1];
  const value = readString(client, key);
  if (value === undefined) {
    client.reply.nullBulk();
    return;
  }
  const when = expire === undefined ? undefined : expireTime(client, expire, flags, 'getex');
  client.reply.bulk(value);
  const db = client.db;
  if (when !== undefined && flags & (EXAT | PXAT) && when <= client.server.now()) {
    // An absolute time already past deletes the key, as Redis does.
    db.delete(key);
    keyModified(client, db, key, 'del');
    propagateAs(client, ['DEL', key]);
  } else if (when !== undefined) {
    db.setExpire(key, when);
    keyModified(client, db, key, 'expire');
    propagateAs(client, ['PEXPIREAT', key, String(when)]);
  } else if (flags & PERSIST && db.persist(key)) {
    keyModified(client, db, key, 'persist');
    propagateAs(client, ['PERSIST', key]);
  }
}

/** MSET key value [key value ...] */
function mset(client: Client, argv: string[]): void {
  if (argv.length % 2 === 0) fail(Err.wrongArity('mset'));
  const db = client.db;
  for (let i = 1; i < argv.length; i += 2) {
    db.set(argv[i], argv[i + 1]);
    keyModified(client, db, argv[i], 'set');
  }
  client.reply.ok();
}

/** MSETNX key value [key value ...] */
function msetnx(client: Client, argv: string[]): void {
  if (argv.length % 2 === 0) fail(Err.wrongArity('msetnx'));
  const db = client.db;
  for (let i = 1; i < argv.length; i += 2) {
    if (db.lookup(argv[i]) !== undefined) {
      client.reply.integer(0);
      return;
    }
  }
  for (let i = 1; i < argv.length; i += 2) {
    db.set(argv[i], argv[i + 1]);
    keyModified(client, db, argv[i], 'set');
  }
  client.reply.integer(1);
}

/** MGET key [key ...] */
function mget(client: Client, argv: string[]): void {
  const db = client.db;
  const reply = client.reply;
  reply.arrayHeader(argv.length - 1);
  for (let i = 1; i < argv.length; i++) {
    const value = db.lookupRead(argv[i]);
    if (value !== undefined && isString(value)) reply.bulk(value);
    else reply.nullBulk();
  }
}

/** APPEND key value */
function append(client: Client, argv: string[]): void {
  const db = client.db;
  const key = argv[1];
  const tail = argv[2];
  const value = writableString(db, key);
  let result: StringValue;
  if (value === undefined) {
    result = tail;
  } else {
    const length = value.length + tail.length;
    checkStringLength(client, length);
    result = typeof value === 'string' && length <= APPEND_AS_STRING_MAX ? value + tail : appendBytes(value, tail);
  }
  db.set(key, result, true);
  keyModified(client, db, key, 'append');
  client.reply.integer(result.length);
}

/** STRLEN key */
function strlen(client: Client, argv: string[]): void {
  client.reply.integer(readString(client, argv[1])?.length ?? 0);
}

/** GETRANGE key start end */
function getrange(client: Client, argv: string[]): void {
  let start = integerArg(argv[2]);
  let end = integerArg(argv[3]);
  const value = readString(client, argv[1]);
  const length = value === undefined ? 0 : value.length;
  if (value === undefined || (start < 0 && end < 0 && start > end)) {
    client.reply.bulk(EMPTY);
    return;
  }
  if (start < 0) start = Math.max(0, length + start);
  if (end < 0) end = Math.max(0, length + end);
  if (end >= length) end = length - 1;
  if (start > end || length === 0) client.reply.bulk(EMPTY);
  else if (typeof value === 'string') client.reply.bulk(value.slice(start, end + 1));
  else client.reply.bulk(value.subarray(start, end + 1));
}

/** SETRANGE key offset value */
function setrange(client: Client, argv: string[]): void {
  const offset = integerArg(argv[2]);
  if (offset < 0) fail('ERR offset is out of range');
  const db = client.db;
  const key = argv[1];
  const patch = argv[3];
  const value = writableString(db, key);
  if (patch.length === 0) {
    client.reply.integer(value === undefined ? 0 : value.length);
    return;
  }
  checkStringLength(client, offset + patch.length);
  const bytes = writableBytes(value, offset + patch.length);
  bytes.latin1Write(patch, offset);
  db.set(key, bytes, true);
  keyModified(client, db, key, 'setrange');
  client.reply.integer(bytes.length);
}

/**
 * A signed 64-bit integer argument or value: a number while exact (short texts), else a bigint.
 * Undefined when it is not one.
 */
function int64Of(text: string): number | bigint | undefined {
  return text.length <= 15 ? parseInteger(text) : parseInt64(text);
}

/** The shared body of INCR, DECR, INCRBY and DECRBY (Redis's incrDecrCommand); the TTL is kept. */
function incrDecr(client: Client, key: string, increment: number | bigint): void {
  const db = client.db;
  const value = writableString(db, key);
  let current: number | bigint | undefined = 0;
  if (value !== undefined) current = value.length > 20 ? undefined : int64Of(latin1Of(value));
  if (current === undefined) fail(Err.notInteger);
  let result: number | bigint;
  if (typeof current === 'number' && typeof increment === 'number') {
    // Both below 10^15 in magnitude: the sum is exact.
    result = current + increment;
  } else {
    result = BigInt(current) + BigInt(increment);
    if (result > INT64_MAX || result < INT64_MIN) fail(Err.overflow);
  }
  db.set(key, String(result), true);
  keyModified(client, db, key, 'incrby');
  client.reply.integer(result);
}

function incrementArg(text: string): number | bigint {
  const increment = int64Of(text);
  if (increment === undefined) fail(Err.notInteger);
  return increment;
}

/** INCR key */
function incr(client: Client, argv: string[]): void {
  incrDecr(client, argv[1], 1);
}

/** DECR key */
function decr(client: Client, argv: string[]): void {
  incrDecr(client, argv[1], -1);
}

/** INCRBY key increment */
function incrby(client: Client, argv: string[]): void {
  incrDecr(client, argv[1], incrementArg(argv[2]));
}

/** DECRBY key decrement */
function decrby(client: Client, argv: string[]): void {
  const decrement = incrementArg(argv[2]);
  // -INT64_MIN does not fit.
  if (decrement === INT64_MIN) fail('ERR decrement would overflow');
  incrDecr(client, argv[1], -decrement);
}

/** INCRBYFLOAT key increment */
function incrbyfloat(client: Client, argv: string[]): void {
  const db = client.db;
  const key = argv[1];
  const value = writableString(db, key);
  const current = value === undefined ? ZERO : parseLongDouble(latin1Of(value));
  const increment = parseLongDouble(argv[2]);
  if (current === undefined || increment === undefined) fail(Err.notFloat);
  const sum = addLongDouble(current, increment);
  if (sum.infinite) fail(Err.nanOrInfinity);
  const text = formatLongDouble(sum);
  db.set(key, text, true);
  keyModified(client, db, key, 'incrbyfloat');
  // The sum depends on float formatting: replay the result, as Redis does.
  propagateAs(client, ['SET', key, text, 'KEEPTTL']);
  client.reply.bulk(text);
}

/** LCS key1 key2 [LEN] [IDX] [MINMATCHLEN min-match-len] [WITHMATCHLEN] */
function lcs(client: Client, argv: string[]): void {
  const db = client.db;
  const a = db.lookupRead(argv[1]);
  const b = db.lookupRead(argv[2]);
  if ((a !== undefined && !isString(a)) || (b !== undefined && !isString(b))) {
    fail('ERR The specified keys must contain string values');
  }
  let idx = false;
  let len = false;
  let withMatchLen = false;
  let minMatchLen = 0;
  for (let j = 3; j < argv.length; j++) {
    if (isOption(argv[j], 'IDX')) idx = true;
    else if (isOption(argv[j], 'LEN')) len = true;
    else if (isOption(argv[j], 'WITHMATCHLEN')) withMatchLen = true;
    else if (isOption(argv[j], 'MINMATCHLEN') && j + 1 < argv.length) minMatchLen = Math.max(0, integerArg(argv[++j]));
    else fail(Err.syntax);
  }
  if (idx && len) fail('ERR If you want both the length and indexes, please just use IDX.');
  const aBytes = a === undefined ? EMPTY : bytesOf(a);
  const bBytes = b === undefined ? EMPTY : bytesOf(b);
  if (lcsTableBytes(aBytes.length, bBytes.length) > client.server.config.get('proto-max-bulk-len')) {
    fail('ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len');
  }
  const result = longestCommonSubsequence(aBytes, bBytes);
  const reply = client.reply;
  if (!idx) {
    if (len) reply.integer(result.length);
    else reply.bulk(result.sequence);
    return;
  }
  const matches = result.matches.filter((m) => m.aEnd - m.aStart + 1 >= minMatchLen);
  reply.mapHeader(2);
  reply.bulk('matches');
  reply.arrayHeader(matches.length);
  for (const match of matches) {
    reply.arrayHeader(withMatchLen ? 3 : 2);
    reply.arrayHeader(2);
    reply.integer(match.aStart);
    reply.integer(match.aEnd);
    reply.arrayHeader(2);
    reply.integer(match.bStart);
    reply.integer(match.bEnd);
    if (withMatchLen) reply.integer(match.aEnd - match.aStart + 1);
  }
  reply.bulk('len');
  reply.integer(result.length);
}

const stringCommand = { group: 'string' } as const;
const oneKey = [1, 1, 1] as const;

export const stringCommands: CommandSpec[] = [
  { ...stringCommand, name: 'get', arity: 2, flags: ['readonly', 'fast'], keys: oneKey, since: '1.0.0', summary: 'Returns the string value of a key.', complexity: 'O(1)', handler: get },
  { ...stringCommand, name: 'set', arity: -3, flags: ['write', 'denyoom'], keys: oneKey, since: '1.0.0', summary: 'Sets the string value of a key, ignoring its type. The key is created if it doesn\'t exist.', complexity: 'O(1)', handler: set },
  { ...stringCommand, name: 'setnx', arity: 3, flags: ['write', 'denyoom', 'fast'], keys: oneKey, since: '1.0.0', summary: 'Set the string value of a key only when the key doesn\'t exist.', complexity: 'O(1)', handler: setnx },
  { ...stringCommand, name: 'setex', arity: 4, flags: ['write', 'denyoom'], keys: oneKey, since: '2.0.0', summary: 'Sets the string value and expiration time of a key. Creates the key if it doesn\'t exist.', complexity: 'O(1)', handler: setex },
  { ...stringCommand, name: 'psetex', arity: 4, flags: ['write', 'denyoom'], keys: oneKey, since: '2.6.0', summary: 'Sets both string value and expiration time in milliseconds of a key. The key is created if it doesn\'t exist.', complexity: 'O(1)', handler: psetex },
  { ...stringCommand, name: 'getset', arity: 3, flags: ['write', 'denyoom', 'fast'], keys: oneKey, since: '1.0.0', summary: 'Returns the previous string value of a key after setting it to a new value.', complexity: 'O(1)', handler: getset },
  { ...stringCommand, name: 'getdel', arity: 2, flags: ['write', 'fast'], keys: oneKey, since: '6.2.0', summary: 'Returns the string value of a key after deleting the key.', complexity: 'O(1)', handler: getdel },
  { ...stringCommand, name: 'getex', arity: -2, flags: ['write', 'fast'], keys: oneKey, since: '6.2.0', summary: 'Returns the string value of a key after setting its expiration time.', complexity: 'O(1)', handler: getex },
  { ...stringCommand, name: 'mset', arity: -3, flags: ['write', 'denyoom'], keys: [1, -1, 2], since: '1.0.1', summary: 'Atomically creates or modifies the string values of one or more keys.', complexity: 'O(N) where N is the number of keys to set.', handler: mset },
  { ...stringCommand, name: 'msetnx', arity: -3, flags: ['write', 'denyoom'], keys: [1, -1, 2], since: '1.0.1', summary: 'Atomically modifies the string values of one or more keys only when all keys don\'t exist.', complexity: 'O(N) where N is the number of keys to set.', handler: msetnx },
  { ...stringCommand, name: 'mget', arity: -2, flags: ['readonly', 'fast'], keys: [1, -1, 1], since: '1.0.0', summary: 'Atomically returns the string values of one or more keys.', complexity: 'O(N) where N is the number of keys to retrieve.', handler: mget },
  { ...stringCommand, name: 'append', arity: 3, flags: ['write', 'denyoom', 'fast'], keys: oneKey, since: '2.0.0', summary: 'Appends a string to the value of a key. Creates the key if it doesn\'t exist.', complexity: 'O(1). The amortized time complexity is O(1) assuming the appended value is small and the already present value is of any size, since the dynamic string library used by Redis will double the free space available on every reallocation.', handler: append },
  { ...stringCommand, name: 'strlen', arity: 2, flags: ['readonly', 'fast'], keys: oneKey, since: '2.2.0', summary: 'Returns the length of a string value.', complexity: 'O(1)', handler: strlen },
  { ...stringCommand, name: 'getrange', arity: 4, flags: ['readonly'], keys: oneKey, since: '2.4.0', summary: 'Returns a substring of the string stored at a key.', complexity: 'O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.', handler: getrange },
  { ...stringCommand, name: 'substr', arity: 4, flags: ['readonly'], keys: oneKey, since: '1.0.0', summary: 'Returns a substring from a string value.', complexity: 'O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.', handler: getrange },
  { ...stringCommand, name: 'setrange', arity: 4, flags: ['write', 'denyoom'], keys: oneKey, since: '2.2.0', summary: 'Overwrites a part of a string value with another by an offset. Creates the key if it doesn\'t exist.', complexity: 'O(1), not counting the time taken to copy the new string in place. Usually, this string is very small so the amortized complexity is O(1). Otherwise, complexity is O(M) with M being the length of the value argument.', handler: setrange },
  { ...stringCommand, name: 'incr', arity: 2, flags: ['write', 'denyoom', 'fast'], keys: oneKey, since: '1.0.0', summary: 'Increments the integer value of a key by one. Uses 0 as initial value if the key doesn\'t exist.', complexity: 'O(1)', handler: incr },
  { ...stringCommand, name: 'decr', arity: 2, flags: ['write', 'denyoom', 'fast'], keys: oneKey, since: '1.0.0', summary: 'Decrements the integer value of a key by one. Uses 0 as initial value if the key doesn\'t exist.', complexity: 'O(1)', handler: decr },
  { ...stringCommand, name: 'incrby', arity: 3, flags: ['write', 'denyoom', 'fast'], keys: oneKey, since: '1.0.0', summary: 'Increments the integer value of a key by a number. Uses 0 as initial value if the key doesn\'t exist.', complexity: 'O(1)', handler: incrby },
  { ...stringCommand, name: 'decrby', arity: 3, flags: ['write', 'denyoom', 'fast'], keys: oneKey, since: '1.0.0', summary: 'Decrements a number from the integer value of a key. Uses 0 as initial value if the key doesn\'t exist.', complexity: 'O(1)', handler: decrby },
  { ...stringCommand, name: 'incrbyfloat', arity: 3, flags: ['write', 'denyoom', 'fast'], keys: oneKey, since: '2.6.0', summary: 'Increment the floating point value of a key by a number. Uses 0 as initial value if the key doesn\'t exist.', complexity: 'O(1)', handler: incrbyfloat },
  { ...stringCommand, name: 'lcs', arity: -3, flags: ['readonly'], keys: [1, 2, 1], since: '7.0.0', summary: 'Finds the longest common substring.', complexity: 'O(N*M) where N and M are the lengths of s1 and s2, respectively', handler: lcs },
];
