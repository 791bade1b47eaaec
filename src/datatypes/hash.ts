import type { CollectionValue } from '../keyspace/values.js';

/**
 * A hash: fields and values as latin1 strings in a Map (insertion ordered, like a listpack).
 * The encoding name follows Redis 7.0: "listpack" while small, "hashtable" for good once a
 * limit is crossed; the storage is the same Map either way.
 */
export class HashValue implements CollectionValue {
  readonly type = 'hash';
  readonly fields = new Map<string, string>();
  private listpack = true;

  get size(): number {
    return this.fields.size;
  }

  encoding(): string {
    return this.listpack ? 'listpack' : 'hashtable';
  }

  get isListpack(): boolean {
    return this.listpack;
  }

  /** Leaves the listpack encoding when a string is longer than `maxValue` bytes (hashTypeTryConversion). */
  checkLength(text: string, maxValue: number): void {
    if (text.length > maxValue) this.listpack = false;
  }

  /** Leaves the listpack encoding when there are more than `maxEntries` fields. */
  checkEntries(maxEntries: number): void {
    if (this.fields.size > maxEntries) this.listpack = false;
  }

  copy(): HashValue {
    const copy = new HashValue();
    for (const [field, value] of this.fields) copy.fields.set(field, value);
    copy.listpack = this.listpack;
    return copy;
  }

  /**
   * The `index`th field in iteration order. O(n): a Map has no random access, so random picks
   * cost a walk (HRANDFIELD with a count walks once for all of its picks).
   */
  entryAt(index: number): [string, string] {
    let i = 0;
    for (const entry of this.fields) if (i++ === index) return entry;
    throw new RangeError('index out of range');
  }
}
