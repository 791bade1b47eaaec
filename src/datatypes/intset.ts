import { canonicalInteger, int64Text } from './int64.js';
import { scratchBuffer } from './packed.js';

/**
 * A set of 64-bit integers packed in one latin1 string, laid out as Redis's intset: one char
 * giving the width of every value (2, 4 or 8 bytes), then the values in ascending order, each
 * little-endian two's complement. A value is found by binary search and picked at random in
 * O(1); an add or a delete builds a new flat string, O(size) as Redis's memmove. The width only
 * grows (intsetUpgradeAndAdd), so the memory a set takes follows Redis's.
 *
 * Members are the values' canonical decimal text: anything else is not in an intset (and makes
 * a set add it to a hashtable instead).
 */

/** An intset without values, of the narrowest width. */
export const EMPTY_INTSET = '\x02';

/** Chars before the first value: the width. */
const HEADER = 1;

const TWO_32 = 0x100000000;

/** Bytes each value takes: 2, 4 or 8. */
export function intsetWidth(intset: string): number {
  return intset.charCodeAt(0);
}

/** How many values the intset holds. */
export function intsetSize(intset: string): number {
  return (intset.length - HEADER) / intset.charCodeAt(0);
}

// The value looked for or added, as halves: `keyHigh` signed, `keyLow` unsigned. Module state
// rather than a pair object so that a lookup allocates nothing.
let keyHigh = 0;
let keyLow = 0;

/** Sets keyHigh and keyLow to the value of `member`; false when it is no canonical 64-bit integer. */
function readKey(member: string): boolean {
  const value = canonicalInteger(member);
  if (value === undefined) return false;
  if (typeof value === 'number') {
    keyHigh = Math.floor(value / TWO_32);
    keyLow = value - keyHigh * TWO_32;
  } else {
    keyHigh = Number(value >> 32n);
    keyLow = Number(BigInt.asUintN(32, value));
  }
  return true;
}

/** The width the key needs (Redis's _intsetValueEncoding). */
function keyWidth(): number {
  if (keyHigh === 0 ? keyLow <= 0x7fff : keyHigh === -1 && keyLow >= 0xffff8000) return 2;
  if (keyHigh === 0 ? keyLow <= 0x7fffffff : keyHigh === -1 && keyLow >= 0x80000000) return 4;
  return 8;
}

/** The 32-bit little-endian word at char `at`, signed. */
function word(intset: string, at: number): number {
  return intset.charCodeAt(at) | (intset.charCodeAt(at + 1) << 8) | (intset.charCodeAt(at + 2) << 16) | (intset.charCodeAt(at + 3) << 24);
}

/** The value at `index` of an intset of width 2 or 4 (where every value is a number). */
function narrowValue(intset: string, width: number, index: number): number {
  const at = HEADER + index * width;
  return width === 2 ? ((intset.charCodeAt(at) | (intset.charCodeAt(at + 1) << 8)) << 16) >> 16 : word(intset, at);
}

/**
 * Where the key is: its index when present, else -1 - the index it would be inserted at
 * (intsetSearch). A key wider than the intset is beyond every value: below them when negative.
 */
function search(intset: string): number {
  const width = intsetWidth(intset);
  const size = (intset.length - HEADER) / width;
  if (keyWidth() > width) return keyHigh < 0 ? -1 : -1 - size;
  let low = 0;
  let high = size - 1;
  if (width < 8) {
    const key = keyHigh * TWO_32 + keyLow;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const value = narrowValue(intset, width, middle);
      if (value < key) low = middle + 1;
      else if (value > key) high = middle - 1;
      else return middle;
    }
    return -1 - low;
  }
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const at = HEADER + middle * 8;
    const valueHigh = word(intset, at + 4);
    const valueLow = word(intset, at) >>> 0;
    if (valueHigh < keyHigh || (valueHigh === keyHigh && valueLow < keyLow)) low = middle + 1;
    else if (valueHigh !== keyHigh || valueLow !== keyLow) high = middle - 1;
    else return middle;
  }
  return -1 - low;
}

export function intsetHas(intset: string, member: string): boolean {
  return readKey(member) && search(intset) >= 0;
}

/** The member at `index` (0 is the least), as its decimal text. */
export function intsetGet(intset: string, index: number): string {
  const width = intsetWidth(intset);
  if (width < 8) return String(narrowValue(intset, width, index));
  const at = HEADER + index * 8;
  return int64Text(word(intset, at) >>> 0, word(intset, at + 4));
}

/** Every member in ascending order (O(n) strings: for replies and conversions). */
export function intsetMembers(intset: string): string[] {
  const size = intsetSize(intset);
  const members = new Array<string>(size);
  for (let i = 0; i < size; i++) members[i] = intsetGet(intset, i);
  return members;
}

/** Writes the key at byte `at` of `bytes`, `width` bytes little-endian. */
function writeKey(bytes: Buffer, at: number, width: number): void {
  for (let i = 0; i < width; i++) bytes[at + i] = (i < 4 ? keyLow >>> (8 * i) : keyHigh >>> (8 * (i - 4))) & 0xff;
}

/**
 * `intset` with `member` added: itself when the member is there already, undefined when it is no
 * canonical 64-bit integer. A member too wide for the intset widens every value first.
 */
export function intsetAdd(intset: string, member: string): string | undefined {
  if (!readKey(member)) return undefined;
  const found = search(intset);
  if (found >= 0) return intset;
  const width = intsetWidth(intset);
  const needed = keyWidth();
  if (needed > width) return widened(intset, needed);
  const at = HEADER + (-1 - found) * width;
  const bytes = scratchBuffer(intset.length + width);
  bytes.latin1Write(intset, 0);
  bytes.copyWithin(at + width, at, intset.length);
  writeKey(bytes, at, width);
  return bytes.latin1Slice(0, intset.length + width);
}

/** The intset's values at `width` with the key, which they are all narrower than, first when negative, else last. */
function widened(intset: string, width: number): string {
  const size = intsetSize(intset);
  const total = HEADER + (size + 1) * width;
  const bytes = scratchBuffer(total);
  bytes[0] = width;
  const first = keyHigh < 0 ? 1 : 0;
  if (first === 1) writeKey(bytes, HEADER, width);
  else writeKey(bytes, total - width, width);
  const oldWidth = intsetWidth(intset);
  for (let i = 0; i < size; i++) {
    const value = narrowValue(intset, oldWidth, i);
    const at = HEADER + (first + i) * width;
    bytes.writeInt32LE(value, at);
    // Sign extension of the upper half.
    if (width === 8) bytes.writeInt32LE(value < 0 ? -1 : 0, at + 4);
  }
  return bytes.latin1Slice(0, total);
}

/** `intset` without `member`: itself when the member is not there. */
export function intsetRemove(intset: string, member: string): string {
  if (!readKey(member)) return intset;
  const found = search(intset);
  return found < 0 ? intset : intsetRemoveAt(intset, found);
}

/** `intset` without its member at `index`. */
export function intsetRemoveAt(intset: string, index: number): string {
  const width = intsetWidth(intset);
  const at = HEADER + index * width;
  const bytes = scratchBuffer(intset.length);
  bytes.latin1Write(intset, 0);
  bytes.copyWithin(at, at + width, intset.length);
  return bytes.latin1Slice(0, intset.length - width);
}

/** The intset of `width`-byte values laid out as in Redis's intset (ascending, little-endian). */
export function intsetOfValues(width: number, values: Buffer): string {
  const bytes = scratchBuffer(HEADER + values.length);
  bytes[0] = width;
  values.copy(bytes, HEADER);
  return bytes.latin1Slice(0, HEADER + values.length);
}

/** Writes the intset's values at byte `at` of `target` as Redis's intset lays them out. */
export function writeIntsetValues(intset: string, target: Buffer, at: number): void {
  target.latin1Write(intset.slice(HEADER), at);
}
