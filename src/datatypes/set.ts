import type { CollectionValue } from '../keyspace/values.js';
import { parseInt64 } from './int64.js';

/**
 * A Redis set. Members sit packed in an array (a delete moves the last member into the hole), so
 * a random pick is one index as Redis's dictGetFairRandomKey is O(1); a Map from member to its
 * position gives O(1) add, delete and lookup, and is what SSCAN walks. `intset` mirrors Redis's
 * one-way encoding flag: true while every member is a canonical 64-bit integer and the set is
 * small, in which case Redis keeps members sorted numerically (so do the replies).
 */
export class SetValue implements CollectionValue {
  readonly type = 'set';
  /** Each member and its index in `packed`: read it (SSCAN walks it), change it only through add and delete. */
  readonly members: Map<string, number>;
  private readonly packed: string[];
  intset = true;

  constructor(members = new Map<string, number>(), packed: string[] = []) {
    this.members = members;
    this.packed = packed;
  }

  get size(): number {
    return this.packed.length;
  }

  encoding(): string {
    return this.intset ? 'intset' : 'hashtable';
  }

  copy(): SetValue {
    const other = new SetValue(new Map(this.members), this.packed.slice());
    other.intset = this.intset;
    return other;
  }

  has(member: string): boolean {
    return this.members.has(member);
  }

  /** Adds `member`; returns whether it was new. Converts (one way) as Redis's setTypeAdd does. */
  add(member: string, maxIntsetEntries: number): boolean {
    if (this.members.has(member)) return false;
    if (this.intset && parseInt64(member) === undefined) this.intset = false;
    this.members.set(member, this.packed.length);
    this.packed.push(member);
    if (this.intset && this.packed.length > maxIntsetEntries) this.intset = false;
    return true;
  }

  /** Removes `member`; returns whether it was there. */
  delete(member: string): boolean {
    const position = this.members.get(member);
    if (position === undefined) return false;
    this.members.delete(member);
    const last = this.packed.pop()!;
    if (last !== member) {
      this.packed[position] = last;
      this.members.set(last, position);
    }
    return true;
  }

  /** A uniformly random member of a non-empty set. */
  random(): string {
    return this.packed[Math.floor(Math.random() * this.packed.length)];
  }

  /** Removes and returns a uniformly random member of a non-empty set. */
  popRandom(): string {
    const member = this.random();
    this.delete(member);
    return member;
  }

  /**
   * `count` (< size) distinct random members, as Redis's SRANDMEMBER strategies: when `count` is
   * near the size, a copy is partly shuffled; otherwise picks are drawn until enough differ
   * (few repeats while count <= size / 3). O(count) either way.
   */
  randomDistinct(count: number): string[] {
    const size = this.packed.length;
    if (count * RANDOM_COPY_RATIO > size) {
      const copy = this.packed.slice();
      for (let i = 0; i < count; i++) {
        const j = i + Math.floor(Math.random() * (size - i));
        const picked = copy[j];
        copy[j] = copy[i];
        copy[i] = picked;
      }
      copy.length = count;
      return copy;
    }
    const picked = new Set<string>();
    while (picked.size < count) picked.add(this.random());
    return [...picked];
  }

  /** Whether the same members added to a new set would leave it an intset. */
  fitsIntset(maxIntsetEntries: number): boolean {
    return this.intset || (this.size <= maxIntsetEntries && this.packed.every((member) => parseInt64(member) !== undefined));
  }

  /**
   * Members in Redis's iteration order: numeric for an intset (a sorted copy, at most
   * set-max-intset-entries long), otherwise the live internal array, valid until the next write.
   * `numeric` asks for the intset order of a set that only fits one.
   */
  list(numeric = this.intset): readonly string[] {
    return numeric ? sortNumerically(this.packed.slice()) : this.packed;
  }
}

/** Above this size-to-count ratio, SRANDMEMBER draws picks instead of shuffling a copy (Redis's SRANDMEMBER_SUB_STRATEGY_MUL). */
const RANDOM_COPY_RATIO = 3;

/** Sorts canonical int64 strings by value; Number order only ties where doubles lose precision. */
function sortNumerically(members: string[]): string[] {
  return members.sort((a, b) => {
    const x = Number(a);
    const y = Number(b);
    if (x !== y) return x - y;
    const big = BigInt(a) - BigInt(b);
    return big < 0n ? -1 : big > 0n ? 1 : 0;
  });
}
