import type { CollectionValue } from '../keyspace/values.js';
import { grownArrayBytes, LIST_CHUNK_BYTES, LIST_VALUE_BYTES, stringBytes } from './heap-sizes.js';
import { charsEqual, joinPacked, PackCursor, packedChars, packedLength, unpack } from './packed.js';

/** Most elements a chunk holds: index access walks a chunk's entries, so it stays short. */
const CHUNK_ENTRIES = 128;
/** Most packed chars a chunk holds (Redis's list-max-listpack-size -2), unless one element is larger alone. */
const CHUNK_CHARS = 8192;
/** A loose end that reaches this many elements is packed, but for the outermost LOOSE_KEEP. */
const LOOSE_MAX = 64;
/** Loose elements kept for pops after packing, so that pushes and pops at one end never alternate packing and unpacking. */
const LOOSE_KEEP = 32;
/** A push of this many elements or more is packed at once (with the loose elements at that end). */
const PACKED_PUSH = 8;

/** A run of elements packed in one string (packed.ts): a node of the list, as quicklist's listpack nodes. */
class Chunk {
  prev: Chunk | null = null;
  next: Chunk | null = null;

  constructor(
    public pack: string,
    public count: number,
  ) {}
}

function chunkBytes(chunk: Chunk): number {
  return LIST_CHUNK_BYTES + stringBytes(chunk.pack.length);
}

/**
 * A walk over a list's elements in order: after `next()` returns true, the element is `text`'s
 * chars from `start` to `end` (`text` is a chunk, or the element itself whole), read in place.
 * Valid until the list changes.
 */
export class ListCursor {
  text = '';
  start = 0;
  end = 0;
  /** The entries of the chunk being walked, if any. */
  private entries: PackCursor | null = null;

  constructor(
    private readonly head: readonly string[],
    private readonly tail: readonly string[],
    /** Index in `head` of the next loose head element (they run downwards), -1 past them. */
    private headAt: number,
    /** The next chunk to walk, after the loose head elements. */
    private chunk: Chunk | null,
    /** Entries of `chunk` to step over, when the walk starts in it. */
    skip: number,
    /** Index in `tail` of the next loose tail element, after the chunks. */
    private tailAt: number,
  ) {
    if (skip === 0) return;
    const entries = this.open();
    while (skip-- > 0) entries.next();
  }

  /** Moves to the next element; says whether there was one. Within a chunk, kept short enough to be inlined. */
  next(): boolean {
    const entries = this.entries;
    if (entries === null || !entries.next()) return this.nextPart();
    this.start = entries.start;
    this.end = entries.end;
    return true;
  }

  /** The current element as a string of its own (a slice of a chunk: a view into it when long). */
  element(): string {
    return this.text.slice(this.start, this.end);
  }

  /** Whether the current element is `element`. */
  is(element: string): boolean {
    return charsEqual(this.text, this.start, this.end, element);
  }

  /** The next element from a loose head element, the next chunk, or a loose tail element. */
  private nextPart(): boolean {
    if (this.headAt >= 0) return this.loose(this.head[this.headAt--]);
    while (this.chunk !== null) {
      const entries = this.open();
      if (entries.next()) {
        this.start = entries.start;
        this.end = entries.end;
        return true;
      }
    }
    this.entries = null;
    return this.tailAt < this.tail.length && this.loose(this.tail[this.tailAt++]);
  }

  private open(): PackCursor {
    const chunk = this.chunk as Chunk;
    this.chunk = chunk.next;
    this.text = chunk.pack;
    this.entries = new PackCursor(chunk.pack);
    return this.entries;
  }

  private loose(element: string): boolean {
    this.text = element;
    this.start = 0;
    this.end = element.length;
    return true;
  }
}

/**
 * A Redis list, about as compact as Redis's quicklist: a chain of chunks, each up to 128
 * elements packed in one latin1 string (1-2 bytes over the element's own, where a JS string
 * costs 24 or more), between two short arrays of loose strings at the head and the tail. Pushes
 * and pops at either end work on the loose arrays, O(1) and allocating nothing big: a loose end
 * that fills is packed into the end chunk, and a pop that empties one unpacks the end chunk.
 * Index access walks chunk counts from the nearer end, O(n/128) as quicklist's O(n/node); a
 * middle edit unpacks and repacks the chunk it falls in.
 */
export class ListValue implements CollectionValue {
  /** What the database last counted for this value (see CollectionValue). */
  accountedBytes = 0;
  /** Loose elements before the chunks, innermost first: the list's first element is the last, so head pushes and pops are Array push and pop. */
  private head: string[] = [];
  /** Loose elements after the chunks, innermost first: in list order. */
  private tail: string[] = [];
  private first: Chunk | null = null;
  private last: Chunk | null = null;
  private length = 0;
  /** Heap bytes of the loose strings and of the chunks, kept up to date by every write. */
  private elementBytes = 0;

  get type(): 'list' {
    return 'list';
  }

  get size(): number {
    return this.length;
  }

  /** Estimated heap bytes of the list, its strings included (see heap-sizes.ts), in O(1). */
  get bytes(): number {
    return LIST_VALUE_BYTES + grownArrayBytes(this.head.length) + grownArrayBytes(this.tail.length) + this.elementBytes;
  }

  /** Redis 7.0 reports "quicklist" for every list, whatever its size. */
  encoding(): string {
    return 'quicklist';
  }

  /** Shares the strings, chunks included: they are immutable. */
  copy(): ListValue {
    const copy = new ListValue();
    copy.head = this.head.slice();
    copy.tail = this.tail.slice();
    for (let chunk = this.first; chunk !== null; chunk = chunk.next) copy.link(copy.last, new Chunk(chunk.pack, chunk.count));
    copy.length = this.length;
    copy.elementBytes = this.elementBytes;
    return copy;
  }

  pushHead(value: string): void {
    this.push(true, value);
  }

  pushTail(value: string): void {
    this.push(false, value);
  }

  /**
   * Pushes `values` from `from` on, one after another, at the head (so the last ends up first,
   * as LPUSH does) or at the tail. A push of many is packed at once.
   */
  pushAll(atHead: boolean, values: readonly string[], from = 0): void {
    if (values.length - from < PACKED_PUSH) {
      for (let i = from; i < values.length; i++) this.push(atHead, values[i]);
      return;
    }
    const loose = atHead ? this.head : this.tail;
    for (let i = from; i < values.length; i++) {
      loose.push(values[i]);
      this.elementBytes += stringBytes(values[i].length);
    }
    this.length += values.length - from;
    this.packLoose(atHead, 0);
  }

  popHead(): string | undefined {
    return this.pop(true);
  }

  popTail(): string | undefined {
    return this.pop(false);
  }

  /** Element at 0-based `index` (caller checks 0 <= index < size); an element of a chunk is sliced out of it. */
  get(index: number): string {
    const headLength = this.head.length;
    if (index < headLength) return this.head[headLength - 1 - index];
    const inTail = index - (this.length - this.tail.length);
    if (inTail >= 0) return this.tail[inTail];
    const [chunk, inChunk] = this.chunkAt(index - headLength);
    const cursor = new PackCursor(chunk.pack);
    for (let i = 0; i <= inChunk; i++) cursor.next();
    return cursor.entry();
  }

  /** Replaces the element at `index` (caller checks 0 <= index < size). */
  set(index: number, value: string): void {
    const headLength = this.head.length;
    const inTail = index - (this.length - this.tail.length);
    if (index < headLength) this.replaceLoose(this.head, headLength - 1 - index, value);
    else if (inTail >= 0) this.replaceLoose(this.tail, inTail, value);
    else {
      const [chunk, inChunk] = this.chunkAt(index - headLength);
      const entries = unpack(chunk.pack);
      entries[inChunk] = value;
      this.rewrite(chunk, entries);
    }
  }

  /** Inserts before position `index` (0..size). */
  insert(index: number, value: string): void {
    const headLength = this.head.length;
    const inTail = index - (this.length - this.tail.length);
    if (index <= headLength || inTail >= 0) {
      const atHead = index <= headLength;
      if (atHead) this.head.splice(headLength - index, 0, value);
      else this.tail.splice(inTail, 0, value);
      this.elementBytes += stringBytes(value.length);
      this.length++;
      this.packIfFull(atHead);
      return;
    }
    const [chunk, inChunk] = this.chunkAt(index - headLength);
    const entries = unpack(chunk.pack);
    entries.splice(inChunk, 0, value);
    this.length++;
    this.rewrite(chunk, entries);
  }

  /** Elements from `start` to `stop` inclusive (caller clamps to the list). */
  range(start: number, stop: number): string[] {
    const elements: string[] = [];
    const cursor = this.cursor(start);
    for (let i = start; i <= stop && cursor.next(); i++) elements.push(cursor.element());
    return elements;
  }

  /** A walk over the elements from `start` (0 <= start <= size) on. */
  cursor(start: number): ListCursor {
    const headLength = this.head.length;
    const tailStart = this.length - this.tail.length;
    if (start < headLength) return new ListCursor(this.head, this.tail, headLength - 1 - start, this.first, 0, 0);
    if (start >= tailStart) return new ListCursor(this.head, this.tail, -1, null, 0, start - tailStart);
    const [chunk, skip] = this.chunkAt(start - headLength);
    return new ListCursor(this.head, this.tail, -1, chunk, skip, 0);
  }

  /**
   * Calls `visit` with the index of each element equal to `element` among the `limit` first
   * from the head, or from the tail, in that order, until it returns false. Compares in place.
   */
  find(element: string, fromTail: boolean, limit: number, visit: (index: number) => boolean): void {
    if (!fromTail) {
      const cursor = this.cursor(0);
      for (let index = 0; index < limit && cursor.next(); index++) {
        if (cursor.is(element) && !visit(index)) return;
      }
      return;
    }
    const stop = this.length - limit;
    let index = this.length - 1;
    for (let i = this.tail.length - 1; i >= 0 && index >= stop; i--, index--) {
      if (this.tail[i] === element && !visit(index)) return;
    }
    const matches: number[] = [];
    for (let chunk = this.last; chunk !== null && index >= stop; chunk = chunk.prev) {
      const cursor = new PackCursor(chunk.pack);
      matches.length = 0;
      for (let i = 0; cursor.next(); i++) if (cursor.is(element)) matches.push(i);
      const chunkStart = index - chunk.count + 1;
      for (let i = matches.length - 1; i >= 0 && chunkStart + matches[i] >= stop; i--) {
        if (!visit(chunkStart + matches[i])) return;
      }
      index -= chunk.count;
    }
    for (let i = 0; i < this.head.length && index >= stop; i++, index--) {
      if (this.head[i] === element && !visit(index)) return;
    }
  }

  /** Removes up to `limit` elements equal to `element`, the first ones or (`fromTail`) the last ones; returns how many. */
  remove(element: string, limit: number, fromTail: boolean): number {
    let removed = this.removeLoose(fromTail ? this.tail : this.head, element, limit, true);
    for (let chunk = fromTail ? this.last : this.first; chunk !== null && removed < limit; ) {
      const next = fromTail ? chunk.prev : chunk.next; // rewriting replaces `chunk` but not its neighbours
      if (holds(chunk.pack, element)) {
        const entries = unpack(chunk.pack);
        const count = removeEqual(entries, element, limit - removed, fromTail);
        this.length -= count;
        removed += count;
        this.rewrite(chunk, entries);
      }
      chunk = next;
    }
    return removed + this.removeLoose(fromTail ? this.head : this.tail, element, limit - removed, false);
  }

  /** Removes `fromHead` elements at the head and `fromTail` at the tail (caller keeps their sum within size). */
  trim(fromHead: number, fromTail: number): void {
    this.drop(true, fromHead);
    this.drop(false, fromTail);
  }

  private push(atHead: boolean, value: string): void {
    (atHead ? this.head : this.tail).push(value);
    this.length++;
    this.elementBytes += stringBytes(value.length);
    this.packIfFull(atHead);
  }

  private pop(atHead: boolean): string | undefined {
    if (this.length === 0) return undefined;
    let loose = atHead ? this.head : this.tail;
    let value: string;
    if (loose.length > 0 || (atHead ? this.first : this.last) !== null) {
      if (loose.length === 0) loose = this.unpackEnd(atHead);
      value = loose.pop() as string;
    } else {
      // No chunks: the other loose end holds the rest, this end's innermost first.
      value = (atHead ? this.tail : this.head).shift() as string;
    }
    this.length--;
    this.elementBytes -= stringBytes(value.length);
    return value;
  }

  /** Makes the end chunk the loose end (which is empty), its strings copied out so they can outlive it. */
  private unpackEnd(atHead: boolean): string[] {
    const chunk = (atHead ? this.first : this.last) as Chunk;
    const entries = unpack(chunk.pack);
    for (const entry of entries) this.elementBytes += stringBytes(entry.length);
    this.unlink(chunk);
    if (atHead) this.head = entries.reverse();
    else this.tail = entries;
    return entries;
  }

  private packIfFull(atHead: boolean): void {
    if ((atHead ? this.head : this.tail).length >= LOOSE_MAX) this.packLoose(atHead, LOOSE_KEEP);
  }

  /** Packs a loose end's elements into the chunks, but for the `keep` outermost. */
  private packLoose(atHead: boolean, keep: number): void {
    const loose = atHead ? this.head : this.tail;
    const inner = loose.splice(0, loose.length - keep);
    for (let i = 0; i < inner.length; i++) this.elementBytes -= stringBytes(inner[i].length);
    this.addPacked(atHead ? inner.reverse() : inner, atHead);
  }

  /** Packs `entries` (in list order) before the first chunk or after the last: into it when they fit, else into new chunks. */
  private addPacked(entries: readonly string[], atHead: boolean): void {
    const end = atHead ? this.first : this.last;
    if (end === null || end.count + entries.length > CHUNK_ENTRIES || end.pack.length + packedChars(entries) > CHUNK_CHARS) {
      this.insertChunks(atHead ? null : end, entries);
      return;
    }
    this.elementBytes -= chunkBytes(end);
    end.pack = atHead ? joinPacked('', entries, end.pack) : joinPacked(end.pack, entries, '');
    end.count += entries.length;
    this.elementBytes += chunkBytes(end);
  }

  /** Links chunks of `entries` after `after` (null: at the front), cut where a chunk would outgrow its limits. */
  private insertChunks(after: Chunk | null, entries: readonly string[]): void {
    let start = 0;
    let chars = 0;
    for (let i = 0; i < entries.length; i++) {
      const length = packedLength(entries[i]);
      if (i > start && (i - start === CHUNK_ENTRIES || chars + length > CHUNK_CHARS)) {
        after = this.link(after, new Chunk(joinPacked('', entries.slice(start, i), ''), i - start));
        start = i;
        chars = 0;
      }
      chars += length;
    }
    if (start < entries.length) this.link(after, new Chunk(joinPacked('', entries.slice(start), ''), entries.length - start));
  }

  /** Replaces a chunk by chunks of `entries` (none when it is empty): a middle edit. */
  private rewrite(chunk: Chunk, entries: readonly string[]): void {
    const before = chunk.prev;
    this.unlink(chunk);
    this.insertChunks(before, entries);
  }

  private link(after: Chunk | null, chunk: Chunk): Chunk {
    const next = after === null ? this.first : after.next;
    chunk.prev = after;
    chunk.next = next;
    if (after === null) this.first = chunk;
    else after.next = chunk;
    if (next === null) this.last = chunk;
    else next.prev = chunk;
    this.elementBytes += chunkBytes(chunk);
    return chunk;
  }

  private unlink(chunk: Chunk): void {
    if (chunk.prev === null) this.first = chunk.next;
    else chunk.prev.next = chunk.next;
    if (chunk.next === null) this.last = chunk.prev;
    else chunk.next.prev = chunk.prev;
    this.elementBytes -= chunkBytes(chunk);
  }

  /** The chunk holding the `index`th packed element, walked to from the nearer end, and the element's index in it. */
  private chunkAt(index: number): [Chunk, number] {
    const packed = this.length - this.head.length - this.tail.length;
    if (index < packed / 2) {
      let chunk = this.first as Chunk;
      for (; index >= chunk.count; chunk = chunk.next as Chunk) index -= chunk.count;
      return [chunk, index];
    }
    let chunk = this.last as Chunk;
    let fromEnd = packed - index;
    for (; fromEnd > chunk.count; chunk = chunk.prev as Chunk) fromEnd -= chunk.count;
    return [chunk, chunk.count - fromEnd];
  }

  private replaceLoose(loose: string[], at: number, value: string): void {
    this.elementBytes += stringBytes(value.length) - stringBytes(loose[at].length);
    loose[at] = value;
  }

  /** Removes up to `limit` elements equal to `element` from a loose end, from its outermost or its innermost. */
  private removeLoose(loose: string[], element: string, limit: number, outermostFirst: boolean): number {
    const removed = removeEqual(loose, element, limit, outermostFirst);
    this.length -= removed;
    this.elementBytes -= removed * stringBytes(element.length);
    return removed;
  }

  /** Drops `count` elements at one end: its loose elements, whole chunks, part of one, then the other end's loose ones. */
  private drop(atHead: boolean, count: number): void {
    this.length -= count;
    count = this.dropLoose(atHead ? this.head : this.tail, count, true);
    for (let chunk = atHead ? this.first : this.last; chunk !== null && count > 0; chunk = atHead ? this.first : this.last) {
      if (chunk.count <= count) {
        count -= chunk.count;
        this.unlink(chunk);
      } else {
        const entries = unpack(chunk.pack);
        this.rewrite(chunk, atHead ? entries.slice(count) : entries.slice(0, entries.length - count));
        count = 0;
      }
    }
    this.dropLoose(atHead ? this.tail : this.head, count, false);
  }

  /** Drops up to `count` elements of a loose end, its outermost or its innermost; returns how many are left to drop. */
  private dropLoose(loose: string[], count: number, outermost: boolean): number {
    const dropped = Math.min(count, loose.length);
    const start = outermost ? loose.length - dropped : 0;
    for (let i = start; i < start + dropped; i++) this.elementBytes -= stringBytes(loose[i].length);
    loose.splice(start, dropped);
    return count - dropped;
  }
}

/** Whether `pack` holds an entry equal to `element`, compared in place. */
function holds(pack: string, element: string): boolean {
  const cursor = new PackCursor(pack);
  while (cursor.next()) if (cursor.is(element)) return true;
  return false;
}

/** Removes up to `limit` entries equal to `element`, the last ones first when `backward`; returns how many. */
function removeEqual(entries: string[], element: string, limit: number, backward: boolean): number {
  let removed = 0;
  if (backward) {
    for (let i = entries.length - 1; i >= 0 && removed < limit; i--) {
      if (entries[i] === element) {
        entries.splice(i, 1);
        removed++;
      }
    }
    return removed;
  }
  for (let i = 0; i < entries.length && removed < limit; ) {
    if (entries[i] === element) {
      entries.splice(i, 1);
      removed++;
    } else {
      i++;
    }
  }
  return removed;
}
