/**
 * When and how often each key was used, for approximated LRU and LFU eviction and OBJECT
 * IDLETIME / FREQ, as the 24-bit `lru` field of Redis's objects: kept only while the
 * maxmemory-policy is an LRU or LFU one, so that other configurations pay nothing per key.
 */
export type AccessMode = 'lru' | 'lfu';

/** LFU_INIT_VAL: new keys start with this counter, so that they are not evicted at once. */
const LFU_INIT = 5;
const LFU_MAX = 255;
/** LFU keeps the minute of its last decrement in 16 bits, as Redis does. */
const MINUTES_MASK = 0xffff;

export interface LfuSettings {
  /** lfu-log-factor: how many hits it takes to raise the counter. */
  logFactor(): number;
  /** lfu-decay-time: minutes for the counter to lose one. */
  decayMinutes(): number;
}

export class KeyAccess {
  /** LRU: the second of the last access; LFU: (minute of last decrement << 8) | counter. Small integers both. */
  private readonly entries = new Map<string, number>();

  constructor(
    readonly mode: AccessMode,
    /** When tracking started (ms): keys never seen since count as idle from then. */
    private readonly since: number,
    private readonly lfu: LfuSettings,
  ) {}

  /** A key was read or written (Redis's updateLFU / LRU_CLOCK on lookup). */
  touched(key: string, now: number): void {
    if (this.mode === 'lru') this.entries.set(key, Math.floor(now / 1000));
    else this.entries.set(key, this.packed(this.increment(this.frequency(key, now)), now));
  }

  /** A new key: LFU starts it at LFU_INIT, as createObject does. */
  created(key: string, now: number): void {
    if (this.mode === 'lru') this.entries.set(key, Math.floor(now / 1000));
    else this.entries.set(key, this.packed(LFU_INIT, now));
  }

  forget(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  /** Milliseconds since the key was last used (estimateObjectIdleTime, to the second). */
  idleMs(key: string, now: number): number {
    const second = this.entries.get(key);
    return second === undefined ? now - this.since : Math.max(0, now - second * 1000);
  }

  /** The LFU counter, decayed for the minutes since its last decrement (LFUDecrAndReturn). */
  frequency(key: string, now: number): number {
    const entry = this.entries.get(key);
    if (entry === undefined) return LFU_INIT;
    const counter = entry & 0xff;
    const decay = this.lfu.decayMinutes();
    if (decay === 0) return counter;
    const elapsed = (minuteOf(now) - (entry >> 8)) & MINUTES_MASK;
    return Math.max(0, counter - Math.floor(elapsed / decay));
  }

  /** The higher, the better a key is to evict (evictionPoolPopulate's idle score). */
  evictionScore(key: string, now: number): number {
    return this.mode === 'lru' ? this.idleMs(key, now) : LFU_MAX - this.frequency(key, now);
  }

  /** LFULogIncr: a logarithmic counter, harder to raise the higher it is. */
  private increment(counter: number): number {
    if (counter === LFU_MAX) return counter;
    const base = Math.max(0, counter - LFU_INIT);
    return Math.random() < 1 / (base * this.lfu.logFactor() + 1) ? counter + 1 : counter;
  }

  private packed(counter: number, now: number): number {
    return (minuteOf(now) << 8) | counter;
  }
}

function minuteOf(now: number): number {
  return Math.floor(now / 60_000) & MINUTES_MASK;
}
