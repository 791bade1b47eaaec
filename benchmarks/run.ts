/**
 * Throughput of nodis next to a real Redis, measured by redis-benchmark.
 *
 *   npm run bench [-- --rounds N --requests N --tests a,b --pipeline 1,16 --clients N
 *                   --subscribers 1,10,100 --deliveries N --persistence-keys N (0 skips)
 *                   --broker-messages N (0 skips) --eviction-requests N (0 skips) --quick]
 *
 * (or BENCH_ROUNDS, BENCH_REQUESTS, ... in the environment). Both servers run side by side on
 * loopback ports; each round runs every pipeline depth against both, in alternating order so
 * neither always gets the warmer machine, and the table shows the median of the rounds.
 */
import {
  formatCount, freePort, geometricMean, integerOption, markdownTable, median, option,
  runRedisBenchmark, startNodis, startRedis, stopAll, which, type RunningServer,
} from './lib.js';
import { reportBroker } from './broker.js';
import { reportEviction } from './eviction.js';
import { reportAppendOnly, reportPersistence } from './persistence.js';
import { pubsubDeliveryRate } from './pubsub.js';

const DEFAULT_TESTS = [
  'ping_inline', 'ping_mbulk', 'set', 'get', 'incr', 'mset',
  'lpush', 'rpush', 'lpop', 'rpop', 'sadd', 'hset', 'spop', 'zadd', 'zpopmin', 'lrange_100', 'lrange_300', 'lrange_600',
];
/** Targets from the performance issue: minimum nodis/Redis ratio per pipeline depth. */
const TARGETS = [
  '-P 1: geometric mean of nodis/Redis >= 0.95',
  '-P 16: geometric mean >= 0.8 and no test below 0.6',
  'GET p99 latency at -P 1 within 1.5x of Redis\'s',
];

interface Settings {
  rounds: number;
  /** Requests per test at -P 1; deeper pipelines run proportionally more (see requestsFor). */
  requests: number;
  tests: string[];
  pipelines: number[];
  clients: number;
  /** Subscriber counts for the pub/sub delivery test; empty skips it. */
  subscribers: number[];
  /** Messages delivered per pub/sub measurement (messages x subscribers). */
  deliveries: number;
  /** Keys for the snapshot figures; 0 skips them. */
  persistenceKeys: number;
  /** Messages per broker delivery test; 0 skips the broker's figures. */
  brokerMessages: number;
  /** Measured GETs per hit-ratio run; 0 skips the maxmemory figures. */
  evictionRequests: number;
}

function readSettings(): Settings {
  const quick = option('quick') !== undefined;
  const list = (name: string, fallback: string[]) => (option(name) ?? fallback.join(',')).split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  const pipelines = list('pipeline', ['1', '16']).map(Number);
  if (pipelines.some((p) => !Number.isInteger(p) || p <= 0)) throw new Error('--pipeline needs positive integers');
  return {
    rounds: integerOption('rounds', quick ? 1 : 3),
    requests: integerOption('requests', quick ? 20_000 : 100_000),
    tests: list('tests', DEFAULT_TESTS),
    pipelines,
    clients: integerOption('clients', 50),
    subscribers: list('subscribers', ['1', '10', '100']).map(Number).filter((n) => n > 0),
    deliveries: integerOption('deliveries', quick ? 200_000 : 1_000_000),
    persistenceKeys: option('persistence-keys') === '0' ? 0 : integerOption('persistence-keys', quick ? 100_000 : 1_000_000),
    brokerMessages: option('broker-messages') === '0' ? 0 : integerOption('broker-messages', quick ? 20_000 : 100_000),
    evictionRequests: option('eviction-requests') === '0' ? 0 : integerOption('eviction-requests', quick ? 50_000 : 300_000),
  };
}

/** Pipelined runs go faster, so they get more requests to last long enough to measure. */
function requestsFor(settings: Settings, pipeline: number): number {
  return settings.requests * Math.max(1, pipeline / 2);
}

type Results = Map<string, number[]>; // "server/pipeline/test" -> req/s of each round
/** Tests whose p99 latency without pipelining is reported beside their rates. */
const LATENCY_TESTS = ['get', 'set'];

async function measure(bench: string, server: RunningServer, settings: Settings, pipeline: number, results: Results, latencies: Results): Promise<void> {
  const requests = requestsFor(settings, pipeline);
  const rps = await runRedisBenchmark(bench, {
    port: server.port,
    tests: settings.tests,
    requests,
    clients: settings.clients,
    pipeline,
    // Generous: a healthy run at 10k req/s would still finish.
    timeoutMs: 30_000 + (requests * settings.tests.length) / 10,
  });
  for (const [test, { rps: rate, p99Ms }] of rps) {
    const key = `${server.name}/${pipeline}/${test}`;
    results.set(key, [...(results.get(key) ?? []), rate]);
    latencies.set(key, [...(latencies.get(key) ?? []), p99Ms]);
  }
  const summary = settings.tests.map((test) => `${test}=${formatCount(rps.get(test)!.rps)}`).join(' ');
  console.error(`  ${server.name.padEnd(5)} -P ${String(pipeline).padEnd(2)} ${summary}`);
}

function report(settings: Settings, results: Results, latencies: Results, withRedis: boolean): void {
  const rows: string[][] = [];
  const ratios = new Map<number, number[]>();
  for (const pipeline of settings.pipelines) {
    for (const test of settings.tests) {
      const nodis = median(results.get(`nodis/${pipeline}/${test}`) ?? []);
      const row = [test, String(pipeline), formatCount(nodis)];
      if (withRedis) {
        const redis = median(results.get(`redis/${pipeline}/${test}`) ?? []);
        const ratio = nodis / redis;
        ratios.set(pipeline, [...(ratios.get(pipeline) ?? []), ratio]);
        row.push(formatCount(redis), ratio.toFixed(2));
      }
      rows.push(row);
    }
  }
  const headers = ['test', 'pipeline', 'nodis req/s', ...(withRedis ? ['redis req/s', 'ratio'] : [])];
  console.log(markdownTable(headers, rows));
  console.log();
  if (withRedis) {
    for (const [pipeline, values] of ratios) {
      console.log(`Geometric mean of nodis/Redis at -P ${pipeline}: ${geometricMean(values).toFixed(2)}`);
    }
    console.log();
  }
  const latencyTests = settings.pipelines.includes(1) ? LATENCY_TESTS.filter((test) => settings.tests.includes(test)) : [];
  if (latencyTests.length > 0) {
    const latencyRows = latencyTests.map((test) => {
      const nodis = median(latencies.get(`nodis/1/${test}`) ?? []);
      const row = [test, nodis.toFixed(3)];
      if (withRedis) {
        const redis = median(latencies.get(`redis/1/${test}`) ?? []);
        row.push(redis.toFixed(3), (nodis / redis).toFixed(2));
      }
      return row;
    });
    console.log(markdownTable(['test', 'nodis p99 ms', ...(withRedis ? ['redis p99 ms', 'ratio'] : [])], latencyRows));
    console.log();
  }
  console.log(`Median of ${settings.rounds} round(s); redis-benchmark -c ${settings.clients}, ` +
    `${settings.pipelines.map((p) => `-n ${requestsFor(settings, p)} at -P ${p}`).join(', ')}; p99 latencies at -P 1.`);
  console.log(`Targets: ${TARGETS.join('; ')}.`);
}

async function main(): Promise<void> {
  const settings = readSettings();
  const bench = which('redis-benchmark');
  if (bench === null) {
    console.log('redis-benchmark is not installed (Debian/Ubuntu: apt-get install redis-tools); nothing to measure.');
    return;
  }
  const redisBinary = which('redis-server');
  const servers: RunningServer[] = [await startNodis(await freePort())];
  if (redisBinary === null) console.log('redis-server is not installed: measuring nodis alone.');
  else servers.push(await startRedis(await freePort(), redisBinary));
  console.error(`nodis pid ${servers[0].pid} port ${servers[0].port}` +
    (servers[1] ? `, redis pid ${servers[1].pid} port ${servers[1].port}` : ''));

  // One short unrecorded pass lets V8 compile the hot path before anything counts.
  const warmup = { ...settings, requests: Math.min(settings.requests, 20_000) };
  for (const pipeline of settings.pipelines) await measure(bench, servers[0], warmup, pipeline, new Map(), new Map());

  const results: Results = new Map();
  const latencies: Results = new Map();
  for (let round = 0; round < settings.rounds; round++) {
    console.error(`round ${round + 1}/${settings.rounds}`);
    for (const pipeline of settings.pipelines) {
      const order = round % 2 === 0 ? servers : [...servers].reverse();
      for (const server of order) await measure(bench, server, settings, pipeline, results, latencies);
    }
  }
  console.log();
  report(settings, results, latencies, servers.length > 1);
  if (settings.subscribers.length > 0) await reportPubSub(settings, servers);
  if (settings.persistenceKeys > 0) {
    // Snapshots run on servers of their own, one at a time, so stop the throughput servers first.
    await stopAll();
    console.log();
    await reportPersistence(settings.persistenceKeys);
    console.log();
    await reportAppendOnly(settings.requests * 2);
  }
  if (settings.brokerMessages > 0) {
    await stopAll();
    console.log();
    const quick = settings.brokerMessages < 100_000;
    await reportBroker(settings.brokerMessages, quick ? 1_000 : 5_000, quick ? 100_000 : 1_000_000);
  }
  if (settings.evictionRequests > 0) {
    await stopAll();
    console.log();
    await reportEviction(32, settings.evictionRequests);
  }
}

/** Pub/sub deliveries per second, medians of the rounds, servers alternating as above. */
async function reportPubSub(settings: Settings, servers: RunningServer[]): Promise<void> {
  const rates = new Map<string, number[]>();
  for (let round = 0; round < settings.rounds; round++) {
    const order = round % 2 === 0 ? servers : [...servers].reverse();
    for (const subscribers of settings.subscribers) {
      for (const server of order) {
        const rate = await pubsubDeliveryRate(server.port, subscribers, settings.deliveries);
        const key = `${server.name}/${subscribers}`;
        rates.set(key, [...(rates.get(key) ?? []), rate]);
        console.error(`  ${server.name.padEnd(5)} pubsub ${subscribers} subscriber(s): ${formatCount(rate)} deliveries/s`);
      }
    }
  }
  const withRedis = servers.length > 1;
  const rows = settings.subscribers.map((subscribers) => {
    const nodis = median(rates.get(`nodis/${subscribers}`)!);
    const row = [String(subscribers), formatCount(nodis)];
    if (withRedis) {
      const redis = median(rates.get(`redis/${subscribers}`)!);
      row.push(formatCount(redis), (nodis / redis).toFixed(2));
    }
    return row;
  });
  console.log(markdownTable(['subscribers', 'nodis deliveries/s', ...(withRedis ? ['redis deliveries/s', 'ratio'] : [])], rows));
  console.log();
  console.log(`One publisher, pipelined PUBLISH of 64-byte messages in flights of 100, ${settings.deliveries} deliveries per measurement. Target: nodis >= 0.6 x Redis.`);
}

main()
  .catch((error: Error) => {
    console.error(`benchmark failed: ${error.message}`);
    process.exitCode = 1;
  })
  .finally(() => stopAll());
