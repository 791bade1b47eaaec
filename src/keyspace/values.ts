/**
 * What a key can hold. Strings are latin1 JS strings (one char per byte: binary safe and the
 * most compact form V8 has) or, once they are edited in place (SETBIT, SETRANGE, APPEND) or very
 * large, Buffers. Collections are objects that carry their own type name.
 */
export type StringValue = string | Buffer;

export interface CollectionValue {
  readonly type: 'hash' | 'list' | 'set' | 'zset';
  /** Name of the in-memory encoding, as OBJECT ENCODING reports it. */
  encoding(): string;
  /** A deep copy sharing nothing mutable with this one (COPY). */
  copy(): CollectionValue;
}

export type RedisValue = StringValue | CollectionValue;

export type TypeName = 'string' | CollectionValue['type'];

export function isString(value: RedisValue): value is StringValue {
  return typeof value === 'string' || value instanceof Buffer;
}

export function typeName(value: RedisValue): TypeName {
  return isString(value) ? 'string' : value.type;
}

/** Longest string Redis stores as "embstr" (object header and bytes in one allocation). */
const EMBSTR_MAX = 44;

/** Is `s` a signed 64-bit integer written canonically (what Redis stores as an "int")? */
function isCanonicalInt64(s: string): boolean {
  const n = s.length;
  if (n === 0 || n > 20) return false;
  let i = s.charCodeAt(0) === 0x2d ? 1 : 0;
  if (i === n) return false;
  const first = s.charCodeAt(i);
  if (first === 0x30) return n === 1;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  if (n < 19) return true;
  const value = BigInt(s);
  return value >= -(2n ** 63n) && value < 2n ** 63n;
}

/** OBJECT ENCODING of a string: "int", "embstr" or "raw" (Buffers, edited in place, are "raw"). */
export function stringEncoding(value: StringValue): 'int' | 'embstr' | 'raw' {
  if (typeof value !== 'string') return 'raw';
  if (isCanonicalInt64(value)) return 'int';
  return value.length <= EMBSTR_MAX ? 'embstr' : 'raw';
}

/** Redis keeps one shared object for each integer 0-9999; OBJECT REFCOUNT reports it as INT_MAX. */
const SHARED_INTEGERS = 10000;
const SHARED_REFCOUNT = 2147483647;

/** OBJECT REFCOUNT: values are never shared between keys here, except what Redis shares too. */
export function refCount(value: RedisValue): number {
  if (typeof value === 'string' && value.length <= 4 && isCanonicalInt64(value)) {
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
