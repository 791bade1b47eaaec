/**
 * Estimates of the V8 heap bytes values occupy, for maxmemory accounting. The figures are for
 * 64-bit V8 without pointer compression (Node 20's default build): a tagged field or array slot
 * is 8 bytes and objects are 8-byte aligned. test/heap-sizes.test.ts checks them against
 * measured heap growth and prints the resulting bytes per element.
 */

/** A tagged field or array slot: a pointer, or a Smi (a 32-bit integer stored in the pointer). */
export const POINTER_BYTES = 8;

/** Every JS object starts with three pointers: map, properties and elements. */
const OBJECT_HEADER_BYTES = 3 * POINTER_BYTES;

/** A FixedArray (an array's or a hash table's store) starts with its map and length. */
const FIXED_ARRAY_HEADER_BYTES = 2 * POINTER_BYTES;

/**
 * A class instance with `fields` properties: V8's slack tracking trims a class's instances to
 * the fields its constructors set, all held in-object.
 */
export function objectBytes(fields: number): number {
  return OBJECT_HEADER_BYTES + fields * POINTER_BYTES;
}

/** A JSArray (header plus its length) with a store of `capacity` slots; an empty one shares V8's empty store. */
export function arrayBytes(capacity: number): number {
  return objectBytes(1) + (capacity === 0 ? 0 : FIXED_ARRAY_HEADER_BYTES + capacity * POINTER_BYTES);
}

/**
 * Bytes per element of an array grown by push: V8 grows a full store to 1.5 times its capacity
 * (plus 16), so capacity / length ranges over 1..1.5, 0.5 / ln 1.5 = 1.23 on average.
 */
const GROWN_SLOT_BYTES = Math.round((POINTER_BYTES * 0.5) / Math.log(1.5));

/** An array of `length` elements grown by push, with its average spare capacity. */
export function grownArrayBytes(length: number): number {
  return arrayBytes(0) + (length === 0 ? 0 : FIXED_ARRAY_HEADER_BYTES + length * GROWN_SLOT_BYTES);
}

/**
 * A boxed double: map and float64. A number field holds one for every value once any value
 * stored there was not a Smi (a fraction, -0, or beyond 32 bits such as a time in ms).
 */
export const HEAP_NUMBER_BYTES = 16;

/** A sequential one-byte string's header: map, then a 32-bit hash and a 32-bit length. */
const STRING_HEADER_BYTES = 16;

/**
 * A latin1 string of `length` chars as the request parser makes them (Buffer#latin1Slice): a
 * sequential one-byte string, header plus one byte a char rounded up to 8. V8 shares its empty
 * string and its one-char strings, so those cost nothing. (Strings over ~1 MB are external: the
 * chars are outside the V8 heap, but they are memory all the same and counted alike.)
 */
export function stringBytes(length: number): number {
  return length < 2 ? 0 : (STRING_HEADER_BYTES + length + 7) & ~7;
}

/**
 * A Buffer's heap objects: the Uint8Array view and its ArrayBuffer (measured: 184 bytes
 * with the data outside the heap; a store of 64 bytes or less is on the heap, about as much).
 */
const BUFFER_BYTES = 184;

/**
 * A string value in the keyspace. A Buffer counts its whole store, spare room included (values
 * edited in place grow as sds strings do, see byte-string.ts), except a small Buffer carved
 * from Node's shared allocation pool, which counts its own bytes only.
 */
export function stringValueBytes(value: string | Buffer): number {
  if (typeof value === 'string') return stringBytes(value.length);
  const store = value.buffer.byteLength;
  const pooled = store === Buffer.poolSize && value.byteLength < Buffer.poolSize >>> 1;
  return BUFFER_BYTES + (pooled ? value.byteLength : store);
}

/**
 * An empty Map: the JSMap (header and its table) and its first OrderedHashMap table: header,
 * element, deleted and bucket counts, 2 buckets and 4 entries of key, value and chain link.
 */
const EMPTY_MAP_BYTES = objectBytes(1) + FIXED_ARRAY_HEADER_BYTES + 3 * POINTER_BYTES + 2 * POINTER_BYTES + 4 * 3 * POINTER_BYTES;

/**
 * Bytes per Map entry. Each slot of capacity is 3 pointers plus half a bucket (28 bytes); the
 * capacity doubles when full, so it is 1..2 slots per entry, 1 / ln 2 = 1.44 on average.
 */
export const MAP_ENTRY_BYTES = Math.round((3.5 * POINTER_BYTES) / Math.LN2);

/** A Map of `size` entries (keys and values not included), with its average spare capacity. */
export function mapBytes(size: number): number {
  return EMPTY_MAP_BYTES + size * MAP_ENTRY_BYTES;
}

/**
 * A skiplist node of `level` levels (skiplist.ts): next, backward, member and score; a
 * two-level node adds forward1 and span1; a taller one also `higher`, an array of a successor
 * and a span for each level above 2.
 */
export function skipListNodeBytes(level: number): number {
  if (level === 1) return objectBytes(4);
  if (level === 2) return objectBytes(6);
  return objectBytes(7) + arrayBytes(2 * (level - 2));
}

/** Redis's ZSKIPLIST_P and ZSKIPLIST_MAXLEVEL, as skiplist.ts draws levels. */
const LEVEL_P = 0.25;
const MAX_LEVEL = 32;

/** A node's expected bytes (about 65) over the level distribution: 3 in 4 have one level, 3 in 16 two. */
const SKIPLIST_NODE_BYTES = expectedNodeBytes();

function expectedNodeBytes(): number {
  let expected = 0;
  let chance = 1 - LEVEL_P;
  for (let level = 1; level <= MAX_LEVEL; level++, chance *= LEVEL_P) expected += chance * skipListNodeBytes(level);
  return Math.round(expected);
}

/**
 * A skiplist of `length` nodes (members not included): the SkipList (head, tail, length, level)
 * and its head sentinel (a node with an empty `higher`; the few levels it grows are ignored),
 * then per node its expected size and the box of its score (scores are doubles: once any is a
 * fraction, every node's score field is boxed).
 */
export function skipListBytes(length: number): number {
  return objectBytes(4) + objectBytes(7) + arrayBytes(0) + length * (SKIPLIST_NODE_BYTES + HEAP_NUMBER_BYTES);
}

/** HashValue: accountedBytes, packed, packedFields, table, picks, elementBytes. */
export const HASH_VALUE_BYTES = objectBytes(6);

/** ListValue: accountedBytes, head, tail, first, last, length, elementBytes. */
export const LIST_VALUE_BYTES = objectBytes(7);

/** A list's chunk of packed elements (list.ts), beside its string: pack, count, prev, next. */
export const LIST_CHUNK_BYTES = objectBytes(4);

/** RandomKeys: live, packed, deletes, stale, staleBytes. */
export const RANDOM_KEYS_BYTES = objectBytes(5);

/** SetValue: accountedBytes and its store (an intset's string, or a MemberTable). */
export const SET_VALUE_BYTES = objectBytes(2);

/** What a MemberTable, a Map of its own class, adds to a Map: picks and memberBytes, in-object. */
export const MEMBER_TABLE_BYTES = 2 * POINTER_BYTES;

/** ZSetValue: accountedBytes, pack, packedSize, skiplist (a listpack is its pack: one string). */
export const ZSET_VALUE_BYTES = objectBytes(4);

/** A sorted set's skiplist form (SkipListZSet), a Map with two fields of its own: list, memberBytes. */
export const ZSET_SKIPLIST_BYTES = 2 * POINTER_BYTES;
