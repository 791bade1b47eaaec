import type { CollectionValue } from '../keyspace/values.js';
import { HASH_VALUE_BYTES, mapBytes, RANDOM_KEYS_BYTES, stringBytes } from './heap-sizes.js';
import { append, pack, PackCursor, packedLength, splice } from './packed.js';
import { RANDOM_COPY_RATIO, RandomKeys } from './random-keys.js';

/**
 * A hash, in one of Redis 7.0's two encodings:
 * - "listpack" while small: fields and values alternating in one packed string (packed.ts), in
 *   insertion order; an overwrite keeps the field where it is. Lookups walk it, O(n) for n up
 *   to hash-max-listpack-entries, as Redis's listpack.
 * - "hashtable" for good once a limit is crossed: a Map of latin1 strings, which keeps the same
 *   order. Random picks are O(1) through RandomKeys over the fields, made by the first pick
 *   (O(n) once) and kept up to date from then on.
 */
export class HashValue implements CollectionValue {
  /** What the database last counted for this value (see CollectionValue). */
  accountedBytes = 0;
  /** The listpack, or null once a hashtable. */
  private packed: string | null;
  /** The listpack's number of fields (counting them would walk it). */
  private packedFields = 0;
  private table: Map<string, string> | null = null;
  /** A hashtable's random picks once one was asked for. */
  private picks: RandomKeys | null = null;
  /** Heap bytes of a hashtable's strings, kept up to date by set and delete. */
  private elementBytes = 0;

  /** A hash of `pairs`: distinct fields and their values, alternating. */
  constructor(pairs: readonly string[] = [], listpack = true) {
    if (listpack) {
      this.packed = pack(pairs);
      this.packedFields = pairs.length / 2;
      return;
    }
    this.packed = null;
    this.table = new Map<string, string>();
    for (let i = 0; i < pairs.length; i += 2) this.set(pairs[i], pairs[i + 1]);
  }

  get type(): 'hash' {
    return 'hash';
  }

  /** Estimated heap bytes of the hash, its strings included (see heap-sizes.ts), in O(1). */
  get bytes(): number {
    if (this.packed !== null) return HASH_VALUE_BYTES + stringBytes(this.packed.length);
    const picks = this.picks;
    return HASH_VALUE_BYTES + mapBytes(this.table!.size) + this.elementBytes + (picks ? RANDOM_KEYS_BYTES + picks.indexBytes : 0);
  }

  get size(): number {
    return this.packed !== null ? this.packedFields : this.table!.size;
  }

  encoding(): string {
    return this.packed !== null ? 'listpack' : 'hashtable';
  }

  get isListpack(): boolean {
    return this.packed !== null;
  }

  /** Leaves the listpack encoding when a string is longer than `maxValue` bytes (hashTypeTryConversion). */
  checkLength(text: string, maxValue: number): void {
    if (text.length > maxValue) this.convert();
  }

  /** Leaves the listpack encoding when there are more than `maxEntries` fields. */
  checkEntries(maxEntries: number): void {
    if (this.size > maxEntries) this.convert();
  }

  private convert(): void {
    if (this.packed === null) return;
    const table = new Map<string, string>();
    let bytes = 0;
    this.forEach((field, value) => {
      table.set(field, value);
      bytes += stringBytes(field.length) + stringBytes(value.length);
    });
    this.table = table;
    this.elementBytes = bytes;
    this.packed = null;
  }

  copy(): HashValue {
    const copy = new HashValue();
    copy.packed = this.packed;
    copy.packedFields = this.packedFields;
    if (this.table !== null) {
      copy.table = new Map(this.table);
      copy.elementBytes = this.elementBytes;
    }
    return copy;
  }

  /** A cursor on the listpack's value for `field`, or null when absent. */
  private find(packed: string, field: string): PackCursor | null {
    const cursor = new PackCursor(packed);
    while (cursor.next()) {
      const isField = cursor.is(field);
      cursor.next();
      if (isField) return cursor;
    }
    return null;
  }

  get(field: string): string | undefined {
    const packed = this.packed;
    if (packed === null) return this.table!.get(field);
    return this.find(packed, field)?.entry();
  }

  has(field: string): boolean {
    const packed = this.packed;
    return packed === null ? this.table!.has(field) : this.find(packed, field) !== null;
  }

  /** Length of `field`'s value, 0 when absent. */
  valueLength(field: string): number {
    const packed = this.packed;
    if (packed === null) return this.table!.get(field)?.length ?? 0;
    return this.find(packed, field)?.length ?? 0;
  }

  /** Sets `field` (in place when present, as a listpack replaces it where it is); returns whether it is new. */
  set(field: string, value: string): boolean {
    const packed = this.packed;
    if (packed !== null) {
      const found = this.find(packed, field);
      if (found !== null) {
        if (!found.is(value)) this.packed = splice(packed, found.at, found.end, [value]);
        return false;
      }
      this.packed = append(packed, field, value);
      this.packedFields++;
      return true;
    }
    const table = this.table!;
    const old = table.get(field);
    table.set(field, value);
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
    const packed = this.packed;
    if (packed !== null) {
      const found = this.find(packed, field);
      if (found === null) return false;
      // The pair starts where the field's header does, right before the value's.
      this.packed = splice(packed, found.at - packedLength(field), found.end, []);
      this.packedFields--;
      return true;
    }
    const table = this.table!;
    const value = table.get(field);
    if (value === undefined) return false;
    table.delete(field);
    this.elementBytes -= stringBytes(field.length) + stringBytes(value.length);
    if (this.picks) this.picks.deleted(field);
    return true;
  }

  /** Calls `visit` with each field and its value, in the hash's order. */
  forEach(visit: (field: string, value: string) => void): void {
    const packed = this.packed;
    if (packed === null) {
      for (const [field, value] of this.table!) visit(field, value);
      return;
    }
    const cursor = new PackCursor(packed);
    while (cursor.next()) {
      const field = cursor.entry();
      cursor.next();
      visit(field, cursor.entry());
    }
  }

  /** Every field and value, in the hash's order: a listpack's as pairs made now, a hashtable's as its Map. */
  entries(): ReadonlyMap<string, string> {
    if (this.table !== null) return this.table;
    const entries = new Map<string, string>();
    this.forEach((field, value) => entries.set(field, value));
    return entries;
  }

  /**
   * Random picks of fields: a hashtable's own, or a listpack's made on the spot, O(n) with n at
   * most hash-max-listpack-entries (Redis walks a listpack too).
   */
  randomPicks(): RandomKeys {
    if (this.table === null) return new RandomKeys(this.entries());
    this.picks ??= new RandomKeys(this.table);
    return this.picks;
  }

  /**
   * `count` (< size) distinct random fields. Few of a listpack's come out in its order, as Redis's
   * lpRandomPairsUnique picks them; many, in random order, as from Redis's temporary dict.
   */
  randomDistinct(count: number): string[] {
    if (this.table !== null) return this.randomPicks().randomDistinct(count);
    const entries = this.entries();
    const picked = new RandomKeys(entries).randomDistinct(count);
    if (count * RANDOM_COPY_RATIO > entries.size) return picked;
    const chosen = new Set(picked);
    return [...entries.keys()].filter((field) => chosen.has(field));
  }
}
