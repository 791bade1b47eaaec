/**
 * Snapshots beside a real Redis: the same 1,000,000 keys of mixed types in each server, then
 *   - SAVE time and file size;
 *   - load time: start-up with the file minus start-up without one, until PING stops answering
 *     -LOADING;
 *   - GET latency from one client (sequential requests): p99 and maximum without any save, and
 *     while a BGSAVE runs, with how long the BGSAVE took. The maximum during BGSAVE bounds the
 *     longest pause of the server's event loop (Redis forks, so its pauses are the fork's).
 *
 *   - SET throughput with the append-only file on, under each appendfsync policy.
 *
 *   npm run bench:persistence [-- --keys N --aof-requests N]   (also run by npm run bench)
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BenchClient, encodeCommand, formatCount, freePort, integerOption, markdownTable, runRedisBenchmark, sleep, startNodis,
  startRedis, stopServer, which, type RunningServer,
} from './lib.js';

const COMMANDS_PER_FLIGHT = 1000;
/** How long GET latency is sampled without a save running. */
const IDLE_SAMPLE_MS = 2000;

export interface PersistenceFigures {
  saveMs: number;
  fileBytes: number;
  loadMs: number;
  idle: Latency;
  duringBgsave: Latency;
  bgsaveMs: number;
}

interface Latency {
  p99: number;
  max: number;
}

type Starter = (port: number, extra: string[]) => Promise<RunningServer>;

/** Key i's command: 70% strings, 10% hashes, 10% lists, 5% sets, 5% sorted sets, 10 elements each. */
function fillCommand(i: number): string[] {
  const key = `key:${i}`;
  const kind = i % 20;
  const ten = (f: (j: number) => string[]) => Array.from({ length: 10 }, (_, j) => f(j)).flat();
  if (kind < 14) return ['SET', key, `value:${i}`];
  if (kind < 16) return ['HSET', key, ...ten((j) => [`field${j}`, `value${j}`])];
  if (kind < 18) return ['RPUSH', key, ...ten((j) => [`element${j}`])];
  if (kind < 19) return ['SADD', key, ...ten((j) => [`member${j}`])];
  return ['ZADD', key, ...ten((j) => [String(j), `member${j}`])];
}

async function fill(client: BenchClient, keys: number): Promise<void> {
  for (let i = 0; i < keys; i += COMMANDS_PER_FLIGHT) {
    const count = Math.min(COMMANDS_PER_FLIGHT, keys - i);
    await client.pipeline(Buffer.concat(Array.from({ length: count }, (_, j) => encodeCommand(fillCommand(i + j)))), count);
  }
}

/** Starts a server on `dir` and returns it with how long it took to answer PING with PONG. */
async function timedStart(start: Starter, port: number, dir: string): Promise<[RunningServer, number]> {
  const begin = performance.now();
  const server = await start(port, ['--dir', dir]);
  const client = await BenchClient.connect(port);
  try {
    for (;;) {
      const reply = await client.call('PING').catch((error: Error) => error.message);
      if (reply === 'PONG') return [server, performance.now() - begin];
      await sleep(5);
    }
  } finally {
    client.close();
  }
}

/** Sequential GETs until `done()`; latency percentiles in ms. */
async function getLatency(client: BenchClient, keys: number, done: () => boolean): Promise<Latency> {
  const samples: number[] = [];
  while (!done()) {
    const key = `key:${Math.floor(Math.random() * keys)}`;
    const begin = performance.now();
    await client.call('GET', key).catch(() => null);
    samples.push(performance.now() - begin);
  }
  samples.sort((a, b) => a - b);
  return { p99: samples[Math.floor(samples.length * 0.99)] ?? NaN, max: samples[samples.length - 1] ?? NaN };
}

/** Every figure for one server implementation. */
export async function persistenceFigures(start: Starter, keys: number): Promise<PersistenceFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'nodis-bench-persist-'));
  const port = await freePort();
  try {
    let [server, emptyStartMs] = await timedStart(start, port, dir);
    let client = await BenchClient.connect(port);
    await fill(client, keys);
    let begin = performance.now();
    await client.call('SAVE');
    const saveMs = performance.now() - begin;
    const fileBytes = statSync(join(dir, 'dump.rdb')).size;
    client.close();
    await stopServer(server);
    let loadedStartMs: number;
    [server, loadedStartMs] = await timedStart(start, port, dir);
    client = await BenchClient.connect(port);
    const watcher = await BenchClient.connect(port);
    try {
      const idleUntil = performance.now() + IDLE_SAMPLE_MS;
      const idle = await getLatency(client, keys, () => performance.now() >= idleUntil);
      begin = performance.now();
      await watcher.call('BGSAVE');
      let saving = true;
      const watch = (async () => {
        while (saving) {
          const info = String(await watcher.call('INFO', 'persistence'));
          saving = info.includes('rdb_bgsave_in_progress:1');
          if (saving) await sleep(20);
        }
      })();
      const duringBgsave = await getLatency(client, keys, () => !saving);
      await watch;
      const bgsaveMs = performance.now() - begin;
      return { saveMs, fileBytes, loadMs: Math.max(0, loadedStartMs - emptyStartMs), idle, duringBgsave, bgsaveMs };
    } finally {
      client.close();
      watcher.close();
      await stopServer(server);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs both servers in turn and prints the table. */
export async function reportPersistence(keys: number): Promise<void> {
  const redisBinary = which('redis-server');
  const results: [string, PersistenceFigures][] = [['nodis', await persistenceFigures(startNodis, keys)]];
  if (redisBinary !== null) results.push(['redis', await persistenceFigures((port, extra) => startRedis(port, redisBinary, extra), keys)]);
  const ms = (value: number) => value.toFixed(value < 10 ? 2 : 0);
  const rows = results.map(([name, f]) => [
    name, ms(f.saveMs), formatCount(f.fileBytes), ms(f.loadMs), ms(f.idle.p99), ms(f.idle.max), ms(f.bgsaveMs),
    ms(f.duringBgsave.p99), ms(f.duringBgsave.max),
  ]);
  console.log(markdownTable(
    ['server', 'SAVE ms', 'file bytes', 'load ms', 'GET p99 ms', 'GET max ms', 'BGSAVE ms', 'GET p99 during', 'GET max during'],
    rows,
  ));
  if (results.length === 2) {
    const [[, ours], [, theirs]] = results;
    console.log(`\nnodis/Redis: SAVE ${(ours.saveMs / theirs.saveMs).toFixed(2)}x, load ${(ours.loadMs / theirs.loadMs).toFixed(2)}x, file ${(ours.fileBytes / theirs.fileBytes).toFixed(2)}x.`);
  }
  console.log(`${formatCount(keys)} keys: 70% strings, 10% hashes, 10% lists, 5% sets, 5% sorted sets of 10 elements. Targets: save and load within 3x of Redis's time; file within 1.2x.`);
}

/** SET requests per second with the append-only file on under `policy`, from redis-benchmark -c 50 -P 1. */
async function appendOnlySetRate(start: Starter, bench: string, policy: string, requests: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'nodis-bench-aof-'));
  const port = await freePort();
  const server = await start(port, ['--dir', dir, '--appendonly', 'yes', '--appendfsync', policy]);
  try {
    const rates = await runRedisBenchmark(bench, { port, tests: ['set'], requests, clients: 50, pipeline: 1, timeoutMs: 300_000 });
    return rates.get('set')?.rps ?? NaN;
  } finally {
    await stopServer(server);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** SET throughput with appendonly yes under each appendfsync policy, beside Redis. */
export async function reportAppendOnly(requests: number): Promise<void> {
  const bench = which('redis-benchmark');
  if (bench === null) return;
  const redisBinary = which('redis-server');
  const rows: string[][] = [];
  for (const policy of ['always', 'everysec', 'no']) {
    const ours = await appendOnlySetRate(startNodis, bench, policy, requests);
    const theirs = redisBinary === null ? NaN : await appendOnlySetRate((port, extra) => startRedis(port, redisBinary, extra), bench, policy, requests);
    rows.push([policy, formatCount(ours), formatCount(theirs), (ours / theirs).toFixed(2)]);
  }
  console.log(markdownTable(['appendfsync', 'nodis SET/s', 'redis SET/s', 'ratio'], rows));
  console.log(`redis-benchmark -t set -c 50 -P 1 -n ${formatCount(requests)} with appendonly yes.`);
}

const invokedDirectly = process.argv[1]?.endsWith('persistence.js') === true;
if (invokedDirectly) {
  await reportPersistence(integerOption('keys', 1_000_000));
  console.log();
  await reportAppendOnly(integerOption('aof-requests', 200_000));
  process.exit(0);
}
