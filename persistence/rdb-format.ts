/**
 * The pieces of Redis's RDB format shared by the writer and the reader: type and opcode
 * numbers (rdb.h), and the compact structures Redis stores as opaque strings inside a file:
 * listpack (listpack.c), ziplist (ziplist.c), intset (intset.c) and zipmap (zipmap.c).
 *
 * Elements are latin1 strings (one char per byte). Decoders check every length against the
 * bytes they have and throw RdbError with an offset inside the structure.
 */
import { constants } from 'node:buffer';
import { canonicalInteger, int64Text } from '../src/datatypes/int64.js';
import { intsetOfValues, intsetSize, intsetWidth, writeIntsetValues } from '../src/datatypes/intset.js';

/** The version this writer produces (Redis 7.0). */
export const RDB_VERSION = 10;
/** The versions the reader accepts: Redis 2.x wrote 1 to 6, Redis 7.2 writes 11. */
export const OLDEST_RDB_VERSION = 1;
export const NEWEST_RDB_VERSION = 11;
/** From this version on, 8 bytes of CRC-64 follow the EOF opcode. */
export const FIRST_CHECKSUMMED_VERSION = 5;

/** Value types (rdb.h RDB_TYPE_*). */
export const RdbType = {
  STRING: 0,
  LIST: 1,
  SET: 2,
  ZSET: 3,
  HASH: 4,
  ZSET_2: 5,
  MODULE_PRE_GA: 6,
  MODULE_2: 7,
  HASH_ZIPMAP: 9,
  LIST_ZIPLIST: 10,
  SET_INTSET: 11,
  ZSET_ZIPLIST: 12,
  HASH_ZIPLIST: 13,
  LIST_QUICKLIST: 14,
  STREAM_LISTPACKS: 15,
  HASH_LISTPACK: 16,
  ZSET_LISTPACK: 17,
  LIST_QUICKLIST_2: 18,
  STREAM_LISTPACKS_2: 19,
  SET_LISTPACK: 20,
  STREAM_LISTPACKS_3: 21,
} as const;

/** Opcodes that stand where a value type would (rdb.h RDB_OPCODE_*). */
export const RdbOpcode = {
  FUNCTION2: 245,
  FUNCTION_PRE_GA: 246,
  MODULE_AUX: 247,
  IDLE: 248,
  FREQ: 249,
  AUX: 250,
  RESIZEDB: 251,
  EXPIRETIME_MS: 252,
  EXPIRETIME: 253,
  SELECTDB: 254,
  EOF: 255,
} as const;

/** First bytes of a length (rdbSaveLen): 6 bits inline, 14 bits, then 32 or 64 bits big-endian. */
export const LENGTH_14BIT = 0x40;
export const LENGTH_32BIT = 0x80;
export const LENGTH_64BIT = 0x81;
/** A first byte 11xxxxxx: a specially encoded string, xxxxxx being one of these (RDB_ENC_*). */
export const ENCODED_STRING = 0xc0;
export const ENCODING_INT8 = 0;
export const ENCODING_INT16 = 1;
export const ENCODING_INT32 = 2;
export const ENCODING_LZF = 3;

/** rdbSaveRawString: strings up to this long are tried as integers... */
export const MAX_INTEGER_STRING = 11;
/** ...and only longer ones than this are worth LZF ("under 20 bytes it's unable to compress"). */
export const MIN_COMPRESSED_STRING = 21;
/** LZF must save at least this many bytes to be used (rdbSaveLzfStringObject). */
export const MIN_LZF_SAVING = 4;

/** Quicklist node containers in RDB_TYPE_LIST_QUICKLIST_2. */
export const QUICKLIST_PLAIN = 1;
export const QUICKLIST_PACKED = 2;
/**
 * Nodes are cut as Redis's default list-max-listpack-size -2 cuts them: an element joins a
 * node while the node's bytes plus the element plus 8 (SIZE_ESTIMATE_OVERHEAD) stay within 8 KB.
 */
export const QUICKLIST_NODE_BYTES = 8192;
export const QUICKLIST_ELEMENT_OVERHEAD = 8;

/** Module value opcodes (RDB_MODULE_OPCODE_*), met when skipping MODULE_AUX data. */
export const ModuleOpcode = { EOF: 0, SINT: 1, UINT: 2, FLOAT: 3, DOUBLE: 4, STRING: 5 } as const;

/** Longest string V8 can hold: longer values load as Buffers, longer elements are refused. */
export const MAX_TEXT_LENGTH = constants.MAX_STRING_LENGTH;

/** A file nodis cannot load: what is wrong and at which byte offset. */
export class RdbError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'RdbError';
  }
}

/** Writes `value`, an integer of at most 64 bits, at `at` as 8 bytes little-endian. */
export function writeInt64(target: Buffer, value: number | bigint, at: number): void {
  if (typeof value === 'bigint') {
    target.writeBigInt64LE(value, at);
    return;
  }
  const high = Math.floor(value / 0x100000000);
  target.writeUInt32LE(value - high * 0x100000000, at);
  target.writeInt32LE(high, at + 4);
}

/** Below this a per-byte loop beats Buffer.latin1Write's call overhead. */
const SHORT_TEXT = 24;

/** Writes the latin1 bytes of `text` at `at` (the caller made room). */
export function writeLatin1(target: Buffer, text: string, at: number): void {
  const length = text.length;
  if (length < SHORT_TEXT) {
    for (let i = 0; i < length; i++) target[at + i] = text.charCodeAt(i);
  } else {
    target.latin1Write(text, at, length);
  }
}

/** The bytes `start` to `end` of `bytes` as a latin1 string, refused when V8 cannot hold it. */
export function latin1Text(bytes: Buffer, start: number, end: number, at: number): string {
  if (end - start > MAX_TEXT_LENGTH) throw new RdbError(`an element of ${end - start} bytes is longer than nodis can hold`, at);
  return bytes.latin1Slice(start, end);
}

// ---- listpack ----

const LISTPACK_HEADER = 6;
/** The last byte of a listpack or a ziplist. */
const END_MARKER = 0xff;
/** The element count in a listpack's header saturates here ("unknown": count them). */
const LISTPACK_COUNT_UNKNOWN = 0xffff;

/** Header bytes of the entries whose first byte is 0xF0 (32-bit string length) to 0xF4 (int64). */
const LISTPACK_WIDE_HEADERS = [5, 3, 4, 5, 9];

/** How many bytes lpEncodeBacklen uses for an entry of `length` bytes. */
function backlenSize(length: number): number {
  return length <= 127 ? 1 : length < 16383 ? 2 : length < 2097151 ? 3 : length < 268435455 ? 4 : 5;
}

/**
 * Byte `i` of the `size`-byte backlen of an entry of `length` bytes: 7 bits a byte, the most
 * significant first, every byte but the first flagged with 128 (read backwards, it means "more").
 */
function backlenByte(length: number, size: number, i: number): number {
  return (Math.floor(length / 2 ** (7 * (size - 1 - i))) & 127) | (i === 0 ? 0 : 128);
}

/**
 * Builds listpacks as Redis's lpAppend does, integer-looking strings stored as integers, in one
 * buffer reused from listpack to listpack.
 */
export class ListpackBuilder {
  private bytes = Buffer.allocUnsafe(1024);
  private end = LISTPACK_HEADER;
  private count = 0;

  /** The listpack's size were it finished now. */
  get size(): number {
    return this.end + 1;
  }

  get entries(): number {
    return this.count;
  }

  /** Starts a new listpack; what `finish` returned before is overwritten from now on. */
  reset(): void {
    this.end = LISTPACK_HEADER;
    this.count = 0;
  }

  append(element: string): void {
    const integer = canonicalInteger(element);
    if (integer === undefined) this.appendText(element);
    else this.appendInteger(integer);
  }

  /** lpEncodeIntegerGetType: the smallest of the 7, 13, 16, 24, 32 and 64-bit encodings. */
  appendInteger(value: number | bigint): void {
    if (typeof value === 'bigint' && value >= -(2n ** 53n) && value <= 2n ** 53n) value = Number(value);
    this.reserve(10 + 1);
    const bytes = this.bytes;
    const at = this.end;
    let length: number;
    if (typeof value === 'bigint' || value < -2147483648 || value > 2147483647) {
      bytes[at] = 0xf4;
      writeInt64(bytes, value, at + 1);
      length = 9;
    } else if (value >= 0 && value <= 127) {
      bytes[at] = value;
      length = 1;
    } else if (value >= -4096 && value <= 4095) {
      const encoded = value < 0 ? value + 8192 : value;
      bytes[at] = 0xc0 | (encoded >> 8);
      bytes[at + 1] = encoded & 0xff;
      length = 2;
    } else if (value >= -32768 && value <= 32767) {
      bytes[at] = 0xf1;
      bytes.writeInt16LE(value, at + 1);
      length = 3;
    } else if (value >= -8388608 && value <= 8388607) {
      bytes[at] = 0xf2;
      bytes.writeIntLE(value, at + 1, 3);
      length = 4;
    } else {
      bytes[at] = 0xf3;
      bytes.writeInt32LE(value, at + 1);
      length = 5;
    }
    this.finishEntry(length);
  }

  private appendText(text: string): void {
    const length = text.length;
    this.reserve(length + 5 + 5);
    const bytes = this.bytes;
    const at = this.end;
    let header: number;
    if (length < 64) {
      bytes[at] = 0x80 | length;
      header = 1;
    } else if (length < 4096) {
      bytes[at] = 0xe0 | (length >> 8);
      bytes[at + 1] = length & 0xff;
      header = 2;
    } else {
      bytes[at] = 0xf0;
      bytes.writeUInt32LE(length, at + 1);
      header = 5;
    }
    writeLatin1(bytes, text, at + header);
    this.finishEntry(header + length);
  }

  /** Appends the entry's backlen (lpEncodeBacklen): its length, 7 bits a byte, read from the end. */
  private finishEntry(length: number): void {
    const at = this.end + length;
    const size = backlenSize(length);
    for (let i = 0; i < size; i++) this.bytes[at + i] = backlenByte(length, size, i);
    this.end = at + size;
    this.count++;
  }

  /** The finished listpack: a view valid until the next `reset` or `append`. */
  finish(): Buffer {
    this.reserve(1);
    const bytes = this.bytes;
    bytes[this.end] = END_MARKER;
    bytes.writeUInt32LE(this.end + 1, 0);
    bytes.writeUInt16LE(Math.min(this.count, LISTPACK_COUNT_UNKNOWN), 4);
    return bytes.subarray(0, this.end + 1);
  }

  private reserve(extra: number): void {
    if (this.end + extra <= this.bytes.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.end + extra));
    this.bytes.copy(grown, 0, 0, this.end);
    this.bytes = grown;
  }
}

/** Thrown by the decoders below: what is wrong at which offset of the structure. */
function corrupt(what: string, message: string, at: number): RdbError {
  return new RdbError(`${what}: ${message}`, at);
}

/**
 * Checks what listpacks and ziplists share: their size in 32 bits little-endian first, a 0xFF
 * end marker last. Returns the end marker's offset.
 */
function endMarker(blob: Buffer, what: string, headerSize: number): number {
  const size = blob.length;
  if (size < headerSize + 1) throw corrupt(what, `${size} bytes is shorter than an empty ${what}`, 0);
  const total = blob.readUInt32LE(0);
  if (total !== size) throw corrupt(what, `its header says ${total} bytes but it has ${size}`, 0);
  if (blob[size - 1] !== END_MARKER) throw corrupt(what, 'it does not end with 0xFF', size - 1);
  return size - 1;
}

/** The elements of a listpack, integers as their decimal text (lpValidateIntegrity, deep). */
export function listpackEntries(lp: Buffer): string[] {
  const end = endMarker(lp, 'listpack', LISTPACK_HEADER);
  const declared = lp.readUInt16LE(4);
  const entries: string[] = [];
  let p = LISTPACK_HEADER;
  while (p < end) {
    const start = p;
    const b = lp[p];
    let length = -1; // of a string's bytes, which start at p once its header is read
    let element = '';
    if (b < 0x80) {
      element = String(b);
      p += 1;
    } else if (b < 0xc0) {
      length = b & 0x3f;
      p += 1;
    } else if (b < 0xe0) {
      if (p + 2 > end) throw corrupt('listpack', 'entry runs past the end', start);
      const value = ((b & 0x1f) << 8) | lp[p + 1];
      element = String(value >= 4096 ? value - 8192 : value);
      p += 2;
    } else if (b < 0xf0) {
      if (p + 2 > end) throw corrupt('listpack', 'entry runs past the end', start);
      length = ((b & 0x0f) << 8) | lp[p + 1];
      p += 2;
    } else {
      const header = LISTPACK_WIDE_HEADERS[b - 0xf0];
      if (header === undefined) throw corrupt('listpack', `invalid entry encoding 0x${b.toString(16)}`, start);
      if (p + header > end) throw corrupt('listpack', 'entry runs past the end', start);
      if (b === 0xf0) length = lp.readUInt32LE(p + 1);
      else if (b === 0xf4) element = int64Text(lp.readUInt32LE(p + 1), lp.readInt32LE(p + 5));
      else element = String(lp.readIntLE(p + 1, header - 1));
      p += header;
    }
    if (length >= 0) {
      if (length > end - p) throw corrupt('listpack', 'entry runs past the end', start);
      element = latin1Text(lp, p, p + length, start);
      p += length;
    }
    const entryLength = p - start;
    const backlenBytes = backlenSize(entryLength);
    if (backlenBytes > end - p) throw corrupt('listpack', 'entry runs past the end', start);
    for (let i = 0; i < backlenBytes; i++) {
      if (lp[p + i] !== backlenByte(entryLength, backlenBytes, i)) throw corrupt('listpack', 'entry length does not match its backlen', p);
    }
    p += backlenBytes;
    entries.push(element);
  }
  if (declared !== LISTPACK_COUNT_UNKNOWN && declared !== entries.length) {
    throw corrupt('listpack', `its header says ${declared} elements but it has ${entries.length}`, 4);
  }
  return entries;
}

// ---- ziplist (Redis 2.6 to 6.2) ----

const ZIPLIST_HEADER = 10;
const ZIPLIST_BIG_PREVLEN = 0xfe;
const ZIPLIST_COUNT_UNKNOWN = 0xffff;

/** The elements of a ziplist, integers as their decimal text (ziplistValidateIntegrity, deep). */
export function ziplistEntries(zl: Buffer): string[] {
  const end = endMarker(zl, 'ziplist', ZIPLIST_HEADER);
  const tail = zl.readUInt32LE(4);
  const declared = zl.readUInt16LE(8);
  const entries: string[] = [];
  let previousLength = 0;
  let last = ZIPLIST_HEADER;
  let p = ZIPLIST_HEADER;
  while (p < end) {
    const start = p;
    let prevlen = zl[p];
    if (prevlen === ZIPLIST_BIG_PREVLEN) {
      if (p + 5 > end) throw corrupt('ziplist', 'entry runs past the end', start);
      prevlen = zl.readUInt32LE(p + 1);
      p += 5;
    } else if (prevlen === END_MARKER) {
      throw corrupt('ziplist', 'an entry starts with the end marker', start);
    } else {
      p += 1;
    }
    if (prevlen !== previousLength) throw corrupt('ziplist', 'entry does not record the length of the one before', start);
    if (p >= end) throw corrupt('ziplist', 'entry runs past the end', start);
    const encoding = zl[p];
    let length = -1;
    let element = '';
    if (encoding < 0x40) {
      length = encoding;
      p += 1;
    } else if (encoding < 0x80) {
      if (p + 2 > end) throw corrupt('ziplist', 'entry runs past the end', start);
      length = ((encoding & 0x3f) << 8) | zl[p + 1];
      p += 2;
    } else if (encoding < 0xc0) {
      if (p + 5 > end) throw corrupt('ziplist', 'entry runs past the end', start);
      length = zl.readUInt32BE(p + 1);
      p += 5;
    } else if (encoding >= 0xf1 && encoding <= 0xfd) {
      element = String((encoding & 0x0f) - 1);
      p += 1;
    } else {
      const bytes = encoding === 0xfe ? 1 : encoding === 0xc0 ? 2 : encoding === 0xf0 ? 3 : encoding === 0xd0 ? 4 : encoding === 0xe0 ? 8 : 0;
      if (bytes === 0) throw corrupt('ziplist', `invalid entry encoding 0x${encoding.toString(16)}`, p);
      if (p + 1 + bytes > end) throw corrupt('ziplist', 'entry runs past the end', start);
      element = bytes === 8 ? int64Text(zl.readUInt32LE(p + 1), zl.readInt32LE(p + 5)) : String(zl.readIntLE(p + 1, bytes));
      p += 1 + bytes;
    }
    if (length >= 0) {
      if (length > end - p) throw corrupt('ziplist', 'entry runs past the end', start);
      element = latin1Text(zl, p, p + length, start);
      p += length;
    }
    previousLength = p - start;
    last = start;
    entries.push(element);
  }
  if (tail !== last) throw corrupt('ziplist', `its header puts the last entry at ${tail}, not ${last}`, 4);
  if (declared !== ZIPLIST_COUNT_UNKNOWN && declared !== entries.length) {
    throw corrupt('ziplist', `its header says ${declared} elements but it has ${entries.length}`, 8);
  }
  return entries;
}

// ---- intset ----

const INTSET_HEADER = 8;

/** Redis's intset blob of an intset (intset.ts keeps the same values, behind a shorter header). */
export function encodeIntset(intset: string): Buffer {
  const width = intsetWidth(intset);
  const count = intsetSize(intset);
  const blob = Buffer.allocUnsafe(INTSET_HEADER + count * width);
  blob.writeUInt32LE(width, 0);
  blob.writeUInt32LE(count, 4);
  writeIntsetValues(intset, blob, INTSET_HEADER);
  return blob;
}

/** The intset (intset.ts) a Redis intset blob holds, checked to ascend strictly (intsetValidateIntegrity, deep). */
export function decodeIntset(blob: Buffer): string {
  if (blob.length < INTSET_HEADER) throw corrupt('intset', `${blob.length} bytes is shorter than its header`, 0);
  const width = blob.readUInt32LE(0);
  const count = blob.readUInt32LE(4);
  if (width !== 2 && width !== 4 && width !== 8) throw corrupt('intset', `invalid encoding ${width}`, 0);
  if (INTSET_HEADER + count * width !== blob.length) throw corrupt('intset', `${count} members of ${width} bytes do not fill its ${blob.length} bytes`, 4);
  let previousHigh = -Infinity;
  let previousLow = 0;
  for (let i = 0; i < count; i++) {
    const at = INTSET_HEADER + i * width;
    // Compared as (high, low) pairs: the signed upper half, then the unsigned lower one.
    const high = width === 8 ? blob.readInt32LE(at + 4) : 0;
    const low = width === 8 ? blob.readUInt32LE(at) : blob.readIntLE(at, width);
    if (high < previousHigh || (high === previousHigh && low <= previousLow)) throw corrupt('intset', 'members are not in ascending order', at);
    previousHigh = high;
    previousLow = low;
  }
  return intsetOfValues(width, blob.subarray(INTSET_HEADER));
}

// ---- zipmap (Redis 2.4 and before) ----

const ZIPMAP_BIG_LENGTH = 254;
const ZIPMAP_END = 255;

/** The fields and values of a zipmap, alternating (zipmapValidateIntegrity). */
export function zipmapPairs(zm: Buffer): string[] {
  const end = zm.length;
  if (end < 2) throw corrupt('zipmap', `${end} bytes is shorter than an empty zipmap`, 0);
  const declared = zm[0];
  const pairs: string[] = [];
  let p = 1;
  /** A field's or value's length at p (1 byte, or 254 then 4 bytes little-endian); moves p past it. */
  const readLength = (): number => {
    const first = zm[p];
    if (first < ZIPMAP_BIG_LENGTH) {
      p += 1;
      return first;
    }
    if (first === ZIPMAP_END || p + 5 > end) throw corrupt('zipmap', 'invalid length', p);
    p += 5;
    return zm.readUInt32LE(p - 4);
  };
  for (;;) {
    if (p >= end) throw corrupt('zipmap', 'it has no end marker', p);
    if (zm[p] === ZIPMAP_END) break;
    const start = p;
    const fieldLength = readLength();
    if (fieldLength > end - p) throw corrupt('zipmap', 'field runs past the end', start);
    pairs.push(latin1Text(zm, p, p + fieldLength, start));
    p += fieldLength;
    if (p >= end) throw corrupt('zipmap', 'value runs past the end', start);
    const valueLength = readLength();
    // A value is followed by `free` unused bytes, counted in the byte before it.
    if (p >= end) throw corrupt('zipmap', 'value runs past the end', start);
    const free = zm[p++];
    if (valueLength + free > end - p) throw corrupt('zipmap', 'value runs past the end', start);
    pairs.push(latin1Text(zm, p, p + valueLength, start));
    p += valueLength + free;
  }
  if (p !== end - 1) throw corrupt('zipmap', 'bytes follow its end marker', p + 1);
  if (declared < ZIPMAP_BIG_LENGTH && declared !== pairs.length / 2) {
    throw corrupt('zipmap', `its header says ${declared} fields but it has ${pairs.length / 2}`, 0);
  }
  return pairs;
}
