/**
 * Memory per element: loads the same data into nodis and into a real Redis and compares how much
 * the server process grew.
 *
 *   npm run bench:memory [-- --keys N --value-size N --settle MS --shapes strings,hash,set,zset,list,messages,small-hashes,...]
 *
 * Each shape stores N elements: `strings` N keys ("key:0000000", 11 bytes) with `--value-size`
 * byte values (10 by default) through MSET; `hash` one hash of N such fields and values; `set`,
 * `zset` and `list` one collection of N such members (scores are the element numbers); `messages`
 * (nodis only) N messages of `--value-size` bytes queued in one broker queue; `small-hashes`,
 * `small-intsets`, `small-zsets` and `small-lists` the same elements in collections of 10 (the
 * packed encodings: listpack, intset; intset members are the element numbers). Commands
 * carry 100 elements and go 100 per pipelined flight. Growth is VmRSS of the server process after
 * minus before (read from /proc after a settle pause; a V8 heap cannot be collected from outside,
 * so nodis's figure includes whatever garbage the load left), plus each server's INFO used_memory.
 */
import {
  BenchClient, encodeCommand, freePort, integerOption, markdownTable, option, rssBytes, sleep, startNodis,
  startRedis, stopAll, stopServer, which, type RunningServer,
} from './lib.js';

/** Elements per command, and commands per pipelined flight. */
const ELEMENTS_PER_COMMAND = 100;
const COMMANDS_PER_FLIGHT = 100;

/** How one shape is loaded: the commands that add elements `from` to `to - 1`, and how to count them. */
interface Shape {
  commands(from: number, to: number, valueSize: number): string[][];
  count: string[];
  /** Only nodis has it (the broker). */
  nodisOnly?: boolean;
  /** What `count` counts is keys holding this many elements each. */
  elementsPerKey?: number;
}

/** Elements per collection in the small-* shapes. */
const SMALL = 10;

/** Collections of SMALL elements, each named after its first element and filled by one `verb` command. */
function smallCollections(verb: string, element: (i: number, valueSize: number) => string[]): Shape {
  return {
    commands(from, to, valueSize) {
      const commands: string[][] = [];
      for (let first = from; first < to; first += SMALL) {
        commands.push(withElements([verb, keyName(first)], first, Math.min(first + SMALL, to), (i) => element(i, valueSize)));
      }
      return commands;
    },
    count: ['DBSIZE'],
    elementsPerKey: SMALL,
  };
}

const SHAPES: Record<string, Shape> = {
  strings: { commands: (from, to, size) => [withElements(['MSET'], from, to, (i) => [keyName(i), valueFor(i, size)])], count: ['DBSIZE'] },
  hash: { commands: (from, to, size) => [withElements(['HSET', 'h'], from, to, (i) => [keyName(i), valueFor(i, size)])], count: ['HLEN', 'h'] },
  set: { commands: (from, to) => [withElements(['SADD', 's'], from, to, (i) => [keyName(i)])], count: ['SCARD', 's'] },
  zset: { commands: (from, to) => [withElements(['ZADD', 'z'], from, to, (i) => [String(i), keyName(i)])], count: ['ZCARD', 'z'] },
  list: { commands: (from, to) => [withElements(['RPUSH', 'l'], from, to, (i) => [keyName(i)])], count: ['LLEN', 'l'] },
  messages: {
    commands: (from, to, size) => [
      ...(from === 0 ? [['MQ.QUEUE', 'DECLARE', 'q']] : []),
      ...Array.from({ length: to - from }, (_, i) => ['MQ.PUBLISH', '', 'q', valueFor(from + i, size)]),
    ],
    count: ['MQ.QUEUE', 'DECLARE', 'q', 'PASSIVE'],
    nodisOnly: true,
  },
  'small-hashes': smallCollections('HSET', (i, size) => [keyName(i), valueFor(i, size)]),
  'small-intsets': smallCollections('SADD', (i) => [String(i)]),
  'small-zsets': smallCollections('ZADD', (i) => [String(i), keyName(i)]),
  'small-lists': smallCollections('RPUSH', (i) => [keyName(i)]),
};

function withElements(argv: string[], from: number, to: number, element: (i: number) => string[]): string[] {
  for (let i = from; i < to; i++) argv.push(...element(i));
  return argv;
}

interface Measurement {
  server: string;
  shape: string;
  rssBefore: number;
  rssAfter: number;
  usedBefore: number;
  usedAfter: number;
  /** nodis: V8's used heap after a full collection (MEMORY PURGE). */
  heapBefore: number;
  heapAfter: number;
  keys: number;
}

function keyName(i: number): string {
  return 'key:' + String(i).padStart(7, '0');
}

function valueFor(i: number, size: number): string {
  return String(i).padStart(size, 'v').slice(-size);
}

async function memoryField(client: BenchClient, field: string): Promise<number> {
  const info = String(await client.call('INFO', 'memory'));
  const match = new RegExp(`^${field}:(\\d+)`, 'm').exec(info);
  return match === null ? NaN : Number(match[1]);
}

/** nodis's live heap: INFO heap_used right after a full collection. */
async function liveHeap(client: BenchClient, server: RunningServer): Promise<number> {
  if (server.name !== 'nodis') return NaN;
  await client.call('MEMORY', 'PURGE');
  return memoryField(client, 'heap_used');
}

async function load(server: RunningServer, shapeName: string, keys: number, valueSize: number, settleMs: number): Promise<Measurement> {
  const shape = SHAPES[shapeName];
  const client = await BenchClient.connect(server.port);
  try {
    await client.call('FLUSHALL');
    await sleep(settleMs);
    const heapBefore = await liveHeap(client, server);
    const rssBefore = rssBytes(server.pid);
    const usedBefore = await memoryField(client, 'used_memory');
    const started = performance.now();
    for (let next = 0; next < keys;) {
      const commands: Buffer[] = [];
      for (let m = 0; m < COMMANDS_PER_FLIGHT && next < keys; m++) {
        const to = Math.min(next + ELEMENTS_PER_COMMAND, keys);
        for (const command of shape.commands(next, to, valueSize)) commands.push(encodeCommand(command));
        next = to;
      }
      await client.pipeline(Buffer.concat(commands), commands.length);
    }
    const seconds = (performance.now() - started) / 1000;
    const counted = await client.call(...shape.count);
    const stored = Number(Array.isArray(counted) ? counted[1] : counted) * (shape.elementsPerKey ?? 1);
    if (stored !== keys) throw new Error(`${server.name} holds ${stored} ${shapeName} elements, expected ${keys}`);
    await sleep(settleMs);
    const measurement = {
      server: server.name,
      shape: shapeName,
      rssBefore,
      rssAfter: rssBytes(server.pid),
      usedBefore,
      usedAfter: await memoryField(client, 'used_memory'),
      heapBefore,
      heapAfter: await liveHeap(client, server),
      keys,
    };
    console.error(`  ${server.name}: loaded ${keys} ${shapeName} elements in ${seconds.toFixed(1)} s`);
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
  const shapes = (option('shapes') ?? Object.keys(SHAPES).join(',')).split(',');
  const unknown = shapes.filter((shape) => !(shape in SHAPES));
  if (unknown.length > 0) throw new Error(`unknown shape ${unknown.join(', ')}; known: ${Object.keys(SHAPES).join(', ')}`);
  const redisBinary = which('redis-server');
  const results: Measurement[] = [];
  const starters: (() => Promise<RunningServer>)[] = [async () => startNodis(await freePort())];
  if (redisBinary === null) console.log('redis-server is not installed: measuring nodis alone.');
  else starters.push(async () => startRedis(await freePort(), redisBinary));
  // One server at a time, fresh for each shape, so that neither competes for memory or CPU and
  // garbage from one load does not count against the next.
  for (const shape of shapes) {
    for (const start of SHAPES[shape].nodisOnly === true ? starters.slice(0, 1) : starters) {
      const server = await start();
      try {
        results.push(await load(server, shape, keys, valueSize, settleMs));
      } finally {
        await stopServer(server);
      }
    }
  }
  console.log();
  const growth = (r: Measurement) => r.rssAfter - r.rssBefore;
  console.log(markdownTable(
    ['shape', 'server', 'RSS before MB', 'RSS after MB', 'RSS B/element', 'used_memory B/element', 'live heap B/element', 'used_memory / live heap', 'nodis/Redis RSS'],
    results.map((r) => {
      const redis = results.find((other) => other.shape === r.shape && other.server === 'redis');
      const ratio = r.server === 'nodis' && redis !== undefined ? (growth(r) / growth(redis)).toFixed(2) : '';
      const used = r.usedAfter - r.usedBefore;
      const heap = r.heapAfter - r.heapBefore;
      const estimate = Number.isFinite(heap) ? (used / heap).toFixed(2) : '';
      return [r.shape, r.server, mb(r.rssBefore), mb(r.rssAfter), perKey(growth(r), r.keys), perKey(used, r.keys), perKey(heap, r.keys), estimate, ratio];
    }),
  ));
  console.log();
  console.log(`${keys} elements per shape: 11-byte keys, fields and members, ${valueSize}-byte values; ` +
    `${ELEMENTS_PER_COMMAND} elements per command, ${COMMANDS_PER_FLIGHT} commands per pipelined flight; ` +
    `${settleMs} ms settle before each reading.`);
  console.log("nodis's used_memory is its running estimate (per-value sizes kept up to date by every write), Redis's its allocator's count; nodis's live heap is V8's used heap after a full collection.");
  console.log('Target: nodis well under 200 B/key RSS for strings (Redis: about 100).');
}

main()
  .catch((error: Error) => {
    console.error(`memory benchmark failed: ${error.message}`);
    process.exitCode = 1;
  })
  .finally(() => stopAll());
