/**
 * Byte strings packed one after another in a single latin1 string, the way Redis's listpack
 * packs a small collection into one allocation: each entry is its length as a varint (7 bits a
 * char, lowest first, high bit set when more follow) and then its chars. A packed collection
 * costs one string header plus a byte or two per entry over its data, where a Map or an array
 * of strings costs 40-60 bytes per entry.
 *
 * Reading walks entries with a PackCursor and compares in place, so a lookup allocates
 * nothing. Every change builds a new flat string: O(size), as a listpack's memmove, which is
 * why only small collections are kept packed.
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

  /** The current entry as a string of its own, which does not keep the packed string alive. */
  entry(): string {
    return detached(this.pack.slice(this.start, this.end));
  }

  /**
   * Whether the current entry is `text`. Compared from the last char: entries alike often
   * differ there (field:1, field:2), and for a few chars this loop beats a String builtin's call.
   */
  is(text: string): boolean {
    const start = this.start;
    let i = text.length;
    if (this.end - start !== i) return false;
    const pack = this.pack;
    while (i > 0) {
      i--;
      if (pack.charCodeAt(start + i) !== text.charCodeAt(i)) return false;
    }
    return true;
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

/** Room for detaching entries and for building strings byte by byte. */
const scratch = Buffer.allocUnsafe(16 * 1024);

/** A Buffer of at least `size` bytes to build a string in, valid until the next call here: the scratch unless it is too small. */
export function scratchBuffer(size: number): Buffer {
  return size > scratch.length ? Buffer.allocUnsafe(size) : scratch;
}

/**
 * V8 makes a slice of 13 chars or more a view that keeps its whole parent alive; an entry that
 * outlives its pack (stored elsewhere, or after a conversion) is copied into a string of its own.
 */
const SLICE_MIN_LENGTH = 13;

function detached(slice: string): string {
  if (slice.length < SLICE_MIN_LENGTH) return slice;
  const bytes = scratchBuffer(slice.length);
  bytes.latin1Write(slice, 0);
  return bytes.latin1Slice(0, slice.length);
}

/** The length header of an entry of `length` chars. */
function header(length: number): string {
  if (length < 0x80) return String.fromCharCode(length); // V8 shares one-char strings: no allocation
  let out = '';
  for (; length >= 0x80; length = Math.floor(length / 0x80)) out += String.fromCharCode((length & 0x7f) | 0x80);
  return out + String.fromCharCode(length);
}

/**
 * `pack` with the chars from `from` to `to` (entry boundaries) replaced by `entries`: an insert
 * when from === to, a delete when `entries` is empty. V8 joins the pieces as a rope; reading a
 * char flattens it into one string at once (half the cost of building it through a Buffer), so
 * that later reads do not walk the rope and the pieces are freed.
 */
export function splice(pack: string, from: number, to: number, entries: readonly string[]): string {
  let middle = '';
  for (let i = 0; i < entries.length; i++) middle += header(entries[i].length) + entries[i];
  const result = (from === 0 ? '' : pack.slice(0, from)) + middle + (to === pack.length ? '' : pack.slice(to));
  if (result.length > 0) result.charCodeAt(0);
  return result;
}
