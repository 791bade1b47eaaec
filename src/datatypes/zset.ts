import type { CollectionValue } from '../keyspace/values.js';
import { mapBytes, skipListBytes, stringBytes, ZSET_SKIPLIST_BYTES, ZSET_VALUE_BYTES } from './heap-sizes.js';
import { pack, splice } from './packed.js';
import {
  deletePair, firstInLexRange, firstInScoreRange, insertPair, pairOffset, rankOf, rankOffset, rescorePair, runFrom, scoreEntry,
  scoreOfPair, walkFromRank, walkLexRange, walkScoreRange, type PairCursor,
} from './packed-zset.js';
import { scoreLteMax, SkipList, type LexRange, type ScoreRange, type SkipListNode } from './skiplist.js';

/** ZADD input flags (Redis's ZADD_IN_*). */
export const ZADD_NX = 1;
export const ZADD_XX = 2;
export const ZADD_GT = 4;
export const ZADD_LT = 8;
export const ZADD_INCR = 16;

/** What `add` did (Redis's ZADD_OUT_*); 0 means the member was left as it was. */
export const ZADD_ADDED = 1;
export const ZADD_UPDATED = 2;
export const ZADD_NOP = 4;
export const ZADD_NAN = 8;

/**
 * A walk over a sorted set's members in score order, or in reverse: each `next()` moves to one
 * more member (the first call to the first one) and says whether there was one.
 */
export interface ZSetWalk {
  /** The member; from a listpack, a long one is a view that keeps the whole pack alive: fine for a reply. */
  readonly member: string;
  readonly score: number;
  next(): boolean;
  /** The member as a string to keep in another structure. */
  ownMember(): string;
}

/** A walk along skiplist nodes; it steps ahead before the caller sees a node, so that node may be removed. */
class NodeWalk implements ZSetWalk {
  member = '';
  score = 0;

  constructor(
    private node: SkipListNode | null,
    private readonly reverse: boolean,
  ) {}

  next(): boolean {
    const node = this.node;
    if (node === null) return false;
    this.member = node.member;
    this.score = node.score;
    this.node = this.reverse ? node.backward : node.next;
    return true;
  }

  ownMember(): string {
    return this.member;
  }
}

/**
 * The skiplist encoding: a Map from member to its node (for O(1) scores) with the skiplist for
 * order and ranks, as Redis's zset keeps a dict and a skiplist. Being the Map saves an object.
 */
class SkipListZSet extends Map<string, SkipListNode> {
  readonly list = new SkipList();
  /** Heap bytes of the members' strings (shared by the Map and the skiplist), kept up to date by every write. */
  private memberBytes = 0;

  get bytes(): number {
    return ZSET_SKIPLIST_BYTES + mapBytes(this.size) + skipListBytes(this.size) + this.memberBytes;
  }

  /** Inserts a member known to be absent. */
  insert(score: number, member: string): void {
    this.set(member, this.list.insert(score, member));
    this.memberBytes += stringBytes(member.length);
  }

  updateScore(member: string, score: number): void {
    const node = this.get(member)!;
    const moved = this.list.updateScore(node, score);
    if (moved !== node) this.set(member, moved);
  }

  remove(member: string): boolean {
    const node = this.get(member);
    if (node === undefined) return false;
    this.delete(member);
    this.list.delete(node.score, member);
    this.memberBytes -= stringBytes(member.length);
    return true;
  }

  /** Drops from the Map a node a range delete unlinked from the skiplist. */
  private forget(node: SkipListNode): void {
    this.delete(node.member);
    this.memberBytes -= stringBytes(node.member.length);
  }

  rank(member: string, reverse: boolean): number {
    const node = this.get(member);
    if (node === undefined) return -1;
    const rank = this.list.rank(node.score, member);
    return reverse ? this.list.length - rank : rank - 1;
  }

  /** In O(log n), through the ranks of the range's ends. */
  countInRange(range: ScoreRange): number {
    const first = this.list.firstInRange(range);
    if (first === null) return 0;
    const last = this.list.lastInRange(range)!;
    return this.list.rank(last.score, last.member) - this.list.rank(first.score, first.member) + 1;
  }

  countInLexRange(range: LexRange): number {
    const first = this.list.firstInLexRange(range);
    if (first === null) return 0;
    const last = this.list.lastInLexRange(range);
    const firstRank = this.list.rank(first.score, first.member);
    return last === null ? this.size - firstRank + 1 : this.list.rank(last.score, last.member) - firstRank + 1;
  }

  deleteRangeByScore(range: ScoreRange): number {
    return this.list.deleteRangeByScore(range, (node) => this.forget(node));
  }

  deleteRangeByLex(range: LexRange): number {
    return this.list.deleteRangeByLex(range, (node) => this.forget(node));
  }

  deleteRangeByRank(start: number, end: number): number {
    return this.list.deleteRangeByRank(start + 1, end + 1, (node) => this.forget(node));
  }

  walkFromRank(rank: number, reverse: boolean): ZSetWalk {
    return new NodeWalk(this.list.byRank(reverse ? this.size - rank : rank + 1), reverse);
  }

  walkScoreRange(range: ScoreRange, reverse: boolean): ZSetWalk {
    return new NodeWalk(reverse ? this.list.lastInRange(range) : this.list.firstInRange(range), reverse);
  }

  walkLexRange(range: LexRange, reverse: boolean): ZSetWalk {
    return new NodeWalk(reverse ? this.list.lastInLexRange(range) : this.list.firstInLexRange(range), reverse);
  }
}

/**
 * A sorted set, in Redis 7.0's two encodings: a listpack while small (members and scores packed
 * in one string, see packed-zset.ts), a skiplist once a limit is crossed, for good (store
 * commands and loading may build a listpack again, as Redis does). What a listpack changes is
 * kept: -0 comes back from it as 0, and lex ranges over mixed scores are walked from its ends.
 */
export class ZSetValue implements CollectionValue {
  /**
   * The score the last `add` computed (Redis's newscore), before any listpack rounding of -0;
   * one for all sets, since commands run one at a time.
   */
  static newScore = 0;
  /** What the database last counted for this value (see CollectionValue). */
  accountedBytes = 0;
  /** The listpack form (see packed-zset.ts); '' once a skiplist. */
  private pack = '';
  /** Members in `pack`. */
  private packedSize = 0;
  /** The skiplist form; null while a listpack. */
  private skiplist: SkipListZSet | null;

  constructor(listpack = true) {
    this.skiplist = listpack ? null : new SkipListZSet();
  }

  get type(): 'zset' {
    return 'zset';
  }

  get size(): number {
    return this.skiplist === null ? this.packedSize : this.skiplist.size;
  }

  /** Estimated heap bytes of the sorted set, its strings included (see heap-sizes.ts), in O(1). */
  get bytes(): number {
    return ZSET_VALUE_BYTES + (this.skiplist === null ? stringBytes(this.pack.length) : this.skiplist.bytes);
  }

  encoding(): string {
    return this.skiplist === null ? 'listpack' : 'skiplist';
  }

  get isListpack(): boolean {
    return this.skiplist === null;
  }

  /** The skiplist form's members, for a scan with a cursor; undefined while a listpack. */
  get skiplistMembers(): Map<string, SkipListNode> | undefined {
    return this.skiplist ?? undefined;
  }

  score(member: string): number | undefined {
    if (this.skiplist !== null) return this.skiplist.get(member)?.score;
    const at = pairOffset(this.pack, member);
    return at < 0 ? undefined : scoreOfPair(this.pack, at);
  }

  /** Adds or updates one member as ZADD/ZINCRBY do (Redis's zsetAdd); returns ZADD_* result flags. */
  add(score: number, member: string, flags: number, maxEntries: number, maxValue: number): number {
    const skiplist = this.skiplist;
    // While a listpack, the member's pair is found once, for its score and its update.
    const at = skiplist === null ? pairOffset(this.pack, member) : -1;
    const current = skiplist !== null ? skiplist.get(member)?.score : at < 0 ? undefined : scoreOfPair(this.pack, at);
    if (current !== undefined) {
      if (flags & ZADD_NX) return ZADD_NOP;
      if (flags & ZADD_INCR) {
        score += current;
        if (score !== score) return ZADD_NAN;
      }
      if ((flags & ZADD_LT && score >= current) || (flags & ZADD_GT && score <= current)) return ZADD_NOP;
      ZSetValue.newScore = score;
      if (score === current) return 0;
      if (skiplist !== null) skiplist.updateScore(member, score);
      else this.pack = rescorePair(this.pack, at, score, member);
      return ZADD_UPDATED;
    }
    if (flags & ZADD_XX) return ZADD_NOP;
    if (skiplist === null && (this.packedSize + 1 > maxEntries || member.length > maxValue)) this.convertToSkipList();
    this.insert(score, member);
    ZSetValue.newScore = score;
    return ZADD_ADDED;
  }

  /** Inserts a member known to be absent. */
  insert(score: number, member: string): void {
    if (this.skiplist !== null) {
      this.skiplist.insert(score, member);
    } else {
      this.pack = insertPair(this.pack, score, member);
      this.packedSize++;
    }
  }

  remove(member: string): boolean {
    if (this.skiplist !== null) return this.skiplist.remove(member);
    const at = pairOffset(this.pack, member);
    if (at < 0) return false;
    this.pack = deletePair(this.pack, at);
    this.packedSize--;
    return true;
  }

  /** 0-based rank of `member` from the lowest score (or from the highest when `reverse`), -1 when absent. */
  rank(member: string, reverse: boolean): number {
    if (this.skiplist !== null) return this.skiplist.rank(member, reverse);
    const rank = rankOf(this.pack, member);
    return rank < 0 || !reverse ? rank : this.packedSize - 1 - rank;
  }

  /** How many members have a score in `range`. */
  countInRange(range: ScoreRange): number {
    if (this.skiplist !== null) return this.skiplist.countInRange(range);
    return runFrom(this.pack, firstInScoreRange(this.pack, range), (pairs) => scoreLteMax(pairs.score(), range)).count;
  }

  /** How many members are in the lex `range`. */
  countInLexRange(range: LexRange): number {
    if (this.skiplist !== null) return this.skiplist.countInLexRange(range);
    return runFrom(this.pack, firstInLexRange(this.pack, range), (pairs) => pairs.lteMax(range)).count;
  }

  /** A walk from 0-based `rank` (within the set), counted from the highest score when `reverse`. */
  walkFromRank(rank: number, reverse: boolean): ZSetWalk {
    if (this.skiplist !== null) return this.skiplist.walkFromRank(rank, reverse);
    return walkFromRank(this.pack, this.packedSize, rank, reverse);
  }

  /** A walk from the first member with a score in `range` (the last when `reverse`); it does not stop at the range's end. */
  walkScoreRange(range: ScoreRange, reverse: boolean): ZSetWalk {
    if (this.skiplist !== null) return this.skiplist.walkScoreRange(range, reverse);
    return walkScoreRange(this.pack, range, reverse);
  }

  /**
   * A walk from the first member in the lex `range` (the last when `reverse`). Lex ranges assume
   * equal scores; with mixed ones the answer depends on the walk: a listpack is walked from its
   * ends and a skiplist descended, as Redis does, so both answer exactly as Redis.
   */
  walkLexRange(range: LexRange, reverse: boolean): ZSetWalk {
    if (this.skiplist !== null) return this.skiplist.walkLexRange(range, reverse);
    return walkLexRange(this.pack, range, reverse);
  }

  deleteRangeByScore(range: ScoreRange): number {
    if (this.skiplist !== null) return this.skiplist.deleteRangeByScore(range);
    return this.deleteRun(firstInScoreRange(this.pack, range), (pairs) => scoreLteMax(pairs.score(), range));
  }

  deleteRangeByLex(range: LexRange): number {
    if (this.skiplist !== null) return this.skiplist.deleteRangeByLex(range);
    return this.deleteRun(firstInLexRange(this.pack, range), (pairs) => pairs.lteMax(range));
  }

  /** Removes 0-based ranks start..end, both within the set. */
  deleteRangeByRank(start: number, end: number): number {
    if (this.skiplist !== null) return this.skiplist.deleteRangeByRank(start, end);
    let left = end - start + 1;
    return this.deleteRun(rankOffset(this.pack, start), () => left-- > 0);
  }

  /** Removes the pairs from offset `from` (-1: none) while `within` holds. */
  private deleteRun(from: number, within: (pairs: PairCursor) => boolean): number {
    const run = runFrom(this.pack, from, within);
    if (run.count > 0) {
      this.pack = splice(this.pack, from, run.end, []);
      this.packedSize -= run.count;
    }
    return run.count;
  }

  /**
   * Sets the encoding a store command's result gets (Redis builds it as a skiplist, then
   * zsetConvertToListpackIfNeeded): a listpack when small enough.
   */
  settleEncoding(maxEntries: number, maxValue: number): void {
    const skiplist = this.skiplist;
    if (skiplist === null || skiplist.size > maxEntries) return;
    const entries: string[] = [];
    for (let node = skiplist.list.first; node !== null; node = node.next) {
      if (node.member.length > maxValue) return;
      entries.push(node.member, scoreEntry(node.score));
    }
    this.pack = pack(entries);
    this.packedSize = skiplist.size;
    this.skiplist = null;
  }

  private convertToSkipList(): void {
    const skiplist = new SkipListZSet();
    // From the highest score down, every insert stops at the head's level.
    const walk = walkFromRank(this.pack, this.packedSize, 0, true);
    while (walk.next()) skiplist.insert(walk.score, walk.ownMember());
    this.skiplist = skiplist;
    this.pack = '';
    this.packedSize = 0;
  }

  copy(): ZSetValue {
    const copy = new ZSetValue(this.skiplist === null);
    if (this.skiplist === null) {
      // Strings are immutable: the copy shares the pack.
      copy.pack = this.pack;
      copy.packedSize = this.packedSize;
      return copy;
    }
    for (let node = this.skiplist.list.tail; node !== null; node = node.backward) copy.insert(node.score, node.member);
    return copy;
  }
}
