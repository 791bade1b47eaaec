import { getHeapSpaceStatistics, getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Logger } from 'pino';
import { DEFAULT_SEMI_SPACE } from './node-options.js';

/** Share of the old generation's room above which commands that may grow memory are refused... */
const REFUSE_ABOVE = 0.85;
/** ... until usage falls back below this share. */
const RESUME_BELOW = 0.75;
/** Share of the heap limit one client's pending request or unsent output may take. */
const CLIENT_SHARE = 0.25;
/** The heap is looked at no more often than this (ms): a look costs a couple of microseconds. */
const CHECK_INTERVAL_MS = 1;
/** Fewest milliseconds between two garbage collections forced to measure what is live. */
const COLLECT_INTERVAL_MS = 1000;
/** Spaces of the young generation, which --max-old-space-size does not cover. */
const YOUNG_SPACES = new Set(['new_space', 'new_large_object_space']);

// A full collection on demand: the only exact measure of live data (the flag exposes `gc` to new contexts).
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** Bytes the old generation holds now, garbage included (what V8 measures against its limit). */
function oldGenerationBytes(): number {
  let bytes = 0;
  for (const space of getHeapSpaceStatistics()) if (!YOUNG_SPACES.has(space.space_name)) bytes += space.space_size;
  return bytes;
}

/**
 * Keeps the process clear of V8's heap limit, past which Node dies at once ("JavaScript heap out
 * of memory") with every client's data: the analogue of Redis's maxmemory check, whatever
 * `maxmemory` says. Near the limit, commands flagged denyoom get -OOM while reads and deletes
 * go on; one client may not hold more than a share of the heap in a pending request or in
 * unsent replies (it is dropped, as Redis drops one past client-query-buffer-limit).
 */
export class HeapGuard {
  /** V8's heap limit, young generation included, in bytes (node --max-old-space-size sets most of it). */
  readonly limit = getHeapStatistics().heap_size_limit;
  /**
   * Room for the old generation: its limit, less one semi-space, which a scavenge must be able
   * to promote into.
   */
  private readonly room = this.limit - 4 * DEFAULT_SEMI_SPACE;
  /** What one client's pending request or unsent output may reach. */
  readonly clientCap = Math.floor(this.limit * CLIENT_SHARE);
  private refusing = false;
  private checkedAt = -Infinity;
  private collectedAt = -Infinity;

  constructor(private readonly log: Logger) {}

  get used(): number {
    return getHeapStatistics().used_heap_size;
  }

  /** A full garbage collection now (MEMORY PURGE), after which `used` is what is live. */
  collect(): void {
    collectGarbage();
    this.collectedAt = performance.now();
  }

  /** True while the heap is too full for commands that may grow it; `now` is performance.now() (the dispatcher's reading). */
  isFull(now: number): boolean {
    if (now - this.checkedAt < CHECK_INTERVAL_MS) return this.refusing;
    this.checkedAt = now;
    const wasRefusing = this.refusing;
    const threshold = this.room * (wasRefusing ? RESUME_BELOW : REFUSE_ABOVE);
    let old = oldGenerationBytes();
    // Garbage counts until V8 collects it: collect (at most once a second; V8 would soon, this
    // close to its limit) so that only live data is refused for.
    if (old > threshold && now - this.collectedAt >= COLLECT_INTERVAL_MS) {
      this.collectedAt = now;
      collectGarbage();
      old = oldGenerationBytes();
    }
    this.refusing = old > threshold;
    if (this.refusing !== wasRefusing) {
      const fields = { oldGeneration: old, heapLimit: this.limit };
      if (this.refusing) this.log.warn(fields, 'The heap is near its limit: refusing commands that may use more memory');
      else this.log.info(fields, 'The heap has room again: accepting every command');
    }
    return this.refusing;
  }
}
