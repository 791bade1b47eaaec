import type { Client } from '../src/client.js';
import type { CommandSpec } from '../src/command.js';
import { SetValue } from '../src/datatypes/set.js';
import { Err, fail } from '../src/errors.js';
import type { KeyEvent } from '../src/keyspace/events.js';
import { collectionModified, keyModified, notify, propagateAs, readCollection, writableCollection } from './access.js';
import { cursorArg, isOption, parseInteger, repeatedPicks } from './arguments.js';
import { scanCollection } from './scan.js';

/** set-max-intset-entries, capped as Redis's setTypeAdd caps it (intset internals). */
function maxIntsetEntries(client: Client): number {
  return Math.min(client.server.config.values['set-max-intset-entries'], 2 ** 30);
}

/** SADD key member [member ...] */
function sadd(client: Client, argv: string[]): void {
  const db = client.db;
  const key = argv[1];
  let set = writableCollection<SetValue>(db, key, 'set');
  if (set === undefined) {
    set = new SetValue();
    db.set(key, set);
  }
  const max = maxIntsetEntries(client);
  let added = 0;
  for (let i = 2; i < argv.length; i++) if (set.add(argv[i], max)) added++;
  if (added > 0) collectionModified(client, db, key, set, 'sadd', added);
  client.reply.integer(added);
}

/** SREM key member [member ...] */
function srem(client: Client, argv: string[]): void {
  const db = client.db;
  const set = writableCollection<SetValue>(db, argv[1], 'set');
  let removed = 0;
  if (set !== undefined) {
    for (let i = 2; i < argv.length; i++) if (set.delete(argv[i])) removed++;
    if (removed > 0) collectionModified(client, db, argv[1], set, 'srem', removed);
  }
  client.reply.integer(removed);
}

/** SCARD key */
function scard(client: Client, argv: string[]): void {
  client.reply.integer(readCollection<SetValue>(client, argv[1], 'set')?.size ?? 0);
}

/** SISMEMBER key member */
function sismember(client: Client, argv: string[]): void {
  const set = readCollection<SetValue>(client, argv[1], 'set');
  client.reply.integer(set !== undefined && set.has(argv[2]) ? 1 : 0);
}

/** SMISMEMBER key member [member ...] */
function smismember(client: Client, argv: string[]): void {
  const set = readCollection<SetValue>(client, argv[1], 'set');
  client.reply.arrayHeader(argv.length - 2);
  for (let i = 2; i < argv.length; i++) client.reply.integer(set !== undefined && set.has(argv[i]) ? 1 : 0);
}

/** SMEMBERS key */
function smembers(client: Client, argv: string[]): void {
  const set = readCollection<SetValue>(client, argv[1], 'set');
  replySet(client, set === undefined ? [] : set.list());
}

/** A set reply ('~' in RESP3, an array in RESP2). */
function replySet(client: Client, members: readonly string[]): void {
  client.reply.setHeader(members.length);
  for (const member of members) client.reply.bulk(member);
}

/** SMOVE source destination member */
function smove(client: Client, argv: string[]): void {
  const db = client.db;
  const [, sourceKey, destinationKey, member] = argv;
  const source = writableCollection<SetValue>(db, sourceKey, 'set');
  if (source === undefined) {
    client.reply.integer(0);
    return;
  }
  let destination = writableCollection<SetValue>(db, destinationKey, 'set');
  if (source === destination) {
    client.reply.integer(source.has(member) ? 1 : 0);
    return;
  }
  if (!source.delete(member)) {
    client.reply.integer(0);
    return;
  }
  collectionModified(client, db, sourceKey, source, 'srem');
  if (destination === undefined) {
    destination = new SetValue();
    db.set(destinationKey, destination);
  }
  if (destination.add(member, maxIntsetEntries(client))) keyModified(client, db, destinationKey, 'sadd');
  client.reply.integer(1);
}

/** Above this many popped members per one kept, SPOP builds the remaining set anew (Redis's SPOP_MOVE_STRATEGY_MUL). */
const SPOP_MOVE_RATIO = 5;

/** SPOP key [count] */
function spop(client: Client, argv: string[]): void {
  if (argv.length > 3) fail(Err.syntax);
  const db = client.db;
  const key = argv[1];
  if (argv.length === 2) {
    const set = writableCollection<SetValue>(db, key, 'set');
    if (set === undefined) {
      client.reply.nullBulk();
      return;
    }
    const member = set.popRandom();
    collectionModified(client, db, key, set, 'spop');
    // The pick is random: replay the removal of what was picked, as Redis does.
    propagateAs(client, ['SREM', key, member]);
    client.reply.bulk(member);
    return;
  }
  const count = parseInteger(argv[2]);
  if (count === undefined || count < 0) fail(Err.mustBePositive);
  const set = writableCollection<SetValue>(db, key, 'set');
  if (set === undefined || count === 0) {
    client.reply.setHeader(0);
    return;
  }
  const size = set.size;
  if (count >= size) {
    // The whole set goes, replied as SUNION of it would: in numeric order whenever a copy would be an intset.
    replySet(client, set.list(set.fitsIntset(maxIntsetEntries(client))));
    db.delete(key);
    keyModified(client, db, key, 'spop', size);
    notify(client, db, key, 'del');
    propagateAs(client, ['DEL', key]);
    return;
  }
  const remaining = size - count;
  let popped: string[];
  if (remaining * SPOP_MOVE_RATIO > count) {
    popped = new Array<string>(count);
    for (let i = 0; i < count; i++) popped[i] = set.popRandom();
  } else {
    // Few stay: move the ones that stay into a new set (its encoding chosen afresh, so a
    // hashtable may become an intset) and reply what is left in the old one.
    const kept = new SetValue();
    const max = maxIntsetEntries(client);
    for (let i = 0; i < remaining; i++) kept.add(set.popRandom(), max);
    popped = set.list();
    db.set(key, kept, true);
  }
  replySet(client, popped);
  keyModified(client, db, key, 'spop', count);
  propagateAs(client, ['SREM', key, ...popped]);
}

/** The one int64 that SRANDMEMBER's count range (-LONG_MAX..LONG_MAX) leaves out. */
const LONG_MIN = '-9223372036854775808';

/** SRANDMEMBER key [count] */
function srandmember(client: Client, argv: string[]): void {
  if (argv.length > 3) fail(Err.syntax);
  const reply = client.reply;
  if (argv.length === 2) {
    const set = readCollection<SetValue>(client, argv[1], 'set');
    if (set === undefined) reply.nullBulk();
    else reply.bulk(set.random());
    return;
  }
  const requested = parseInteger(argv[2]);
  if (requested === undefined) fail(Err.notInteger);
  if (argv[2] === LONG_MIN) fail(Err.longRange);
  const set = readCollection<SetValue>(client, argv[1], 'set');
  if (set === undefined || requested === 0) {
    reply.arrayHeader(0);
    return;
  }
  if (requested < 0 || requested === 1) {
    // Repeats allowed: each pick is independent.
    const count = repeatedPicks(Math.abs(requested));
    reply.arrayHeader(count);
    for (let i = 0; i < count; i++) reply.bulk(set.random());
    return;
  }
  if (requested >= set.size) reply.bulkArray(set.list());
  else reply.bulkArray(set.randomDistinct(requested));
}

/** The sets at `argv[from..to)` (undefined for a missing key), every key type-checked first. */
function readSets(client: Client, argv: string[], from: number, to: number): (SetValue | undefined)[] {
  const sets: (SetValue | undefined)[] = [];
  for (let i = from; i < to; i++) sets.push(readCollection<SetValue>(client, argv[i], 'set'));
  return sets;
}

/**
 * SINTER, SINTERSTORE and SINTERCARD (Redis's sinterGenericCommand) over the keys at
 * `argv[from..to)`: the members of the smallest set, in its order, found in every other set.
 * `limit` > 0 stops SINTERCARD's count there.
 */
function interGeneric(client: Client, argv: string[], from: number, to: number, destination: string | null, cardinalityOnly: boolean, limit = 0): void {
  const found = readSets(client, argv, from, to);
  const sets = found.filter((set): set is SetValue => set !== undefined);
  const result: string[] = [];
  let cardinality = 0;
  // Any missing key makes the intersection empty.
  if (sets.length === found.length) {
    // Smallest first, a stable sort as glibc's qsort is a merge sort.
    sets.sort((a, b) => a.size - b.size);
    const smallest = sets[0];
    for (const member of smallest.list()) {
      let inAll = true;
      for (let i = 1; i < sets.length && inAll; i++) inAll = sets[i] === smallest || sets[i].has(member);
      if (!inAll) continue;
      cardinality++;
      if (cardinalityOnly) {
        if (cardinality === limit) break;
      } else {
        result.push(member);
      }
    }
  }
  if (cardinalityOnly) client.reply.integer(cardinality);
  else if (destination === null) replySet(client, result);
  else {
    const stored = new SetValue();
    const max = maxIntsetEntries(client);
    for (const member of result) stored.add(member, max);
    storeResult(client, destination, stored, 'sinterstore');
  }
}

/** SINTER key [key ...] */
function sinter(client: Client, argv: string[]): void {
  interGeneric(client, argv, 1, argv.length, null, false);
}

/** SINTERSTORE destination key [key ...] */
function sinterstore(client: Client, argv: string[]): void {
  interGeneric(client, argv, 2, argv.length, argv[1], false);
}

/** SINTERCARD numkeys key [key ...] [LIMIT limit] */
function sintercard(client: Client, argv: string[]): void {
  const numKeys = parseInteger(argv[1]);
  if (numKeys === undefined || numKeys < 1) fail(Err.numKeysPositive);
  if (numKeys > argv.length - 2) fail(Err.numKeysTooMany);
  let limit = 0;
  for (let i = 2 + numKeys; i < argv.length; i++) {
    if (isOption(argv[i], 'LIMIT') && i + 1 < argv.length) {
      const value = parseInteger(argv[++i]);
      if (value === undefined || value < 0) fail(Err.limitNegative);
      limit = value;
    } else {
      fail(Err.syntax);
    }
  }
  interGeneric(client, argv, 2, 2 + numKeys, null, true, limit);
}

/** A set holding every member of `sets`, its encoding grown as Redis grows an intset it adds to. */
function unionOf(sets: readonly (SetValue | undefined)[], max: number): SetValue {
  const result = new SetValue();
  for (const set of sets) if (set !== undefined) for (const member of set.members()) result.add(member, max);
  return result;
}

/**
 * The members of `sets[0]` in none of the others, by the cheaper of Redis's two algorithms
 * (which also decides the result's encoding, so both are kept): look each member up in the
 * other sets, or copy the first set and remove the others' members from the copy.
 */
function differenceOf(sets: readonly (SetValue | undefined)[], max: number): SetValue {
  const result = new SetValue();
  const [first, ...others] = sets;
  if (first === undefined || others.includes(first)) return result;
  const present = others.filter((set): set is SetValue => set !== undefined);
  let lookupWork = first.size;
  let copyWork = first.size;
  for (const set of present) {
    lookupWork += first.size;
    copyWork += set.size;
  }
  // Lookups have the better constant factor and stop early on common members: Redis halves their cost.
  if (Math.floor(lookupWork / 2) <= copyWork) {
    for (const member of first.members()) if (!present.some((set) => set.has(member))) result.add(member, max);
    return result;
  }
  for (const member of first.members()) result.add(member, max);
  for (const set of present) {
    for (const member of set.members()) result.delete(member);
    if (result.size === 0) break;
  }
  return result;
}

/** SUNION, SDIFF and their STORE forms (Redis's sunionDiffGenericCommand) over `argv[from..]`. */
function unionDiffGeneric(client: Client, argv: string[], from: number, destination: string | null, combine: typeof unionOf): void {
  const result = combine(readSets(client, argv, from, argv.length), maxIntsetEntries(client));
  if (destination === null) replySet(client, result.list());
  else storeResult(client, destination, result, combine === unionOf ? 'sunionstore' : 'sdiffstore');
}

/** A *STORE result replaces whatever `destination` held, TTL included; an empty one deletes it. */
function storeResult(client: Client, destination: string, result: SetValue, event: KeyEvent): void {
  const db = client.db;
  if (result.size > 0) {
    db.set(destination, result);
    keyModified(client, db, destination, event);
  } else if (db.delete(destination)) {
    keyModified(client, db, destination, 'del');
  }
  client.reply.integer(result.size);
}

/** SUNION key [key ...] */
function sunion(client: Client, argv: string[]): void {
  unionDiffGeneric(client, argv, 1, null, unionOf);
}

/** SUNIONSTORE destination key [key ...] */
function sunionstore(client: Client, argv: string[]): void {
  unionDiffGeneric(client, argv, 2, argv[1], unionOf);
}

/** SDIFF key [key ...] */
function sdiff(client: Client, argv: string[]): void {
  unionDiffGeneric(client, argv, 1, null, differenceOf);
}

/** SDIFFSTORE destination key [key ...] */
function sdiffstore(client: Client, argv: string[]): void {
  unionDiffGeneric(client, argv, 2, argv[1], differenceOf);
}

/** SSCAN key cursor [MATCH pattern] [COUNT count] */
function sscan(client: Client, argv: string[]): void {
  const cursor = cursorArg(argv[2]);
  const set = readCollection<SetValue>(client, argv[1], 'set');
  // An intset is returned whole and in numeric order.
  const compact = set?.intset ? set.list().map((member): [string, true] => [member, true]) : null;
  scanCollection(client, argv, cursor, set?.hashtable, compact, (found, member) => found.push(member));
}

const setCommand = { group: 'set', keys: [1, 1, 1] } as const;
const allKeys = { group: 'set', keys: [1, -1, 1] } as const;
const UNION_COMPLEXITY = 'O(N) where N is the total number of elements in all given sets.';
const INTER_COMPLEXITY = 'O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.';

export const setCommands: CommandSpec[] = [
  { ...setCommand, name: 'sadd', arity: -3, flags: ['write', 'denyoom', 'fast'], since: '1.0.0', summary: 'Adds one or more members to a set. Creates the key if it doesn\'t exist.', complexity: 'O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.', handler: sadd },
  { ...setCommand, name: 'srem', arity: -3, flags: ['write', 'fast'], since: '1.0.0', summary: 'Removes one or more members from a set. Deletes the set if the last member was removed.', complexity: 'O(N) where N is the number of members to be removed.', handler: srem },
  { ...setCommand, name: 'scard', arity: 2, flags: ['readonly', 'fast'], since: '1.0.0', summary: 'Returns the number of members in a set.', complexity: 'O(1)', handler: scard },
  { ...setCommand, name: 'sismember', arity: 3, flags: ['readonly', 'fast'], since: '1.0.0', summary: 'Determines whether a member belongs to a set.', complexity: 'O(1)', handler: sismember },
  { ...setCommand, name: 'smismember', arity: -3, flags: ['readonly', 'fast'], since: '6.2.0', summary: 'Determines whether multiple members belong to a set.', complexity: 'O(N) where N is the number of elements being checked for membership', handler: smismember },
  { ...setCommand, name: 'smembers', arity: 2, flags: ['readonly'], since: '1.0.0', summary: 'Returns all members of a set.', complexity: 'O(N) where N is the set cardinality.', handler: smembers },
  { ...setCommand, name: 'smove', keys: [1, 2, 1], arity: 4, flags: ['write', 'fast'], since: '1.0.0', summary: 'Moves a member from one set to another.', complexity: 'O(1)', handler: smove },
  { ...setCommand, name: 'spop', arity: -2, flags: ['write', 'fast'], since: '1.0.0', summary: 'Returns one or more random members from a set after removing them. Deletes the set if the last member was popped.', complexity: 'Without the count argument O(1), otherwise O(N) where N is the value of the passed count.', handler: spop },
  { ...setCommand, name: 'srandmember', arity: -2, flags: ['readonly'], since: '1.0.0', summary: 'Get one or multiple random members from a set', complexity: 'Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed count.', handler: srandmember },
  { ...allKeys, name: 'sinter', arity: -2, flags: ['readonly'], since: '1.0.0', summary: 'Returns the intersect of multiple sets.', complexity: INTER_COMPLEXITY, handler: sinter },
  { ...allKeys, name: 'sinterstore', arity: -3, flags: ['write', 'denyoom'], since: '1.0.0', summary: 'Stores the intersect of multiple sets in a key.', complexity: INTER_COMPLEXITY, handler: sinterstore },
  { group: 'set', keyCountAt: 1, name: 'sintercard', arity: -3, flags: ['readonly', 'movablekeys'], since: '7.0.0', summary: 'Returns the number of members of the intersect of multiple sets.', complexity: INTER_COMPLEXITY, handler: sintercard },
  { ...allKeys, name: 'sunion', arity: -2, flags: ['readonly'], since: '1.0.0', summary: 'Returns the union of multiple sets.', complexity: UNION_COMPLEXITY, handler: sunion },
  { ...allKeys, name: 'sunionstore', arity: -3, flags: ['write', 'denyoom'], since: '1.0.0', summary: 'Stores the union of multiple sets in a key.', complexity: UNION_COMPLEXITY, handler: sunionstore },
  { ...allKeys, name: 'sdiff', arity: -2, flags: ['readonly'], since: '1.0.0', summary: 'Returns the difference of multiple sets.', complexity: UNION_COMPLEXITY, handler: sdiff },
  { ...allKeys, name: 'sdiffstore', arity: -3, flags: ['write', 'denyoom'], since: '1.0.0', summary: 'Stores the difference of multiple sets in a key.', complexity: UNION_COMPLEXITY, handler: sdiffstore },
  { ...setCommand, name: 'sscan', arity: -3, flags: ['readonly'], since: '2.8.0', summary: 'Iterates over members of a set.', complexity: 'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.', handler: sscan },
];
