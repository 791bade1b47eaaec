import type { Client } from '../src/client.js';
import type { CommandSpec } from '../src/command.js';
import { Err, fail } from '../src/errors.js';
import { STARTUP_BYTES } from '../src/eviction.js';
import { integerArg, isOption } from './arguments.js';
import { replyHelp } from './help.js';
import { humanBytes, peakMemory } from './info.js';

/** Below this much used memory, MEMORY DOCTOR has nothing to say (Redis's 5 MB). */
const DOCTOR_MIN_BYTES = 5 * 1024 * 1024;

/**
 * MEMORY USAGE key [SAMPLES count]: the estimated bytes of the key, its value and its TTL. The
 * estimates are kept exact per value, so SAMPLES is checked but changes nothing.
 */
function memoryUsage(client: Client, argv: string[]): void {
  for (let i = 3; i < argv.length; i += 2) {
    if (!isOption(argv[i], 'SAMPLES') || i + 1 >= argv.length) fail(Err.syntax);
    if (integerArg(argv[i + 1]) < 0) fail(Err.syntax);
  }
  const db = client.db;
  const key = argv[2];
  // Measuring a key is not using it.
  if (db.lookup(key, false) === undefined) client.reply.nullBulk();
  else client.reply.integer(db.usage(key));
}

/** MEMORY STATS: the parts of used_memory, under Redis's names where it has them. */
function memoryStats(client: Client): void {
  const server = client.server;
  const eviction = server.eviction;
  const used = eviction.usedMemory();
  const dataset = eviction.datasetBytes();
  const keys = server.databases.reduce((sum, db) => sum + db.size, 0);
  const rss = process.memoryUsage.rss();
  const fields: [string, number | string][] = [
    ['peak.allocated', peakMemory(server, used)],
    ['total.allocated', used],
    ['startup.allocated', STARTUP_BYTES],
    ['clients.normal', eviction.clientBytes],
    ['broker.messages', server.broker.memoryUsed],
    ['keys.count', keys],
    ['keys.bytes-per-key', keys === 0 ? 0 : Math.floor(dataset / keys)],
    ['dataset.bytes', dataset],
    ['dataset.percentage', ((dataset / used) * 100).toFixed(6)],
    ['heap.used', server.heapGuard.used],
    ['heap.limit', server.heapGuard.limit],
    ['fragmentation', (rss / used).toFixed(6)],
    ['fragmentation.bytes', rss - used],
  ];
  const reply = client.reply;
  reply.mapHeader(fields.length);
  for (const [name, value] of fields) {
    reply.bulk(name);
    if (typeof value === 'number') reply.integer(value);
    else reply.double(Number(value));
  }
}

/** MEMORY DOCTOR, in Redis's words when there is nothing to report. */
function memoryDoctor(client: Client): void {
  const server = client.server;
  const used = server.eviction.usedMemory();
  let report: string;
  if (used < DOCTOR_MIN_BYTES) {
    report = "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.";
  } else if (server.heapGuard.isFull(performance.now())) {
    report = `Sam, I detected a few issues in this nodis instance memory implants:\n\n * High heap usage: V8's heap is near its limit (${humanBytes(server.heapGuard.limit)}), so commands that may use more memory are refused. Raise the limit (node --max-old-space-size), set maxmemory with an eviction policy, or delete data.\n\nI'm here to keep you safe, Sam. I want to help you.\n`;
  } else {
    report = "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.";
  }
  client.reply.verbatim(report);
}

function memoryHelp(client: Client): void {
  replyHelp(client, 'memory', [
    'DOCTOR',
    '    Return memory problems reports.',
    'MALLOC-STATS',
    '    Return internal statistics report from the memory allocator.',
    'PURGE',
    '    Attempt to purge dirty pages for reclamation by the allocator.',
    'STATS',
    '    Return information about the memory usage of the server.',
    'USAGE <key> [SAMPLES <count>]',
    '    Return memory in bytes used by <key> and its value. Nested values are',
    '    sampled up to <count> times (default: 5, 0 means sample all).',
  ]);
}

const server = { group: 'server' } as const;

export const memoryCommands: CommandSpec[] = [
  {
    ...server, name: 'memory', arity: -2, flags: [], since: '4.0.0', summary: 'A container for memory diagnostics commands.', complexity: 'Depends on subcommand.',
    subcommands: [
      { ...server, name: 'doctor', arity: 2, flags: [], since: '4.0.0', summary: 'Outputs a memory problems report.', complexity: 'O(1)', handler: memoryDoctor },
      { ...server, name: 'help', arity: 2, flags: ['loading', 'stale'], since: '4.0.0', summary: 'Returns helpful text about the different subcommands.', complexity: 'O(1)', handler: memoryHelp },
      { ...server, name: 'malloc-stats', arity: 2, flags: [], since: '4.0.0', summary: 'Returns the allocator statistics.', complexity: 'Depends on how much memory is allocated, could be slow', handler: (client) => client.reply.verbatim('Stats not supported for the current allocator') },
      {
        ...server, name: 'purge', arity: 2, flags: [], since: '4.0.0', summary: 'Asks the allocator to release memory.', complexity: 'Depends on how much memory is allocated, could be slow',
        // What an allocator's purge is to Redis, a full collection is to V8.
        handler: (client) => {
          client.server.heapGuard.collect();
          client.reply.ok();
        },
      },
      { ...server, name: 'stats', arity: 2, flags: [], since: '4.0.0', summary: 'Returns details about memory usage.', complexity: 'O(1)', handler: memoryStats },
      { ...server, name: 'usage', arity: -3, flags: ['readonly'], keys: [2, 2, 1], since: '4.0.0', summary: 'Estimates the memory usage of a key.', complexity: 'O(N) where N is the number of samples.', handler: memoryUsage },
    ],
  },
];
