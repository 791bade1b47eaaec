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

/** Shortest substring V8 makes as a view into its parent string (SlicedString::kMinLength) rather than a copy. */
const SHORTEST_VIEW = 13;

/**
 * Entries of `pack` as strings that do not keep it alive, for entries kept after `pack` is gone:
 * String#slice would make an entry of 13 chars or more a view holding all of `pack`, so those
 * are copied out through a Buffer. An entry that is all of `pack` but its header is sliced: its
 * view holds little more than itself, and a large one is not copied.
 */
export function unpackDetached(pack: string): string[] {
  const entries: string[] = [];
  const cursor = new PackCursor(pack);
  let bytes: Buffer | null = null;
  while (cursor.next()) {
    const alone = cursor.at === 0 && cursor.end === pack.length;
    if (cursor.length < SHORTEST_VIEW || alone) {
      entries.push(cursor.entry());
      continue;
    }
    if (bytes === null) {
      bytes = pack.length > scratch.length ? Buffer.allocUnsafe(pack.length) : scratch;
      bytes.latin1Write(pack, 0);
    }
    entries.push(bytes.latin1Slice(cursor.start, cursor.end));
  }
  return entries;
}

/** Chars `entries` take packed. */
export function packedChars(entries: readonly string[]): number {
  let chars = 0;
  for (let i = 0; i < entries.length; i++) chars += packedLength(entries[i]);
  return chars;
}

/** Entries this short are copied in JS: cheaper than a call into latin1Write each. */
const SHORT_ENTRY = 32;

/**
 * `before` and `after`, both packed, with `entries` packed between them: adding entries at either
 * end of a pack. As `splice` (which is `joinPacked(pack.slice(0, from), entries, pack.slice(to))`),
 * but copying short entries in JS, for packs that grow by many small entries at a time.
 */
export function joinPacked(before: string, entries: readonly string[], after: string): string {
  const total = before.length + packedChars(entries) + after.length;
  const bytes = total > scratch.length ? Buffer.allocUnsafe(total) : scratch;
  let at = before.length === 0 ? 0 : bytes.latin1Write(before, 0);
  for (let i = 0; i < entries.length; i++) at = writeEntry(bytes, at, entries[i]);
  if (after.length > 0) bytes.latin1Write(after, at);
  return bytes.latin1Slice(0, total);
}

/** Writes `text` packed, its length header then its chars, at `at`; returns where it ends. */
function writeEntry(bytes: Buffer, at: number, text: string): number {
  let length = text.length;
  for (; length >= 0x80; length = Math.floor(length / 0x80)) bytes[at++] = (length & 0x7f) | 0x80;
  bytes[at++] = length;
  if (text.length > SHORT_ENTRY) return at + bytes.latin1Write(text, at);
  for (let i = 0; i < text.length; i++) bytes[at++] = text.charCodeAt(i);
  return at;
}
