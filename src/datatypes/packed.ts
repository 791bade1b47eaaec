/**
 * Byte strings packed one after another in a single latin1 string, the way Redis's listpack
 * packs a small collection into one allocation: each entry is its length as a varint (7 bits a
 * char, lowest first, high bit set when more follow) and then its chars. A packed collection
 * costs one string header plus a byte or two per entry over its data, where a Map or an array
 * of strings costs 40-60 bytes per entry.
 *
 * Reading walks entries with a PackCursor and compares in place (String#startsWith), so a
 * lookup allocates nothing. Every change builds a new flat string through a scratch Buffer:
 * O(size), as a listpack's memmove, which is why only small collections are kept packed.
 */

/** A walk over a packed string's entries: `next()` moves to the next one and says whether there was one. */
export class PackCursor {
  /** Offset of the current entry's length header. */
  at = 0;
  /** Offset of the current entry's first char. */
  start = 0;
  /** Offset just past the current entry: the next entry's header. */
  end = 0;

  constructor(
    readonly pack: string,
    from = 0,
  ) {
    this.end = from;
  }

  next(): boolean {
    const pack = this.pack;
    let at = this.end;
    if (at >= pack.length) return false;
    this.at = at;
    let byte = pack.charCodeAt(at++);
    let length = byte & 0x7f;
    for (let shift = 7; byte & 0x80; shift += 7) {
      byte = pack.charCodeAt(at++);
      length += (byte & 0x7f) * 2 ** shift;
    }
    this.start = at;
    this.end = at + length;
    return true;
  }

  /** Length of the current entry. */
  get length(): number {
    return this.end - this.start;
  }

  /** The current entry as a string of its own. */
  entry(): string {
    return this.pack.slice(this.start, this.end);
  }

  /** Whether the current entry is `text`. */
  is(text: string): boolean {
    return this.end - this.start === text.length && this.pack.startsWith(text, this.start);
  }
}

/** Entries of `pack` in order (O(n) strings: for replies and conversions). */
export function unpack(pack: string): string[] {
  const entries: string[] = [];
  const cursor = new PackCursor(pack);
  while (cursor.next()) entries.push(cursor.entry());
  return entries;
}

/** How many entries `pack` holds (O(n)). */
export function countEntries(pack: string): number {
  let count = 0;
  const cursor = new PackCursor(pack);
  while (cursor.next()) count++;
  return count;
}

/** Chars `text` takes packed: its length header and itself. */
export function packedLength(text: string): number {
  let header = 1;
  for (let length = text.length; length >= 0x80; length = Math.floor(length / 0x80)) header++;
  return header + text.length;
}

/** The packed form of `entries`. */
export function pack(entries: readonly string[]): string {
  return splice('', 0, 0, entries);
}

/** `pack` with `entries` added at its end. */
export function append(pack: string, ...entries: string[]): string {
  return splice(pack, pack.length, pack.length, entries);
}

/** Room for building packed strings; kept between calls unless a large one made it grow. */
const SCRATCH_BYTES = 16 * 1024;
let scratch = Buffer.allocUnsafe(SCRATCH_BYTES);

/**
 * `pack` with the chars from `from` to `to` (entry boundaries) replaced by `entries`: an insert
 * when from === to, a delete when `entries` is empty. Returns a new flat string.
 */
export function splice(pack: string, from: number, to: number, entries: readonly string[]): string {
  let total = pack.length - (to - from);
  for (let i = 0; i < entries.length; i++) total += packedLength(entries[i]);
  if (total === 0) return '';
  const bytes = total > scratch.length ? Buffer.allocUnsafe(total) : scratch;
  if (from > 0) bytes.latin1Write(pack, 0, from);
  let at = from;
  for (let i = 0; i < entries.length; i++) {
    const text = entries[i];
    let length = text.length;
    while (length >= 0x80) {
      bytes[at++] = (length & 0x7f) | 0x80;
      length = Math.floor(length / 0x80);
    }
    bytes[at++] = length;
    at += bytes.latin1Write(text, at);
  }
  if (to < pack.length) bytes.latin1Write(to === 0 ? pack : pack.slice(to), at);
  return bytes.latin1Slice(0, total);
}

/** `parts` as one flat string (`a + b` would make a rope, which V8 flattens into a second copy). */
export function joinFlat(parts: readonly string[]): string {
  let total = 0;
  for (let i = 0; i < parts.length; i++) total += parts[i].length;
  const bytes = total > scratch.length ? Buffer.allocUnsafe(total) : scratch;
  let at = 0;
  for (let i = 0; i < parts.length; i++) at += bytes.latin1Write(parts[i], at);
  return bytes.latin1Slice(0, total);
}

/** Longest slice V8 copies; a longer one is a view that keeps the whole string it is cut from alive (SlicedString::kMinLength). */
const COPIED_SLICE_MAX = 12;

/** The chars of `text` from `start` to `end` as a string of its own, one that keeps no larger string alive. */
export function ownSlice(text: string, start: number, end: number): string {
  const length = end - start;
  if (length <= COPIED_SLICE_MAX) return text.slice(start, end);
  const bytes = length > scratch.length ? Buffer.allocUnsafe(length) : scratch;
  bytes.latin1Write(text.slice(start, end), 0);
  return bytes.latin1Slice(0, length);
}
