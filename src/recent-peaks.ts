/** One-second slots over which the peaks are kept, as Redis's CLIENTS_PEAK_MEM_USAGE_SLOTS. */
const SLOTS = 8;

/**
 * The largest query and output buffers seen on any client over the last few seconds, for INFO's
 * client_recent_max_input_buffer and client_recent_max_output_buffer: each second has a slot
 * holding that second's maxima, cleared when the second comes round again.
 */
export class RecentPeaks {
  private readonly input: number[] = new Array(SLOTS).fill(0);
  private readonly output: number[] = new Array(SLOTS).fill(0);
  private second = -1;

  /** Notes one client's buffer sizes in bytes at `now` (ms since the epoch). */
  record(now: number, input: number, output: number): void {
    const second = Math.floor(now / 1000);
    if (second !== this.second) {
      for (let s = Math.max(this.second + 1, second - SLOTS + 1); s <= second; s++) this.input[s % SLOTS] = this.output[s % SLOTS] = 0;
      this.second = second;
    }
    const slot = second % SLOTS;
    if (input > this.input[slot]) this.input[slot] = input;
    if (output > this.output[slot]) this.output[slot] = output;
  }

  get maxInput(): number {
    return Math.max(...this.input);
  }

  get maxOutput(): number {
    return Math.max(...this.output);
  }
}
