// What the list and sorted-set pops share: the *MPOP arguments and the blocking commands' shape.
import type { Client } from '../src/client.js';
import { parseInt64 } from '../src/datatypes/int64.js';
import { Err, fail } from '../src/errors.js';
import { isString, type CollectionValue } from '../src/keyspace/values.js';
import { blockingTimeoutArg, isOption } from './arguments.js';

/** A count within Redis's long range and at least 1, or `error` (getRangeLongFromObjectOrReply). */
function positiveArg(text: string, error: string): number {
  const value = parseInt64(text);
  if (value === undefined || value < 1n) fail(error);
  return Number(value);
}

/** What an *MPOP command pops: from `key`, at the second of its two ends (RIGHT, MAX) or not, up to `count`. */
export interface MultiPop {
  key: string;
  secondEnd: boolean;
  count: number;
}

/**
 * The start of LMPOP, ZMPOP and their blocking forms: reads `[timeout] numkeys key [key ...]
 * end [COUNT count]` in Redis's order of errors (lmpopGenericCommand, zmpopGenericCommand: the
 * timeout last although it comes first), then finds the key to pop from as keyToServe does.
 */
export function multiPopTarget(
  client: Client, argv: string[], blocking: boolean, type: CollectionValue['type'], ends: readonly [string, string],
): MultiPop | undefined {
  const numKeysAt = blocking ? 2 : 1;
  const numKeys = positiveArg(argv[numKeysAt], Err.numKeysPositive);
  const endAt = numKeysAt + 1 + numKeys;
  if (endAt >= argv.length) fail(Err.syntax);
  let secondEnd: boolean;
  if (isOption(argv[endAt], ends[0])) secondEnd = false;
  else if (isOption(argv[endAt], ends[1])) secondEnd = true;
  else fail(Err.syntax);
  let count = -1;
  for (let j = endAt + 1; j < argv.length; j++) {
    if (count === -1 && isOption(argv[j], 'COUNT') && j + 1 < argv.length) count = positiveArg(argv[++j], Err.countPositive);
    else fail(Err.syntax);
  }
  const timeoutMs = blocking ? blockingTimeoutArg(argv[1]) : null;
  const key = keyToServe(client, argv, numKeysAt + 1, endAt, type, timeoutMs);
  return key === undefined ? undefined : { key, secondEnd, count: count === -1 ? 1 : count };
}

/**
 * The shape every pop from several keys shares, blocking or not (Redis's
 * blockingPopGenericCommand): returns the first of the keys `argv[from..to)` holding a `type`
 * collection (empty ones are never kept), WRONGTYPE for a key of another type met before it.
 * When none does, the client blocks on them all for `timeoutMs` (0 = forever) and undefined
 * tells the caller not to reply. Without a timeout (the non-blocking forms), or inside MULTI
 * where nothing may block, the client gets the null reply at once instead: a null array, or a
 * null bulk for the moves (`nullBulk`), as Redis's LMOVE and BLMOVE answer.
 */
export function keyToServe(
  client: Client, argv: string[], from: number, to: number, type: CollectionValue['type'], timeoutMs: number | null, nullBulk = false,
): string | undefined {
  const db = client.db;
  for (let i = from; i < to; i++) {
    const value = db.lookup(argv[i]);
    if (value === undefined) continue;
    if (isString(value) || value.type !== type) fail(Err.wrongType);
    return argv[i];
  }
  if (timeoutMs !== null && client.multi === null) {
    client.server.blocking.block(client, argv, argv.slice(from, to), type, timeoutMs);
  } else if (nullBulk) {
    client.reply.nullBulk();
  } else {
    client.reply.nullArray();
  }
  return undefined;
}
