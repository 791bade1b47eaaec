/**
 * Memory per key: loads the same keys into nodis and into a real Redis and compares how much the
 * server process grew.
 *
 *   npm run bench:memory [-- --keys N --value-size N --settle MS]
 *
 * Keys are "key:0000000" style (11 bytes), values `--value-size` bytes (10 by default), written
 * with pipelined MSETs. Growth is VmRSS of the server process after minus before (read from
 * /proc after a settle pause; a V8 heap cannot be collected from outside, so nodis's figure
 * includes whatever garbage the load left), plus each server's own INFO used_memory.
 */
import {
  BenchClient, encodeCommand, freePort, integerOption, markdownTable, rssBytes, sleep, startNodis,
  startRedis, stopAll, stopServer, which, type RunningServer,
} from './lib.js';

/** Key/value pairs per MSET, and MSETs per pipelined flight. */
const PAIRS_PER_MSET = 100;
const MSETS_PER_FLIGHT = 100;

interface Measurement {
  server: string;
  rssBefore: number;
  rssAfter: number;
  usedBefore: number;
  usedAfter: number;
  keys: number;
}

function keyName(i: number): string {
  return 'key:' + String(i).padStart(7, '0');
}

function valueFor(i: number, size: number): string {
  return String(i).padStart(size, 'v').slice(-size);
}

async function usedMemory(client: BenchClient): Promise<number> {
  const info = String(await client.call('INFO', 'memory'));
  const match = /^used_memory:(\d+)/m.exec(info);
  return match === null ? NaN : Number(match[1]);
}

async function load(server: RunningServer, keys: number, valueSize: number, settleMs: number): Promise<Measurement> {
  const client = await BenchClient.connect(server.port);
  try {
    await client.call('FLUSHALL');
    await sleep(settleMs);
    const rssBefore = rssBytes(server.pid);
    const usedBefore = await usedMemory(client);
    const started = performance.now();
    for (let next = 0; next < keys;) {
      const commands: Buffer[] = [];
      for (let m = 0; m < MSETS_PER_FLIGHT && next < keys; m++) {
        const argv = ['MSET'];
        for (let p = 0; p < PAIRS_PER_MSET && next < keys; p++, next++) argv.push(keyName(next), valueFor(next, valueSize));
        commands.push(encodeCommand(argv));
      }
      await client.pipeline(Buffer.concat(commands), commands.length);
    }
    const seconds = (performance.now() - started) / 1000;
    const stored = Number(await client.call('DBSIZE'));
    if (stored !== keys) throw new Error(`${server.name} holds ${stored} keys, expected ${keys}`);
    await sleep(settleMs);
    const measurement = {
      server: server.name,
      rssBefore,
      rssAfter: rssBytes(server.pid),
      usedBefore,
      usedAfter: await usedMemory(client),
      keys,
    };
    console.error(`  ${server.name}: loaded ${keys} keys in ${seconds.toFixed(1)} s`);
    return measurement;
  } finally {
    client.close();
  }
}

function mb(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}

function perKey(bytes: number, keys: number): string {
  return Number.isFinite(bytes) ? (bytes / keys).toFixed(1) : '-';
}

async function main(): Promise<void> {
  const keys = integerOption('keys', 1_000_000);
  const valueSize = integerOption('value-size', 10);
  const settleMs = integerOption('settle', 1000);
  const redisBinary = which('redis-server');
  const results: Measurement[] = [];
  // One server at a time, so neither competes with the other for memory or CPU.
  const starters: (() => Promise<RunningServer>)[] = [async () => startNodis(await freePort())];
  if (redisBinary === null) console.log('redis-server is not installed: measuring nodis alone.');
  else starters.push(async () => startRedis(await freePort(), redisBinary));
  for (const start of starters) {
    const server = await start();
    try {
      results.push(await load(server, keys, valueSize, settleMs));
    } finally {
      await stopServer(server);
    }
  }
  console.log();
  console.log(markdownTable(
    ['server', 'RSS before MB', 'RSS after MB', 'RSS B/key', 'used_memory B/key'],
    results.map((r) => [r.server, mb(r.rssBefore), mb(r.rssAfter), perKey(r.rssAfter - r.rssBefore, r.keys), perKey(r.usedAfter - r.usedBefore, r.keys)]),
  ));
  console.log();
  if (results.length === 2) {
    const [nodis, redis] = results;
    const ratio = (nodis.rssAfter - nodis.rssBefore) / (redis.rssAfter - redis.rssBefore);
    console.log(`nodis/Redis RSS growth: ${ratio.toFixed(2)}`);
  }
  console.log(`${keys} keys of 11 bytes with ${valueSize}-byte values, MSET of ${PAIRS_PER_MSET} pairs, ` +
    `${MSETS_PER_FLIGHT} per pipelined flight; ${settleMs} ms settle before each reading.`);
  console.log("nodis's used_memory is its V8 heap plus external memory, Redis's its allocator's count.");
  console.log('Target: nodis well under 200 B/key RSS (Redis: about 100).');
}

main()
  .catch((error: Error) => {
    console.error(`memory benchmark failed: ${error.message}`);
    process.exitCode = 1;
  })
  .finally(() => stopAll());
