/** A run of the LCS found contiguous in both strings: inclusive byte ranges. */
export interface LcsMatch {
  aStart: number;
  aEnd: number;
  bStart: number;
  bEnd: number;
}

export interface LcsResult {
  length: number;
  /** The common subsequence itself. */
  sequence: Buffer;
  /** Contiguous runs, from the end of the strings backwards (the order LCS IDX reports). */
  matches: LcsMatch[];
}

/** Bytes of the dynamic programming table LCS needs for strings of these lengths. */
export function lcsTableBytes(aLength: number, bLength: number): number {
  return (aLength + 1) * (bLength + 1) * 4;
}

/**
 * Longest common subsequence of two byte strings by the classic O(n*m) table, walked back the
 * way Redis's lcsCommand does so that ties pick the same subsequence and the same runs.
 */
export function longestCommonSubsequence(a: Uint8Array, b: Uint8Array): LcsResult {
  const alen = a.length;
  const blen = b.length;
  const width = blen + 1;
  const table = new Uint32Array((alen + 1) * width);
  for (let i = 1; i <= alen; i++) {
    const row = i * width;
    const above = row - width;
    const ai = a[i - 1];
    for (let j = 1; j <= blen; j++) {
      if (ai === b[j - 1]) {
        table[row + j] = table[above + j - 1] + 1;
      } else {
        const up = table[above + j];
        const left = table[row + j - 1];
        table[row + j] = up > left ? up : left;
      }
    }
  }
  const length = table[alen * width + blen];
  const sequence = Buffer.alloc(length);
  const matches: LcsMatch[] = [];
  let idx = length;
  // aStart === alen means no run is open.
  let run: LcsMatch = { aStart: alen, aEnd: 0, bStart: 0, bEnd: 0 };
  let i = alen;
  let j = blen;
  while (i > 0 && j > 0) {
    let emit = false;
    if (a[i - 1] === b[j - 1]) {
      sequence[--idx] = a[i - 1];
      if (run.aStart === alen) {
        run = { aStart: i - 1, aEnd: i - 1, bStart: j - 1, bEnd: j - 1 };
      } else if (run.aStart === i && run.bStart === j) {
        run.aStart--;
        run.bStart--;
      } else {
        emit = true;
      }
      if (run.aStart === 0 || run.bStart === 0) emit = true;
      i--;
      j--;
    } else {
      if (table[(i - 1) * width + j] > table[i * width + j - 1]) i--;
      else j--;
      if (run.aStart !== alen) emit = true;
    }
    if (emit) {
      matches.push(run);
      run = { aStart: alen, aEnd: 0, bStart: 0, bEnd: 0 };
    }
  }
  return { length, sequence, matches };
}
