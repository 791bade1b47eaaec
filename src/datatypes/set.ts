import type { CollectionValue } from '../keyspace/values.js';
import { MEMBER_TABLE_BYTES, mapBytes, RANDOM_KEYS_BYTES, SET_VALUE_BYTES, stringBytes } from './heap-sizes.js';
import { canonicalInteger } from './int64.js';
import { EMPTY_INTSET, intsetAdd, intsetGet, intsetHas, intsetMembers, intsetRemove, intsetRemoveAt, intsetSize } from './intset.js';
import { pickDistinct, RandomKeys } from './random-keys.js';

/**
 * A Redis set, in Redis's two encodings. While every member is a canonical 64-bit integer and
 * there are at most set-max-intset-entries of them, an intset (intset.ts): one string, the
 * members in numeric order, which is also the order of the replies. Otherwise, for good, a
 * MemberTable: a Map keyed by the members.
 */
export class SetValue implements CollectionValue {
  /** What the database last counted for this value (see CollectionValue). */
  accountedBytes = 0;
  private store: string | MemberTable;

  /** An empty set: an intset. */
  constructor() {
    this.store = EMPTY_INTSET;
  }

  /** A set of the members of `intset`, a hashtable when there are more than `maxIntsetEntries` (as Redis loads one). */
  static fromIntset(intset: string, maxIntsetEntries: number): SetValue {
    const set = new SetValue();
    set.store = intset;
    if (intsetSize(intset) > maxIntsetEntries) set.convert(intset);
    return set;
  }

  /** An empty set that is a hashtable already, for members known to be too many for an intset. */
  static emptyHashtable(): SetValue {
    const set = new SetValue();
    set.store = new MemberTable();
    return set;
  }

  /** On the prototype: no slot in every set. */
  get type(): 'set' {
    return 'set';
  }

  /** Estimated heap bytes of the set, its strings included (see heap-sizes.ts), in O(1). */
  get bytes(): number {
    const store = this.store;
    return SET_VALUE_BYTES + (typeof store === 'string' ? stringBytes(store.length) : store.bytes);
  }

  get size(): number {
    const store = this.store;
    return typeof store === 'string' ? intsetSize(store) : store.size;
  }

  get intset(): boolean {
    return typeof this.store === 'string';
  }

  /** The intset's string (intset.ts), undefined for a hashtable: for writing it as Redis's intset. */
  get intsetForm(): string | undefined {
    const store = this.store;
    return typeof store === 'string' ? store : undefined;
  }

  /** The hashtable's members, undefined for an intset: read it (SSCAN walks it), never change it. */
  get hashtable(): ReadonlyMap<string, true> | undefined {
    const store = this.store;
    return typeof store === 'string' ? undefined : store;
  }

  encoding(): string {
    return this.intset ? 'intset' : 'hashtable';
  }

  copy(): SetValue {
    const other = new SetValue();
    const store = this.store;
    if (typeof store === 'string') other.store = store; // immutable: shared
    else other.store = MemberTable.of(store.keys());
    return other;
  }

  has(member: string): boolean {
    const store = this.store;
    return typeof store === 'string' ? intsetHas(store, member) : store.has(member);
  }

  /** Adds `member`; returns whether it was new. Converts (one way) as Redis's setTypeAdd does. */
  add(member: string, maxIntsetEntries: number): boolean {
    const store = this.store;
    if (typeof store !== 'string') return store.insert(member);
    const grown = intsetAdd(store, member);
    if (grown === store) return false;
    if (grown === undefined) return this.convert(store).insert(member);
    this.store = grown;
    if (intsetSize(grown) > maxIntsetEntries) this.convert(grown);
    return true;
  }

  /** Removes `member`; returns whether it was there. */
  delete(member: string): boolean {
    const store = this.store;
    if (typeof store !== 'string') return store.remove(member);
    const shrunk = intsetRemove(store, member);
    this.store = shrunk;
    return shrunk !== store;
  }

  /** A uniformly random member of a non-empty set. */
  random(): string {
    const store = this.store;
    return typeof store === 'string' ? intsetGet(store, randomIndex(store)) : store.randomPicks().random();
  }

  /** Removes and returns a uniformly random member of a non-empty set. */
  popRandom(): string {
    const store = this.store;
    if (typeof store !== 'string') return store.popRandom();
    const index = randomIndex(store);
    this.store = intsetRemoveAt(store, index);
    return intsetGet(store, index);
  }

  /** `count` (< size) distinct random members in random order (see pickDistinct). */
  randomDistinct(count: number): string[] {
    const store = this.store;
    if (typeof store !== 'string') return store.randomPicks().randomDistinct(count);
    return pickDistinct(count, intsetSize(store), () => intsetMembers(store), () => this.random());
  }

  /** Whether the same members added to a new set would leave it an intset. */
  fitsIntset(maxIntsetEntries: number): boolean {
    const store = this.store;
    if (typeof store === 'string') return true;
    if (store.size > maxIntsetEntries) return false;
    for (const member of store.keys()) if (canonicalInteger(member) === undefined) return false;
    return true;
  }

  /** Every member once, in iteration order: an intset's numeric, a hashtable's insertion order. */
  members(): Iterable<string> {
    const store = this.store;
    return typeof store === 'string' ? intsetMembers(store) : store.keys();
  }

  /**
   * The members in Redis's iteration order, a new array: numeric for an intset, else insertion
   * order. `numeric` asks for the intset order of a set that only fits one.
   */
  list(numeric = this.intset): string[] {
    const store = this.store;
    if (typeof store === 'string') return intsetMembers(store);
    const members = [...store.keys()];
    return numeric ? sortNumerically(members) : members;
  }

  /** Leaves the intset encoding: its members go to a new MemberTable in numeric order (setTypeConvert). */
  private convert(intset: string): MemberTable {
    const table = MemberTable.of(intsetMembers(intset));
    this.store = table;
    return table;
  }
}

/**
 * A set's hashtable: a Map keyed by the members (O(1) add, delete and lookup, and what SSCAN
 * walks), holding as well the heap bytes of the members' strings and, once a random pick was
 * asked for, RandomKeys over the Map, which makes a pick O(1) as Redis's dictGetFairRandomKey
 * (built by the first pick, O(n) once, as a hash's: a set never picked from pays nothing for
 * them). The Map itself carries these two fields, which saves the header of an object of its own.
 */
class MemberTable extends Map<string, true> {
  private picks: RandomKeys | null = null;
  private memberBytes = 0;

  static of(members: Iterable<string>): MemberTable {
    const table = new MemberTable();
    for (const member of members) table.insert(member);
    return table;
  }

  /** Heap bytes of the table, the members' strings and the random picks included. */
  get bytes(): number {
    const picks = this.picks;
    return MEMBER_TABLE_BYTES + mapBytes(this.size) + this.memberBytes + (picks === null ? 0 : RANDOM_KEYS_BYTES + picks.indexBytes);
  }

  /** Adds `member`; returns whether it was new. */
  insert(member: string): boolean {
    if (this.has(member)) return false;
    this.set(member, true);
    this.memberBytes += stringBytes(member.length);
    this.picks?.added(member);
    return true;
  }

  /** Removes `member`; returns whether it was there. */
  remove(member: string): boolean {
    if (!this.delete(member)) return false;
    this.memberBytes -= stringBytes(member.length);
    this.picks?.deleted(member);
    return true;
  }

  randomPicks(): RandomKeys {
    return (this.picks ??= new RandomKeys(this));
  }

  /** Removes and returns a uniformly random member of a non-empty table. */
  popRandom(): string {
    // takeRandom drops the member's slot: the Map's delete is all that is left to do.
    const member = this.randomPicks().takeRandom();
    this.delete(member);
    this.memberBytes -= stringBytes(member.length);
    return member;
  }
}

function randomIndex(intset: string): number {
  return Math.floor(Math.random() * intsetSize(intset));
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
