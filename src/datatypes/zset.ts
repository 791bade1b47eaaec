import type { CollectionValue } from '../keyspace/values.js';
import { mapBytes, skipListBytes, stringBytes, ZSET_VALUE_BYTES } from './heap-sizes.js';
import { isEmptyLexRange, lexGteMin, lexLteMax, SkipList, type LexRange, type ScoreRange, type SkipListNode } from './skiplist.js';

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
 * A sorted set: a skiplist for order and ranks plus a Map from member to its skiplist node
 * (for O(1) scores), as Redis's zset keeps a skiplist and a dict.
 *
 * The storage is the same whatever the encoding; the encoding name follows Redis 7.0:
 * "listpack" while small, "skiplist" once a limit is crossed, for good. What a listpack
 * changes is kept: it stores scores as text, and -0 comes back from it as 0.
 */
export class ZSetValue implements CollectionValue {
  readonly type = 'zset';
  /** What the database last counted for this value (see CollectionValue). */
  accountedBytes = 0;
  readonly members = new Map<string, SkipListNode>();
  readonly list = new SkipList();
  /** The score the last `add` computed (Redis's newscore), before any listpack rounding of -0. */
  newScore = 0;
  private listpack: boolean;
  /** Heap bytes of the members' strings (shared by the Map and the skiplist), kept up to date by every write. */
  private memberBytes = 0;

  constructor(listpack = true) {
    this.listpack = listpack;
  }

  get size(): number {
    return this.members.size;
  }

  /** Estimated heap bytes of the sorted set, its strings included (see heap-sizes.ts), in O(1). */
  get bytes(): number {
    const size = this.members.size;
    return ZSET_VALUE_BYTES + mapBytes(size) + skipListBytes(size) + this.memberBytes;
  }

  encoding(): string {
    return this.listpack ? 'listpack' : 'skiplist';
  }

  get isListpack(): boolean {
    return this.listpack;
  }

  score(member: string): number | undefined {
    return this.members.get(member)?.score;
  }

  /** Adds or updates one member as ZADD/ZINCRBY do (Redis's zsetAdd); returns ZADD_* result flags. */
  add(score: number, member: string, flags: number, maxEntries: number, maxValue: number): number {
    const node = this.members.get(member);
    if (node !== undefined) {
      if (flags & ZADD_NX) return ZADD_NOP;
      const current = node.score;
      if (flags & ZADD_INCR) {
        score += current;
        if (score !== score) return ZADD_NAN;
      }
      if ((flags & ZADD_LT && score >= current) || (flags & ZADD_GT && score <= current)) return ZADD_NOP;
      this.newScore = score;
      if (score === current) return 0;
      const moved = this.list.updateScore(node, this.stored(score));
      if (moved !== node) this.members.set(member, moved);
      return ZADD_UPDATED;
    }
    if (flags & ZADD_XX) return ZADD_NOP;
    if (this.listpack && (this.members.size + 1 > maxEntries || member.length > maxValue)) this.listpack = false;
    this.insert(score, member);
    this.newScore = score;
    return ZADD_ADDED;
  }

  /** Inserts a member known to be absent. */
  insert(score: number, member: string): void {
    this.members.set(member, this.list.insert(this.stored(score), member));
    this.memberBytes += stringBytes(member.length);
  }

  /** A listpack keeps scores as text, where -0 is written "0". */
  private stored(score: number): number {
    return this.listpack && score === 0 ? 0 : score;
  }

  remove(member: string): boolean {
    const node = this.members.get(member);
    if (node === undefined) return false;
    this.members.delete(member);
    this.list.delete(node.score, member);
    this.memberBytes -= stringBytes(member.length);
    return true;
  }

  /** Drops from the Map a node a range delete unlinked from the skiplist. */
  private forget(node: SkipListNode): void {
    this.members.delete(node.member);
    this.memberBytes -= stringBytes(node.member.length);
  }

  /** 0-based rank of `member` from the lowest score (or from the highest when `reverse`), -1 when absent. */
  rank(member: string, reverse: boolean): number {
    const node = this.members.get(member);
    if (node === undefined) return -1;
    const rank = this.list.rank(node.score, member);
    return reverse ? this.list.length - rank : rank - 1;
  }

  /** How many members have a score in `range`, in O(log n). */
  countInRange(range: ScoreRange): number {
    const first = this.list.firstInRange(range);
    if (first === null) return 0;
    const last = this.list.lastInRange(range)!;
    return this.list.rank(last.score, last.member) - this.list.rank(first.score, first.member) + 1;
  }

  /**
   * Lex ranges assume equal scores; with mixed scores the answer depends on the walk. A listpack
   * is walked from its ends as Redis does (zzlFirstInLexRange, zzlLastInLexRange), so small sets
   * answer exactly as Redis; a skiplist is descended, as Redis does too.
   */
  firstInLexRange(range: LexRange): SkipListNode | null {
    if (!this.listpack) return this.list.firstInLexRange(range);
    if (!this.inLexRange(range)) return null;
    for (let node = this.list.first; node !== null; node = node.next) {
      if (lexGteMin(node.member, range)) return lexLteMax(node.member, range) ? node : null;
    }
    return null;
  }

  lastInLexRange(range: LexRange): SkipListNode | null {
    if (!this.listpack) return this.list.lastInLexRange(range);
    if (!this.inLexRange(range)) return null;
    for (let node = this.list.tail; node !== null; node = node.backward) {
      if (lexLteMax(node.member, range)) return lexGteMin(node.member, range) ? node : null;
    }
    return null;
  }

  private inLexRange(range: LexRange): boolean {
    const { first, tail } = this.list;
    return !isEmptyLexRange(range) && tail !== null && lexGteMin(tail.member, range) && lexLteMax(first!.member, range);
  }

  /** How many members are in the lex `range`. */
  countInLexRange(range: LexRange): number {
    const first = this.firstInLexRange(range);
    if (first === null) return 0;
    if (this.listpack) {
      let count = 0;
      for (let node: SkipListNode | null = first; node !== null && lexLteMax(node.member, range); node = node.next) count++;
      return count;
    }
    const last = this.list.lastInLexRange(range);
    const firstRank = this.list.rank(first.score, first.member);
    return last === null ? this.size - firstRank + 1 : this.list.rank(last.score, last.member) - firstRank + 1;
  }

  deleteRangeByScore(range: ScoreRange): number {
    return this.list.deleteRangeByScore(range, (node) => this.forget(node));
  }

  deleteRangeByLex(range: LexRange): number {
    if (!this.listpack) return this.list.deleteRangeByLex(range, (node) => this.forget(node));
    let count = 0;
    for (let node = this.firstInLexRange(range); node !== null && lexLteMax(node.member, range); count++) {
      const next = node.next;
      this.remove(node.member);
      node = next;
    }
    return count;
  }

  /** Removes 0-based ranks start..end, both within the set. */
  deleteRangeByRank(start: number, end: number): number {
    return this.list.deleteRangeByRank(start + 1, end + 1, (node) => this.forget(node));
  }

  /**
   * Sets the encoding a store command's result gets (Redis builds it as a skiplist, then
   * zsetConvertToListpackIfNeeded): a listpack when small enough.
   */
  settleEncoding(maxEntries: number, maxValue: number): void {
    if (this.size > maxEntries) return;
    for (let node = this.list.first; node !== null; node = node.next) if (node.member.length > maxValue) return;
    this.listpack = true;
    for (let node = this.list.first; node !== null; node = node.next) node.score = this.stored(node.score);
  }

  copy(): ZSetValue {
    const copy = new ZSetValue(this.listpack);
    // Inserting from the highest score down makes every insert stop at the head's level.
    for (let node = this.list.tail; node !== null; node = node.backward) copy.insert(node.score, node.member);
    return copy;
  }
}
