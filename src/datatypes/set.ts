import type { CollectionValue } from '../keyspace/values.js';
import { parseInt64 } from './int64.js';

/**
 * A Redis set. Members live in one JS Set; `intset` mirrors Redis's
 * one-way encoding flag: true while every member is a canonical 64-bit integer and the set is
 * small, in which case Redis keeps members sorted numerically (so do the replies).
 */
export class SetValue implements CollectionValue {
  readonly type = 'set';
  members = new Set<string>();
  intset = true;

  get size(): number {
    return this.members.size;
  }

  encoding(): string {
    return this.intset ? 'intset' : 'hashtable';
  }

  copy(): SetValue {
    const other = new SetValue();
    other.members = new Set(this.members);
    other.intset = this.intset;
    return other;
  }

  /** Adds `member`; returns whether it was new. Converts (one way) as Redis's setTypeAdd does. */
  add(member: string, maxIntsetEntries: number): boolean {
    if (this.members.has(member)) return false;
    if (this.intset && parseInt64(member) === undefined) this.intset = false;
    this.members.add(member);
    if (this.intset && this.members.size > maxIntsetEntries) this.intset = false;
    return true;
  }

  /** Members in Redis's reply order: numeric for an intset. */
  list(): string[] {
    const all = [...this.members];
    if (this.intset) all.sort((a, b) => {
      const x = BigInt(a);
      const y = BigInt(b);
      return x < y ? -1 : x > y ? 1 : 0;
    });
    return all;
  }
}
