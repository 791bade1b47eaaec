import type { Client } from '../src/client.js';
import type { CommandSpec } from '../src/command.js';
import { Err, fail } from '../src/errors.js';
import { HashValue } from '../src/datatypes/hash.js';
import { INT64_MAX, INT64_MIN, parseInt64 } from '../src/datatypes/int64.js';
import { addLongDouble, formatLongDouble, parseLongDouble, type LongDouble } from '../src/datatypes/long-double.js';
import { collectionModified, propagateAs, readCollection, writableCollection } from './access.js';
import { cursorArg, isOption, repeatedPicks } from './arguments.js';
import { scanCollection } from './scan.js';

const LONG_MAX = 2n ** 63n - 1n;
const ZERO: LongDouble = { negative: false, mantissa: 0n, exponent: 0, infinite: false };

function readHash(client: Client, key: string): HashValue | undefined {
  return readCollection<HashValue>(client, key, 'hash');
}

/** The hash at `key` for a write, created when missing; converted first if one of argv[from..to) is too long. */
function hashForWrite(client: Client, key: string, argv: string[], from: number, to: number): HashValue {
  const db = client.db;
  let hash = writableCollection<HashValue>(db, key, 'hash');
  if (hash === undefined) {
    hash = new HashValue();
    db.set(key, hash);
  }
  if (hash.isListpack) {
    const maxValue = client.server.config.values['hash-max-listpack-value'];
    for (let i = from; i < to; i++) hash.checkLength(argv[i], maxValue);
  }
  return hash;
}

/** Stores field/value pairs argv[2..]; returns how many fields are new (Redis's hsetCommand). */
function setPairs(client: Client, argv: string[]): number {
  if (argv.length % 2 === 1) fail(Err.wrongArity(argv[0].toLowerCase()));
  const db = client.db;
  const key = argv[1];
  const hash = hashForWrite(client, key, argv, 2, argv.length);
  const before = hash.size;
  const maxEntries = client.server.config.values['hash-max-listpack-entries'];
  // Checked after each field, as Redis's hashTypeSet: a listpack never grows past the limit.
  for (let i = 2; i < argv.length; i += 2) {
    hash.set(argv[i], argv[i + 1]);
    hash.checkEntries(maxEntries);
  }
  collectionModified(client, db, key, hash, 'hset');
  return hash.size - before;
}

/** HSET key field value [field value ...] */
function hset(client: Client, argv: string[]): void {
  client.reply.integer(setPairs(client, argv));
}

/** HMSET key field value [field value ...] */
function hmset(client: Client, argv: string[]): void {
  setPairs(client, argv);
  client.reply.ok();
}

/** HSETNX key field value */
function hsetnx(client: Client, argv: string[]): void {
  const db = client.db;
  const existing = writableCollection<HashValue>(db, argv[1], 'hash');
  if (existing !== undefined && existing.has(argv[2])) {
    client.reply.integer(0);
    return;
  }
  const hash = hashForWrite(client, argv[1], argv, 2, 4);
  hash.set(argv[2], argv[3]);
  hash.checkEntries(client.server.config.values['hash-max-listpack-entries']);
  collectionModified(client, db, argv[1], hash, 'hset');
  client.reply.integer(1);
}

/** HGET key field */
function hget(client: Client, argv: string[]): void {
  client.reply.bulkOrNull(readHash(client, argv[1])?.get(argv[2]));
}

/** HMGET key field [field ...] */
function hmget(client: Client, argv: string[]): void {
  const hash = readHash(client, argv[1]);
  client.reply.arrayHeader(argv.length - 2);
  for (let i = 2; i < argv.length; i++) client.reply.bulkOrNull(hash?.get(argv[i]));
}

const FIELDS = 1;
const VALUES = 2;

/** The shared body of HGETALL, HKEYS and HVALS (Redis's genericHgetallCommand). */
function getAll(client: Client, key: string, what: number): void {
  const hash = readHash(client, key);
  const reply = client.reply;
  if (hash === undefined) {
    if (what === (FIELDS | VALUES)) reply.mapHeader(0);
    else reply.arrayHeader(0);
    return;
  }
  if (what === (FIELDS | VALUES)) reply.mapHeader(hash.size);
  else reply.arrayHeader(hash.size);
  hash.forEach((field, value) => {
    if (what & FIELDS) reply.bulk(field);
    if (what & VALUES) reply.bulk(value);
  });
}

/** HGETALL key */
function hgetall(client: Client, argv: string[]): void {
  getAll(client, argv[1], FIELDS | VALUES);
}

/** HKEYS key */
function hkeys(client: Client, argv: string[]): void {
  getAll(client, argv[1], FIELDS);
}

/** HVALS key */
function hvals(client: Client, argv: string[]): void {
  getAll(client, argv[1], VALUES);
}

/** HLEN key */
function hlen(client: Client, argv: string[]): void {
  client.reply.integer(readHash(client, argv[1])?.size ?? 0);
}

/** HEXISTS key field */
function hexists(client: Client, argv: string[]): void {
  client.reply.integer(readHash(client, argv[1])?.has(argv[2]) ? 1 : 0);
}

/** HSTRLEN key field */
function hstrlen(client: Client, argv: string[]): void {
  client.reply.integer(readHash(client, argv[1])?.valueLength(argv[2]) ?? 0);
}

/** HDEL key field [field ...] */
function hdel(client: Client, argv: string[]): void {
  const db = client.db;
  const hash = writableCollection<HashValue>(db, argv[1], 'hash');
  let deleted = 0;
  if (hash !== undefined) {
    for (let i = 2; i < argv.length && hash.size > 0; i++) if (hash.delete(argv[i])) deleted++;
    if (deleted > 0) collectionModified(client, db, argv[1], hash, 'hdel', deleted);
  }
  client.reply.integer(deleted);
}

/** HINCRBY key field increment */
function hincrby(client: Client, argv: string[]): void {
  const increment = parseInt64(argv[3]);
  if (increment === undefined) fail(Err.notInteger);
  const db = client.db;
  const existing = writableCollection<HashValue>(db, argv[1], 'hash')?.get(argv[2]);
  const current = existing === undefined ? 0n : parseInt64(existing);
  if (current === undefined) fail(Err.hashNotInteger);
  const result = current + increment;
  if (result > INT64_MAX || result < INT64_MIN) fail(Err.overflow);
  storeField(client, argv, String(result), 'hincrby');
  client.reply.integer(result);
}

/** HINCRBYFLOAT key field increment */
function hincrbyfloat(client: Client, argv: string[]): void {
  const increment = parseLongDouble(argv[3]);
  if (increment === undefined) fail(Err.notFloat);
  if (increment.infinite) fail(Err.nanOrInfinityValue);
  const db = client.db;
  const existing = writableCollection<HashValue>(db, argv[1], 'hash')?.get(argv[2]);
  const current = existing === undefined ? ZERO : parseLongDouble(existing);
  if (current === undefined) fail(Err.hashNotFloat);
  const sum = addLongDouble(current, increment);
  if (sum.infinite) fail(Err.nanOrInfinity);
  const text = formatLongDouble(sum);
  storeField(client, argv, text, 'hincrbyfloat');
  client.reply.bulk(text);
}

/** Sets argv[2] of hash argv[1] to `value` for HINCRBY/HINCRBYFLOAT (Redis's hashTypeSet). */
function storeField(client: Client, argv: string[], value: string, event: 'hincrby' | 'hincrbyfloat'): void {
  const hash = hashForWrite(client, argv[1], argv, 2, 3);
  hash.checkLength(value, client.server.config.values['hash-max-listpack-value']);
  hash.set(argv[2], value);
  hash.checkEntries(client.server.config.values['hash-max-listpack-entries']);
  collectionModified(client, client.db, argv[1], hash, event);
  // HINCRBYFLOAT's sum depends on float formatting: replay the result, as Redis does.
  if (event === 'hincrbyfloat') propagateAs(client, ['HSET', argv[1], argv[2], value]);
}

/**
 * HRANDFIELD key [count [WITHVALUES]] (Redis's hrandfieldWithCountCommand): O(1) per field
 * returned from a hashtable (see RandomKeys). A listpack answers the whole hash in its order
 * when asked for as many fields or more, and so do a few distinct picks (see HashValue).
 */
function hrandfield(client: Client, argv: string[]): void {
  const reply = client.reply;
  if (argv.length === 2) {
    const hash = readHash(client, argv[1]);
    if (hash === undefined) reply.nullBulk();
    else reply.bulk(hash.randomPicks().random());
    return;
  }
  const big = parseInt64(argv[2]);
  if (big === undefined) fail(Err.notInteger);
  if (big < -LONG_MAX) fail(Err.longRange);
  if (argv.length > 4 || (argv.length === 4 && !isOption(argv[3], 'WITHVALUES'))) fail(Err.syntax);
  const withValues = argv.length === 4;
  if (withValues && (big < -LONG_MAX / 2n || big > LONG_MAX / 2n)) fail(Err.outOfRange);
  const hash = readHash(client, argv[1]);
  if (hash === undefined || big === 0n) {
    reply.arrayHeader(0);
    return;
  }
  // RESP3 nests each field/value pair in its own array; RESP2 flattens them.
  const nested = withValues && reply.resp === 3;
  const entries = hash.entries();
  const header = (picks: number): void => reply.arrayHeader(withValues && !nested ? picks * 2 : picks);
  const write = (field: string, value?: string): void => {
    if (nested) reply.arrayHeader(2);
    reply.bulk(field);
    if (withValues) reply.bulk(value ?? entries.get(field)!);
  };
  if (big < 0n || big === 1n) {
    // Repeats allowed: each pick is independent.
    const count = repeatedPicks(big < 0n ? -big : 1n);
    const picks = hash.randomPicks();
    header(count);
    for (let i = 0; i < count; i++) write(picks.random());
  } else if (big >= BigInt(hash.size)) {
    header(hash.size);
    for (const [field, value] of entries) write(field, value);
  } else {
    const fields = hash.randomDistinct(Number(big));
    header(fields.length);
    for (const field of fields) write(field);
  }
}

/** HSCAN key cursor [MATCH pattern] [COUNT count] */
function hscan(client: Client, argv: string[]): void {
  const cursor = cursorArg(argv[2]);
  const hash = readHash(client, argv[1]);
  const entries = hash?.entries();
  scanCollection(client, argv, cursor, entries, hash?.isListpack ? entries! : null, (found, field, value) => found.push(field, value));
}

const hashCommand = { group: 'hash', keys: [1, 1, 1] } as const;

export const hashCommands: CommandSpec[] = [
  { ...hashCommand, name: 'hset', arity: -4, flags: ['write', 'denyoom', 'fast'], since: '2.0.0', summary: 'Creates or modifies the value of a field in a hash.', complexity: 'O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is called with multiple field/value pairs.', handler: hset },
  { ...hashCommand, name: 'hsetnx', arity: 4, flags: ['write', 'denyoom', 'fast'], since: '2.0.0', summary: 'Sets the value of a field in a hash only when the field doesn\'t exist.', complexity: 'O(1)', handler: hsetnx },
  { ...hashCommand, name: 'hmset', arity: -4, flags: ['write', 'denyoom', 'fast'], since: '2.0.0', summary: 'Sets the values of multiple fields.', complexity: 'O(N) where N is the number of fields being set.', handler: hmset },
  { ...hashCommand, name: 'hget', arity: 3, flags: ['readonly', 'fast'], since: '2.0.0', summary: 'Returns the value of a field in a hash.', complexity: 'O(1)', handler: hget },
  { ...hashCommand, name: 'hmget', arity: -3, flags: ['readonly', 'fast'], since: '2.0.0', summary: 'Returns the values of all fields in a hash.', complexity: 'O(N) where N is the number of fields being requested.', handler: hmget },
  { ...hashCommand, name: 'hgetall', arity: 2, flags: ['readonly'], since: '2.0.0', summary: 'Returns all fields and values in a hash.', complexity: 'O(N) where N is the size of the hash.', handler: hgetall },
  { ...hashCommand, name: 'hkeys', arity: 2, flags: ['readonly'], since: '2.0.0', summary: 'Returns all fields in a hash.', complexity: 'O(N) where N is the size of the hash.', handler: hkeys },
  { ...hashCommand, name: 'hvals', arity: 2, flags: ['readonly'], since: '2.0.0', summary: 'Returns all values in a hash.', complexity: 'O(N) where N is the size of the hash.', handler: hvals },
  { ...hashCommand, name: 'hlen', arity: 2, flags: ['readonly', 'fast'], since: '2.0.0', summary: 'Returns the number of fields in a hash.', complexity: 'O(1)', handler: hlen },
  { ...hashCommand, name: 'hexists', arity: 3, flags: ['readonly', 'fast'], since: '2.0.0', summary: 'Determines whether a field exists in a hash.', complexity: 'O(1)', handler: hexists },
  { ...hashCommand, name: 'hdel', arity: -3, flags: ['write', 'fast'], since: '2.0.0', summary: 'Deletes one or more fields and their values from a hash. Deletes the hash if no fields remain.', complexity: 'O(N) where N is the number of fields to be removed.', handler: hdel },
  { ...hashCommand, name: 'hstrlen', arity: 3, flags: ['readonly', 'fast'], since: '3.2.0', summary: 'Returns the length of the value of a field.', complexity: 'O(1)', handler: hstrlen },
  { ...hashCommand, name: 'hincrby', arity: 4, flags: ['write', 'denyoom', 'fast'], since: '2.0.0', summary: 'Increments the integer value of a field in a hash by a number. Uses 0 as initial value if the field doesn\'t exist.', complexity: 'O(1)', handler: hincrby },
  { ...hashCommand, name: 'hincrbyfloat', arity: 4, flags: ['write', 'denyoom', 'fast'], since: '2.6.0', summary: 'Increments the floating point value of a field by a number. Uses 0 as initial value if the field doesn\'t exist.', complexity: 'O(1)', handler: hincrbyfloat },
  { ...hashCommand, name: 'hrandfield', arity: -2, flags: ['readonly'], since: '6.2.0', summary: 'Returns one or more random fields from a hash.', complexity: 'O(N) where N is the number of fields returned', handler: hrandfield },
  { ...hashCommand, name: 'hscan', arity: -3, flags: ['readonly'], since: '2.8.0', summary: 'Iterates over fields and values of a hash.', complexity: 'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.', handler: hscan },
];
