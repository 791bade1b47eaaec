import { constants } from 'node:buffer';

/**
 * String values edited in place (SETBIT, SETRANGE, BITFIELD, long APPENDs) live in Buffers
 * with spare room at the end, as Redis's sds strings do, so growing one byte at a time costs
 * amortised O(1) instead of a copy of the whole value each time.
 *
 * A value is a view on the first `length` bytes of a larger zero-filled store. Only stores
 * allocated here are grown in place (their ArrayBuffers are remembered): a Buffer from
 * elsewhere may share its memory with other Buffers (Node's allocation pool).
 */
const stores = new WeakSet<ArrayBufferLike>();

/** sds's SDS_MAX_PREALLOC: below it room doubles, above it grows by this much. */
const MAX_PREALLOC = 1024 * 1024;

/** The largest Buffer Node can allocate. */
export const MAX_BUFFER_LENGTH = constants.MAX_LENGTH;

/** A zero-filled Buffer of `length` bytes with `capacity` bytes of room. */
function allocate(length: number, capacity: number): Buffer {
  const store = Buffer.alloc(Math.min(capacity, MAX_BUFFER_LENGTH));
  stores.add(store.buffer);
  return length === store.length ? store : store.subarray(0, length);
}

/**
 * A Buffer holding `value` (undefined: nothing) zero-padded to at least `length` bytes, for
 * editing in place. It may share memory with `value` when that is a Buffer: the caller must
 * store the result in place of `value`. A new value gets exactly `length` bytes (Redis's
 * sdsnewlen), a grown one spare room (sdsMakeRoomFor).
 */
export function writableBytes(value: string | Buffer | undefined, length: number): Buffer {
  if (value === undefined) return allocate(length, length);
  if (typeof value === 'string') {
    const size = Math.max(value.length, length);
    const bytes = allocate(size, size === value.length ? size : roomFor(size));
    bytes.latin1Write(value, 0);
    return bytes;
  }
  if (length <= value.length) return value;
  if (value.byteOffset === 0 && value.buffer.byteLength >= length && stores.has(value.buffer)) {
    return Buffer.from(value.buffer, 0, length);
  }
  const bytes = allocate(length, roomFor(length));
  value.copy(bytes);
  return bytes;
}

function roomFor(length: number): number {
  return length < MAX_PREALLOC ? length * 2 : length + MAX_PREALLOC;
}

/** `value` followed by the latin1 bytes of `tail`, appended in place when there is room. */
export function appendBytes(value: string | Buffer, tail: string): Buffer {
  const start = value.length;
  const bytes = writableBytes(value, start + tail.length);
  bytes.latin1Write(tail, start);
  return bytes;
}

/** The bytes of a value, for reading; a string is copied into a new Buffer. */
export function bytesOf(value: string | Buffer): Buffer {
  return typeof value === 'string' ? Buffer.from(value, 'latin1') : value;
}

/** The byte at `index`, or 0 beyond the end (strings are zero-padded for bit reads). */
export function byteAt(value: string | Buffer, index: number): number {
  if (index >= value.length) return 0;
  return typeof value === 'string' ? value.charCodeAt(index) : value[index];
}

/** The value as a latin1 string (a Buffer is decoded). */
export function latin1Of(value: string | Buffer): string {
  return typeof value === 'string' ? value : value.latin1Slice(0, value.length);
}
