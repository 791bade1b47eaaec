/**
 * maxmemory beside a real Redis, with the same budget and policy in both:
 *   - write-heavy: SETs of 1,000-byte values totalling 10x the budget (allkeys-lru): used_memory
 *     and RSS at the end, against maxmemory;
 *   - cache hit ratio: GETs of keys drawn from a Zipf distribution over a universe larger than
 *     the budget holds, a miss followed by the SET a cache would do, under allkeys-lru and
 *     allkeys-lfu.
 *
 *   npm run bench:eviction [-- --budget-mb N --requests N]   (also run by npm run bench)
 */
import {
  BenchClient, encodeCommand, formatCount, freePort, integerOption, markdownTable, rssBytes, startNodis, startRedis, stopServer,
  which, type RunningServer,
} from './lib.js';

const VALUE = 'v'.repeat(1000);
const FLIGHT = 500;
/** Zipf exponent: a typical web cache's skew. */
const ZIPF_S = 0.99;

type Starter = (port: number, extra: string[]) => Promise<RunningServer>;

async function info(client: BenchClient, field: string): Promise<number> {
  const text = String(await client.call('INFO', 'memory'));
  return Number(new RegExp(`\\r\\n${field}:(\\d+)`).exec(text)?.[1] ?? NaN);
}

interface WriteHeavy {
  usedRatio: number;
  rssMb: number;
}

async function writeHeavy(start: Starter, budgetMb: number): Promise<WriteHeavy> {
  const server = await start(await freePort(), ['--maxmemory', `${budgetMb}mb`, '--maxmemory-policy', 'allkeys-lru']);
  const client = await BenchClient.connect(server.port);
  try {
    const writes = Math.ceil((budgetMb * 1024 * 1024 * 10) / VALUE.length);
    for (let i = 0; i < writes; i += FLIGHT) {
      const count = Math.min(FLIGHT, writes - i);
      await client.pipeline(Buffer.concat(Array.from({ length: count }, (_, j) => encodeCommand(['SET', `key:${i + j}`, VALUE]))), count);
    }
    const used = await info(client, 'used_memory');
    return { usedRatio: used / (budgetMb * 1024 * 1024), rssMb: rssBytes(server.pid) / 2 ** 20 };
  } finally {
    client.close();
    await stopServer(server);
  }
}

/** A Zipf sampler over ranks 0..n-1 by inverting the cumulative weights (seeded, so both servers see the same keys). */
function zipfSampler(n: number, seed: number): () => number {
  const cumulative = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) cumulative[i] = total += 1 / (i + 1) ** ZIPF_S;
  // mulberry32: 32-bit state in integer arithmetic, so the sequence is exact and repeatable.
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => {
    const target = random() * total;
    let low = 0;
    let high = n - 1;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (cumulative[mid] < target) low = mid + 1;
      else high = mid;
    }
    return low;
  };
}

async function hitRatio(start: Starter, policy: string, budgetMb: number, requests: number): Promise<number> {
  const server = await start(await freePort(), ['--maxmemory', `${budgetMb}mb`, '--maxmemory-policy', policy]);
  const client = await BenchClient.connect(server.port);
  // Four times the keys the budget holds: the cache keeps the popular ones if its policy is good.
  const universe = Math.ceil(((budgetMb * 1024 * 1024) / VALUE.length) * 4);
  const next = zipfSampler(universe, 42);
  let hits = 0;
  let measured = 0;
  try {
    // The first half warms the cache up; the second is measured.
    for (let done = 0; done < requests * 2; done += FLIGHT) {
      const keys = Array.from({ length: FLIGHT }, () => `key:${next()}`);
      const replies = await client.pipeline(Buffer.concat(keys.map((key) => encodeCommand(['GET', key]))), FLIGHT);
      const misses = keys.filter((_, i) => replies[i] === null);
      if (done >= requests) {
        hits += FLIGHT - misses.length;
        measured += FLIGHT;
      }
      if (misses.length > 0) await client.pipeline(Buffer.concat(misses.map((key) => encodeCommand(['SET', key, VALUE]))), misses.length);
    }
    return hits / measured;
  } finally {
    client.close();
    await stopServer(server);
  }
}

export async function reportEviction(budgetMb: number, requests: number): Promise<void> {
  const starters: [string, Starter][] = [['nodis', (port, extra) => startNodis(port, extra)]];
  if (which('redis-server') !== null) starters.push(['redis', (port, extra) => startRedis(port, 'redis-server', extra)]);
  const rows: string[][] = [];
  const writeRows: string[][] = [];
  for (const [name, start] of starters) {
    const heavy = await writeHeavy(start, budgetMb);
    writeRows.push([name, `${(heavy.usedRatio * 100).toFixed(1)}%`, `${heavy.rssMb.toFixed(0)} MB`]);
  }
  console.log(markdownTable(['server', 'used_memory / maxmemory after 10x writes', 'RSS'], writeRows));
  console.log();
  for (const policy of ['allkeys-lru', 'allkeys-lfu']) {
    const ratios = [];
    for (const [, start] of starters) ratios.push(await hitRatio(start, policy, budgetMb, requests));
    const row = [policy, `${(ratios[0] * 100).toFixed(1)}%`];
    if (ratios.length > 1) row.push(`${(ratios[1] * 100).toFixed(1)}%`, `${((ratios[0] - ratios[1]) * 100).toFixed(1)} points`);
    rows.push(row);
  }
  console.log(markdownTable(['policy', 'nodis hit ratio', ...(starters.length > 1 ? ['redis hit ratio', 'difference'] : [])], rows));
  console.log();
  console.log(`maxmemory ${budgetMb} MB, 1,000-byte values, ${formatCount(requests)} measured GETs after as many to warm up, keys drawn from a Zipf(${ZIPF_S}) distribution over 4x the keys that fit; a miss is followed by a SET. Targets: used_memory within 5% of maxmemory; hit ratio within 2 points of Redis's.`);
}

const invokedDirectly = process.argv[1]?.endsWith('eviction.js') === true;
if (invokedDirectly) {
  await reportEviction(integerOption('budget-mb', 32), integerOption('requests', 300_000));
  process.exit(0);
}
