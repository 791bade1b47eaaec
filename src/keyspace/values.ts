import { HEAP_NUMBER_BYTES, MAP_ENTRY_BYTES, stringBytes, stringValueBytes } from '../datatypes/heap-sizes.js';
import { parseInt64 } from '../datatypes/int64.js';

/**
 * What a key can hold. Strings are latin1 JS strings (one char per byte: binary safe and the
 * most compact form V8 has) or, once they are edited in place (SETBIT, SETRANGE, APPEND) or very
 * large, Buffers. Collections are objects that carry their own type name.
 */
export type StringValue = string | Buffer;

export interface CollectionValue {
  readonly type: 'hash' | 'list' | 'set' | 'zset';
  /** Number of elements; a collection that reaches 0 is deleted from the keyspace. */
  readonly size: number;
  /** Estimated heap bytes, kept up to date by every change (see src/datatypes/heap-sizes.ts). */
  readonly bytes: number;
  /** What the database counted for it when last told of a change: `bytes` minus that is what changed since. */
  accountedBytes: number;
  /** Name of the in-memory encoding, as OBJECT ENCODING reports it. */
  encoding(): string;
  /** A deep copy sharing nothing mutable with this one (COPY). */
  copy(): CollectionValue;
}

export type RedisValue = StringValue | CollectionValue;

export type TypeName = 'string' | CollectionValue['type'];

/** A collection, not a string nor a value still undecoded. */
export function isCollection(value: StoredValue): value is CollectionValue {
  return typeof value === 'object' && !(value instanceof Buffer) && !(value instanceof DeferredValue);
}

export function isString(value: RedisValue): value is StringValue {
  return typeof value === 'string' || value instanceof Buffer;
}

export function typeName(value: StoredValue): TypeName {
  return value instanceof DeferredValue ? value.type : isString(value) ? 'string' : value.type;
}

/** Longest string Redis stores as "embstr" (object header and bytes in one allocation). */
const EMBSTR_MAX = 44;

/** OBJECT ENCODING of a string: "int", "embstr" or "raw" (Buffers, edited in place, are "raw"). */
export function stringEncoding(value: StringValue): 'int' | 'embstr' | 'raw' {
  if (typeof value !== 'string') return 'raw';
  if (parseInt64(value) !== undefined) return 'int';
  return value.length <= EMBSTR_MAX ? 'embstr' : 'raw';
}

/** Redis keeps one shared object for each integer 0-9999; OBJECT REFCOUNT reports it as INT_MAX. */
const SHARED_INTEGERS = 10000;
const SHARED_REFCOUNT = 2147483647;

/** OBJECT REFCOUNT: values are never shared between keys here, except what Redis shares too. */
export function refCount(value: RedisValue): number {
  if (typeof value === 'string' && value.length <= 4 && parseInt64(value) !== undefined) {
    const n = Number(value);
    if (n >= 0 && n < SHARED_INTEGERS) return SHARED_REFCOUNT;
  }
  return 1;
}

/** An independent copy for COPY: latin1 strings are immutable and shared, Buffers are duplicated. */
export function copyValue(value: RedisValue): RedisValue {
  if (!isString(value)) return value.copy();
  return typeof value === 'string' ? value : Buffer.from(value);
}

/** Turns deferred values back into collections; undefined when the bytes turn out corrupt (it reports why). */
export interface DeferredCodec {
  decode(value: DeferredValue): CollectionValue | undefined;
}

/**
 * A small collection as a snapshot stored it, decoded on first use. Start-up keeps collections
 * in their file form (as Redis keeps small ones in listpacks), so loading costs one string per
 * collection instead of one per element. Immutable: decoding stores a new value in its place.
 */
export class DeferredValue {
  constructor(
    readonly type: CollectionValue['type'],
    /** The file format's tag for the encoding, to write the bytes back unchanged. */
    readonly format: number,
    /** The encoded bytes, one latin1 char each. */
    readonly bytes: string,
    private readonly codec: DeferredCodec,
  ) {}

  decode(): CollectionValue | undefined {
    return this.codec.decode(this);
  }
}

/** What a key holds in a database's dict: a value, or a collection not decoded yet. */
export type StoredValue = RedisValue | DeferredValue;

/** A TTL: its entry in `expires` and the heap number holding the time. */
export const EXPIRY_BYTES = MAP_ENTRY_BYTES + HEAP_NUMBER_BYTES;
/** A DeferredValue object, beside its bytes. */
const DEFERRED_BYTES = 48;

/** Heap bytes of a key's entry in its database (a Map entry) and of its name. */
export function keyBytes(key: string): number {
  return MAP_ENTRY_BYTES + stringBytes(key.length);
}

/** Heap bytes of a value as stored (a collection: its running estimate). */
export function storedBytes(value: StoredValue): number {
  if (value instanceof DeferredValue) return DEFERRED_BYTES + stringBytes(value.bytes.length);
  return isString(value) ? stringValueBytes(value) : value.bytes;
}
