import type { Client } from '../src/client.js';
import type { CommandSpec } from '../src/command.js';
import { Err, fail } from '../src/errors.js';
import { globMatch } from '../src/glob.js';
import type { Database } from '../src/keyspace/database.js';
import { copyValue, isString, refCount, stringEncoding, typeName, type RedisValue, type StoredValue } from '../src/keyspace/values.js';
import { cursorArg, integerArg, isOption } from './arguments.js';
import { INT64_MAX, parseInt64 } from '../src/datatypes/int64.js';
import { keyModified, propagateAs } from './access.js';
import { createDumpPayload, decodeDumpPayload, verifyDumpPayload } from '../persistence/dump-payload.js';
import { replyScan, scanOptions } from './scan.js';
import { replyHelp } from './help.js';

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const SECONDS_MAX = INT64_MAX / 1000n;
const SECONDS_MIN = -SECONDS_MAX;

/** A database index argument (COPY DB, MOVE) resolved as Redis's getIntFromObject + selectDb. */
function databaseArg(client: Client, text: string): Database {
  const index = integerArg(text);
  if (index < INT32_MIN || index > INT32_MAX) fail(Err.intRange);
  const db = client.server.databases[index];
  if (db === undefined) fail(Err.dbIndexOutOfRange);
  return db;
}

/** DEL key [key ...] and UNLINK key [key ...] (memory is reclaimed by the GC either way) */
function del(client: Client, argv: string[]): void {
  const db = client.db;
  let deleted = 0;
  for (let i = 1; i < argv.length; i++) {
    const key = argv[i];
    if (db.lookup(key) !== undefined && db.delete(key)) {
      keyModified(client, db, key, 'del');
      deleted++;
    }
  }
  client.reply.integer(deleted);
}

/**
 * EXISTS key [key ...] and TOUCH key [key ...]: how many of the keys exist, repeats counted.
 * They differ in Redis only by TOUCH updating access times, which nodis does not track yet.
 */
function exists(client: Client, argv: string[]): void {
  const db = client.db;
  let found = 0;
  for (let i = 1; i < argv.length; i++) if (db.lookupRead(argv[i]) !== undefined) found++;
  client.reply.integer(found);
}

/** TYPE key */
function type(client: Client, argv: string[]): void {
  const value = client.db.lookupRead(argv[1]);
  client.reply.simple(value === undefined ? 'none' : typeName(value));
}

/** KEYS pattern */
function keys(client: Client, argv: string[]): void {
  const db = client.db;
  const pattern = argv[1];
  const all = pattern === '*';
  const found: string[] = [];
  // Expired keys are hidden but left for the expiry cycle, as Redis's keysCommand does.
  for (const key of db.dict.keys()) {
    if ((all || globMatch(pattern, key)) && !db.isExpired(key)) found.push(key);
  }
  client.reply.bulkArray(found);
}

/** SCAN cursor [MATCH pattern] [COUNT count] [TYPE type] */
function scan(client: Client, argv: string[]): void {
  const cursor = cursorArg(argv[1]);
  const { pattern, count, type } = scanOptions(argv, 2, true);
  const db = client.db;
  const found: string[] = [];
  const next = client.server.scanCursors.scan(db.dict, cursor, count, (key: string, value: StoredValue) => {
    if (pattern !== null && !globMatch(pattern, key)) return;
    if (type !== null && typeName(value) !== type) return;
    if (db.expireIfNeeded(key)) return;
    found.push(key);
  });
  replyScan(client.reply, next, found);
}

/** RANDOMKEY */
function randomKey(client: Client): void {
  client.reply.bulkOrNull(client.db.randomKey());
}

/** RENAME key newkey, and RENAMENX key newkey when `nx` */
function renameGeneric(client: Client, argv: string[], nx: boolean): void {
  const db = client.db;
  const [, source, destination] = argv;
  const value = db.lookup(source);
  if (value === undefined) fail(Err.noSuchKey);
  if (source === destination) {
    if (nx) client.reply.integer(0);
    else client.reply.ok();
    return;
  }
  const expireAt = db.expireAt(source);
  if (db.lookup(destination) !== undefined) {
    if (nx) {
      client.reply.integer(0);
      return;
    }
    db.delete(destination);
  }
  db.set(destination, value);
  if (expireAt !== undefined) db.setExpire(destination, expireAt);
  db.delete(source);
  keyModified(client, db, source, 'rename_from');
  keyModified(client, db, destination, 'rename_to', 0);
  if (nx) client.reply.integer(1);
  else client.reply.ok();
}

/** RENAME key newkey */
function rename(client: Client, argv: string[]): void {
  renameGeneric(client, argv, false);
}

/** RENAMENX key newkey */
function renameNx(client: Client, argv: string[]): void {
  renameGeneric(client, argv, true);
}

/** COPY source destination [DB destination-db] [REPLACE] */
function copy(client: Client, argv: string[]): void {
  const source = client.db;
  let target = source;
  let replace = false;
  for (let i = 3; i < argv.length; i++) {
    if (isOption(argv[i], 'REPLACE')) {
      replace = true;
    } else if (isOption(argv[i], 'DB') && i + 1 < argv.length) {
      target = databaseArg(client, argv[++i]);
    } else {
      fail(Err.syntax);
    }
  }
  const [, key, newKey] = argv;
  if (source === target && key === newKey) fail(Err.sourceDestinationSame);
  const value = source.lookupRead(key);
  if (value === undefined) {
    client.reply.integer(0);
    return;
  }
  const expireAt = source.expireAt(key);
  if (target.lookup(newKey) !== undefined) {
    if (!replace) {
      client.reply.integer(0);
      return;
    }
    target.delete(newKey);
  }
  target.set(newKey, copyValue(value));
  if (expireAt !== undefined) target.setExpire(newKey, expireAt);
  keyModified(client, target, newKey, 'copy_to');
  client.reply.integer(1);
}

/** MOVE key db */
function move(client: Client, argv: string[]): void {
  const source = client.db;
  const target = databaseArg(client, argv[2]);
  if (source === target) fail(Err.sourceDestinationSame);
  const key = argv[1];
  const value = source.lookup(key);
  if (value === undefined || target.lookup(key) !== undefined) {
    client.reply.integer(0);
    return;
  }
  const expireAt = source.expireAt(key);
  target.set(key, value);
  if (expireAt !== undefined) target.setExpire(key, expireAt);
  source.delete(key);
  keyModified(client, source, key, 'move_from');
  keyModified(client, target, key, 'move_to', 0);
  client.reply.integer(1);
}

const EXPIRE_NX = 1;
const EXPIRE_XX = 2;
const EXPIRE_GT = 4;
const EXPIRE_LT = 8;

/** The NX|XX|GT|LT flags after the time argument, as Redis's parseExtendedExpireArgumentsOrReply. */
function expireFlags(argv: string[]): number {
  let flags = 0;
  for (let i = 3; i < argv.length; i++) {
    const option = argv[i];
    if (isOption(option, 'NX')) flags |= EXPIRE_NX;
    else if (isOption(option, 'XX')) flags |= EXPIRE_XX;
    else if (isOption(option, 'GT')) flags |= EXPIRE_GT;
    else if (isOption(option, 'LT')) flags |= EXPIRE_LT;
    else fail(Err.unsupportedOption(option));
  }
  if (flags & EXPIRE_NX && flags & (EXPIRE_XX | EXPIRE_GT | EXPIRE_LT)) fail(Err.expireNxWithOthers);
  if (flags & EXPIRE_GT && flags & EXPIRE_LT) fail(Err.expireGtAndLt);
  return flags;
}

/** Does the NX|XX|GT|LT condition allow replacing expiry `current` (undefined: none) by `when`? */
function expireAllowed(flags: number, current: number | undefined, when: number): boolean {
  if (flags & EXPIRE_NX) return current === undefined;
  if (flags & EXPIRE_XX && current === undefined) return false;
  // No TTL counts as an infinite one: never less than `when`, always greater.
  if (flags & EXPIRE_GT) return current !== undefined && when > current;
  if (flags & EXPIRE_LT) return current === undefined || when < current;
  return true;
}

/** Redis refuses times that would overflow a signed 64-bit count of milliseconds. */
function expireOverflow(argv: string[]): never {
  fail(Err.invalidExpire(argv[0].toLowerCase()));
}

/**
 * EXPIRE, PEXPIRE, EXPIREAT and PEXPIREAT key time [NX|XX|GT|LT]: `time` counts from `base` ms,
 * in seconds when `seconds`. A time already past deletes the key, as Redis does.
 */
function expireGeneric(client: Client, argv: string[], base: number, seconds: boolean): void {
  const flags = argv.length > 3 ? expireFlags(argv) : 0;
  let when = parseInt64(argv[2]);
  if (when === undefined) fail(Err.notInteger);
  if (seconds) {
    if (when > SECONDS_MAX || when < SECONDS_MIN) expireOverflow(argv);
    when *= 1000n;
  }
  when += BigInt(base);
  if (when > INT64_MAX) expireOverflow(argv);
  const whenMs = Number(when);
  const db = client.db;
  const key = argv[1];
  if (db.lookup(key) === undefined || (flags !== 0 && !expireAllowed(flags, db.expireAt(key), whenMs))) {
    client.reply.integer(0);
    return;
  }
  if (whenMs <= client.server.now()) {
    db.delete(key);
    keyModified(client, db, key, 'del');
    propagateAs(client, ['DEL', key]);
  } else {
    db.setExpire(key, whenMs);
    keyModified(client, db, key, 'expire');
    // Every form replays as the absolute time it set.
    propagateAs(client, ['PEXPIREAT', key, String(whenMs)]);
  }
  client.reply.integer(1);
}

/** EXPIRE key seconds [NX|XX|GT|LT] */
function expire(client: Client, argv: string[]): void {
  expireGeneric(client, argv, client.server.now(), true);
}

/** PEXPIRE key milliseconds [NX|XX|GT|LT] */
function pexpire(client: Client, argv: string[]): void {
  expireGeneric(client, argv, client.server.now(), false);
}

/** EXPIREAT key unix-time-seconds [NX|XX|GT|LT] */
function expireAt(client: Client, argv: string[]): void {
  expireGeneric(client, argv, 0, true);
}

/** PEXPIREAT key unix-time-milliseconds [NX|XX|GT|LT] */
function pexpireAt(client: Client, argv: string[]): void {
  expireGeneric(client, argv, 0, false);
}

/**
 * TTL, PTTL, EXPIRETIME and PEXPIRETIME key: -2 when missing, -1 without expiry, else the time
 * left (or the deadline when `absolute`), in ms or rounded to the nearest second.
 */
function ttlGeneric(client: Client, argv: string[], ms: boolean, absolute: boolean): void {
  const db = client.db;
  const key = argv[1];
  if (db.lookupRead(key) === undefined) {
    client.reply.integer(-2);
    return;
  }
  const when = db.expireAt(key);
  if (when === undefined) {
    client.reply.integer(-1);
    return;
  }
  const left = Math.max(absolute ? when : when - client.server.now(), 0);
  client.reply.integer(ms ? left : Math.floor((left + 500) / 1000));
}

/** TTL key */
function ttl(client: Client, argv: string[]): void {
  ttlGeneric(client, argv, false, false);
}

/** PTTL key */
function pttl(client: Client, argv: string[]): void {
  ttlGeneric(client, argv, true, false);
}

/** EXPIRETIME key */
function expireTime(client: Client, argv: string[]): void {
  ttlGeneric(client, argv, false, true);
}

/** PEXPIRETIME key */
function pexpireTime(client: Client, argv: string[]): void {
  ttlGeneric(client, argv, true, true);
}

/** PERSIST key */
function persist(client: Client, argv: string[]): void {
  const db = client.db;
  const key = argv[1];
  if (db.lookup(key) === undefined || !db.persist(key)) {
    client.reply.integer(0);
    return;
  }
  keyModified(client, db, key, 'persist');
  client.reply.integer(1);
}

/** DUMP key: the value in Redis's serialized form, or nil. */
function dump(client: Client, argv: string[]): void {
  const value = client.db.lookupRead(argv[1]);
  client.reply.bulkOrNull(value === undefined ? null : createDumpPayload(value, client.server.config.get('rdbcompression')));
}

/**
 * RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency], checked
 * in Redis's order: options, then an existing key, the TTL, the payload's version and checksum,
 * and its contents. A TTL already past creates nothing (and removes what REPLACE replaced).
 */
function restore(client: Client, argv: string[]): void {
  let replace = false;
  let absolute = false;
  let idle = false;
  let frequency = false;
  for (let i = 4; i < argv.length; i++) {
    const more = i + 1 < argv.length;
    if (isOption(argv[i], 'REPLACE')) {
      replace = true;
    } else if (isOption(argv[i], 'ABSTTL')) {
      absolute = true;
    } else if (isOption(argv[i], 'IDLETIME') && more && !frequency) {
      if (integerArg(argv[++i]) < 0) fail('ERR Invalid IDLETIME value, must be >= 0');
      idle = true;
    } else if (isOption(argv[i], 'FREQ') && more && !idle) {
      const freq = integerArg(argv[++i]);
      if (freq < 0 || freq > 255) fail('ERR Invalid FREQ value, must be >= 0 and <= 255');
      frequency = true;
    } else {
      fail(Err.syntax);
    }
  }
  const db = client.db;
  const key = argv[1];
  if (!replace && db.lookup(key) !== undefined) fail('BUSYKEY Target key name already exists.');
  let ttl = integerArg(argv[2]);
  if (ttl < 0) fail('ERR Invalid TTL value, must be >= 0');
  const payload = Buffer.from(argv[3], 'latin1');
  if (!verifyDumpPayload(payload)) fail('ERR DUMP payload version or checksum are wrong');
  let value: RedisValue;
  try {
    value = decodeDumpPayload(payload, client.server.persistence.loadLimits());
  } catch {
    fail('ERR Bad data format');
  }
  const replaced = replace && db.delete(key);
  if (ttl !== 0 && !absolute) ttl += client.server.now();
  if (ttl !== 0 && ttl <= client.server.now()) {
    if (replaced) {
      keyModified(client, db, key, 'del');
      propagateAs(client, ['DEL', key]);
    }
    client.reply.ok();
    return;
  }
  db.set(key, value);
  if (ttl !== 0) db.setExpire(key, ttl);
  keyModified(client, db, key, 'restore');
  if (ttl !== 0 && !absolute) propagateAs(client, ['RESTORE', key, String(ttl), argv[3], 'ABSTTL', ...(replace ? ['REPLACE'] : [])]);
  client.reply.ok();
}

/** The value an OBJECT subcommand inspects; replies null and returns undefined when missing. */
function objectLookup(client: Client, key: string): RedisValue | undefined {
  // Looking at a key is not using it (Redis's LOOKUP_NOTOUCH).
  const value = client.db.lookupRead(key, false);
  if (value === undefined) client.reply.nullBulk();
  return value;
}

/** OBJECT ENCODING key */
function objectEncoding(client: Client, argv: string[]): void {
  const value = objectLookup(client, argv[2]);
  if (value !== undefined) client.reply.bulk(isString(value) ? stringEncoding(value) : value.encoding());
}

/** OBJECT REFCOUNT key */
function objectRefCount(client: Client, argv: string[]): void {
  const value = objectLookup(client, argv[2]);
  if (value !== undefined) client.reply.integer(refCount(value));
}

/**
 * OBJECT IDLETIME key: seconds since the key was last used. Use is tracked while the
 * maxmemory-policy is an LRU one (a key not used since counts from when it was set); under
 * other non-LFU policies nothing is tracked and the answer is 0.
 */
function objectIdleTime(client: Client, argv: string[]): void {
  const db = client.db;
  if (objectLookup(client, argv[2]) === undefined) return;
  if (db.access?.mode === 'lfu') fail(Err.lfuSelected);
  client.reply.integer(db.access === null ? 0 : Math.floor(db.access.idleMs(argv[2], client.server.now()) / 1000));
}

/** OBJECT FREQ key: the logarithmic access counter, tracked under an LFU policy only. */
function objectFreq(client: Client, argv: string[]): void {
  const db = client.db;
  if (objectLookup(client, argv[2]) === undefined) return;
  if (db.access?.mode !== 'lfu') fail(Err.lfuNotSelected);
  client.reply.integer(db.access.frequency(argv[2], client.server.now()));
}

const OBJECT_HELP = [
  'ENCODING <key>',
  '    Return the kind of internal representation used in order to store the value',
  '    associated with a <key>.',
  'FREQ <key>',
  '    Return the access frequency index of the <key>. The returned integer is',
  '    proportional to the logarithm of the recent access frequency of the key.',
  'IDLETIME <key>',
  '    Return the idle time of the <key>, that is the approximated number of',
  '    seconds elapsed since the last access to the key.',
  'REFCOUNT <key>',
  '    Return the number of references of the value associated with the specified',
  '    <key>.',
];

/** OBJECT HELP */
function objectHelp(client: Client): void {
  replyHelp(client, 'object', OBJECT_HELP);
}

const generic = { group: 'generic' } as const;

export const keyCommands: CommandSpec[] = [
  { ...generic, name: 'del', arity: -2, flags: ['write'], keys: [1, -1, 1], since: '1.0.0', summary: 'Deletes one or more keys.', complexity: 'O(N) where N is the number of keys that will be removed. When a key to remove holds a value other than a string, the individual complexity for this key is O(M) where M is the number of elements in the list, set, sorted set or hash. Removing a single key that holds a string value is O(1).', handler: del },
  { ...generic, name: 'unlink', arity: -2, flags: ['write', 'fast'], keys: [1, -1, 1], since: '4.0.0', summary: 'Asynchronously deletes one or more keys.', complexity: 'O(1) for each key removed regardless of its size. Then the command does O(N) work in a different thread in order to reclaim memory, where N is the number of allocations the deleted objects where composed of.', handler: del },
  { ...generic, name: 'exists', arity: -2, flags: ['readonly', 'fast'], keys: [1, -1, 1], since: '1.0.0', summary: 'Determines whether one or more keys exist.', complexity: 'O(N) where N is the number of keys to check.', handler: exists },
  { ...generic, name: 'touch', arity: -2, flags: ['readonly', 'fast'], keys: [1, -1, 1], since: '3.2.1', summary: 'Returns the number of existing keys out of those specified after updating the time they were last accessed.', complexity: 'O(N) where N is the number of keys that will be touched.', handler: exists },
  { ...generic, name: 'type', arity: 2, flags: ['readonly', 'fast'], keys: [1, 1, 1], since: '1.0.0', summary: 'Determines the type of value stored at a key.', complexity: 'O(1)', handler: type },
  { ...generic, name: 'keys', arity: 2, flags: ['readonly'], since: '1.0.0', summary: 'Returns all key names that match a pattern.', complexity: 'O(N) with N being the number of keys in the database, under the assumption that the key names in the database and the given pattern have limited length.', handler: keys },
  { ...generic, name: 'scan', arity: -2, flags: ['readonly'], since: '2.8.0', summary: 'Iterates over the key names in the database.', complexity: 'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.', handler: scan },
  { ...generic, name: 'randomkey', arity: 1, flags: ['readonly'], since: '1.0.0', summary: 'Returns a random key name from the database.', complexity: 'O(1)', handler: randomKey },
  { ...generic, name: 'rename', arity: 3, flags: ['write'], keys: [1, 2, 1], since: '1.0.0', summary: 'Renames a key and overwrites the destination.', complexity: 'O(1)', handler: rename },
  { ...generic, name: 'renamenx', arity: 3, flags: ['write', 'fast'], keys: [1, 2, 1], since: '1.0.0', summary: 'Renames a key only when the target key name doesn\'t exist.', complexity: 'O(1)', handler: renameNx },
  { ...generic, name: 'copy', arity: -3, flags: ['write', 'denyoom'], keys: [1, 2, 1], since: '6.2.0', summary: 'Copies the value of a key to a new key.', complexity: 'O(N) worst case for collections, where N is the number of nested items. O(1) for string values.', handler: copy },
  { ...generic, name: 'dump', arity: 2, flags: ['readonly'], keys: [1, 1, 1], since: '2.6.0', summary: 'Returns a serialized representation of the value stored at a key.', complexity: 'O(1) to access the key and additional O(N*M) to serialize it, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1).', handler: dump },
  { ...generic, name: 'restore', arity: -4, flags: ['write', 'denyoom'], keys: [1, 1, 1], since: '2.6.0', summary: 'Creates a key from the serialized representation of a value.', complexity: 'O(1) to create the new key and additional O(N*M) to reconstruct the serialized value, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1). However for sorted set values the complexity is O(N*M*log(N)) because inserting values into sorted sets is O(log(N)).', handler: restore },
  { ...generic, name: 'move', arity: 3, flags: ['write', 'fast'], keys: [1, 1, 1], since: '1.0.0', summary: 'Moves a key to another database.', complexity: 'O(1)', handler: move },
  { ...generic, name: 'expire', arity: -3, flags: ['write', 'fast'], keys: [1, 1, 1], since: '1.0.0', summary: 'Sets the expiration time of a key in seconds.', complexity: 'O(1)', handler: expire },
  { ...generic, name: 'pexpire', arity: -3, flags: ['write', 'fast'], keys: [1, 1, 1], since: '2.6.0', summary: 'Sets the expiration time of a key in milliseconds.', complexity: 'O(1)', handler: pexpire },
  { ...generic, name: 'expireat', arity: -3, flags: ['write', 'fast'], keys: [1, 1, 1], since: '1.2.0', summary: 'Sets the expiration time of a key to a Unix timestamp.', complexity: 'O(1)', handler: expireAt },
  { ...generic, name: 'pexpireat', arity: -3, flags: ['write', 'fast'], keys: [1, 1, 1], since: '2.6.0', summary: 'Sets the expiration time of a key to a Unix milliseconds timestamp.', complexity: 'O(1)', handler: pexpireAt },
  { ...generic, name: 'ttl', arity: 2, flags: ['readonly', 'fast'], keys: [1, 1, 1], since: '1.0.0', summary: 'Returns the expiration time in seconds of a key.', complexity: 'O(1)', handler: ttl },
  { ...generic, name: 'pttl', arity: 2, flags: ['readonly', 'fast'], keys: [1, 1, 1], since: '2.6.0', summary: 'Returns the expiration time in milliseconds of a key.', complexity: 'O(1)', handler: pttl },
  { ...generic, name: 'expiretime', arity: 2, flags: ['readonly', 'fast'], keys: [1, 1, 1], since: '7.0.0', summary: 'Returns the expiration time of a key as a Unix timestamp.', complexity: 'O(1)', handler: expireTime },
  { ...generic, name: 'pexpiretime', arity: 2, flags: ['readonly', 'fast'], keys: [1, 1, 1], since: '7.0.0', summary: 'Returns the expiration time of a key as a Unix milliseconds timestamp.', complexity: 'O(1)', handler: pexpireTime },
  { ...generic, name: 'persist', arity: 2, flags: ['write', 'fast'], keys: [1, 1, 1], since: '2.2.0', summary: 'Removes the expiration time of a key.', complexity: 'O(1)', handler: persist },
  {
    ...generic, name: 'object', arity: -2, flags: [], since: '2.2.3', summary: 'A container for object introspection commands.', complexity: 'Depends on subcommand.',
    subcommands: [
      { ...generic, name: 'encoding', arity: 3, flags: ['readonly'], keys: [2, 2, 1], since: '2.2.3', summary: 'Returns the internal encoding of a Redis object.', complexity: 'O(1)', handler: objectEncoding },
      { ...generic, name: 'freq', arity: 3, flags: ['readonly'], keys: [2, 2, 1], since: '4.0.0', summary: 'Returns the logarithmic access frequency counter of a Redis object.', complexity: 'O(1)', handler: objectFreq },
      { ...generic, name: 'help', arity: 2, flags: ['loading', 'stale'], since: '6.2.0', summary: 'Returns helpful text about the different subcommands.', complexity: 'O(1)', handler: objectHelp },
      { ...generic, name: 'idletime', arity: 3, flags: ['readonly'], keys: [2, 2, 1], since: '2.2.3', summary: 'Returns the time since the last access to a Redis object.', complexity: 'O(1)', handler: objectIdleTime },
      { ...generic, name: 'refcount', arity: 3, flags: ['readonly'], keys: [2, 2, 1], since: '2.2.3', summary: 'Returns the reference count of a value of a key.', complexity: 'O(1)', handler: objectRefCount },
    ],
  },
];
