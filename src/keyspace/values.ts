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
}

export type RedisValue = StringValue | CollectionValue;

export type TypeName = 'string' | CollectionValue['type'];

export function isString(value: RedisValue): value is StringValue {
  return typeof value === 'string' || value instanceof Buffer;
}

export function typeName(value: RedisValue): TypeName {
  return isString(value) ? 'string' : value.type;
}
