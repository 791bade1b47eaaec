import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { Client } from '../src/client.js';
import type { Command, CommandSpec } from '../src/command.js';
import type { Server } from '../src/server.js';
import { STARTUP_BYTES } from '../src/eviction.js';
import { REDIS_VERSION, VERSION } from '../src/version.js';

/** Identifiers Redis draws at start-up: nodis draws them once per process. */
const RUN_ID = randomBytes(20).toString('hex');
const REPLICATION_ID = randomBytes(20).toString('hex');

/** Sections in the order Redis prints them, and which of them `INFO` alone (default) shows. */
const SECTIONS: readonly { name: string; header: string; inDefault: boolean; render: (server: Server) => string[] }[] = [
  { name: 'server', header: 'Server', inDefault: true, render: serverSection },
  { name: 'clients', header: 'Clients', inDefault: true, render: clientsSection },
  { name: 'memory', header: 'Memory', inDefault: true, render: memorySection },
  { name: 'persistence', header: 'Persistence', inDefault: true, render: persistenceSection },
  { name: 'stats', header: 'Stats', inDefault: true, render: statsSection },
  { name: 'replication', header: 'Replication', inDefault: true, render: replicationSection },
  { name: 'cpu', header: 'CPU', inDefault: true, render: cpuSection },
  { name: 'modules', header: 'Modules', inDefault: true, render: () => [] },
  { name: 'commandstats', header: 'Commandstats', inDefault: false, render: commandstatsSection },
  { name: 'errorstats', header: 'Errorstats', inDefault: true, render: errorstatsSection },
  { name: 'cluster', header: 'Cluster', inDefault: true, render: () => ['cluster_enabled:0'] },
  { name: 'broker', header: 'Broker', inDefault: true, render: brokerSection },
  { name: 'keyspace', header: 'Keyspace', inDefault: true, render: keyspaceSection },
];

/** Peak of used_memory seen by INFO and MEMORY STATS, per server. */
const memoryPeaks = new WeakMap<Server, number>();

/** The highest used_memory seen so far, `used` included. */
export function peakMemory(server: Server, used: number): number {
  const peak = Math.max(used, memoryPeaks.get(server) ?? 0);
  memoryPeaks.set(server, peak);
  return peak;
}
/** The previous INFO's commands processed, for instantaneous_ops_per_sec. */
const opsSamples = new WeakMap<Server, Sample>();

/** As Redis's bytesToHuman: 2 decimals with B, K, M, G, T units. */
export function humanBytes(bytes: number): string {
  const units = ['K', 'M', 'G', 'T', 'P'];
  if (bytes < 1024) return `${bytes}B`;
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(2)}${units[unit]}`;
}

function seconds(micros: number): string {
  return (micros / 1e6).toFixed(6);
}

function serverSection(server: Server): string[] {
  const uptime = Math.floor((Date.now() - server.startedAt) / 1000);
  return [
    `redis_version:${REDIS_VERSION}`,
    `nodis_version:${VERSION}`,
    'redis_git_sha1:00000000',
    'redis_git_dirty:0',
    'redis_mode:standalone',
    `os:${os.type()} ${os.release()} ${os.machine()}`,
    `arch_bits:${process.arch.endsWith('64') ? 64 : 32}`,
    'multiplexing_api:libuv',
    `node_version:${process.version}`,
    `process_id:${process.pid}`,
    'process_supervised:no',
    `run_id:${RUN_ID}`,
    `tcp_port:${server.port}`,
    `server_time_usec:${Math.round((performance.timeOrigin + performance.now()) * 1000)}`,
    `uptime_in_seconds:${uptime}`,
    `uptime_in_days:${Math.floor(uptime / 86400)}`,
    `hz:${server.config.get('hz')}`,
    `configured_hz:${server.config.get('hz')}`,
    `executable:${process.argv[1] ?? process.execPath}`,
    `config_file:${server.config.file}`,
    'io_threads_active:0',
  ];
}

function clientsSection(server: Server): string[] {
  return [
    `connected_clients:${server.clients.size}`,
    'cluster_connections:0',
    `maxclients:${server.config.get('maxclients')}`,
    `client_recent_max_input_buffer:${server.clientPeaks.maxInput}`,
    `client_recent_max_output_buffer:${server.clientPeaks.maxOutput}`,
    `blocked_clients:${server.blocking.blockedClients}`,
    'tracking_clients:0',
    `pubsub_clients:${server.pubsub.subscribedClients}`,
    'clients_in_timeout_table:0',
  ];
}

function memorySection(server: Server): string[] {
  const used = server.eviction.usedMemory();
  const peak = peakMemory(server, used);
  const maxmemory = server.config.get('maxmemory');
  const rss = process.memoryUsage.rss();
  const total = os.totalmem();
  return [
    `used_memory:${used}`,
    `used_memory_human:${humanBytes(used)}`,
    `used_memory_rss:${rss}`,
    `used_memory_rss_human:${humanBytes(rss)}`,
    `used_memory_peak:${peak}`,
    `used_memory_peak_human:${humanBytes(peak)}`,
    `used_memory_peak_perc:${((used / peak) * 100).toFixed(2)}%`,
    `total_system_memory:${total}`,
    `total_system_memory_human:${humanBytes(total)}`,
    `used_memory_startup:${STARTUP_BYTES}`,
    `used_memory_dataset:${server.eviction.datasetBytes()}`,
    `maxmemory:${maxmemory}`,
    `maxmemory_human:${humanBytes(maxmemory)}`,
    `maxmemory_policy:${server.config.get('maxmemory-policy')}`,
    `mem_fragmentation_ratio:${(rss / used).toFixed(2)}`,
    `mem_fragmentation_bytes:${rss - used}`,
    'mem_allocator:v8',
    'lazyfree_pending_objects:0',
    // V8's heap, whose limit is the one that matters to a Node process (see src/heap-guard.ts).
    `heap_used:${server.heapGuard.used}`,
    `heap_used_human:${humanBytes(server.heapGuard.used)}`,
    `heap_limit:${server.heapGuard.limit}`,
    `heap_limit_human:${humanBytes(server.heapGuard.limit)}`,
    `heap_full:${server.heapGuard.isFull(performance.now()) ? 1 : 0}`,
  ];
}

/** INFO's aof_* fields, with the file's sizes while it is on, as Redis's genRedisInfoString. */
function appendOnlyFields(server: Server): string[] {
  const aof = server.persistence.aof;
  const rewriteStartedAt = aof?.rewriteStartedAt ?? null;
  const fields = [
    `aof_enabled:${aof === null ? 0 : 1}`,
    `aof_rewrite_in_progress:${rewriteStartedAt === null ? 0 : 1}`,
    `aof_rewrite_scheduled:${aof?.rewriteScheduled ? 1 : 0}`,
    `aof_last_rewrite_time_sec:${aof?.lastRewriteSeconds ?? -1}`,
    `aof_current_rewrite_time_sec:${rewriteStartedAt === null ? -1 : Math.round((Date.now() - rewriteStartedAt) / 1000)}`,
    `aof_last_bgrewrite_status:${aof === null || aof.lastRewriteOk ? 'ok' : 'err'}`,
    `aof_rewrites:${aof?.rewrites ?? 0}`,
    `aof_last_write_status:${aof === null || aof.lastWriteOk ? 'ok' : 'err'}`,
  ];
  if (aof !== null) fields.push(`aof_current_size:${aof.size}`, `aof_base_size:${aof.baseSize}`, 'aof_pending_rewrite:0', 'aof_buffer_length:0', 'aof_pending_bio_fsync:0', 'aof_delayed_fsync:0');
  return fields;
}

/** INFO's loading fields: loading:0, or loading:1 and the progress, as Redis's genRedisInfoString. */
function loadingFields(server: Server): string[] {
  const loading = server.persistence.loading;
  if (loading === null) return ['loading:0'];
  const elapsed = (Date.now() - loading.startedAt) / 1000;
  const share = loading.totalBytes === 0 ? 0 : loading.loadedBytes / loading.totalBytes;
  const eta = share === 0 ? 1 : Math.round((elapsed / share) * (1 - share));
  return [
    'loading:1',
    `loading_start_time:${Math.floor(loading.startedAt / 1000)}`,
    `loading_total_bytes:${loading.totalBytes}`,
    'loading_rdb_used_mem:0',
    `loading_loaded_bytes:${loading.loadedBytes}`,
    `loading_loaded_perc:${(share * 100).toFixed(2)}`,
    `loading_eta_seconds:${eta}`,
  ];
}

function persistenceSection(server: Server): string[] {
  const persistence = server.persistence;
  const bgsaveStartedAt = persistence.backgroundSaveStartedAt;
  return [
    ...loadingFields(server),
    'async_loading:0',
    `rdb_changes_since_last_save:${server.dirty}`,
    `rdb_bgsave_in_progress:${bgsaveStartedAt === null ? 0 : 1}`,
    `rdb_last_save_time:${persistence.lastSave}`,
    `rdb_last_bgsave_status:${persistence.lastBgsaveOk ? 'ok' : 'err'}`,
    `rdb_last_bgsave_time_sec:${persistence.lastBgsaveSeconds}`,
    `rdb_current_bgsave_time_sec:${bgsaveStartedAt === null ? -1 : Math.round((Date.now() - bgsaveStartedAt) / 1000)}`,
    `rdb_saves:${persistence.saves}`,
    ...appendOnlyFields(server),
  ];
}

/** The counters of the previous INFO that showed them, and when, per server and per section. */
interface Sample {
  at: number;
  counts: readonly number[];
}

/**
 * Per-second rates of `counts` since the previous INFO that showed them (since start-up the
 * first time), as Redis's instantaneous_* fields; `samples` keeps them per server.
 */
function ratesSincePrevious(samples: WeakMap<Server, Sample>, server: Server, counts: readonly number[]): number[] {
  const now = performance.now();
  const previous = samples.get(server) ?? { at: now - (Date.now() - server.startedAt), counts: counts.map(() => 0) };
  samples.set(server, { at: now, counts });
  const seconds = (now - previous.at) / 1000;
  return counts.map((count, i) => (seconds > 0 ? Math.round((count - previous.counts[i]) / seconds) : 0));
}

const brokerSamples = new WeakMap<Server, Sample>();

/** The broker's queues, exchanges and messages, and its rates since the previous INFO. */
function brokerSection(server: Server): string[] {
  const stats = server.broker.stats();
  const [publishRate, deliverRate, ackRate] = ratesSincePrevious(brokerSamples, server, [stats.published, stats.delivered, stats.acked]);
  return [
    `mq_queues:${stats.queues}`,
    `mq_exchanges:${stats.exchanges}`,
    `mq_bindings:${stats.bindings}`,
    `mq_messages_ready:${stats.messagesReady}`,
    `mq_messages_unacked:${stats.messagesUnacked}`,
    `mq_memory:${stats.memory}`,
    `mq_max_memory:${server.config.get('mq-max-memory')}`,
    `mq_published:${stats.published}`,
    `mq_delivered:${stats.delivered}`,
    `mq_acked:${stats.acked}`,
    `mq_publish_per_sec:${publishRate}`,
    `mq_deliver_per_sec:${deliverRate}`,
    `mq_ack_per_sec:${ackRate}`,
    `mq_journal_size:${server.persistence.brokerJournal.size}`,
  ];
}

function statsSection(server: Server): string[] {
  const stats = server.stats;
  const [opsPerSec] = ratesSincePrevious(opsSamples, server, [stats.commandsProcessed]);
  let hits = 0;
  let misses = 0;
  for (const db of server.databases) {
    hits += db.keyspaceHits;
    misses += db.keyspaceMisses;
  }
  return [
    `total_connections_received:${stats.connectionsReceived}`,
    `total_commands_processed:${stats.commandsProcessed}`,
    `instantaneous_ops_per_sec:${opsPerSec}`,
    `total_net_input_bytes:${stats.netInputBytes}`,
    `total_net_output_bytes:${stats.netOutputBytes}`,
    'total_net_repl_input_bytes:0',
    'total_net_repl_output_bytes:0',
    `rejected_connections:${stats.rejectedConnections}`,
    'sync_full:0',
    'sync_partial_ok:0',
    'sync_partial_err:0',
    `expired_keys:${stats.expiredKeys}`,
    `evicted_keys:${server.eviction.evictedKeys}`,
    'evicted_clients:0',
    `keyspace_hits:${hits}`,
    `keyspace_misses:${misses}`,
    `pubsub_channels:${server.pubsub.channels.size}`,
    `pubsub_patterns:${server.pubsub.patterns.size}`,
    `pubsubshard_channels:${server.pubsub.shardChannels.size}`,
    'latest_fork_usec:0',
    'total_forks:0',
    `total_error_replies:${server.writer.errorReplies}`,
  ];
}

function replicationSection(): string[] {
  return [
    'role:master',
    'connected_slaves:0',
    'master_failover_state:no-failover',
    `master_replid:${REPLICATION_ID}`,
    'master_replid2:0000000000000000000000000000000000000000',
    'master_repl_offset:0',
    'second_repl_offset:-1',
    'repl_backlog_active:0',
    'repl_backlog_size:1048576',
    'repl_backlog_first_byte_offset:0',
    'repl_backlog_histlen:0',
  ];
}

function cpuSection(): string[] {
  const usage = process.cpuUsage();
  return [
    `used_cpu_sys:${seconds(usage.system)}`,
    `used_cpu_user:${seconds(usage.user)}`,
    'used_cpu_sys_children:0.000000',
    'used_cpu_user_children:0.000000',
    `used_cpu_sys_main_thread:${seconds(usage.system)}`,
    `used_cpu_user_main_thread:${seconds(usage.user)}`,
  ];
}

function commandstatsSection(server: Server): string[] {
  const lines: string[] = [];
  const add = (command: Command) => {
    const { calls, usec, rejectedCalls, failedCalls } = command.stats;
    if (calls === 0 && rejectedCalls === 0 && failedCalls === 0) return;
    const total = Math.round(usec);
    lines.push(`cmdstat_${command.fullName}:calls=${calls},usec=${total},usec_per_call=${(calls === 0 ? 0 : total / calls).toFixed(2)},rejected_calls=${rejectedCalls},failed_calls=${failedCalls}`);
  };
  for (const command of server.table.all()) add(command);
  return lines;
}

function errorstatsSection(server: Server): string[] {
  return [...server.writer.errorCodes].map(([code, count]) => `errorstat_${code}:count=${count}`);
}

function keyspaceSection(server: Server): string[] {
  const lines: string[] = [];
  for (const db of server.databases) {
    if (db.size === 0) continue;
    const avgTtl = db.expires.size === 0 ? 0 : Math.floor(db.averageTtl);
    lines.push(`db${db.id}:keys=${db.size},expires=${db.expires.size},avg_ttl=${avgTtl}`);
  }
  return lines;
}

/** The sections `INFO args...` asks for, as Redis's genInfoSectionDict. */
function requestedSections(args: readonly string[]): Set<string> {
  const wanted = new Set<string>();
  if (args.length === 0) args = ['default'];
  for (const arg of args) {
    const name = arg.toLowerCase();
    if (name === 'default') {
      for (const section of SECTIONS) if (section.inDefault) wanted.add(section.name);
    } else if (name === 'all' || name === 'everything') {
      for (const section of SECTIONS) wanted.add(section.name);
    } else {
      wanted.add(name);
    }
  }
  return wanted;
}

/** The INFO text for `args`: Redis's `# Section` blocks, CRLF line ends, a blank line between. */
export function infoText(server: Server, args: readonly string[]): string {
  const wanted = requestedSections(args);
  const blocks: string[] = [];
  for (const section of SECTIONS) {
    if (!wanted.has(section.name)) continue;
    const lines = [`# ${section.header}`, ...section.render(server)];
    blocks.push(lines.map((line) => line + '\r\n').join(''));
  }
  return blocks.join('\r\n');
}

/** INFO [section [section ...]] */
function info(client: Client, argv: string[]): void {
  client.reply.verbatim(infoText(client.server, argv.slice(1)));
}

export const infoCommands: CommandSpec[] = [
  { name: 'info', arity: -1, flags: ['loading', 'stale'], group: 'server', since: '1.0.0', summary: 'Returns information and statistics about the server.', complexity: 'O(1)', handler: info },
];
