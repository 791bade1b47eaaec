import type { CollectionValue } from '../keyspace/values.js';
import { mapBytes, SET_VALUE_BYTES, stringBytes } from './heap-sizes.js';
import { parseInt64 } from './int64.js';
import { RandomKeys } from './random-keys.js';

/**
 * A Redis set: a Map keyed by the members gives O(1) add, delete and lookup and is what SSCAN
 * walks; as RandomKeys over it, a random pick is O(1) as Redis's dictGetFairRandomKey.
 * `intset` mirrors Redis's one-way encoding flag: true while every member is a canonical 64-bit
 * integer and the set is small, in which case Redis keeps members sorted numerically (so do the
 * replies).
 */
export class SetValue extends RandomKeys<Map<string, true>> implements CollectionValue {
  readonly type = 'set';
  /** What the database last counted for this value (see CollectionValue). */
  accountedBytes = 0;
  intset = true;
  /** Heap bytes of the members' strings, kept up to date by add, delete and popRandom. */
  private memberBytes = 0;

  constructor(members = new Map<string, true>()) {
    super(members);
    if (members.size > 0) for (const member of members.keys()) this.memberBytes += stringBytes(member.length);
  }

  /** Estimated heap bytes of the set, its strings included (see heap-sizes.ts), in O(1). */
  get bytes(): number {
    return SET_VALUE_BYTES + mapBytes(this.members.size) + this.memberBytes + this.indexBytes;
  }

  /** Read it (SSCAN walks it); change it only through add and delete. */
  get members(): Map<string, true> {
    return this.live;
  }

  get size(): number {
    return this.members.size;
  }

  encoding(): string {
    return this.intset ? 'intset' : 'hashtable';
  }

  copy(): SetValue {
    const other = new SetValue(new Map(this.members));
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
    this.members.set(member, true);
    this.memberBytes += stringBytes(member.length);
    this.added(member);
    if (this.intset && this.members.size > maxIntsetEntries) this.intset = false;
    return true;
  }

  /** Removes `member`; returns whether it was there. */
  delete(member: string): boolean {
    if (!this.members.delete(member)) return false;
    this.memberBytes -= stringBytes(member.length);
    this.deleted(member);
    return true;
  }

  /** Removes and returns a uniformly random member of a non-empty set. */
  popRandom(): string {
    const member = this.takeRandom();
    this.members.delete(member);
    this.memberBytes -= stringBytes(member.length);
    return member;
  }

  /** Whether the same members added to a new set would leave it an intset. */
  fitsIntset(maxIntsetEntries: number): boolean {
    return this.intset || (this.size <= maxIntsetEntries && this.all().every((member) => parseInt64(member) !== undefined));
  }

  /**
   * Members in Redis's iteration order: numeric for an intset (a sorted copy, at most
   * set-max-intset-entries long), otherwise RandomKeys's live array, valid until the next write.
   * `numeric` asks for the intset order of a set that only fits one.
   */
  list(numeric = this.intset): readonly string[] {
    return numeric ? sortNumerically(this.all().slice()) : this.all();
  }
}

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
