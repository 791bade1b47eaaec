/**
 * Redis's CRC-64 (crc64.c): the Jones polynomial 0xad93d23594c935a9, reflected input and output,
 * initial value 0, no final xor. RDB files and DUMP payloads end with it, little-endian.
 *
 * JS has no fast 64-bit integers, so the CRC is kept as two 32-bit halves and the tables hold
 * the halves apart. Slice-by-8: eight tables let one step fold eight input bytes.
 */

/** The reflected polynomial 0x95ac9329ac4bc9b5, in halves. */
const POLY_HIGH = 0x95ac9329;
const POLY_LOW = 0xac4bc9b5;

/** Table k, entry n (at k * 256 + n): the CRC of byte n followed by k zero bytes. */
const TABLE_LOW = new Int32Array(8 * 256);
const TABLE_HIGH = new Int32Array(8 * 256);

for (let n = 0; n < 256; n++) {
  let low = n;
  let high = 0;
  for (let bit = 0; bit < 8; bit++) {
    const carry = low & 1;
    low = (low >>> 1) | (high << 31);
    high >>>= 1;
    if (carry) {
      low ^= POLY_LOW;
      high ^= POLY_HIGH;
    }
  }
  TABLE_LOW[n] = low;
  TABLE_HIGH[n] = high;
}
for (let i = 256; i < 8 * 256; i++) {
  const low = TABLE_LOW[i - 256];
  const high = TABLE_HIGH[i - 256];
  const index = low & 0xff;
  TABLE_LOW[i] = ((low >>> 8) | (high << 24)) ^ TABLE_LOW[index];
  TABLE_HIGH[i] = (high >>> 8) ^ TABLE_HIGH[index];
}

/** Redis's CRC-64 (Jones polynomial, reflected, as crc64.c), incrementally. */
export class Crc64 {
  private low = 0;
  private high = 0;

  update(bytes: Uint8Array): void {
    let low = this.low;
    let high = this.high;
    let i = 0;
    const end = bytes.length;
    for (const blockEnd = end - (end & 7); i < blockEnd; i += 8) {
      low ^= bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
      high ^= bytes[i + 4] | (bytes[i + 5] << 8) | (bytes[i + 6] << 16) | (bytes[i + 7] << 24);
      const a = 7 * 256 + (low & 0xff);
      const b = 6 * 256 + ((low >>> 8) & 0xff);
      const c = 5 * 256 + ((low >>> 16) & 0xff);
      const d = 4 * 256 + (low >>> 24);
      const e = 3 * 256 + (high & 0xff);
      const f = 2 * 256 + ((high >>> 8) & 0xff);
      const g = 256 + ((high >>> 16) & 0xff);
      const h = high >>> 24;
      low = TABLE_LOW[a] ^ TABLE_LOW[b] ^ TABLE_LOW[c] ^ TABLE_LOW[d] ^ TABLE_LOW[e] ^ TABLE_LOW[f] ^ TABLE_LOW[g] ^ TABLE_LOW[h];
      high = TABLE_HIGH[a] ^ TABLE_HIGH[b] ^ TABLE_HIGH[c] ^ TABLE_HIGH[d] ^ TABLE_HIGH[e] ^ TABLE_HIGH[f] ^ TABLE_HIGH[g] ^ TABLE_HIGH[h];
    }
    for (; i < end; i++) {
      const index = (low ^ bytes[i]) & 0xff;
      low = ((low >>> 8) | (high << 24)) ^ TABLE_LOW[index];
      high = (high >>> 8) ^ TABLE_HIGH[index];
    }
    this.low = low;
    this.high = high;
  }

  /** The 8 bytes Redis appends to an RDB file / DUMP payload (little-endian). */
  digest(): Buffer {
    const out = Buffer.allocUnsafe(8);
    out.writeUInt32LE(this.low >>> 0, 0);
    out.writeUInt32LE(this.high >>> 0, 4);
    return out;
  }
}

/** One-shot digest of `bytes`. */
export function crc64(bytes: Uint8Array): Buffer {
  const crc = new Crc64();
  crc.update(bytes);
  return crc.digest();
}
