import type { CollectionValue } from '../keyspace/values.js';
import { HASH_VALUE_BYTES, mapBytes, RANDOM_KEYS_BYTES, stringBytes } from './heap-sizes.js';
import { RANDOM_COPY_RATIO, RandomKeys } from './random-keys.js';

/**
 * A hash: fields and values as latin1 strings in a Map, in insertion order as Redis's listpack
 * replies (a delete keeps the order of the rest). The encoding name follows Redis 7.0:
 * "listpack" while small, "hashtable" for good once a limit is crossed.
 *
 * Random picks from a hashtable are O(1) through RandomKeys over the fields, made by the first
 * pick (O(n) once) and kept up to date from then on: a hash never picked from pays nothing for
 * them, neither memory nor time on HSET and HDEL.
 */
export class HashValue implements CollectionValue {
  readonly type = 'hash';
  /** What the database last counted for this value (see CollectionValue). */
  accountedBytes = 0;
  /** Read it here; change it only through set and delete. */
  readonly fields: Map<string, string>;
  /** False while a listpack; for a hashtable, its random picks once one was asked for, else null. */
  private picks: RandomKeys | null | false = false;
  /** Heap bytes of the fields' and values' strings, kept up to date by set and delete. */
  private elementBytes = 0;

  constructor(fields = new Map<string, string>()) {
    this.fields = fields;
    if (fields.size > 0) for (const [field, value] of fields) this.elementBytes += stringBytes(field.length) + stringBytes(value.length);
  }

  /** Estimated heap bytes of the hash, its strings included (see heap-sizes.ts), in O(1). */
  get bytes(): number {
    const picks = this.picks;
    return HASH_VALUE_BYTES + mapBytes(this.fields.size) + this.elementBytes + (picks ? RANDOM_KEYS_BYTES + picks.indexBytes : 0);
  }

  get size(): number {
    return this.fields.size;
  }

  encoding(): string {
    return this.picks === false ? 'listpack' : 'hashtable';
  }

  get isListpack(): boolean {
    return this.picks === false;
  }

  /** Leaves the listpack encoding when a string is longer than `maxValue` bytes (hashTypeTryConversion). */
  checkLength(text: string, maxValue: number): void {
    if (text.length > maxValue) this.convert();
  }

  /** Leaves the listpack encoding when there are more than `maxEntries` fields. */
  checkEntries(maxEntries: number): void {
    if (this.fields.size > maxEntries) this.convert();
  }

  private convert(): void {
    if (this.picks === false) this.picks = null;
  }

  copy(): HashValue {
    const copy = new HashValue(new Map(this.fields));
    if (this.picks !== false) copy.convert();
    return copy;
  }

  /** Sets `field` (in place when present, as a listpack replaces it where it is); returns whether it is new. */
  set(field: string, value: string): boolean {
    const old = this.fields.get(field);
    this.fields.set(field, value);
    if (old !== undefined) {
      // The Map keeps the field string it had.
      this.elementBytes += stringBytes(value.length) - stringBytes(old.length);
      return false;
    }
    this.elementBytes += stringBytes(field.length) + stringBytes(value.length);
    if (this.picks) this.picks.added(field);
    return true;
  }

  /** Removes `field`; returns whether it was there. */
  delete(field: string): boolean {
    const value = this.fields.get(field);
    if (value === undefined) return false;
    this.fields.delete(field);
    this.elementBytes -= stringBytes(field.length) + stringBytes(value.length);
    if (this.picks) this.picks.deleted(field);
    return true;
  }

  /**
   * Random picks of fields: a hashtable's own, or a listpack's made on the spot, O(n) with n at
   * most hash-max-listpack-entries (Redis walks a listpack too).
   */
  randomPicks(): RandomKeys {
    if (this.picks === false) return new RandomKeys(this.fields);
    if (this.picks === null) this.picks = new RandomKeys(this.fields);
    return this.picks;
  }

  /**
   * `count` (< size) distinct random fields. Few of a listpack's come out in its order, as Redis's
   * lpRandomPairsUnique picks them; many, in random order, as from Redis's temporary dict.
   */
  randomDistinct(count: number): string[] {
    const picked = this.randomPicks().randomDistinct(count);
    if (this.picks !== false || count * RANDOM_COPY_RATIO > this.fields.size) return picked;
    const chosen = new Set(picked);
    return [...this.fields.keys()].filter((field) => chosen.has(field));
  }
}
