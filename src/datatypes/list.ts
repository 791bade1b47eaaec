import type { CollectionValue } from '../keyspace/values.js';
import { arrayBytes, LIST_VALUE_BYTES, stringBytes } from './heap-sizes.js';

const MIN_CAPACITY = 8;

/**
 * A Redis list as a growable ring buffer of latin1 strings: push and pop at both ends are O(1)
 * amortized with no shifting, and index access is O(1) (better than quicklist's O(n/chunk)).
 * Capacity is always a power of two so that wrapping is a mask. It shrinks when a quarter full,
 * so a list that was large does not keep its memory.
 */
export class ListValue implements CollectionValue {
  readonly type = 'list' as const;
  /** What the database last counted for this value (see CollectionValue). */
  accountedBytes = 0;
  private items: (string | undefined)[];
  private head = 0;
  private length = 0;
  /** Heap bytes of the elements' strings, kept up to date by every write. */
  private elementBytes = 0;

  constructor(capacity = MIN_CAPACITY) {
    let cap = MIN_CAPACITY;
    while (cap < capacity) cap *= 2;
    this.items = new Array<string | undefined>(cap);
  }

  get size(): number {
    return this.length;
  }

  /** Estimated heap bytes of the list, its strings included (see heap-sizes.ts), in O(1). */
  get bytes(): number {
    return LIST_VALUE_BYTES + arrayBytes(this.items.length) + this.elementBytes;
  }

  /** Redis 7.0 reports "quicklist" for every list, whatever its size. */
  encoding(): string {
    return 'quicklist';
  }

  copy(): ListValue {
    const copy = new ListValue(this.length);
    for (let i = 0; i < this.length; i++) copy.items[i] = this.get(i);
    copy.length = this.length;
    copy.elementBytes = this.elementBytes;
    return copy;
  }

  pushTail(value: string): void {
    if (this.length === this.items.length) this.resize(this.items.length * 2);
    this.items[(this.head + this.length) & (this.items.length - 1)] = value;
    this.length++;
    this.elementBytes += stringBytes(value.length);
  }

  pushHead(value: string): void {
    if (this.length === this.items.length) this.resize(this.items.length * 2);
    this.head = (this.head - 1) & (this.items.length - 1);
    this.items[this.head] = value;
    this.length++;
    this.elementBytes += stringBytes(value.length);
  }

  popHead(): string | undefined {
    if (this.length === 0) return undefined;
    const value = this.items[this.head] as string;
    this.items[this.head] = undefined;
    this.head = (this.head + 1) & (this.items.length - 1);
    this.length--;
    this.elementBytes -= stringBytes(value.length);
    this.maybeShrink();
    return value;
  }

  popTail(): string | undefined {
    if (this.length === 0) return undefined;
    const slot = (this.head + this.length - 1) & (this.items.length - 1);
    const value = this.items[slot] as string;
    this.items[slot] = undefined;
    this.length--;
    this.elementBytes -= stringBytes(value.length);
    this.maybeShrink();
    return value;
  }

  /** Element at 0-based `index` (caller checks 0 <= index < size). */
  get(index: number): string {
    return this.items[(this.head + index) & (this.items.length - 1)] as string;
  }

  /** Replaces the element at `index` (caller checks 0 <= index < size). */
  set(index: number, value: string): void {
    this.elementBytes += stringBytes(value.length) - stringBytes(this.get(index).length);
    this.place(index, value);
  }

  /** Writes a slot without accounting: for moves within the list, and clearing a slot. */
  private place(index: number, value: string | undefined): void {
    this.items[(this.head + index) & (this.items.length - 1)] = value;
  }

  /** Elements from `start` to `stop` inclusive (caller clamps to the list). */
  range(start: number, stop: number): string[] {
    const out = new Array<string>(stop - start + 1);
    for (let i = start; i <= stop; i++) out[i - start] = this.get(i);
    return out;
  }

  /** Inserts before position `index` (0..size), moving the shorter side. */
  insert(index: number, value: string): void {
    if (index <= this.length / 2) {
      this.pushHead(value);
      for (let i = 0; i < index; i++) this.place(i, this.get(i + 1));
    } else {
      this.pushTail(value);
      for (let i = this.length - 1; i > index; i--) this.place(i, this.get(i - 1));
    }
    this.place(index, value);
  }

  /** Keeps only the elements for which `keep` is true, in order; returns how many were removed. */
  filter(keep: (value: string, index: number) => boolean): number {
    let kept = 0;
    const n = this.length;
    for (let i = 0; i < n; i++) {
      const value = this.get(i);
      if (keep(value, i)) this.place(kept++, value);
      else this.elementBytes -= stringBytes(value.length);
    }
    for (let i = kept; i < n; i++) this.place(i, undefined);
    this.length = kept;
    this.maybeShrink();
    return n - kept;
  }

  private maybeShrink(): void {
    if (this.items.length > MIN_CAPACITY && this.length <= this.items.length / 4) this.resize(this.items.length / 2);
  }

  private resize(capacity: number): void {
    const items = new Array<string | undefined>(capacity);
    for (let i = 0; i < this.length; i++) items[i] = this.get(i);
    this.items = items;
    this.head = 0;
  }
}
