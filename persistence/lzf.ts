/**
 * LZF as Redis ships it (liblzf 3.6, lzf_c.c and lzf_d.c with lzfP.h's defaults: HLOG 16,
 * VERY_FAST, CHECK_INPUT). Compressed data is a series of
 *   000LLLLL <L+1 literal bytes>
 *   LLLooooo oooooooo            back reference: L+2 bytes from o+1 bytes back (L in 1..6)
 *   111ooooo LLLLLLLL oooooooo   back reference: L+9 bytes from o+1 bytes back
 */

const HASH_LOG = 16;
const HASH_SIZE = 1 << HASH_LOG;
const MAX_LITERAL = 1 << 5;
const MAX_OFFSET = 1 << 13;
const MAX_REFERENCE = (1 << 8) + (1 << 3);

/**
 * Where each 3-byte sequence was last seen, stored as `epoch + position`: entries from earlier
 * calls are below the current epoch and count as empty, so the table is never cleared between
 * calls (Redis leaves its own uninitialised, INIT_HTAB 0).
 */
const table = new Int32Array(HASH_SIZE);
let epoch = 1;

/** lzfP.h's IDX for VERY_FAST, on the rolling value of the next three bytes. */
function slot(h: number): number {
  return ((h >>> (3 * 8 - HASH_LOG)) - Math.imul(h, 5)) & (HASH_SIZE - 1);
}

/**
 * lzf_compress: compresses the first `inputLength` bytes of `input` into `output`, using at
 * most `outputLimit` bytes of it; returns the compressed length, or 0 when it does not fit.
 */
export function lzfCompressInto(input: Uint8Array, inputLength: number, output: Uint8Array, outputLimit: number): number {
  if (inputLength === 0 || outputLimit === 0) return 0;
  if (epoch > 0x7fffffff - inputLength) {
    table.fill(0);
    epoch = 1;
  }
  const base = epoch;
  epoch += inputLength + 1;

  let ip = 0;
  let op = 1; // room for the first literal run's control byte
  let literal = 0;
  // lzf_c.c checks room for the last (at most 2) literals once, 3 bytes, where fewer matching
  // positions are left than a match needs: same check here, for the same verdicts.
  let lastRoomChecked = false;
  let h = (input[0] << 8) | input[1];
  while (ip < inputLength) {
    if (ip < inputLength - 2) {
      h = ((h << 8) | input[ip + 2]) >>> 0;
      const index = slot(h);
      const reference = table[index] - base;
      table[index] = base + ip;
      const offset = ip - reference - 1;
      if (
        reference > 0 &&
        offset < MAX_OFFSET &&
        input[reference + 2] === input[ip + 2] &&
        input[reference] === input[ip] &&
        input[reference + 1] === input[ip + 1]
      ) {
        let length = 2;
        const maxLength = Math.min(inputLength - ip - length, MAX_REFERENCE);
        if (op + 3 + 1 >= outputLimit && op - (literal === 0 ? 1 : 0) + 3 + 1 >= outputLimit) return 0;
        output[op - literal - 1] = literal - 1; // close the literal run
        if (literal === 0) op--; // it was empty: drop its control byte
        // lzf_c.c first compares 16 bytes unrolled without the length bound, which can let a
        // match near the end run up to 2 bytes longer than maxLength: kept for the same output.
        let mismatch = false;
        if (maxLength > 16) {
          for (let k = 0; k < 16 && !mismatch; k++) {
            length++;
            mismatch = input[reference + length] !== input[ip + length];
          }
        }
        if (!mismatch) {
          do length++;
          while (length < maxLength && input[reference + length] === input[ip + length]);
        }
        length -= 2; // now the number of bytes copied, minus 1
        ip++;
        if (length < 7) {
          output[op++] = (offset >> 8) + (length << 5);
        } else {
          output[op++] = (offset >> 8) + (7 << 5);
          output[op++] = length - 7;
        }
        output[op++] = offset;
        literal = 0;
        op++; // a new literal run
        ip += length + 1;
        if (ip < inputLength - 2) {
          // VERY_FAST: only the two positions before the next one enter the table.
          ip -= 2;
          h = (input[ip] << 8) | input[ip + 1];
          h = ((h << 8) | input[ip + 2]) >>> 0;
          table[slot(h)] = base + ip;
          ip++;
          h = ((h << 8) | input[ip + 2]) >>> 0;
          table[slot(h)] = base + ip;
          ip++;
        }
        continue;
      }
      if (op >= outputLimit) return 0;
    } else if (!lastRoomChecked) {
      if (op + 3 > outputLimit) return 0;
      lastRoomChecked = true;
    }
    literal++;
    output[op++] = input[ip++];
    if (literal === MAX_LITERAL) {
      output[op - literal - 1] = literal - 1;
      literal = 0;
      op++;
    }
  }
  if (!lastRoomChecked && op + 3 > outputLimit) return 0;
  output[op - literal - 1] = literal - 1;
  if (literal === 0) op--;
  return op;
}

/** LZF as Redis's lzf_c.c; null when the result would not be smaller than the input. */
export function lzfCompress(input: Buffer): Buffer | null {
  const output = Buffer.allocUnsafe(Math.max(input.length - 1, 0));
  const length = lzfCompressInto(input, input.length, output, output.length);
  return length === 0 ? null : output.subarray(0, length);
}

/**
 * lzf_decompress of `input` into the first `length` bytes of `output`; throws Error on corrupt
 * input or when the output is not exactly `length` bytes.
 */
export function lzfDecompressInto(input: Uint8Array, output: Uint8Array, length: number): void {
  const inputLength = input.length;
  let ip = 0;
  let op = 0;
  while (ip < inputLength) {
    const control = input[ip++];
    if (control < 1 << 5) {
      const count = control + 1;
      if (op + count > length) throw new Error('LZF data decompresses to more than the stated length');
      if (ip + count > inputLength) throw new Error('LZF literal run goes past the end of the data');
      for (let end = ip + count; ip < end; ) output[op++] = input[ip++];
    } else {
      let count = control >> 5;
      if (ip >= inputLength) throw new Error('LZF back reference goes past the end of the data');
      if (count === 7) {
        count += input[ip++];
        if (ip >= inputLength) throw new Error('LZF back reference goes past the end of the data');
      }
      const reference = op - ((control & 0x1f) << 8) - 1 - input[ip++];
      count += 2;
      if (op + count > length) throw new Error('LZF data decompresses to more than the stated length');
      if (reference < 0) throw new Error('LZF back reference points before the start of the output');
      // Byte by byte: the source may overlap what is being written (a run).
      for (let from = reference, end = op + count; op < end; ) output[op++] = output[from++];
    }
  }
  if (op !== length) throw new Error(`LZF data decompresses to ${op} bytes, not the stated ${length}`);
}

/** Throws Error on corrupt input or when the output is not exactly `length` bytes. */
export function lzfDecompress(input: Buffer, length: number): Buffer {
  const output = Buffer.allocUnsafe(length);
  lzfDecompressInto(input, output, length);
  return output;
}
