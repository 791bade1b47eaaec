import type { Client } from '../src/client.js';
import type { CommandSpec } from '../src/command.js';
import { Err, fail } from '../src/errors.js';
import { formatDouble, parseRangeDouble } from '../src/datatypes/double.js';
import { parseInt64 } from '../src/datatypes/int64.js';
import type { SetValue } from '../src/datatypes/set.js';
import type { KeyEvent } from '../src/keyspace/events.js';
import { isString } from '../src/keyspace/values.js';
import type { ReplyWriter } from '../src/protocol/reply-writer.js';
import {
  LEX_MAX, LEX_MIN, lexGteMin, lexLteMax, scoreGteMin, scoreLteMax,
  type LexBound, type LexRange, type ScoreRange, type SkipListNode,
} from '../src/datatypes/skiplist.js';
import {
  ZADD_ADDED, ZADD_GT, ZADD_INCR, ZADD_LT, ZADD_NAN, ZADD_NOP, ZADD_NX, ZADD_UPDATED, ZADD_XX, ZSetValue, type ZSetWalk,
} from '../src/datatypes/zset.js';
import { collectionModified, keyModified, propagateAs, readCollection, writableCollection } from './access.js';
import { blockingTimeoutArg, cursorArg, doubleArg, integerArg, isOption, repeatedPicks } from './arguments.js';
import { keyToServe, multiPopTarget } from './pop.js';
import { scanCollection } from './scan.js';

const LONG_MAX = 2n ** 63n - 1n;

function readZSet(client: Client, key: string): ZSetValue | undefined {
  return readCollection<ZSetValue>(client, key, 'zset');
}

/** A score range from two bounds, "(" making a bound exclusive (Redis's zslParseRange). */
function scoreRangeArg(minText: string, maxText: string): ScoreRange {
  const minExclusive = minText.charCodeAt(0) === 0x28;
  const maxExclusive = maxText.charCodeAt(0) === 0x28;
  const min = parseRangeDouble(minText, minExclusive ? 1 : 0);
  const max = parseRangeDouble(maxText, maxExclusive ? 1 : 0);
  if (min === undefined || max === undefined) fail(Err.zsetMinMaxNotFloat);
  return { min, max, minExclusive, maxExclusive };
}

/** A lex range from two bounds: "[x" inclusive, "(x" exclusive, "-" and "+" (Redis's zslParseLexRange). */
function lexRangeArg(minText: string, maxText: string): LexRange {
  const min = lexBound(minText);
  const max = lexBound(maxText);
  if (min === undefined || max === undefined) fail(Err.zsetLexRange);
  // "+" and "-" count as exclusive, as in Redis (it matters when both bounds are the same one).
  const minExclusive = typeof min !== 'string' || minText.charCodeAt(0) === 0x28;
  const maxExclusive = typeof max !== 'string' || maxText.charCodeAt(0) === 0x28;
  return { min, max, minExclusive, maxExclusive };
}

function lexBound(text: string): LexBound | undefined {
  const first = text.charCodeAt(0);
  // Redis reads "+" and "-" as C strings: a NUL byte after them ends the item.
  const alone = text.length === 1 || text.charCodeAt(1) === 0;
  if (first === 0x2b) return alone ? LEX_MAX : undefined;
  if (first === 0x2d) return alone ? LEX_MIN : undefined;
  if (first === 0x28 || first === 0x5b) return text.slice(1);
  return undefined;
}

/** Members and their scores, in the order a reply gives them. */
interface Pairs {
  members: string[];
  scores: number[];
}

/** Writes one member of a reply, with its score when `withScores`: as a [member, score] pair when `nested`. */
function writeMember(reply: ReplyWriter, member: string, score: number, withScores: boolean, nested: boolean): void {
  if (nested) reply.arrayHeader(2);
  reply.bulk(member);
  if (withScores) reply.double(score);
}

/** Replies with members (and scores): a flat array in RESP2, [member, score] pairs in RESP3 (Redis 7). */
function replyPairs(client: Client, { members, scores }: Pairs, withScores: boolean): void {
  const reply = client.reply;
  const nested = withScores && reply.resp === 3;
  reply.arrayHeader(withScores && !nested ? members.length * 2 : members.length);
  for (let i = 0; i < members.length; i++) writeMember(reply, members[i], scores[i], withScores, nested);
}

function zsetLimits(client: Client): [number, number] {
  const config = client.server.config;
  return [config.values['zset-max-listpack-entries'], config.values['zset-max-listpack-value']];
}

let scores: number[] = [];

/** The shared body of ZADD and ZINCRBY (Redis's zaddGenericCommand). */
function addGeneric(client: Client, argv: string[], flags: number): void {
  let ch = false;
  let i = 2;
  for (; i < argv.length; i++) {
    const option = argv[i];
    if (option.length > 4) break;
    if (isOption(option, 'NX')) flags |= ZADD_NX;
    else if (isOption(option, 'XX')) flags |= ZADD_XX;
    else if (isOption(option, 'CH')) ch = true;
    else if (isOption(option, 'INCR')) flags |= ZADD_INCR;
    else if (isOption(option, 'GT')) flags |= ZADD_GT;
    else if (isOption(option, 'LT')) flags |= ZADD_LT;
    else break;
  }
  const elements = argv.length - i;
  if (elements === 0 || elements % 2 === 1) fail(Err.syntax);
  const nx = (flags & ZADD_NX) !== 0;
  if (nx && (flags & ZADD_XX) !== 0) fail(Err.zaddXxAndNx);
  if ((nx && (flags & (ZADD_GT | ZADD_LT)) !== 0) || (flags & (ZADD_GT | ZADD_LT)) === (ZADD_GT | ZADD_LT)) fail(Err.zaddGtLtNx);
  const incr = (flags & ZADD_INCR) !== 0;
  if (incr && elements > 2) fail(Err.zaddIncrPairs);
  const pairs = elements / 2;
  if (scores.length < pairs) scores = new Array(pairs);
  for (let j = 0; j < pairs; j++) scores[j] = doubleArg(argv[i + 2 * j]);

  const db = client.db;
  const key = argv[1];
  let zset = writableCollection<ZSetValue>(db, key, 'zset');
  let added = 0;
  let updated = 0;
  let processed = 0;
  if (zset === undefined && (flags & ZADD_XX) === 0) {
    zset = new ZSetValue();
    db.set(key, zset);
  }
  if (zset !== undefined) {
    const [maxEntries, maxValue] = zsetLimits(client);
    for (let j = 0; j < pairs; j++) {
      const result = zset.add(scores[j], argv[i + 2 * j + 1], flags, maxEntries, maxValue);
      if (result === ZADD_NAN) fail(Err.zaddNaN);
      if (result === ZADD_ADDED) added++;
      else if (result === ZADD_UPDATED) updated++;
      if (result !== ZADD_NOP) processed++;
    }
    if (added + updated > 0) collectionModified(client, db, key, zset, incr ? 'zincr' : 'zadd', added + updated);
  }
  if (!incr) client.reply.integer(ch ? added + updated : added);
  else if (processed > 0) client.reply.double(ZSetValue.newScore);
  else client.reply.nullBulk();
}

/** ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...] */
function zadd(client: Client, argv: string[]): void {
  addGeneric(client, argv, 0);
}

/** ZINCRBY key increment member */
function zincrby(client: Client, argv: string[]): void {
  addGeneric(client, argv, ZADD_INCR);
}

/** ZREM key member [member ...] */
function zrem(client: Client, argv: string[]): void {
  const db = client.db;
  const zset = writableCollection<ZSetValue>(db, argv[1], 'zset');
  let deleted = 0;
  if (zset !== undefined) {
    for (let i = 2; i < argv.length && zset.size > 0; i++) if (zset.remove(argv[i])) deleted++;
    if (deleted > 0) collectionModified(client, db, argv[1], zset, 'zrem', deleted);
  }
  client.reply.integer(deleted);
}

/** ZSCORE key member */
function zscore(client: Client, argv: string[]): void {
  const score = readZSet(client, argv[1])?.score(argv[2]);
  if (score === undefined) client.reply.nullBulk();
  else client.reply.double(score);
}

/** ZMSCORE key member [member ...] */
function zmscore(client: Client, argv: string[]): void {
  const zset = readZSet(client, argv[1]);
  const reply = client.reply;
  reply.arrayHeader(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const score = zset?.score(argv[i]);
    if (score === undefined) reply.nullBulk();
    else reply.double(score);
  }
}

/** ZCARD key */
function zcard(client: Client, argv: string[]): void {
  client.reply.integer(readZSet(client, argv[1])?.size ?? 0);
}

/** ZCOUNT key min max */
function zcount(client: Client, argv: string[]): void {
  const range = scoreRangeArg(argv[2], argv[3]);
  client.reply.integer(readZSet(client, argv[1])?.countInRange(range) ?? 0);
}

/** ZLEXCOUNT key min max */
function zlexcount(client: Client, argv: string[]): void {
  const range = lexRangeArg(argv[2], argv[3]);
  client.reply.integer(readZSet(client, argv[1])?.countInLexRange(range) ?? 0);
}

/**
 * Shared body of ZRANK and ZREVRANK, with Redis 7.2's WITHSCORE (7.0 lacks it): the rank, or
 * [rank, score]; a missing member is a null, an array null with WITHSCORE.
 */
function rankGeneric(client: Client, argv: string[], reverse: boolean): void {
  if (argv.length > 4) fail(Err.wrongArity(argv[0].toLowerCase()));
  if (argv.length === 4 && !isOption(argv[3], 'WITHSCORE')) fail(Err.syntax);
  const withScore = argv.length === 4;
  const reply = client.reply;
  const zset = readZSet(client, argv[1]);
  const rank = zset?.rank(argv[2], reverse) ?? -1;
  if (rank < 0) {
    if (withScore) reply.nullArray();
    else reply.nullBulk();
    return;
  }
  if (withScore) reply.arrayHeader(2);
  reply.integer(rank);
  if (withScore) reply.double(zset!.score(argv[2])!);
}

/** ZRANK key member [WITHSCORE] */
function zrank(client: Client, argv: string[]): void {
  rankGeneric(client, argv, false);
}

/** ZREVRANK key member [WITHSCORE] */
function zrevrank(client: Client, argv: string[]): void {
  rankGeneric(client, argv, true);
}

const BY_AUTO = 0;
const BY_RANK = 1;
const BY_SCORE = 2;
const BY_LEX = 3;
/** The event ZREMRANGEBY* emits, by range kind. */
const REMOVE_RANGE_EVENTS: Record<number, KeyEvent> = { [BY_RANK]: 'zremrangebyrank', [BY_SCORE]: 'zremrangebyscore', [BY_LEX]: 'zremrangebylex' };

/**
 * ZRANGE, ZRANGESTORE and the older Z[REV]RANGE[BYSCORE|BYLEX] (Redis's zrangeGenericCommand):
 * `start` is the index of the source key; `destination` is set for ZRANGESTORE; `by` and
 * `reverse` are fixed by the older commands, left to the options (BY_AUTO, null) by ZRANGE.
 */
function rangeGeneric(client: Client, argv: string[], start: number, destination: string | null, by: number, reverse: boolean | null): void {
  let withScores = false;
  let offset = 0;
  let limit = -1;
  for (let j = start + 3; j < argv.length; j++) {
    const option = argv[j];
    if (destination === null && isOption(option, 'WITHSCORES')) {
      withScores = true;
    } else if (isOption(option, 'LIMIT') && argv.length - j - 1 >= 2) {
      offset = integerArg(argv[j + 1]);
      limit = integerArg(argv[j + 2]);
      j += 2;
    } else if (reverse === null && isOption(option, 'REV')) {
      reverse = true;
    } else if (by === BY_AUTO && isOption(option, 'BYLEX')) {
      by = BY_LEX;
    } else if (by === BY_AUTO && isOption(option, 'BYSCORE')) {
      by = BY_SCORE;
    } else {
      fail(Err.syntax);
    }
  }
  if (by === BY_AUTO) by = BY_RANK;
  const rev = reverse === true;
  if (limit !== -1 && by === BY_RANK) fail(Err.zrangeLimitByRank);
  if (withScores && by === BY_LEX) fail(Err.zrangeWithScoresByLex);
  // The reversed score and lex forms take the range as max, min.
  const minText = rev && by !== BY_RANK ? argv[start + 2] : argv[start + 1];
  const maxText = rev && by !== BY_RANK ? argv[start + 1] : argv[start + 2];
  let first = 0;
  let last = 0;
  let range: ScoreRange | null = null;
  let lexRange: LexRange | null = null;
  if (by === BY_RANK) {
    first = integerArg(minText);
    last = integerArg(maxText);
  } else if (by === BY_SCORE) {
    range = scoreRangeArg(minText, maxText);
  } else {
    lexRange = lexRangeArg(minText, maxText);
  }

  const zset = readZSet(client, argv[start]);
  // ZRANGESTORE keeps the members: as strings of their own.
  const keep = destination !== null;
  let pairs: Pairs;
  if (zset === undefined) pairs = { members: [], scores: [] };
  else if (range !== null) pairs = pairsByScore(zset, range, offset, limit, rev, keep);
  else if (lexRange !== null) pairs = pairsByLex(zset, lexRange, offset, limit, rev, keep);
  else pairs = pairsByRank(zset, first, last, rev, keep);
  if (destination === null) {
    replyPairs(client, pairs, withScores);
    return;
  }
  const { members, scores } = pairs;
  if (members.length === 0) {
    deleteDestination(client, destination);
    return;
  }
  const stored = new ZSetValue();
  const [maxEntries, maxValue] = zsetLimits(client);
  for (let i = 0; i < members.length; i++) stored.add(scores[i], members[i], 0, maxEntries, maxValue);
  storeDestination(client, destination, stored, 'zrangestore');
}

/** A store command's empty result: the destination is deleted (Redis does not keep empty sets). */
function deleteDestination(client: Client, destination: string): void {
  const db = client.db;
  if (db.delete(destination)) keyModified(client, db, destination, 'del');
  client.reply.integer(0);
}

/** A store command's result replaces whatever `destination` held, TTL included. */
function storeDestination(client: Client, destination: string, zset: ZSetValue, event: KeyEvent): void {
  const db = client.db;
  db.set(destination, zset);
  keyModified(client, db, destination, event);
  client.reply.integer(zset.size);
}

/** Ranks first..last (negative from the end), as Redis clamps them; null when empty. */
function clampRanks(size: number, first: number, last: number): [number, number] | null {
  if (first < 0) first += size;
  if (last < 0) last += size;
  if (first < 0) first = 0;
  if (first > last || first >= size) return null;
  return [first, Math.min(last, size - 1)];
}

/**
 * Skips `offset` members of `walk`, then collects up to `limit` (negative: no limit) while
 * `inRange` holds. As in Redis, a negative offset skips everything. Members to `keep` are
 * strings of their own (see ZSetWalk), else fit for a reply only.
 */
function collect(walk: ZSetWalk, offset: number, limit: number, inRange: (walk: ZSetWalk) => boolean, keep: boolean): Pairs {
  const pairs: Pairs = { members: [], scores: [] };
  for (; offset !== 0; offset--) if (!walk.next()) return pairs;
  for (; limit !== 0 && walk.next() && inRange(walk); limit--) {
    pairs.members.push(keep ? walk.ownMember() : walk.member);
    pairs.scores.push(walk.score);
  }
  return pairs;
}

const EVERYTHING = (): boolean => true;

/** Every member and its score, in score order. */
function allPairs(zset: ZSetValue): Pairs {
  return collect(zset.walkFromRank(0, false), 0, -1, EVERYTHING, false);
}

function pairsByRank(zset: ZSetValue, first: number, last: number, reverse: boolean, keep: boolean): Pairs {
  const ranks = clampRanks(zset.size, first, last);
  if (ranks === null) return { members: [], scores: [] };
  return collect(zset.walkFromRank(ranks[0], reverse), 0, ranks[1] - ranks[0] + 1, EVERYTHING, keep);
}

function pairsByScore(zset: ZSetValue, range: ScoreRange, offset: number, limit: number, reverse: boolean, keep: boolean): Pairs {
  if (offset > 0 && offset >= zset.size) return { members: [], scores: [] };
  const walk = zset.walkScoreRange(range, reverse);
  return collect(walk, offset, limit, reverse ? (at) => scoreGteMin(at.score, range) : (at) => scoreLteMax(at.score, range), keep);
}

function pairsByLex(zset: ZSetValue, range: LexRange, offset: number, limit: number, reverse: boolean, keep: boolean): Pairs {
  const walk = zset.walkLexRange(range, reverse);
  return collect(walk, offset, limit, reverse ? (at) => lexGteMin(at.member, range) : (at) => lexLteMax(at.member, range), keep);
}

/** ZRANGE key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES] */
function zrange(client: Client, argv: string[]): void {
  rangeGeneric(client, argv, 1, null, BY_AUTO, null);
}

/** ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count] */
function zrangestore(client: Client, argv: string[]): void {
  rangeGeneric(client, argv, 2, argv[1], BY_AUTO, null);
}

/** ZREVRANGE key start stop [WITHSCORES] */
function zrevrange(client: Client, argv: string[]): void {
  rangeGeneric(client, argv, 1, null, BY_RANK, true);
}

/** ZRANGEBYSCORE key min max [WITHSCORES] [LIMIT offset count] */
function zrangebyscore(client: Client, argv: string[]): void {
  rangeGeneric(client, argv, 1, null, BY_SCORE, false);
}

/** ZREVRANGEBYSCORE key max min [WITHSCORES] [LIMIT offset count] */
function zrevrangebyscore(client: Client, argv: string[]): void {
  rangeGeneric(client, argv, 1, null, BY_SCORE, true);
}

/** ZRANGEBYLEX key min max [LIMIT offset count] */
function zrangebylex(client: Client, argv: string[]): void {
  rangeGeneric(client, argv, 1, null, BY_LEX, false);
}

/** ZREVRANGEBYLEX key max min [LIMIT offset count] */
function zrevrangebylex(client: Client, argv: string[]): void {
  rangeGeneric(client, argv, 1, null, BY_LEX, true);
}

/** The shared body of ZREMRANGEBYRANK, ZREMRANGEBYSCORE and ZREMRANGEBYLEX (Redis's zremrangeGenericCommand). */
function removeRangeGeneric(client: Client, argv: string[], by: number): void {
  let first = 0;
  let last = 0;
  let range: ScoreRange | null = null;
  let lexRange: LexRange | null = null;
  if (by === BY_RANK) {
    first = integerArg(argv[2]);
    last = integerArg(argv[3]);
  } else if (by === BY_SCORE) {
    range = scoreRangeArg(argv[2], argv[3]);
  } else {
    lexRange = lexRangeArg(argv[2], argv[3]);
  }
  const db = client.db;
  const zset = writableCollection<ZSetValue>(db, argv[1], 'zset');
  let deleted = 0;
  if (zset !== undefined) {
    if (range !== null) {
      deleted = zset.deleteRangeByScore(range);
    } else if (lexRange !== null) {
      deleted = zset.deleteRangeByLex(lexRange);
    } else {
      const ranks = clampRanks(zset.size, first, last);
      if (ranks !== null) deleted = zset.deleteRangeByRank(ranks[0], ranks[1]);
    }
    if (deleted > 0) collectionModified(client, db, argv[1], zset, REMOVE_RANGE_EVENTS[by], deleted);
  }
  client.reply.integer(deleted);
}

/** ZREMRANGEBYRANK key start stop */
function zremrangebyrank(client: Client, argv: string[]): void {
  removeRangeGeneric(client, argv, BY_RANK);
}

/** ZREMRANGEBYSCORE key min max */
function zremrangebyscore(client: Client, argv: string[]): void {
  removeRangeGeneric(client, argv, BY_SCORE);
}

/** ZREMRANGEBYLEX key min max */
function zremrangebylex(client: Client, argv: string[]): void {
  removeRangeGeneric(client, argv, BY_LEX);
}

/**
 * Pops from the sorted set at `key` (Redis's genericZpopCommand). `count` -1 pops one with a flat
 * reply. `withKey` names the key first: flat for BZPOPMIN and BZPOPMAX, else (ZMPOP, BZMPOP)
 * followed by the nested pairs.
 */
function popGeneric(client: Client, key: string, max: boolean, count: number, nested: boolean, withKey: boolean): void {
  const db = client.db;
  const reply = client.reply;
  const zset = writableCollection<ZSetValue>(db, key, 'zset');
  if (zset === undefined || count === 0) {
    reply.arrayHeader(0);
    return;
  }
  const popped = Math.min(count === -1 ? 1 : count, zset.size);
  if (withKey && nested) {
    reply.arrayHeader(2);
    reply.bulk(key);
    reply.arrayHeader(popped);
  } else if (withKey) {
    reply.arrayHeader(popped * 2 + 1);
    reply.bulk(key);
  } else {
    reply.arrayHeader(nested ? popped : popped * 2);
  }
  const walk = zset.walkFromRank(0, max);
  for (let i = 0; i < popped && walk.next(); i++) writeMember(reply, walk.member, walk.score, true, nested);
  const size = zset.size;
  zset.deleteRangeByRank(max ? size - popped : 0, max ? size - 1 : popped - 1);
  collectionModified(client, db, key, zset, max ? 'zpopmax' : 'zpopmin', popped);
  // One form for every pop (ZMPOP, and the blocking ones once served) replays the same.
  propagateAs(client, [max ? 'ZPOPMAX' : 'ZPOPMIN', key, String(popped)]);
}

/** The shared body of ZPOPMIN and ZPOPMAX. */
function popMinMax(client: Client, argv: string[], max: boolean): void {
  if (argv.length > 3) fail(Err.syntax);
  let count = -1;
  if (argv.length === 3) {
    const value = parseInt64(argv[2]);
    if (value === undefined || value < 0n) fail(Err.mustBePositive);
    count = Number(value);
  }
  // RESP3 nests [member, score] pairs once a count is given.
  popGeneric(client, argv[1], max, count, client.reply.resp === 3 && count !== -1, false);
}

/** ZPOPMIN key [count] */
function zpopmin(client: Client, argv: string[]): void {
  popMinMax(client, argv, false);
}

/** ZPOPMAX key [count] */
function zpopmax(client: Client, argv: string[]): void {
  popMinMax(client, argv, true);
}

/** The shared body of BZPOPMIN and BZPOPMAX (key [key ...] timeout): replies [key, member, score]. */
function blockingPopMinMax(client: Client, argv: string[], max: boolean): void {
  const timeoutMs = blockingTimeoutArg(argv[argv.length - 1]);
  const key = keyToServe(client, argv, 1, argv.length - 1, 'zset', timeoutMs);
  if (key !== undefined) popGeneric(client, key, max, -1, false, true);
}

/** BZPOPMIN key [key ...] timeout */
function bzpopmin(client: Client, argv: string[]): void {
  blockingPopMinMax(client, argv, false);
}

/** BZPOPMAX key [key ...] timeout */
function bzpopmax(client: Client, argv: string[]): void {
  blockingPopMinMax(client, argv, true);
}

/** ZMPOP and BZMPOP: [timeout] numkeys key [key ...] MIN|MAX [COUNT count]; a null array when every key is missing. */
function multiPopGeneric(client: Client, argv: string[], blocking: boolean): void {
  const target = multiPopTarget(client, argv, blocking, 'zset', ['MIN', 'MAX']);
  if (target !== undefined) popGeneric(client, target.key, target.secondEnd, target.count, true, true);
}

/** ZMPOP numkeys key [key ...] MIN|MAX [COUNT count] */
function zmpop(client: Client, argv: string[]): void {
  multiPopGeneric(client, argv, false);
}

/** BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count] */
function bzmpop(client: Client, argv: string[]): void {
  multiPopGeneric(client, argv, true);
}

/**
 * ZRANDMEMBER key [count [WITHSCORES]]
 *
 * A member is picked by a random rank: O(log n) through the skiplist's spans. Distinct picks
 * from a listpack are a selection sample in order; from a skiplist, a partial shuffle of all
 * members when they are a large share of the set (Redis's CASE 3), else random ranks drawn
 * until enough distinct ones are found (CASE 4).
 */
function zrandmember(client: Client, argv: string[]): void {
  const reply = client.reply;
  if (argv.length === 2) {
    const zset = readZSet(client, argv[1]);
    if (zset === undefined) reply.nullBulk();
    else reply.bulk(randomMember(zset).member);
    return;
  }
  const big = parseInt64(argv[2]);
  if (big === undefined) fail(Err.notInteger);
  if (big < -LONG_MAX) fail(Err.longRange);
  if (argv.length > 4 || (argv.length === 4 && !isOption(argv[3], 'WITHSCORES'))) fail(Err.syntax);
  const withScores = argv.length === 4;
  if (withScores && (big < -LONG_MAX / 2n || big > LONG_MAX / 2n)) fail(Err.outOfRange);
  const zset = readZSet(client, argv[1]);
  if (zset === undefined || big === 0n) {
    reply.arrayHeader(0);
    return;
  }
  const size = zset.size;
  const nested = withScores && reply.resp === 3;
  const write = (member: string, score: number): void => writeMember(reply, member, score, withScores, nested);
  if (big < 0n || big === 1n) {
    // Repeats allowed: each pick is independent. A listpack is unpacked once rather than walked for each.
    const count = repeatedPicks(big < 0n ? -big : 1n);
    reply.arrayHeader(withScores && !nested ? count * 2 : count);
    if (zset.isListpack) {
      const { members, scores } = allPairs(zset);
      for (let i = 0; i < count; i++) {
        const j = Math.floor(Math.random() * size);
        write(members[j], scores[j]);
      }
    } else {
      for (let i = 0; i < count; i++) {
        const pick = randomMember(zset);
        write(pick.member, pick.score);
      }
    }
    return;
  }
  const count = Number(big);
  const picked = Math.min(count, size);
  reply.arrayHeader(withScores && !nested ? picked * 2 : picked);
  if (count >= size) {
    // The whole set, from the highest score down as Redis's iterator goes.
    const walk = zset.walkFromRank(0, true);
    while (walk.next()) write(walk.member, walk.score);
  } else if (count * 3 > size) {
    // Many picks, of either encoding, come out in random order, as from Redis's temporary dict.
    const { members, scores } = allPairs(zset);
    for (let i = 0; i < count; i++) {
      const j = i + Math.floor(Math.random() * (size - i));
      const member = members[j];
      const score = scores[j];
      members[j] = members[i];
      scores[j] = scores[i];
      write(member, score);
    }
  } else if (zset.isListpack) {
    // Few of a listpack's distinct picks come out in its order (Redis's lpRandomPairsUnique): selection sampling.
    const walk = zset.walkFromRank(0, false);
    for (let needed = count, left = size; needed > 0 && walk.next(); left--) {
      if (Math.random() * left < needed) {
        write(walk.member, walk.score);
        needed--;
      }
    }
  } else {
    const seen = new Set<string>();
    while (seen.size < count) {
      const pick = randomMember(zset);
      if (seen.has(pick.member)) continue;
      seen.add(pick.member);
      write(pick.member, pick.score);
    }
  }
}

/** A walk standing on a member picked at random. */
function randomMember(zset: ZSetValue): ZSetWalk {
  const walk = zset.walkFromRank(Math.floor(Math.random() * zset.size), false);
  walk.next();
  return walk;
}

/** ZSCAN key cursor [MATCH pattern] [COUNT count] */
function zscan(client: Client, argv: string[]): void {
  const cursor = cursorArg(argv[2]);
  const zset = readZSet(client, argv[1]);
  // A listpack is returned whole and in score order.
  const compact = zset?.isListpack ? inScoreOrder(zset) : null;
  scanCollection<SkipListNode | number>(client, argv, cursor, zset?.skiplistMembers, compact, (found, member, value) => {
    found.push(member, formatDouble(typeof value === 'number' ? value : value.score));
  });
}

function* inScoreOrder(zset: ZSetValue): Iterable<[string, number]> {
  const walk = zset.walkFromRank(0, false);
  while (walk.next()) yield [walk.member, walk.score];
}

const UNION = 0;
const INTER = 1;
const DIFF = 2;
/** The event each STORE form emits, by operation. */
const STORE_EVENTS: readonly KeyEvent[] = ['zunionstore', 'zinterstore', 'zdiffstore'];
const AGGREGATE_SUM = 0;
const AGGREGATE_MIN = 1;
const AGGREGATE_MAX = 2;

/** An input of ZUNION and co: a sorted set, a set (every member scoring 1), or nothing. */
interface Source {
  zset: ZSetValue | null;
  set: SetValue | null;
  weight: number;
}

function sourceSize(source: Source): number {
  return source.zset?.size ?? source.set?.size ?? 0;
}

/** The score of `member` in `source`, or undefined. */
function sourceScore(source: Source, member: string): number | undefined {
  if (source.zset !== null) return source.zset.score(member);
  return source.set !== null && source.set.has(member) ? 1 : undefined;
}

/** Calls `visit` with each member of `source` and its score. */
function forEachMember(source: Source, visit: (member: string, score: number) => void): void {
  if (source.zset !== null) {
    // From the highest score down, as Redis's iterator goes.
    const walk = source.zset.walkFromRank(0, true);
    while (walk.next()) visit(walk.ownMember(), walk.score);
  } else if (source.set !== null) for (const member of source.set.members()) visit(member, 1);
}

/** Redis's zunionInterAggregate: SUM turns inf + -inf into 0; MIN/MAX ignore NaN. */
function aggregate(target: number, value: number, how: number): number {
  if (how === AGGREGATE_SUM) {
    const sum = target + value;
    return sum !== sum ? 0 : sum;
  }
  if (how === AGGREGATE_MIN) return value < target ? value : target;
  return value > target ? value : target;
}

/**
 * ZUNION, ZINTER, ZDIFF, their STORE forms and ZINTERCARD (Redis's
 * zunionInterDiffGenericCommand). `destination` is set for the STORE forms.
 */
function combineGeneric(client: Client, argv: string[], destination: string | null, op: number, cardinalityOnly: boolean): void {
  const numKeysIndex = destination === null ? 1 : 2;
  const setCount = integerArg(argv[numKeysIndex]);
  if (setCount < 1) fail(Err.zsetNeedsKeys(argv[0].toLowerCase()));
  if (setCount > argv.length - numKeysIndex - 1) fail(Err.syntax);
  const sources: Source[] = [];
  let j = numKeysIndex + 1;
  for (let i = 0; i < setCount; i++, j++) {
    const value = client.db.lookupRead(argv[j]);
    const source: Source = { zset: null, set: null, weight: 1 };
    if (value !== undefined) {
      if (isString(value) || (value.type !== 'zset' && value.type !== 'set')) fail(Err.wrongType);
      if (value.type === 'zset') source.zset = value as ZSetValue;
      else source.set = value as SetValue;
    }
    sources.push(source);
  }
  let how = AGGREGATE_SUM;
  let withScores = false;
  let limit = 0;
  while (j < argv.length) {
    const remaining = argv.length - j;
    const option = argv[j];
    if (op !== DIFF && !cardinalityOnly && remaining >= setCount + 1 && isOption(option, 'WEIGHTS')) {
      j++;
      for (let i = 0; i < setCount; i++, j++) sources[i].weight = doubleArg(argv[j], Err.weightNotFloat);
    } else if (op !== DIFF && !cardinalityOnly && remaining >= 2 && isOption(option, 'AGGREGATE')) {
      const name = argv[j + 1];
      if (isOption(name, 'SUM')) how = AGGREGATE_SUM;
      else if (isOption(name, 'MIN')) how = AGGREGATE_MIN;
      else if (isOption(name, 'MAX')) how = AGGREGATE_MAX;
      else fail(Err.syntax);
      j += 2;
    } else if (destination === null && !cardinalityOnly && isOption(option, 'WITHSCORES')) {
      withScores = true;
      j++;
    } else if (cardinalityOnly && remaining >= 2 && isOption(option, 'LIMIT')) {
      const value = parseInt64(argv[j + 1]);
      if (value === undefined || value < 0n) fail(Err.limitNegative);
      limit = Number(value);
      j += 2;
    } else {
      fail(Err.syntax);
    }
  }
  // Smallest first (a stable sort, as glibc's qsort is a merge sort): fewer lookups for an intersection.
  if (op !== DIFF) sources.sort((a, b) => sourceSize(a) - sourceSize(b));

  const result = new ZSetValue(false);
  let cardinality = 0;
  if (op === INTER) {
    const [first, ...others] = sources;
    forEachMember(first, (member, memberScore) => {
      if (limit > 0 && cardinality >= limit) return;
      let score = first.weight * memberScore;
      if (score !== score) score = 0;
      for (const other of others) {
        const found = (other.zset ?? other.set) === (first.zset ?? first.set) ? memberScore : sourceScore(other, member);
        if (found === undefined) return;
        score = aggregate(score, found * other.weight, how);
      }
      if (cardinalityOnly) cardinality++;
      else result.insert(score, member);
    });
  } else if (op === UNION) {
    const accumulator = new Map<string, number>();
    for (const source of sources) {
      forEachMember(source, (member, memberScore) => {
        let score = source.weight * memberScore;
        if (score !== score) score = 0;
        const existing = accumulator.get(member);
        accumulator.set(member, existing === undefined ? score : aggregate(existing, score, how));
      });
    }
    for (const [member, score] of accumulator) result.insert(score, member);
  } else {
    const [first, ...others] = sources;
    forEachMember(first, (member, score) => {
      for (const other of others) if (sourceScore(other, member) !== undefined) return;
      result.insert(score, member);
    });
  }

  if (cardinalityOnly) {
    client.reply.integer(cardinality);
  } else if (destination === null) {
    replyPairs(client, allPairs(result), withScores);
  } else if (result.size === 0) {
    deleteDestination(client, destination);
  } else {
    const [maxEntries, maxValue] = zsetLimits(client);
    result.settleEncoding(maxEntries, maxValue);
    storeDestination(client, destination, result, STORE_EVENTS[op]);
  }
}

/** ZUNION numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES] */
function zunion(client: Client, argv: string[]): void {
  combineGeneric(client, argv, null, UNION, false);
}

/** ZINTER numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES] */
function zinter(client: Client, argv: string[]): void {
  combineGeneric(client, argv, null, INTER, false);
}

/** ZDIFF numkeys key [key ...] [WITHSCORES] */
function zdiff(client: Client, argv: string[]): void {
  combineGeneric(client, argv, null, DIFF, false);
}

/** ZINTERCARD numkeys key [key ...] [LIMIT limit] */
function zintercard(client: Client, argv: string[]): void {
  combineGeneric(client, argv, null, INTER, true);
}

/** ZUNIONSTORE destination numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX] */
function zunionstore(client: Client, argv: string[]): void {
  combineGeneric(client, argv, argv[1], UNION, false);
}

/** ZINTERSTORE destination numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX] */
function zinterstore(client: Client, argv: string[]): void {
  combineGeneric(client, argv, argv[1], INTER, false);
}

/** ZDIFFSTORE destination numkeys key [key ...] */
function zdiffstore(client: Client, argv: string[]): void {
  combineGeneric(client, argv, argv[1], DIFF, false);
}

const zsetCommand = { group: 'sorted_set', keys: [1, 1, 1] } as const;
/** Commands whose keys follow a numkeys argument (COMMAND reports no fixed key positions). */
const movableCommand = { group: 'sorted_set', keys: [0, 0, 0], keyCountAt: 1 } as const;

const RANGE_COMPLEXITY = 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).';
const REMOVE_RANGE_COMPLEXITY = 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.';
const POP_COMPLEXITY = 'O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.';
const UNION_COMPLEXITY = 'O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.';
const INTER_COMPLEXITY = 'O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.';
const BLOCKING_POP_COMPLEXITY = 'O(log(N)) with N being the number of elements in the sorted set.';
const MULTI_POP_COMPLEXITY = 'O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.';
const DIFF_COMPLEXITY = 'O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.';

export const sortedSetCommands: CommandSpec[] = [
  { ...zsetCommand, name: 'zadd', arity: -4, flags: ['write', 'denyoom', 'fast'], since: '1.2.0', summary: 'Adds one or more members to a sorted set, or updates their scores. Creates the key if it doesn\'t exist.', complexity: 'O(log(N)) for each item added, where N is the number of elements in the sorted set.', handler: zadd },
  { ...zsetCommand, name: 'zincrby', arity: 4, flags: ['write', 'denyoom', 'fast'], since: '1.2.0', summary: 'Increments the score of a member in a sorted set.', complexity: 'O(log(N)) where N is the number of elements in the sorted set.', handler: zincrby },
  { ...zsetCommand, name: 'zrem', arity: -3, flags: ['write', 'fast'], since: '1.2.0', summary: 'Removes one or more members from a sorted set. Deletes the sorted set if all members were removed.', complexity: 'O(M*log(N)) with N being the number of elements in the sorted set and M the number of elements to be removed.', handler: zrem },
  { ...zsetCommand, name: 'zscore', arity: 3, flags: ['readonly', 'fast'], since: '1.2.0', summary: 'Returns the score of a member in a sorted set.', complexity: 'O(1)', handler: zscore },
  { ...zsetCommand, name: 'zmscore', arity: -3, flags: ['readonly', 'fast'], since: '6.2.0', summary: 'Returns the score of one or more members in a sorted set.', complexity: 'O(N) where N is the number of members being requested.', handler: zmscore },
  { ...zsetCommand, name: 'zcard', arity: 2, flags: ['readonly', 'fast'], since: '1.2.0', summary: 'Returns the number of members in a sorted set.', complexity: 'O(1)', handler: zcard },
  { ...zsetCommand, name: 'zcount', arity: 4, flags: ['readonly', 'fast'], since: '2.0.0', summary: 'Returns the count of members in a sorted set that have scores within a range.', complexity: 'O(log(N)) with N being the number of elements in the sorted set.', handler: zcount },
  { ...zsetCommand, name: 'zlexcount', arity: 4, flags: ['readonly', 'fast'], since: '2.8.9', summary: 'Returns the number of members in a sorted set within a lexicographical range.', complexity: 'O(log(N)) with N being the number of elements in the sorted set.', handler: zlexcount },
  { ...zsetCommand, name: 'zrank', arity: -3, flags: ['readonly', 'fast'], since: '2.0.0', summary: 'Returns the index of a member in a sorted set ordered by ascending scores.', complexity: 'O(log(N))', handler: zrank },
  { ...zsetCommand, name: 'zrevrank', arity: -3, flags: ['readonly', 'fast'], since: '2.0.0', summary: 'Returns the index of a member in a sorted set ordered by descending scores.', complexity: 'O(log(N))', handler: zrevrank },
  { ...zsetCommand, name: 'zrange', arity: -4, flags: ['readonly'], since: '1.2.0', summary: 'Returns members in a sorted set within a range of indexes.', complexity: 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.', handler: zrange },
  { ...zsetCommand, name: 'zrangestore', keys: [1, 2, 1], arity: -5, flags: ['write', 'denyoom'], since: '6.2.0', summary: 'Stores a range of members from sorted set in a key.', complexity: 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements stored into the destination key.', handler: zrangestore },
  { ...zsetCommand, name: 'zrevrange', arity: -4, flags: ['readonly'], since: '1.2.0', summary: 'Returns members in a sorted set within a range of indexes in reverse order.', complexity: 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.', handler: zrevrange },
  { ...zsetCommand, name: 'zrangebyscore', arity: -4, flags: ['readonly'], since: '1.0.5', summary: 'Returns members in a sorted set within a range of scores.', complexity: RANGE_COMPLEXITY, handler: zrangebyscore },
  { ...zsetCommand, name: 'zrevrangebyscore', arity: -4, flags: ['readonly'], since: '2.2.0', summary: 'Returns members in a sorted set within a range of scores in reverse order.', complexity: RANGE_COMPLEXITY, handler: zrevrangebyscore },
  { ...zsetCommand, name: 'zrangebylex', arity: -4, flags: ['readonly'], since: '2.8.9', summary: 'Returns members in a sorted set within a lexicographical range.', complexity: RANGE_COMPLEXITY, handler: zrangebylex },
  { ...zsetCommand, name: 'zrevrangebylex', arity: -4, flags: ['readonly'], since: '2.8.9', summary: 'Returns members in a sorted set within a lexicographical range in reverse order.', complexity: RANGE_COMPLEXITY, handler: zrevrangebylex },
  { ...zsetCommand, name: 'zremrangebyrank', arity: 4, flags: ['write'], since: '2.0.0', summary: 'Removes members in a sorted set within a range of indexes. Deletes the sorted set if all members were removed.', complexity: REMOVE_RANGE_COMPLEXITY, handler: zremrangebyrank },
  { ...zsetCommand, name: 'zremrangebyscore', arity: 4, flags: ['write'], since: '1.2.0', summary: 'Removes members in a sorted set within a range of scores. Deletes the sorted set if all members were removed.', complexity: REMOVE_RANGE_COMPLEXITY, handler: zremrangebyscore },
  { ...zsetCommand, name: 'zremrangebylex', arity: 4, flags: ['write'], since: '2.8.9', summary: 'Removes members in a sorted set within a lexicographical range. Deletes the sorted set if all members were removed.', complexity: REMOVE_RANGE_COMPLEXITY, handler: zremrangebylex },
  { ...zsetCommand, name: 'zpopmin', arity: -2, flags: ['write', 'fast'], since: '5.0.0', summary: 'Returns the lowest-scoring members from a sorted set after removing them. Deletes the sorted set if the last member was popped.', complexity: POP_COMPLEXITY, handler: zpopmin },
  { ...zsetCommand, name: 'zpopmax', arity: -2, flags: ['write', 'fast'], since: '5.0.0', summary: 'Returns the highest-scoring members from a sorted set after removing them. Deletes the sorted set if the last member was popped.', complexity: POP_COMPLEXITY, handler: zpopmax },
  { ...movableCommand, name: 'zmpop', arity: -4, flags: ['write', 'movablekeys'], since: '7.0.0', summary: 'Returns the highest- or lowest-scoring members from one or more sorted sets after removing them. Deletes the sorted set if the last member was popped.', complexity: MULTI_POP_COMPLEXITY, handler: zmpop },
  { ...zsetCommand, keys: [1, -2, 1], name: 'bzpopmin', arity: -3, flags: ['write', 'blocking', 'fast'], since: '5.0.0', summary: 'Removes and returns the member with the lowest score from one or more sorted sets. Blocks until a member is available otherwise. Deletes the sorted set if the last element was popped.', complexity: BLOCKING_POP_COMPLEXITY, handler: bzpopmin },
  { ...zsetCommand, keys: [1, -2, 1], name: 'bzpopmax', arity: -3, flags: ['write', 'blocking', 'fast'], since: '5.0.0', summary: 'Removes and returns the member with the highest score from one or more sorted sets. Blocks until a member available otherwise.  Deletes the sorted set if the last element was popped.', complexity: BLOCKING_POP_COMPLEXITY, handler: bzpopmax },
  { ...movableCommand, keyCountAt: 2, name: 'bzmpop', arity: -5, flags: ['write', 'blocking', 'movablekeys'], since: '7.0.0', summary: 'Removes and returns a member by score from one or more sorted sets. Blocks until a member is available otherwise. Deletes the sorted set if the last element was popped.', complexity: MULTI_POP_COMPLEXITY, handler: bzmpop },
  { ...zsetCommand, name: 'zrandmember', arity: -2, flags: ['readonly'], since: '6.2.0', summary: 'Returns one or more random members from a sorted set.', complexity: 'O(N) where N is the number of members returned', handler: zrandmember },
  { ...zsetCommand, name: 'zscan', arity: -3, flags: ['readonly'], since: '2.8.0', summary: 'Iterates over members and scores of a sorted set.', complexity: 'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.', handler: zscan },
  { ...movableCommand, name: 'zunion', arity: -3, flags: ['readonly', 'movablekeys'], since: '6.2.0', summary: 'Returns the union of multiple sorted sets.', complexity: UNION_COMPLEXITY, handler: zunion },
  { ...movableCommand, name: 'zinter', arity: -3, flags: ['readonly', 'movablekeys'], since: '6.2.0', summary: 'Returns the intersect of multiple sorted sets.', complexity: INTER_COMPLEXITY, handler: zinter },
  { ...movableCommand, name: 'zdiff', arity: -3, flags: ['readonly', 'movablekeys'], since: '6.2.0', summary: 'Returns the difference between multiple sorted sets.', complexity: DIFF_COMPLEXITY, handler: zdiff },
  { ...movableCommand, name: 'zintercard', arity: -3, flags: ['readonly', 'movablekeys'], since: '7.0.0', summary: 'Returns the number of members of the intersect of multiple sorted sets.', complexity: 'O(N*K) worst case with N being the smallest input sorted set, K being the number of input sorted sets.', handler: zintercard },
  { ...zsetCommand, keyCountAt: 2, name: 'zunionstore', arity: -4, flags: ['write', 'denyoom', 'movablekeys'], since: '2.0.0', summary: 'Stores the union of multiple sorted sets in a key.', complexity: UNION_COMPLEXITY, handler: zunionstore },
  { ...zsetCommand, keyCountAt: 2, name: 'zinterstore', arity: -4, flags: ['write', 'denyoom', 'movablekeys'], since: '2.0.0', summary: 'Stores the intersect of multiple sorted sets in a key.', complexity: INTER_COMPLEXITY, handler: zinterstore },
  { ...zsetCommand, keyCountAt: 2, name: 'zdiffstore', arity: -4, flags: ['write', 'denyoom', 'movablekeys'], since: '6.2.0', summary: 'Stores the difference of multiple sorted sets in a key.', complexity: DIFF_COMPLEXITY, handler: zdiffstore },
];
