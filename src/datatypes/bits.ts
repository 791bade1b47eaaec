/**
 * Bit-level algorithms on byte strings, as Redis's bitops.c: bit 0 is the most significant
 * bit of the first byte. Bytes past the end of a value read as zero.
 */

const BYTE_BITS = new Uint8Array(256);
for (let i = 1; i < 256; i++) BYTE_BITS[i] = (i & 1) + BYTE_BITS[i >> 1];

function popcount32(w: number): number {
  w -= (w >>> 1) & 0x55555555;
  w = (w & 0x33333333) + ((w >>> 2) & 0x33333333);
  return (Math.imul((w + (w >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}

/** Set bits in bytes [from, to) of `bytes`. */
export function popcount(bytes: Uint8Array, from: number, to: number): number {
  let count = 0;
  let i = from;
  // Whole 32-bit words where aligned; most bitmaps are sparse, so zero words are skipped cheaply.
  while (i < to && ((bytes.byteOffset + i) & 3) !== 0) count += BYTE_BITS[bytes[i++]];
  if (to - i >= 4) {
    const words = new Int32Array(bytes.buffer, bytes.byteOffset + i, (to - i) >>> 2);
    for (let w = 0; w < words.length; w++) {
      const word = words[w];
      if (word !== 0) count += popcount32(word);
    }
    i += words.length * 4;
  }
  while (i < to) count += BYTE_BITS[bytes[i++]];
  return count;
}

/** Set bits in the bit range [startBit, endBit] (inclusive, within the value). */
export function countBits(bytes: Uint8Array, startBit: number, endBit: number): number {
  const first = Math.floor(startBit / 8);
  const last = Math.floor(endBit / 8);
  let count = popcount(bytes, first, last + 1);
  // Take away the bits of the edge bytes that lie outside the range.
  count -= BYTE_BITS[bytes[first] & ~(0xff >> (startBit & 7)) & 0xff];
  count -= BYTE_BITS[bytes[last] & (0xff >> ((endBit & 7) + 1))];
  return count;
}

/** Position within `byte` of the first bit equal to `bit` among bits [from, to], or -1. */
function firstInByte(byte: number, bit: 0 | 1, from: number, to: number): number {
  const masked = (bit === 1 ? byte : ~byte) & (0xff >> from) & ~(0xff >> (to + 1)) & 0xff;
  return masked === 0 ? -1 : Math.clz32(masked) - 24;
}

/** Position of the first bit equal to `bit` in [startBit, endBit], or -1. */
export function findBit(bytes: Uint8Array, bit: 0 | 1, startBit: number, endBit: number): number {
  const first = Math.floor(startBit / 8);
  const last = Math.floor(endBit / 8);
  const inFirst = firstInByte(bytes[first], bit, startBit & 7, first === last ? endBit & 7 : 7);
  if (inFirst !== -1) return first * 8 + inFirst;
  if (first === last) return -1;
  // The bytes strictly between the edges, a word at a time where aligned: long runs are common.
  const skip = bit === 1 ? 0 : 0xff;
  let i = first + 1;
  while (i < last && ((bytes.byteOffset + i) & 3) !== 0 && bytes[i] === skip) i++;
  const wordCount = ((bytes.byteOffset + i) & 3) === 0 ? (last - i) >>> 2 : 0;
  if (wordCount > 0) {
    const words = new Int32Array(bytes.buffer, bytes.byteOffset + i, wordCount);
    const skipWord = bit === 1 ? 0 : -1;
    let w = 0;
    while (w < wordCount && words[w] === skipWord) w++;
    i += w * 4;
  }
  for (; i < last; i++) if (bytes[i] !== skip) return i * 8 + firstInByte(bytes[i], bit, 0, 7);
  const inLast = firstInByte(bytes[last], bit, 0, endBit & 7);
  return inLast === -1 ? -1 : last * 8 + inLast;
}

/** The bit at `offset` within `byte`, the byte that holds it. */
export function getBit(byte: number, offset: number): 0 | 1 {
  return ((byte >> (7 - (offset & 7))) & 1) as 0 | 1;
}

/** Sets or clears the bit at `offset`; returns its previous value. */
export function setBit(bytes: Uint8Array, offset: number, on: 0 | 1): 0 | 1 {
  const index = Math.floor(offset / 8);
  const mask = 1 << (7 - (offset & 7));
  const previous = bytes[index] & mask ? 1 : 0;
  bytes[index] = on === 1 ? bytes[index] | mask : bytes[index] & ~mask;
  return previous;
}

export type BitOperation = 'and' | 'or' | 'xor' | 'not';

/** BITOP: combines `sources` (missing keys as empty) into a new value as long as the longest. */
export function bitop(operation: BitOperation, sources: readonly Uint8Array[], length: number): Buffer {
  const result = Buffer.alloc(length);
  const first = sources[0];
  result.set(first.subarray(0, length));
  if (operation === 'not') {
    for (let i = 0; i < length; i++) result[i] = ~result[i];
    return result;
  }
  for (let s = 1; s < sources.length; s++) {
    const source = sources[s];
    const n = source.length;
    if (operation === 'and') {
      for (let i = 0; i < n; i++) result[i] &= source[i];
      result.fill(0, n);
    } else if (operation === 'or') {
      for (let i = 0; i < n; i++) result[i] |= source[i];
    } else {
      for (let i = 0; i < n; i++) result[i] ^= source[i];
    }
  }
  return result;
}

/** How BITFIELD SET and INCRBY treat results out of the field's range. */
export type Overflow = 'wrap' | 'sat' | 'fail';

/** A BITFIELD integer type: i1..i64 or u1..u63. */
export interface FieldType {
  signed: boolean;
  bits: number;
}

/** Parses "i16", "u8"...; undefined when malformed or out of range. */
export function parseFieldType(text: string): FieldType | undefined {
  const sign = text.charCodeAt(0);
  if (sign !== 0x69 /* i */ && sign !== 0x75 /* u */) return undefined;
  const digits = text.slice(1);
  if (!/^[1-9][0-9]?$/.test(digits)) return undefined;
  const bits = Number(digits);
  const signed = sign === 0x69;
  if (bits > (signed ? 64 : 63)) return undefined;
  return { signed, bits };
}

/** The field of `type` at bit `offset` of `bytes` (zero past the end). */
export function readField(bytes: Uint8Array, offset: number, type: FieldType): bigint {
  let value = 0n;
  let pending = 0;
  let pendingBits = 0;
  for (let j = 0; j < type.bits; j++) {
    const at = offset + j;
    const bit = ((bytes[Math.floor(at / 8)] ?? 0) >> (7 - (at & 7))) & 1;
    pending = pending * 2 + bit;
    // Gather up to 32 bits in a number before folding them into the BigInt.
    if (++pendingBits === 32 || j === type.bits - 1) {
      value = (value << BigInt(pendingBits)) | BigInt(pending);
      pending = 0;
      pendingBits = 0;
    }
  }
  return type.signed ? BigInt.asIntN(type.bits, value) : value;
}

/** Writes the low `type.bits` bits of `value` at bit `offset` (the bytes must be long enough). */
export function writeField(bytes: Uint8Array, offset: number, type: FieldType, value: bigint): void {
  const raw = BigInt.asUintN(type.bits, value);
  for (let j = 0; j < type.bits; j++) {
    const bit = Number((raw >> BigInt(type.bits - 1 - j)) & 1n) as 0 | 1;
    setBit(bytes, offset + j, bit);
  }
}

/**
 * The value BITFIELD INCRBY stores in a field of `type`, as Redis's check(Un)signedBitfieldOverflow:
 * `value + increment` when it fits, else wrapped around or saturated; null when it does not
 * fit and `overflow` is FAIL.
 */
export function fieldIncrement(type: FieldType, value: bigint, increment: bigint, overflow: Overflow): bigint | null {
  const sum = value + increment;
  const max = type.signed ? (1n << BigInt(type.bits - 1)) - 1n : (1n << BigInt(type.bits)) - 1n;
  const min = type.signed ? -max - 1n : 0n;
  if (sum >= min && sum <= max) return sum;
  if (overflow === 'fail') return null;
  if (overflow === 'sat') return sum > max ? max : min;
  return type.signed ? BigInt.asIntN(type.bits, sum) : BigInt.asUintN(type.bits, sum);
}

/**
 * The value BITFIELD SET stores in a field of `type`; as in Redis, a negative value for an
 * unsigned field counts as its 64-bit two's complement (so SAT stores the maximum).
 */
export function fieldSet(type: FieldType, value: bigint, overflow: Overflow): bigint | null {
  return fieldIncrement(type, type.signed ? value : BigInt.asUintN(64, value), 0n, overflow);
}
