import { totalmem } from 'node:os';
import { getHeapStatistics } from 'node:v8';

/** Share of the machine's memory the heap may take when nodis starts it (npm start). */
const MACHINE_SHARE = 0.75;
/**
 * V8's largest semi-space by default on 64-bit: its heap limit counts three of them. npm start
 * makes them smaller; the heap guard keeps this bound, which holds either way.
 */
export const DEFAULT_SEMI_SPACE = 16 * 1024 * 1024;
/**
 * The young generation's semi-space when nodis starts it (MB). Once a bulk load has grown
 * V8's default ones to 16 MB, V8 keeps them: about 25 bytes of RSS per element of a
 * 1,000,000-element load. At 4 MB, -P 16 throughput was 7% higher (the young generation stays
 * in cache) and GET p99 latency without pipelining the same.
 */
const SEMI_SPACE_MEGABYTES = 4;
/**
 * glibc's malloc arenas (MALLOC_ARENA_MAX). By default each thread that mallocs (V8's
 * collector threads, libuv's pool) may get an arena of its own, and freed memory stays in it:
 * with 2, loading 1,000,000 hash fields grew RSS by 101-103 bytes a field instead of 115-125,
 * with the same throughput and latency.
 */
const MALLOC_ARENAS = '2';
/**
 * A young-generation collection here finds almost nothing alive (a few hundred bytes: the
 * requests in flight), and V8's parallel scavenger then spends more on its threads than on
 * the work: 0.24 ms a pause against 0.13 on one thread, one every ~40 ms at 100,000 unpipelined
 * requests a second, each holding up every client waiting then (the p99 latency). Only
 * scavenges change: major collections keep their concurrent marking.
 */
const SCAVENGE_OPTION = '--no-parallel-scavenge';

/**
 * The --max-old-space-size (MB) that fits this machine: three quarters of its memory (a 24 GiB
 * machine gets 18 GiB, room for a 10 GB dataset), never below Node's own default.
 */
export function fittingHeapMegabytes(): number {
  const nodeDefault = Math.floor((getHeapStatistics().heap_size_limit - 3 * DEFAULT_SEMI_SPACE) / 2 ** 20);
  return Math.max(nodeDefault, Math.floor((totalmem() * MACHINE_SHARE) / 2 ** 20));
}

/** The environment nodis is started with (npm start, and the benchmarks), unless already set. */
export function serverEnvironment(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return env.MALLOC_ARENA_MAX === undefined ? { MALLOC_ARENA_MAX: MALLOC_ARENAS } : {};
}

/**
 * The node options nodis is started with (npm start, and the benchmarks): a heap fitting the
 * machine and a small young generation, each unless NODE_OPTIONS already chooses it, collected
 * on one thread.
 */
export function serverNodeOptions(nodeOptions = process.env.NODE_OPTIONS ?? ''): string[] {
  const options: string[] = [];
  if (!nodeOptions.includes('--max-old-space-size')) options.push(`--max-old-space-size=${fittingHeapMegabytes()}`);
  if (!nodeOptions.includes('--max-semi-space-size')) options.push(`--max-semi-space-size=${SEMI_SPACE_MEGABYTES}`);
  // V8 refuses its own flags in NODE_OPTIONS but for a few: this one is always given here.
  options.push(SCAVENGE_OPTION);
  return options;
}
