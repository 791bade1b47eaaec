/**
 * Writes RDB version 10 files (Redis 7.0) and DUMP payloads. Values are written as Redis 7.0
 * writes them from the same in-memory encoding: strings as rdbSaveRawString (small integers as
 * integers, LZF over 20 bytes), lists as quicklists of listpacks, small hashes and sorted sets
 * as listpacks, intset sets as intsets, and the rest as plain sequences of strings.
 */
import { formatDouble } from '../src/datatypes/double.js';
import { HashValue } from '../src/datatypes/hash.js';
import { ListValue } from '../src/datatypes/list.js';
import { canonicalInteger } from '../src/datatypes/int64.js';
import { SetValue } from '../src/datatypes/set.js';
import { ZSetValue } from '../src/datatypes/zset.js';
import { DeferredValue, isString, type RedisValue, type StoredValue, type StringValue } from '../src/keyspace/values.js';
import { Crc64 } from './crc64.js';
import { lzfCompressInto } from './lzf.js';
import {
  encodeIntset,
  ENCODED_STRING,
  ENCODING_INT16,
  ENCODING_INT32,
  ENCODING_INT8,
  ENCODING_LZF,
  LENGTH_14BIT,
  LENGTH_32BIT,
  LENGTH_64BIT,
  ListpackBuilder,
  MAX_INTEGER_STRING,
  MIN_COMPRESSED_STRING,
  MIN_LZF_SAVING,
  QUICKLIST_ELEMENT_OVERHEAD,
  QUICKLIST_NODE_BYTES,
  QUICKLIST_PACKED,
  RDB_VERSION,
  RdbOpcode,
  RdbType,
  writeInt64,
  writeLatin1,
} from './rdb-format.js';

export interface RdbWriteOptions {
  compression: boolean;
  checksum: boolean;
}

/** A value already in RDB form: its type byte and payload (DUMP, and BGSAVE's copies of keys changed during a save). */
export interface EncodedValue {
  readonly type: number;
  readonly payload: Buffer;
}

/** Scores that Redis's double2ll turns into integers when it writes a listpack (|score| <= 2^62). */
const LISTPACK_INTEGER_SCORE = 2 ** 62;

/** Buffers shared by all encoders (JS runs one at a time): the listpack being built and LZF's input and output. */
const listpack = new ListpackBuilder();
const SCRATCH_BYTES = 64 * 1024;
let lzfInput: Buffer | null = null;
let lzfOutput: Buffer | null = null;

/** A scratch buffer of at least `length` bytes: the shared one, or a new one for longer strings. */
function scratch(shared: Buffer | null, length: number): Buffer {
  return shared !== null && length <= shared.length ? shared : Buffer.allocUnsafe(Math.max(length, SCRATCH_BYTES));
}

/** The RDB type Redis 7.0 saves `value` as (rdbSaveObjectType). */
export function rdbTypeOf(value: RedisValue): number {
  if (isString(value)) return RdbType.STRING;
  if (value instanceof ListValue) return RdbType.LIST_QUICKLIST_2;
  if (value instanceof SetValue) return value.intset ? RdbType.SET_INTSET : RdbType.SET;
  if (value instanceof ZSetValue) return value.isListpack ? RdbType.ZSET_LISTPACK : RdbType.ZSET_2;
  if (value instanceof HashValue) return value.isListpack ? RdbType.HASH_LISTPACK : RdbType.HASH;
  throw new Error(`cannot save a value of type ${value.type}`);
}

/** RDB's primitives (rdbSaveLen, rdbSaveRawString...) and values (rdbSaveObject) written into a growing Buffer. */
export class RdbEncoder {
  private bytes: Buffer;
  private position = 0;

  constructor(
    readonly compression: boolean,
    private readonly capacity = SCRATCH_BYTES,
  ) {
    this.bytes = Buffer.allocUnsafe(capacity);
  }

  /** Bytes written since the last take(). */
  get size(): number {
    return this.position;
  }

  /**
   * The bytes written since the last take(). Frequent small takes get a copy and the buffer is
   * reused; a buffer that had to grow is handed out as it is and writing goes on in a new one.
   */
  take(): Buffer {
    let taken: Buffer;
    if (this.bytes.length > this.capacity) {
      taken = this.bytes.subarray(0, this.position);
      this.bytes = Buffer.allocUnsafe(this.capacity);
    } else {
      taken = Buffer.allocUnsafe(this.position);
      this.bytes.copy(taken, 0, 0, this.position);
    }
    this.position = 0;
    return taken;
  }

  /** The bytes from `start` up to what is written now, as a view valid until the next write. */
  written(start: number): Buffer {
    return this.bytes.subarray(start, this.position);
  }

  byte(value: number): void {
    this.reserve(1);
    this.bytes[this.position++] = value;
  }

  raw(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.bytes.set(bytes, this.position);
    this.position += bytes.length;
  }

  /** Bytes given as a latin1 string, one char each. */
  rawLatin1(text: string): void {
    this.reserve(text.length);
    writeLatin1(this.bytes, text, this.position);
    this.position += text.length;
  }

  /** rdbSaveLen: 6 bits in the first byte, 14 bits in two, else 32 or 64 bits big-endian. */
  length(value: number): void {
    this.reserve(9);
    const bytes = this.bytes;
    const at = this.position;
    if (value < 64) {
      bytes[at] = value;
      this.position = at + 1;
    } else if (value < 16384) {
      bytes[at] = LENGTH_14BIT | (value >> 8);
      bytes[at + 1] = value & 0xff;
      this.position = at + 2;
    } else if (value <= 0xffffffff) {
      bytes[at] = LENGTH_32BIT;
      bytes.writeUInt32BE(value, at + 1);
      this.position = at + 5;
    } else {
      const high = Math.floor(value / 0x100000000);
      bytes[at] = LENGTH_64BIT;
      bytes.writeUInt32BE(high, at + 1);
      bytes.writeUInt32BE(value - high * 0x100000000, at + 5);
      this.position = at + 9;
    }
  }

  /** rdbSaveRawString: an integer of at most 32 bits as one, else LZF when on and worth it, else plain. */
  string(text: StringValue): void {
    const length = text.length;
    if (length <= MAX_INTEGER_STRING) {
      const integer = canonicalInteger(typeof text === 'string' ? text : text.latin1Slice(0, length));
      if (typeof integer === 'number' && integer >= -2147483648 && integer <= 2147483647) {
        this.integer(integer);
        return;
      }
    }
    if (this.compression && length >= MIN_COMPRESSED_STRING && this.compressed(text)) return;
    this.length(length);
    this.reserve(length);
    if (typeof text === 'string') writeLatin1(this.bytes, text, this.position);
    else text.copy(this.bytes, this.position);
    this.position += length;
  }

  /** rdbEncodeInteger: the INT8, INT16 or INT32 string encoding. */
  private integer(value: number): void {
    this.reserve(5);
    const bytes = this.bytes;
    const at = this.position;
    if (value >= -128 && value <= 127) {
      bytes[at] = ENCODED_STRING | ENCODING_INT8;
      bytes.writeInt8(value, at + 1);
      this.position = at + 2;
    } else if (value >= -32768 && value <= 32767) {
      bytes[at] = ENCODED_STRING | ENCODING_INT16;
      bytes.writeInt16LE(value, at + 1);
      this.position = at + 3;
    } else {
      bytes[at] = ENCODED_STRING | ENCODING_INT32;
      bytes.writeInt32LE(value, at + 1);
      this.position = at + 5;
    }
  }

  /** rdbSaveLzfStringObject: writes `text` LZF-compressed if that saves at least 4 bytes; returns whether it did. */
  private compressed(text: StringValue): boolean {
    const length = text.length;
    let input: Buffer;
    if (typeof text === 'string') {
      input = lzfInput = scratch(lzfInput, length);
      writeLatin1(input, text, 0);
    } else {
      input = text;
    }
    const output = (lzfOutput = scratch(lzfOutput, length));
    const compressedLength = lzfCompressInto(input, length, output, length - MIN_LZF_SAVING);
    if (compressedLength === 0) return false;
    this.byte(ENCODED_STRING | ENCODING_LZF);
    this.length(compressedLength);
    this.length(length);
    this.raw(output.subarray(0, compressedLength));
    return true;
  }

  /** rdbSaveMillisecondTime: a signed 64-bit integer, little-endian. */
  milliseconds(time: number): void {
    this.reserve(8);
    writeInt64(this.bytes, time, this.position);
    this.position += 8;
  }

  /** rdbSaveBinaryDoubleValue: an IEEE 754 double, little-endian. */
  binaryDouble(value: number): void {
    this.reserve(8);
    this.bytes.writeDoubleLE(value, this.position);
    this.position += 8;
  }

  /** rdbSaveObject: `value`'s payload for its type `type` (from rdbTypeOf). */
  value(value: RedisValue, type: number): void {
    switch (type) {
      case RdbType.STRING:
        return this.string(value as StringValue);
      case RdbType.LIST_QUICKLIST_2:
        return this.quicklist(value as ListValue);
      case RdbType.SET_INTSET:
        return this.string(encodeIntset((value as SetValue).intsetForm!));
      case RdbType.SET:
        return this.hashtableSet(value as SetValue);
      case RdbType.ZSET_LISTPACK:
        return this.string(zsetListpack(value as ZSetValue));
      case RdbType.ZSET_2:
        return this.skiplist(value as ZSetValue);
      case RdbType.HASH_LISTPACK:
        return this.string(hashListpack(value as HashValue));
      case RdbType.HASH:
        return this.hashtableHash(value as HashValue);
      default:
        throw new Error(`cannot save RDB type ${type}`);
    }
  }

  private hashtableSet(set: SetValue): void {
    this.length(set.size);
    for (const member of set.members()) this.string(member);
  }

  private hashtableHash(hash: HashValue): void {
    this.length(hash.size);
    hash.forEach((field, value) => {
      this.string(field);
      this.string(value);
    });
  }

  /** A quicklist of listpack nodes of about 8 KB, as list-max-listpack-size -2 cuts them. */
  private quicklist(list: ListValue): void {
    const nodes: Buffer[] = [];
    listpack.reset();
    for (const cursor = list.cursor(0); cursor.next(); ) {
      const element = cursor.element();
      if (listpack.entries > 0 && listpack.size + element.length + QUICKLIST_ELEMENT_OVERHEAD > QUICKLIST_NODE_BYTES) {
        nodes.push(Buffer.from(listpack.finish()));
        listpack.reset();
      }
      listpack.append(element);
    }
    nodes.push(Buffer.from(listpack.finish()));
    this.length(nodes.length);
    for (const node of nodes) {
      this.length(QUICKLIST_PACKED);
      this.string(node);
    }
  }

  /** Members from the highest score down, so that loading inserts each at the skiplist's head. */
  private skiplist(zset: ZSetValue): void {
    this.length(zset.size);
    const walk = zset.walkFromRank(0, true);
    while (walk.next()) {
      this.string(walk.member);
      this.binaryDouble(walk.score);
    }
  }

  private reserve(extra: number): void {
    if (this.position + extra <= this.bytes.length) return;
    const grown = Buffer.allocUnsafe(Math.max(2 * this.bytes.length, this.position + extra));
    this.bytes.copy(grown, 0, 0, this.position);
    this.bytes = grown;
  }
}

/** A listpack hash: fields and values alternating, in the hash's order. */
function hashListpack(hash: HashValue): Buffer {
  listpack.reset();
  hash.forEach((field, value) => {
    listpack.append(field);
    listpack.append(value);
  });
  return listpack.finish();
}

/** A listpack sorted set: members and scores alternating, by score (zzlInsertAt: integral scores as integers). */
function zsetListpack(zset: ZSetValue): Buffer {
  listpack.reset();
  const walk = zset.walkFromRank(0, false);
  while (walk.next()) {
    listpack.append(walk.member);
    const score = walk.score;
    if (Number.isInteger(score) && Math.abs(score) <= LISTPACK_INTEGER_SCORE) listpack.appendInteger(score);
    else listpack.append(formatDouble(score));
  }
  return listpack.finish();
}

function isEncoded(value: StoredValue | EncodedValue): value is EncodedValue {
  return typeof (value as EncodedValue).type === 'number';
}

/** `value` in RDB form, for DUMP or to save later. */
export function encodeValue(value: RedisValue, compression: boolean): EncodedValue {
  const encoder = new RdbEncoder(compression, 256);
  const type = rdbTypeOf(value);
  encoder.value(value, type);
  return { type, payload: encoder.take() };
}

const MAGIC = Buffer.from(`REDIS${String(RDB_VERSION).padStart(4, '0')}`, 'latin1');
const NO_CHECKSUM = Buffer.alloc(8);

/** Writes an RDB version 10 file as a series of chunks, with the CRC64 kept as it goes. */
export class RdbWriter {
  private readonly out: RdbEncoder;
  private readonly crc: Crc64 | null;
  /** Bytes of the current chunk already added to the CRC. */
  private summed = 0;

  constructor(options: RdbWriteOptions) {
    this.out = new RdbEncoder(options.compression);
    this.crc = options.checksum ? new Crc64() : null;
  }

  /** "REDIS0010" and AUX fields in the given order (redis-ver, redis-bits, ctime, used-mem, aof-base...). */
  header(aux: readonly (readonly [string, string])[]): void {
    this.out.raw(MAGIC);
    for (const [name, value] of aux) this.aux(name, value);
  }

  /** An AUX field (the broker's state will be one). */
  aux(name: string, value: string | Buffer): void {
    this.out.byte(RdbOpcode.AUX);
    this.out.string(name);
    this.out.string(value);
  }

  /** SELECTDB and RESIZEDB. */
  selectDb(index: number, keys: number, expires: number): void {
    this.out.byte(RdbOpcode.SELECTDB);
    this.out.length(index);
    this.out.byte(RdbOpcode.RESIZEDB);
    this.out.length(keys);
    this.out.length(expires);
  }

  /** EXPIRETIME_MS (when expireAt is set, ms since the epoch) then the type, key and value. */
  entry(key: string, value: StoredValue | EncodedValue, expireAt: number | undefined): void {
    const out = this.out;
    if (expireAt !== undefined) {
      out.byte(RdbOpcode.EXPIRETIME_MS);
      out.milliseconds(expireAt);
    }
    if (value instanceof DeferredValue) {
      // Still in the form it was loaded in: every RDB type a reader accepts, Redis 7 accepts too.
      out.byte(value.format);
      out.string(key);
      out.rawLatin1(value.bytes);
    } else if (isEncoded(value)) {
      out.byte(value.type);
      out.string(key);
      out.raw(value.payload);
    } else {
      const type = rdbTypeOf(value);
      out.byte(type);
      out.string(key);
      out.value(value, type);
    }
  }

  /** EOF and the checksum (8 zero bytes when checksum is off, as Redis with rdbchecksum no). */
  end(): void {
    this.out.byte(RdbOpcode.EOF);
    this.sum();
    this.out.raw(this.crc === null ? NO_CHECKSUM : this.crc.digest());
    this.summed = this.out.size;
  }

  /** Bytes produced since the last take(), as one Buffer; the writer keeps going after it. */
  take(): Buffer {
    this.sum();
    this.summed = 0;
    return this.out.take();
  }

  /** How many bytes take() would return now. */
  get pendingBytes(): number {
    return this.out.size;
  }

  private sum(): void {
    if (this.crc !== null) this.crc.update(this.out.written(this.summed));
    this.summed = this.out.size;
  }
}
