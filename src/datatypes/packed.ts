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
    return ownSlice(this.pack, this.start, this.end);
  }

  /** Whether the current entry is `text`. */
  is(text: string): boolean {
    return charsEqual(this.pack, this.start, this.end, text);
  }
}

/**
 * Whether the chars of `pack` from `start` to `end` are `text`. Compared from the last char:
 * entries alike often differ there (field:1, field:2), and for a few chars this loop beats a
 * String builtin's call.
 */
export function charsEqual(pack: string, start: number, end: number, text: string): boolean {
  let i = text.length;
  if (end - start !== i) return false;
  while (i > 0) {
    i--;
    if (pack.charCodeAt(start + i) !== text.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * Entries of `pack` in order, as strings that do not keep it alive (O(n) strings: for replies,
 * edits and conversions). Entries long enough to be views are cut from one copy of the pack in a
 * Buffer; an entry that is the whole pack but its header stays a view, which holds little more
 * than itself.
 */
export function unpack(pack: string): string[] {
  const entries: string[] = [];
  const cursor = new PackCursor(pack);
  let bytes: Buffer | null = null;
  while (cursor.next()) {
    if (cursor.length <= COPIED_SLICE_MAX || (cursor.at === 0 && cursor.end === pack.length)) {
      entries.push(pack.slice(cursor.start, cursor.end));
      continue;
    }
    if (bytes === null) {
      bytes = scratchBuffer(pack.length);
      bytes.latin1Write(pack, 0);
    }
    entries.push(bytes.latin1Slice(cursor.start, cursor.end));
  }
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

/** Longest slice V8 copies; a longer one is a view that keeps the whole string it is cut from alive (SlicedString::kMinLength). */
const COPIED_SLICE_MAX = 12;

/**
 * The chars of `text` from `start` to `end` as a string of its own, one that keeps no larger
 * string alive: for what outlives its pack (stored elsewhere, or after a conversion).
 */
export function ownSlice(text: string, start: number, end: number): string {
  const length = end - start;
  if (length <= COPIED_SLICE_MAX) return text.slice(start, end);
  const bytes = scratchBuffer(length);
  bytes.latin1Write(text.slice(start, end), 0);
  return bytes.latin1Slice(0, length);
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
 * when from === to, a delete when `entries` is empty. Returns a new flat string.
 */
export function splice(pack: string, from: number, to: number, entries: readonly string[]): string {
  return joinPacked(pack.slice(0, from), entries, pack.slice(to));
}

/** `before` and `after`, both packed, with `entries` packed between them. */
export function joinPacked(before: string, entries: readonly string[], after: string): string {
  const parts = [before];
  for (let i = 0; i < entries.length; i++) parts.push(header(entries[i].length), entries[i]);
  parts.push(after);
  return joinFlat(parts);
}

/**
 * `parts` as one flat string. Array#join builds it at once, where `a + b` makes a rope that V8
 * flattens into a second copy on first read; both beat a round trip through a Buffer (0.18 µs
 * against 0.25 to change a value in a 3 KB pack; only packing dozens of entries at once, as a
 * list does every 32 pushes, goes the other way, by 0.15 µs).
 */
export function joinFlat(parts: readonly string[]): string {
  return parts.join('');
}

/** Chars `entries` take packed. */
export function packedChars(entries: readonly string[]): number {
  let chars = 0;
  for (let i = 0; i < entries.length; i++) chars += packedLength(entries[i]);
  return chars;
}
