import type { Client } from '../src/client.js';
import type { CommandSpec } from '../src/command.js';
import { ListValue } from '../src/datatypes/list.js';
import { parseInt64 } from '../src/datatypes/int64.js';
import { collectionModified, keyModified, propagateAs, readCollection, writableCollection } from './access.js';
import { blockingTimeoutArg, integerArg, isOption, parseInteger } from './arguments.js';
import { keyToServe, multiPopTarget } from './pop.js';
import { Err, fail } from '../src/errors.js';

/** As Redis's pushGenericCommand: `head` picks the end, `mustExist` makes it the X variant. */
function pushGeneric(client: Client, argv: string[], head: boolean, mustExist: boolean): void {
  const db = client.db;
  const key = argv[1];
  let list = writableCollection<ListValue>(db, key, 'list');
  if (list === undefined) {
    if (mustExist) {
      client.reply.integer(0);
      return;
    }
    list = new ListValue();
    db.set(key, list);
  }
  list.pushAll(head, argv, 2);
  collectionModified(client, db, key, list, head ? 'lpush' : 'rpush', argv.length - 2);
  client.reply.integer(list.size);
}

/** LPUSH key element [element ...] */
function lpush(client: Client, argv: string[]): void {
  pushGeneric(client, argv, true, false);
}

/** RPUSH key element [element ...] */
function rpush(client: Client, argv: string[]): void {
  pushGeneric(client, argv, false, false);
}

/** LPUSHX key element [element ...] */
function lpushx(client: Client, argv: string[]): void {
  pushGeneric(client, argv, true, true);
}

/** RPUSHX key element [element ...] */
function rpushx(client: Client, argv: string[]): void {
  pushGeneric(client, argv, false, true);
}

/** As Redis's popGenericCommand: one element without a count, an array with one. */
function popGeneric(client: Client, argv: string[], head: boolean): void {
  if (argv.length > 3) fail(Err.wrongArity(argv[0].toLowerCase()));
  const hasCount = argv.length === 3;
  const count = hasCount ? nonNegativeArg(argv[2]) : 1;
  const db = client.db;
  const key = argv[1];
  const list = writableCollection<ListValue>(db, key, 'list');
  if (list === undefined) {
    if (hasCount) client.reply.nullArray();
    else client.reply.nullBulk();
    return;
  }
  if (!hasCount) {
    client.reply.bulk(popOne(list, head));
    collectionModified(client, db, key, list, head ? 'lpop' : 'rpop');
  } else {
    replyPopped(client, key, list, head, count);
  }
}

function popOne(list: ListValue, head: boolean): string {
  return (head ? list.popHead() : list.popTail()) as string;
}

/** Pops up to `count` elements from the list at `key` and replies them as an array. */
function replyPopped(client: Client, key: string, list: ListValue, head: boolean, count: number): void {
  const n = Math.min(count, list.size);
  client.reply.arrayHeader(n);
  for (let i = 0; i < n; i++) client.reply.bulk(popOne(list, head));
  if (n === 0) return;
  collectionModified(client, client.db, key, list, head ? 'lpop' : 'rpop', n);
  // LMPOP and BLMPOP replay as the pop they made.
  propagateAs(client, [head ? 'LPOP' : 'RPOP', key, String(n)]);
}

/** A count as Redis's getPositiveLongFromObjectOrReply reads it: 0 or more, else `error`. */
function nonNegativeArg(text: string, error: string = Err.mustBePositive): number {
  const count = parseInteger(text);
  if (count === undefined || count < 0) fail(error);
  return count;
}

/** LPOP key [count] */
function lpop(client: Client, argv: string[]): void {
  popGeneric(client, argv, true);
}

/** RPOP key [count] */
function rpop(client: Client, argv: string[]): void {
  popGeneric(client, argv, false);
}

/** LLEN key */
function llen(client: Client, argv: string[]): void {
  client.reply.integer(readCollection<ListValue>(client, argv[1], 'list')?.size ?? 0);
}

/** LINDEX key index */
function lindex(client: Client, argv: string[]): void {
  // Redis looks the key up before parsing the index: a missing key answers nil even for "abc".
  const list = readCollection<ListValue>(client, argv[1], 'list');
  if (list === undefined) {
    client.reply.nullBulk();
    return;
  }
  const index = integerArg(argv[2]);
  const i = index < 0 ? list.size + index : index;
  if (i < 0 || i >= list.size) client.reply.nullBulk();
  else client.reply.bulk(list.get(i));
}

/** LSET key index element */
function lset(client: Client, argv: string[]): void {
  const db = client.db;
  const list = writableCollection<ListValue>(db, argv[1], 'list');
  if (list === undefined) fail(Err.noSuchKey);
  const index = integerArg(argv[2]);
  const i = index < 0 ? list.size + index : index;
  if (i < 0 || i >= list.size) fail(Err.indexOutOfRange);
  list.set(i, argv[3]);
  collectionModified(client, db, argv[1], list, 'lset');
  client.reply.ok();
}

/** LTRIM key start stop */
function ltrim(client: Client, argv: string[]): void {
  let start = integerArg(argv[2]);
  let stop = integerArg(argv[3]);
  const db = client.db;
  const list = writableCollection<ListValue>(db, argv[1], 'list');
  if (list === undefined) {
    client.reply.ok();
    return;
  }
  const size = list.size;
  if (start < 0) start = Math.max(size + start, 0);
  if (stop < 0) stop = size + stop;
  let fromHead: number;
  let fromTail: number;
  if (start > stop || start >= size) {
    fromHead = size;
    fromTail = 0;
  } else {
    if (stop >= size) stop = size - 1;
    fromHead = start;
    fromTail = size - stop - 1;
  }
  list.trim(fromHead, fromTail);
  collectionModified(client, db, argv[1], list, 'ltrim', fromHead + fromTail);
  client.reply.ok();
}

/** LREM key count element: count > 0 removes the first matches, < 0 the last, 0 all. */
function lrem(client: Client, argv: string[]): void {
  const count = integerArg(argv[2]);
  const db = client.db;
  const list = writableCollection<ListValue>(db, argv[1], 'list');
  if (list === undefined) {
    client.reply.integer(0);
    return;
  }
  const removed = list.remove(argv[3], count === 0 ? Infinity : Math.abs(count), count < 0);
  if (removed > 0) collectionModified(client, db, argv[1], list, 'lrem', removed);
  client.reply.integer(removed);
}

/** LINSERT key BEFORE|AFTER pivot element */
function linsert(client: Client, argv: string[]): void {
  let after: boolean;
  if (isOption(argv[2], 'AFTER')) after = true;
  else if (isOption(argv[2], 'BEFORE')) after = false;
  else fail(Err.syntax);
  const db = client.db;
  const list = writableCollection<ListValue>(db, argv[1], 'list');
  if (list === undefined) {
    client.reply.integer(0);
    return;
  }
  let at = -1;
  list.find(argv[3], false, list.size, (index) => {
    at = index;
    return false;
  });
  if (at < 0) {
    client.reply.integer(-1);
    return;
  }
  list.insert(after ? at + 1 : at, argv[4]);
  collectionModified(client, db, argv[1], list, 'linsert');
  client.reply.integer(list.size);
}

/** LRANGE key start stop */
function lrange(client: Client, argv: string[]): void {
  const list = readCollection<ListValue>(client, argv[1], 'list');
  let start = integerArg(argv[2]);
  let stop = integerArg(argv[3]);
  const size = list?.size ?? 0;
  if (start < 0) start = Math.max(size + start, 0);
  if (stop < 0) stop = size + stop;
  if (stop >= size) stop = size - 1;
  if (list === undefined || start > stop) {
    client.reply.arrayHeader(0);
    return;
  }
  client.reply.arrayHeader(stop - start + 1);
  const reply = client.reply;
  const cursor = list.cursor(start);
  for (let i = start; i <= stop && cursor.next(); i++) reply.bulkSubstring(cursor.text, cursor.start, cursor.end);
}

const LONG_MIN = -(2n ** 63n);

/** LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len] */
function lpos(client: Client, argv: string[]): void {
  let rank = 1;
  let count = -1;
  let maxlen = 0;
  for (let j = 3; j < argv.length; j++) {
    const hasValue = j + 1 < argv.length;
    if (hasValue && isOption(argv[j], 'RANK')) {
      const text = argv[++j];
      rank = integerArg(text);
      if (rank === 0) fail(Err.lposRankZero);
      // Redis 7.0 negates LONG_MIN into itself: every match, from the tail, COUNT ignored.
      if (rank <= -(2 ** 63) && parseInt64(text) === LONG_MIN) rank = -Infinity;
    } else if (hasValue && isOption(argv[j], 'COUNT')) {
      count = nonNegativeArg(argv[++j], Err.lposCountNegative);
    } else if (hasValue && isOption(argv[j], 'MAXLEN')) {
      maxlen = nonNegativeArg(argv[++j], Err.lposMaxlenNegative);
    } else {
      fail(Err.syntax);
    }
  }
  const list = readCollection<ListValue>(client, argv[1], 'list');
  const single = count === -1;
  if (list === undefined) {
    if (single) client.reply.nullBulk();
    else client.reply.arrayHeader(0);
    return;
  }
  const wanted = single ? 1 : (count === 0 || rank === -Infinity ? Infinity : count);
  const fromTail = rank < 0;
  let skip = rank === -Infinity ? 0 : Math.abs(rank) - 1;
  const indexes: number[] = [];
  list.find(argv[2], fromTail, maxlen === 0 ? list.size : maxlen, (index) => {
    if (skip > 0) skip--;
    else indexes.push(index);
    return indexes.length < wanted;
  });
  if (!single) {
    client.reply.arrayHeader(indexes.length);
    for (const index of indexes) client.reply.integer(index);
  } else if (indexes.length === 0) {
    client.reply.nullBulk();
  } else {
    client.reply.integer(indexes[0]);
  }
}

/** A list end argument: true for LEFT (the head), false for RIGHT. */
function endArg(text: string): boolean {
  if (isOption(text, 'LEFT')) return true;
  if (isOption(text, 'RIGHT')) return false;
  fail(Err.syntax);
}

/**
 * LMOVE, RPOPLPUSH and their blocking forms (`timeoutMs` not null), as Redis's
 * lmoveGenericCommand: a destination of another type fails before anything is popped; source
 * and destination may be the same list (a rotation).
 */
function moveGeneric(client: Client, argv: string[], fromHead: boolean, toHead: boolean, timeoutMs: number | null): void {
  const source = argv[1];
  if (keyToServe(client, argv, 1, 2, 'list', timeoutMs, true) === undefined) return;
  const db = client.db;
  const from = db.lookup(source) as ListValue;
  const destination = argv[2];
  let to = writableCollection<ListValue>(db, destination, 'list');
  if (to === undefined) {
    to = new ListValue();
    db.set(destination, to);
  }
  const value = popOne(from, fromHead);
  if (toHead) to.pushHead(value);
  else to.pushTail(value);
  // Signalled as written (dirty counts the move once): its waiters, a BLMOVE chain, are served next.
  keyModified(client, db, destination, toHead ? 'lpush' : 'rpush', 0);
  collectionModified(client, db, source, from, fromHead ? 'lpop' : 'rpop');
  // RPOPLPUSH, BLMOVE and BRPOPLPUSH replay as the LMOVE they made.
  propagateAs(client, ['LMOVE', source, destination, fromHead ? 'LEFT' : 'RIGHT', toHead ? 'LEFT' : 'RIGHT']);
  client.reply.bulk(value);
}

/** LMOVE source destination LEFT|RIGHT LEFT|RIGHT */
function lmove(client: Client, argv: string[]): void {
  moveGeneric(client, argv, endArg(argv[3]), endArg(argv[4]), null);
}

/** RPOPLPUSH source destination */
function rpoplpush(client: Client, argv: string[]): void {
  moveGeneric(client, argv, false, true, null);
}

/** BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout */
function blmove(client: Client, argv: string[]): void {
  const fromHead = endArg(argv[3]);
  const toHead = endArg(argv[4]);
  moveGeneric(client, argv, fromHead, toHead, blockingTimeoutArg(argv[5]));
}

/** BRPOPLPUSH source destination timeout */
function brpoplpush(client: Client, argv: string[]): void {
  moveGeneric(client, argv, false, true, blockingTimeoutArg(argv[3]));
}

/** BLPOP and BRPOP (key [key ...] timeout): the first non-empty list's key and its element. */
function blockingPopGeneric(client: Client, argv: string[], head: boolean): void {
  const timeoutMs = blockingTimeoutArg(argv[argv.length - 1]);
  const key = keyToServe(client, argv, 1, argv.length - 1, 'list', timeoutMs);
  if (key === undefined) return;
  const list = client.db.lookup(key) as ListValue;
  client.reply.arrayHeader(2);
  client.reply.bulk(key);
  client.reply.bulk(popOne(list, head));
  collectionModified(client, client.db, key, list, head ? 'lpop' : 'rpop');
  propagateAs(client, [head ? 'LPOP' : 'RPOP', key]);
}

/** BLPOP key [key ...] timeout */
function blpop(client: Client, argv: string[]): void {
  blockingPopGeneric(client, argv, true);
}

/** BRPOP key [key ...] timeout */
function brpop(client: Client, argv: string[]): void {
  blockingPopGeneric(client, argv, false);
}

/** LMPOP and BLMPOP: [timeout] numkeys key [key ...] LEFT|RIGHT [COUNT count]; replies [key, [element ...]]. */
function multiPopGeneric(client: Client, argv: string[], blocking: boolean): void {
  const target = multiPopTarget(client, argv, blocking, 'list', ['LEFT', 'RIGHT']);
  if (target === undefined) return;
  client.reply.arrayHeader(2);
  client.reply.bulk(target.key);
  replyPopped(client, target.key, client.db.lookup(target.key) as ListValue, !target.secondEnd, target.count);
}

/** LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count] */
function lmpop(client: Client, argv: string[]): void {
  multiPopGeneric(client, argv, false);
}

/** BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count] */
function blmpop(client: Client, argv: string[]): void {
  multiPopGeneric(client, argv, true);
}

const listCommand = { group: 'list', keys: [1, 1, 1] } as const;
const push = { ...listCommand, arity: -3, flags: ['write', 'denyoom', 'fast'] } as const;
const move = { ...listCommand, keys: [1, 2, 1] } as const;
const blockingPop = { ...listCommand, keys: [1, -2, 1], arity: -3, flags: ['write', 'blocking'] } as const;
/** Commands whose keys follow a numkeys argument (COMMAND reports no fixed key positions). */
const multiPop = { group: 'list', keys: [0, 0, 0] } as const;
const MULTI_POP_COMPLEXITY = 'O(N+M) where N is the number of provided keys and M is the number of elements returned.';

export const listCommands: CommandSpec[] = [
  { ...push, name: 'lpush', since: '1.0.0', summary: 'Prepends one or more elements to a list. Creates the key if it doesn\'t exist.', complexity: 'O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.', handler: lpush },
  { ...push, name: 'rpush', since: '1.0.0', summary: 'Appends one or more elements to a list. Creates the key if it doesn\'t exist.', complexity: 'O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.', handler: rpush },
  { ...push, name: 'lpushx', since: '2.2.0', summary: 'Prepends one or more elements to a list only when the list exists.', complexity: 'O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.', handler: lpushx },
  { ...push, name: 'rpushx', since: '2.2.0', summary: 'Appends an element to a list only when the list exists.', complexity: 'O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.', handler: rpushx },
  { ...listCommand, name: 'lpop', arity: -2, flags: ['write', 'fast'], since: '1.0.0', summary: 'Returns the first elements in a list after removing it. Deletes the list if the last element was popped.', complexity: 'O(N) where N is the number of elements returned', handler: lpop },
  { ...listCommand, name: 'rpop', arity: -2, flags: ['write', 'fast'], since: '1.0.0', summary: 'Returns and removes the last elements of the list. Deletes the list if the last element was popped.', complexity: 'O(N) where N is the number of elements returned', handler: rpop },
  { ...listCommand, name: 'llen', arity: 2, flags: ['readonly', 'fast'], since: '1.0.0', summary: 'Returns the length of a list.', complexity: 'O(1)', handler: llen },
  { ...listCommand, name: 'lindex', arity: 3, flags: ['readonly'], since: '1.0.0', summary: 'Returns an element from a list by its index.', complexity: 'O(N) where N is the number of elements to traverse to get to the element requested. This makes asking for the first or the last element of the list O(1).', handler: lindex },
  { ...listCommand, name: 'lset', arity: 4, flags: ['write', 'denyoom'], since: '1.0.0', summary: 'Sets the value of an element in a list by its index.', complexity: 'O(N) where N is the length of the list. Setting either the first or the last element of the list is O(1).', handler: lset },
  { ...listCommand, name: 'ltrim', arity: 4, flags: ['write'], since: '1.0.0', summary: 'Removes elements from both ends a list. Deletes the list if all elements were trimmed.', complexity: 'O(N) where N is the number of elements to be removed by the operation.', handler: ltrim },
  { ...listCommand, name: 'lrem', arity: 4, flags: ['write'], since: '1.0.0', summary: 'Removes elements from a list. Deletes the list if the last element was removed.', complexity: 'O(N+M) where N is the length of the list and M is the number of elements removed.', handler: lrem },
  { ...listCommand, name: 'linsert', arity: 5, flags: ['write', 'denyoom'], since: '2.2.0', summary: 'Inserts an element before or after another element in a list.', complexity: 'O(N) where N is the number of elements to traverse before seeing the value pivot. This means that inserting somewhere on the left end on the list (head) can be considered O(1) and inserting somewhere on the right end (tail) is O(N).', handler: linsert },
  { ...listCommand, name: 'lrange', arity: 4, flags: ['readonly'], since: '1.0.0', summary: 'Returns a range of elements from a list.', complexity: 'O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end (HEAD or TAIL) for large lists; and N is the number of elements in the specified range.', handler: lrange },
  { ...listCommand, name: 'lpos', arity: -3, flags: ['readonly'], since: '6.0.6', summary: 'Returns the index of matching elements in a list.', complexity: 'O(N) where N is the number of elements in the list, for the average case. When searching for elements near the head or the tail of the list, or when the MAXLEN option is provided, the command may run in constant time.', handler: lpos },
  { ...move, name: 'lmove', arity: 5, flags: ['write', 'denyoom'], since: '6.2.0', summary: 'Returns an element after popping it from one list and pushing it to another. Deletes the list if the last element was moved.', complexity: 'O(1)', handler: lmove },
  { ...move, name: 'rpoplpush', arity: 3, flags: ['write', 'denyoom'], since: '1.2.0', summary: 'Returns the last element of a list after removing and pushing it to another list. Deletes the list if the last element was popped.', complexity: 'O(1)', handler: rpoplpush },
  { ...multiPop, keyCountAt: 1, name: 'lmpop', arity: -4, flags: ['write', 'movablekeys'], since: '7.0.0', summary: 'Returns multiple elements from a list after removing them. Deletes the list if the last element was popped.', complexity: MULTI_POP_COMPLEXITY, handler: lmpop },
  { ...blockingPop, name: 'blpop', since: '2.0.0', summary: 'Removes and returns the first element in a list. Blocks until an element is available otherwise. Deletes the list if the last element was popped.', complexity: 'O(N) where N is the number of provided keys.', handler: blpop },
  { ...blockingPop, name: 'brpop', since: '2.0.0', summary: 'Removes and returns the last element in a list. Blocks until an element is available otherwise. Deletes the list if the last element was popped.', complexity: 'O(N) where N is the number of provided keys.', handler: brpop },
  { ...move, name: 'blmove', arity: 6, flags: ['write', 'denyoom', 'blocking'], since: '6.2.0', summary: 'Pops an element from a list, pushes it to another list and returns it. Blocks until an element is available otherwise. Deletes the list if the last element was moved.', complexity: 'O(1)', handler: blmove },
  { ...move, name: 'brpoplpush', arity: 4, flags: ['write', 'denyoom', 'blocking'], since: '2.2.0', summary: 'Pops an element from a list, pushes it to another list and returns it. Block until an element is available otherwise. Deletes the list if the last element was popped.', complexity: 'O(1)', handler: brpoplpush },
  { ...multiPop, keyCountAt: 2, name: 'blmpop', arity: -5, flags: ['write', 'blocking', 'movablekeys'], since: '7.0.0', summary: 'Pops the first element from one of multiple lists. Blocks until an element is available otherwise. Deletes the list if the last element was popped.', complexity: MULTI_POP_COMPLEXITY, handler: blmpop },
];
