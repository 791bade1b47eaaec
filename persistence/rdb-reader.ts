/**
 * Reads RDB files of versions 1 to 11 (Redis 2.x to 7.2) key by key, and RESTORE payloads.
 * Values come out as nodis builds them: the encoding flags (listpack, intset...) are those the
 * same elements would get from commands under the given limits, whatever encoding the file used.
 *
 * Every length is checked against the bytes left before anything is read or allocated, so a
 * truncated or corrupt file ends in an RdbError naming the offset, never a crash or a huge
 * allocation.
 */
import { parseRangeDouble } from '../src/datatypes/double.js';
import { HashValue } from '../src/datatypes/hash.js';
import { ListValue } from '../src/datatypes/list.js';
import { intsetSize } from '../src/datatypes/intset.js';
import { SetValue } from '../src/datatypes/set.js';
import { ZSetValue } from '../src/datatypes/zset.js';
import { DeferredValue, type CollectionValue, type DeferredCodec, type RedisValue, type StoredValue, type StringValue } from '../src/keyspace/values.js';
import { crc64 } from './crc64.js';
import { lzfDecompressInto } from './lzf.js';
import {
  ENCODED_STRING,
  ENCODING_INT16,
  ENCODING_INT32,
  ENCODING_INT8,
  ENCODING_LZF,
  FIRST_CHECKSUMMED_VERSION,
  decodeIntset,
  latin1Text,
  LENGTH_32BIT,
  LENGTH_64BIT,
  listpackEntries,
  MAX_TEXT_LENGTH,
  ModuleOpcode,
  NEWEST_RDB_VERSION,
  OLDEST_RDB_VERSION,
  QUICKLIST_PACKED,
  QUICKLIST_PLAIN,
  RdbError,
  RdbOpcode,
  RdbType,
  ziplistEntries,
  zipmapPairs,
} from './rdb-format.js';

export { RdbError } from './rdb-format.js';

export interface LoadLimits {
  hashMaxListpackEntries: number;
  hashMaxListpackValue: number;
  setMaxIntsetEntries: number;
  zsetMaxListpackEntries: number;
  zsetMaxListpackValue: number;
}

/** A key read from a file; its value is a DeferredValue only when the reader was given `defer`. */
export interface RdbEntry<V extends StoredValue = StoredValue> {
  db: number;
  key: string;
  value: V;
  expireAt: number | undefined;
}

export interface RdbReadOptions {
  checksum: boolean;
  limits: LoadLimits;
  warn?: (message: string) => void;
  /** Keep small collections undecoded, to be decoded by this on first use (start-up and DEBUG RELOAD). */
  defer?: DeferredCodec;
}

/** The collection each RDB type holds. */
const COLLECTION_TYPES: Record<number, CollectionValue['type']> = {
  [RdbType.LIST]: 'list',
  [RdbType.LIST_ZIPLIST]: 'list',
  [RdbType.LIST_QUICKLIST]: 'list',
  [RdbType.LIST_QUICKLIST_2]: 'list',
  [RdbType.SET]: 'set',
  [RdbType.SET_INTSET]: 'set',
  [RdbType.SET_LISTPACK]: 'set',
  [RdbType.ZSET]: 'zset',
  [RdbType.ZSET_2]: 'zset',
  [RdbType.ZSET_ZIPLIST]: 'zset',
  [RdbType.ZSET_LISTPACK]: 'zset',
  [RdbType.HASH]: 'hash',
  [RdbType.HASH_ZIPMAP]: 'hash',
  [RdbType.HASH_ZIPLIST]: 'hash',
  [RdbType.HASH_LISTPACK]: 'hash',
};

/**
 * Collections up to this many bytes in the file are kept undecoded: Redis's listpack limits
 * make small ones at most a few KB, and decoding one this size on first use takes well under a
 * millisecond. Larger ones are decoded while loading, so no command pays for them later.
 */
const MAX_DEFERRED_BYTES = 32 * 1024;

/** The decoder of each type stored as one compact structure. */
const STRUCTURES: Record<number, (blob: Buffer) => string[]> = {
  [RdbType.HASH_ZIPMAP]: zipmapPairs,
  [RdbType.LIST_ZIPLIST]: ziplistEntries,
  [RdbType.ZSET_ZIPLIST]: ziplistEntries,
  [RdbType.HASH_ZIPLIST]: ziplistEntries,
  [RdbType.HASH_LISTPACK]: listpackEntries,
  [RdbType.ZSET_LISTPACK]: listpackEntries,
  [RdbType.SET_LISTPACK]: listpackEntries,
};

/** LZF turns 3 bytes into at most 264: a longer stated length is corrupt. */
const LZF_MAX_EXPANSION = 88;
/** Where LZF strings are decompressed when they fit (read before the next string is). */
let lzfScratch: Buffer | null = null;

/** ModuleTypeNameCharSet: a module type's 9-character name is packed 6 bits a character into its id. */
const MODULE_NAME_CHARACTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** moduleTypeNameByID: the name in the top 54 bits of a 64-bit module id (the low 10 are a version). */
function moduleName(id: bigint): string {
  let name = '';
  for (let rest = id >> 10n, i = 0; i < 9; i++, rest >>= 6n) name = MODULE_NAME_CHARACTERS[Number(rest & 63n)] + name;
  return name;
}

/** A position in RDB data and the reading of everything a value is made of. */
class RdbCursor {
  position = 0;
  /** The last string read by stringBytes(): bytes `start` to `end` of `source`, or `integer` when `source` is null. */
  private source: Buffer | null = null;
  private start = 0;
  private end = 0;
  private integer = 0;
  private stringOffset = 0;

  constructor(
    private readonly data: Buffer,
    private readonly limits: LoadLimits,
  ) {}

  fail(message: string, at = this.position): never {
    throw new RdbError(message, at);
  }

  /** Throws unless `count` more bytes are there. */
  need(count: number, at = this.position): void {
    if (count > this.data.length - this.position) this.fail(`unexpected end of data: ${count} more bytes needed`, at);
  }

  byte(): number {
    this.need(1);
    return this.data[this.position++];
  }

  skip(count: number): void {
    this.need(count);
    this.position += count;
  }

  /** A signed 32-bit integer, little-endian (old EXPIRETIME seconds). */
  int32(): number {
    this.need(4);
    const value = this.data.readInt32LE(this.position);
    this.position += 4;
    return value;
  }

  /** A signed 64-bit integer, little-endian (EXPIRETIME_MS), as a number. */
  int64(): number {
    this.need(8);
    const value = this.data.readInt32LE(this.position + 4) * 0x100000000 + this.data.readUInt32LE(this.position);
    this.position += 8;
    return value;
  }

  /** rdbLoadLen. 64-bit lengths beyond 2^53 lose precision: no count or size can be that large anyway. */
  length(): number {
    const at = this.position;
    const first = this.byte();
    if (first < 0x40) return first;
    if (first < 0x80) return ((first & 0x3f) << 8) | this.byte();
    const data = this.data;
    if (first === LENGTH_32BIT) {
      this.need(4, at);
      this.position += 4;
      return data.readUInt32BE(at + 1);
    }
    if (first === LENGTH_64BIT) {
      this.need(8, at);
      this.position += 8;
      return data.readUInt32BE(at + 1) * 0x100000000 + data.readUInt32BE(at + 5);
    }
    return this.fail(`invalid length encoding 0x${first.toString(16)}`, at);
  }

  /** A count of things taking at least `bytesEach` bytes each, refused when the data left cannot hold them. */
  count(bytesEach: number): number {
    const at = this.position;
    const count = this.length();
    if (count * bytesEach > this.data.length - this.position) this.fail(`${count} elements cannot fit in the ${this.data.length - this.position} bytes left`, at);
    return count;
  }

  /** rdbGenericLoadStringObject, leaving the result in `source`/`start`/`end` or `integer`. */
  private stringBytes(): void {
    const data = this.data;
    const at = (this.stringOffset = this.position);
    this.need(1);
    const first = data[at];
    if (first < ENCODED_STRING) {
      let length = first;
      if (first < 0x40) this.position++;
      else length = this.length();
      if (length > data.length - this.position) this.fail(`unexpected end of data: a string of ${length} bytes`, at);
      this.source = data;
      this.start = this.position;
      this.end = this.position += length;
      return;
    }
    this.position++;
    const encoding = first & 0x3f;
    if (encoding === ENCODING_LZF) {
      this.lzfString(at);
      return;
    }
    const width = encoding === ENCODING_INT8 ? 1 : encoding === ENCODING_INT16 ? 2 : encoding === ENCODING_INT32 ? 4 : 0;
    if (width === 0) this.fail(`invalid string encoding ${encoding}`, at);
    this.need(width, at);
    this.integer = data.readIntLE(this.position, width);
    this.position += width;
    this.source = null;
  }

  private lzfString(at: number): void {
    const compressedLength = this.length();
    const length = this.length();
    this.need(compressedLength, at);
    if (length > compressedLength * LZF_MAX_EXPANSION) this.fail(`an LZF string of ${compressedLength} bytes cannot hold ${length}`, at);
    let output: Buffer;
    if (lzfScratch !== null && length <= lzfScratch.length) {
      output = lzfScratch;
    } else {
      try {
        output = Buffer.allocUnsafe(Math.max(length, 64 * 1024));
      } catch {
        return this.fail(`an LZF string of ${length} bytes is too long to hold`, at);
      }
      if (length <= 1024 * 1024) lzfScratch = output;
    }
    try {
      lzfDecompressInto(this.data.subarray(this.position, this.position + compressedLength), output, length);
    } catch (error) {
      this.fail(`invalid LZF string: ${(error as Error).message}`, at);
    }
    this.position += compressedLength;
    this.source = output;
    this.start = 0;
    this.end = length;
  }

  /** Steps over a string without reading it (an LZF one stays compressed). */
  private skipString(): void {
    const at = this.position;
    const first = this.byte();
    if (first < ENCODED_STRING) {
      this.position = at;
      const length = this.length();
      this.need(length, at);
      this.position += length;
      return;
    }
    const encoding = first & 0x3f;
    if (encoding === ENCODING_LZF) {
      const compressedLength = this.length();
      this.length();
      this.need(compressedLength, at);
      this.position += compressedLength;
      return;
    }
    const width = encoding === ENCODING_INT8 ? 1 : encoding === ENCODING_INT16 ? 2 : encoding === ENCODING_INT32 ? 4 : 0;
    if (width === 0) this.fail(`invalid string encoding ${encoding}`, at);
    this.skip(width);
  }

  /**
   * A collection of RDB type `type` stepped over and kept as its bytes, to be decoded by `codec`
   * on first use; null when it is empty, undefined when it is not a collection or too large to
   * defer (the caller decodes it at once). The bytes are checked as far as the RDB layer goes;
   * what is inside a listpack or a ziplist is checked when it is decoded.
   */
  deferredValue(type: number, codec: DeferredCodec): DeferredValue | null | undefined {
    const kind = COLLECTION_TYPES[type];
    if (kind === undefined) return undefined;
    const start = this.position;
    if (this.skipCollection(type) === 0) return null;
    if (this.position - start > MAX_DEFERRED_BYTES) {
      this.position = start;
      return undefined;
    }
    return new DeferredValue(kind, type, this.data.latin1Slice(start, this.position), codec);
  }

  /** Steps over a collection's payload; returns how many elements or nodes it has (-1: one structure, not counted). */
  private skipCollection(type: number): number {
    switch (type) {
      case RdbType.LIST:
      case RdbType.SET:
      case RdbType.LIST_QUICKLIST:
        return this.skipStrings(this.count(1), 1);
      case RdbType.HASH:
        return this.skipStrings(this.count(2), 2);
      case RdbType.ZSET:
      case RdbType.ZSET_2: {
        const count = this.count(type === RdbType.ZSET_2 ? 9 : 2);
        for (let n = count; n > 0; n--) {
          this.skipString();
          if (type === RdbType.ZSET_2) this.skip(8);
          else this.textDouble();
        }
        return count;
      }
      case RdbType.LIST_QUICKLIST_2: {
        const nodes = this.count(2);
        for (let n = nodes; n > 0; n--) {
          this.length();
          this.skipString();
        }
        return nodes;
      }
      default:
        this.skipString();
        return -1;
    }
  }

  private skipStrings(count: number, each: number): number {
    for (let n = count * each; n > 0; n--) this.skipString();
    return count;
  }

  /** A string as latin1 text (integer-encoded ones as their decimal text). */
  string(): string {
    this.stringBytes();
    return this.source === null ? String(this.integer) : latin1Text(this.source, this.start, this.end, this.stringOffset);
  }

  /** A string value: latin1 text, or a Buffer when too long for a JS string. */
  stringValue(): StringValue {
    this.stringBytes();
    if (this.source === null) return String(this.integer);
    if (this.end - this.start > MAX_TEXT_LENGTH) return Buffer.from(this.source.subarray(this.start, this.end));
    return this.source.latin1Slice(this.start, this.end);
  }

  /** A string's bytes, valid until the next string is read. */
  private blob(): Buffer {
    this.stringBytes();
    return this.source === null ? Buffer.from(String(this.integer), 'latin1') : this.source.subarray(this.start, this.end);
  }

  /** A compact structure stored as a string, decoded; its errors are reported at the string's offset. */
  private structure<T>(decode: (blob: Buffer) => T): T {
    const at = this.position;
    const blob = this.blob();
    try {
      return decode(blob);
    } catch (error) {
      if (error instanceof RdbError) this.fail(`${error.message} (at byte ${error.offset} of it)`, at);
      throw error;
    }
  }

  /** rdbLoadDoubleValue: RDB_TYPE_ZSET's scores, as text after a length byte (253 NaN, 254 +inf, 255 -inf). */
  private textDouble(): number {
    const at = this.position;
    const length = this.byte();
    if (length === 254) return Infinity;
    if (length === 255) return -Infinity;
    if (length === 253) return NaN;
    this.need(length, at);
    this.position += length;
    return this.score(this.data.latin1Slice(at + 1, at + 1 + length), at);
  }

  /** A score stored as text (zzlGetScore's strtod); NaN is refused later. */
  private score(text: string, at: number): number {
    return parseRangeDouble(text, 0) ?? this.fail(`invalid score "${text}"`, at);
  }

  private binaryDouble(): number {
    this.need(8);
    const value = this.data.readDoubleLE(this.position);
    this.position += 8;
    return value;
  }

  /** rdbLoadObject: a value of RDB type `type` (read at `typeOffset`); null for an empty one. */
  value(type: number, typeOffset: number): RedisValue | null {
    const at = this.position;
    switch (type) {
      case RdbType.STRING:
        return this.stringValue();
      case RdbType.LIST:
        return this.plainList();
      case RdbType.SET:
        return this.plainSet();
      case RdbType.ZSET:
      case RdbType.ZSET_2:
        return this.plainZset(type === RdbType.ZSET_2);
      case RdbType.HASH:
        return this.plainHash(at);
      case RdbType.LIST_QUICKLIST:
      case RdbType.LIST_QUICKLIST_2:
        return this.quicklist(type === RdbType.LIST_QUICKLIST_2);
      case RdbType.LIST_ZIPLIST:
        return this.listFrom(new ListValue(), this.structure(STRUCTURES[type]));
      case RdbType.HASH_ZIPMAP:
      case RdbType.HASH_ZIPLIST:
      case RdbType.HASH_LISTPACK:
        return this.hashFrom(this.structure(STRUCTURES[type]), at);
      case RdbType.SET_INTSET:
        return this.setFromIntset(this.structure(decodeIntset));
      case RdbType.SET_LISTPACK:
        return this.setFrom(this.structure(STRUCTURES[type]), at);
      case RdbType.ZSET_ZIPLIST:
      case RdbType.ZSET_LISTPACK:
        return this.zsetFrom(this.structure(STRUCTURES[type]), at);
      case RdbType.STREAM_LISTPACKS:
      case RdbType.STREAM_LISTPACKS_2:
      case RdbType.STREAM_LISTPACKS_3:
        return this.fail(`streams are not supported yet (RDB type ${type})`, typeOffset);
      case RdbType.MODULE_PRE_GA:
      case RdbType.MODULE_2:
        return this.fail(`module values are not supported (RDB type ${type})`, typeOffset);
      default:
        return this.fail(`unknown value type ${type}`, typeOffset);
    }
  }

  private plainList(): ListValue | null {
    const elements: string[] = [];
    for (let n = this.count(1); n > 0; n--) elements.push(this.string());
    return this.listFrom(new ListValue(), elements);
  }

  /** Appends elements at the tail (many are packed at once). */
  private listFrom(list: ListValue, elements: readonly string[]): ListValue | null {
    list.pushAll(false, elements);
    return list.size === 0 ? null : list;
  }

  /** Quicklist nodes: ziplists (RDB_TYPE_LIST_QUICKLIST), or listpacks and plain elements (_2). */
  private quicklist(withContainers: boolean): ListValue | null {
    const list = new ListValue();
    for (let nodes = this.count(withContainers ? 2 : 1); nodes > 0; nodes--) {
      const at = this.position;
      const container = withContainers ? this.length() : QUICKLIST_PACKED;
      if (container === QUICKLIST_PLAIN) {
        const element = this.string();
        if (element.length === 0) this.fail('empty plain quicklist node', at);
        list.pushTail(element);
      } else if (container === QUICKLIST_PACKED) {
        this.listFrom(list, this.structure(withContainers ? listpackEntries : ziplistEntries));
      } else {
        this.fail(`invalid quicklist node container ${container}`, at);
      }
    }
    return list.size === 0 ? null : list;
  }

  private plainSet(): SetValue | null {
    const count = this.count(1);
    // Too many members for an intset: skip testing each for an integer (as Redis's loader).
    const set = count > this.limits.setMaxIntsetEntries ? SetValue.emptyHashtable() : new SetValue();
    for (let n = count; n > 0; n--) {
      const at = this.position;
      this.addMember(set, this.string(), at);
    }
    return set.size === 0 ? null : set;
  }

  /** The file's intset as it is, unless it holds more than set-max-intset-entries. */
  private setFromIntset(intset: string): SetValue | null {
    return intsetSize(intset) === 0 ? null : SetValue.fromIntset(intset, this.limits.setMaxIntsetEntries);
  }

  /** Members from a structure that starts at `at`. */
  private setFrom(members: readonly string[], at: number): SetValue | null {
    const set = new SetValue();
    for (const member of members) this.addMember(set, member, at);
    return set.size === 0 ? null : set;
  }

  private addMember(set: SetValue, member: string, at: number): void {
    if (!set.add(member, this.limits.setMaxIntsetEntries)) this.fail(`duplicate set member "${member}"`, at);
  }

  private plainZset(binaryScores: boolean): ZSetValue | null {
    const zset = new ZSetValue(false);
    for (let n = this.count(binaryScores ? 9 : 2); n > 0; n--) {
      const at = this.position;
      const member = this.string();
      this.addScored(zset, member, binaryScores ? this.binaryDouble() : this.textDouble(), at);
    }
    return this.settleZset(zset);
  }

  /** Members and scores alternating, scores as text or integers, from a structure that starts at `at`. */
  private zsetFrom(pairs: readonly string[], at: number): ZSetValue | null {
    if (pairs.length % 2 !== 0) this.fail('a sorted set with a member but no score', at);
    const zset = new ZSetValue(false);
    for (let i = 0; i < pairs.length; i += 2) this.addScored(zset, pairs[i], this.score(pairs[i + 1], at), at);
    return this.settleZset(zset);
  }

  private addScored(zset: ZSetValue, member: string, score: number, at: number): void {
    if (score !== score) this.fail(`NaN score for member "${member}"`, at);
    if (zset.score(member) !== undefined) this.fail(`duplicate sorted set member "${member}"`, at);
    zset.insert(score, member);
  }

  /** Built as a skiplist; a listpack when within the limits, as zsetConvertToListpackIfNeeded. */
  private settleZset(zset: ZSetValue): ZSetValue | null {
    if (zset.size === 0) return null;
    zset.settleEncoding(this.limits.zsetMaxListpackEntries, this.limits.zsetMaxListpackValue);
    return zset;
  }

  private plainHash(at: number): HashValue | null {
    const pairs: string[] = [];
    for (let n = this.count(2); n > 0; n--) pairs.push(this.string(), this.string());
    return this.hashFrom(pairs, at);
  }

  /**
   * Fields and values alternating, from a structure that starts at `at`: a listpack when within
   * the limits (a hash loaded from a hashtable too, as hashTypeTryConversion does).
   */
  private hashFrom(pairs: readonly string[], at: number): HashValue | null {
    if (pairs.length % 2 !== 0) this.fail('a hash with a field but no value', at);
    if (pairs.length === 0) return null;
    const { hashMaxListpackEntries, hashMaxListpackValue } = this.limits;
    let listpack = pairs.length / 2 <= hashMaxListpackEntries;
    for (let i = 0; i < pairs.length && listpack; i += 2) listpack = pairs[i].length <= hashMaxListpackValue && pairs[i + 1].length <= hashMaxListpackValue;
    const fields = new Set<string>();
    for (let i = 0; i < pairs.length; i += 2) {
      if (fields.size === fields.add(pairs[i]).size) this.fail(`duplicate hash field "${pairs[i]}"`, at);
    }
    return new HashValue(pairs, listpack);
  }

  /** Skips MODULE_AUX data as redis-check-rdb does (rdbLoadCheckModuleValue); returns the module's name. */
  skipModuleAux(): string {
    const idOffset = this.position;
    const id = this.length();
    const name = moduleName(this.data[idOffset] === LENGTH_64BIT ? this.data.readBigUInt64BE(idOffset + 1) : BigInt(id));
    const whenOffset = this.position;
    if (this.length() !== ModuleOpcode.UINT) this.fail(`module ${name}'s auxiliary data lacks its "when" field`, whenOffset);
    this.length();
    for (;;) {
      const at = this.position;
      const opcode = this.length();
      if (opcode === ModuleOpcode.EOF) return name;
      if (opcode === ModuleOpcode.SINT || opcode === ModuleOpcode.UINT) this.length();
      else if (opcode === ModuleOpcode.FLOAT) this.skip(4);
      else if (opcode === ModuleOpcode.DOUBLE) this.skip(8);
      else if (opcode === ModuleOpcode.STRING) this.stringBytes();
      else this.fail(`unknown opcode ${opcode} in module ${name}'s auxiliary data`, at);
    }
  }

  /** The CRC-64 of the first `length` bytes. */
  checksumOf(length: number): Buffer {
    return crc64(this.data.subarray(0, length));
  }

  slice(start: number, end: number): Buffer {
    return this.data.subarray(start, end);
  }
}

const HEADER_LENGTH = 9;

export class RdbReader {
  readonly version: number;
  /**
   * AUX fields met so far (all of them once next() returned null), in file order, a name as often
   * as it came (the broker's state comes in several).
   */
  readonly auxFields: [string, string][] = [];
  private readonly cursor: RdbCursor;
  private db = 0;
  private finished = false;

  /** Checks the magic and the version (throws RdbError). */
  constructor(
    data: Buffer,
    private readonly options: RdbReadOptions,
  ) {
    if (data.length < HEADER_LENGTH) throw new RdbError(`unexpected end of data: ${data.length} bytes is shorter than the RDB header`, data.length);
    if (data.latin1Slice(0, 5) !== 'REDIS') throw new RdbError('not an RDB file: it does not start with "REDIS"', 0);
    const versionText = data.latin1Slice(5, HEADER_LENGTH);
    if (!/^\d{4}$/.test(versionText)) throw new RdbError(`not an RDB file: invalid version "${versionText}"`, 5);
    this.version = Number(versionText);
    if (this.version < OLDEST_RDB_VERSION || this.version > NEWEST_RDB_VERSION) {
      throw new RdbError(`RDB version ${this.version} is not supported (${OLDEST_RDB_VERSION} to ${NEWEST_RDB_VERSION} are)`, 5);
    }
    this.cursor = new RdbCursor(data, options.limits);
    this.cursor.position = HEADER_LENGTH;
  }

  /** The AUX fields by name (the last of a repeated one). */
  get aux(): Map<string, string> {
    return new Map(this.auxFields);
  }

  /** Bytes consumed so far (for loading progress). */
  get offset(): number {
    return this.cursor.position;
  }

  /** The next key, or null after EOF (the CRC64 is checked then unless checksum is false or the file's checksum is 0). */
  next(): RdbEntry | null {
    const cursor = this.cursor;
    let expireAt: number | undefined;
    while (!this.finished) {
      const at = cursor.position;
      const type = cursor.byte();
      switch (type) {
        case RdbOpcode.EXPIRETIME:
          expireAt = cursor.int32() * 1000;
          break;
        case RdbOpcode.EXPIRETIME_MS:
          expireAt = cursor.int64();
          break;
        case RdbOpcode.FREQ:
          cursor.skip(1);
          break;
        case RdbOpcode.IDLE:
          cursor.length();
          break;
        case RdbOpcode.SELECTDB:
          this.db = cursor.length();
          break;
        case RdbOpcode.RESIZEDB:
          cursor.length();
          cursor.length();
          break;
        case RdbOpcode.AUX: {
          const name = cursor.string();
          const value = cursor.string();
          this.auxFields.push([name, value]);
          break;
        }
        case RdbOpcode.MODULE_AUX:
          this.options.warn?.(`skipped the auxiliary data of module ${cursor.skipModuleAux()}: nodis has no modules`);
          break;
        case RdbOpcode.FUNCTION_PRE_GA:
        case RdbOpcode.FUNCTION2:
          return cursor.fail('the file holds functions (FUNCTION LOAD libraries), which nodis does not support', at);
        case RdbOpcode.EOF:
          this.end();
          break;
        default: {
          const key = cursor.string();
          const defer = this.options.defer;
          const deferred = defer === undefined ? undefined : cursor.deferredValue(type, defer);
          const value = deferred === undefined ? cursor.value(type, at) : deferred;
          if (value !== null) return { db: this.db, key, value, expireAt };
          // Redis skips empty collections too (older versions could write them).
          this.options.warn?.(`skipped the empty key "${key}" in db ${this.db}`);
          expireAt = undefined;
        }
      }
    }
    return null;
  }

  /** After EOF: the checksum, from version 5 on (zero when the writer had checksums off). */
  private end(): void {
    this.finished = true;
    if (this.version < FIRST_CHECKSUMMED_VERSION) return;
    const cursor = this.cursor;
    const at = cursor.position;
    cursor.skip(8);
    const stored = cursor.slice(at, at + 8);
    if (!this.options.checksum || stored.every((byte) => byte === 0)) return;
    const computed = cursor.checksumOf(at);
    if (!computed.equals(stored)) {
      cursor.fail(`checksum mismatch: the file says ${hex(stored)} but its content gives ${hex(computed)}`, at);
    }
  }
}

/** A little-endian 64-bit checksum as the hexadecimal number Redis logs. */
function hex(checksum: Buffer): string {
  return Buffer.from(checksum).reverse().toString('hex');
}

/** A value from a DUMP payload (RESTORE): `type` is its RDB type byte, `payload` what follows it. */
export function decodeValue(type: number, payload: Buffer, limits: LoadLimits): RedisValue {
  const value = new RdbCursor(payload, limits).value(type, 0);
  if (value === null) throw new RdbError('the value is empty', 0);
  return value;
}
