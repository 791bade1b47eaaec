import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants as fsConstants, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serverEnvironment, serverNodeOptions } from '../src/node-options.js';
import { encodeBulkArray } from '../src/protocol/reply-writer.js';

/** The compiled nodis entry point, next to this file's compiled copy (dist/benchmarks/). */
export const NODIS_BIN = fileURLToPath(new URL('../bin/nodis-server.js', import.meta.url));

/** How long a server may take to answer its first PING. */
const STARTUP_TIMEOUT_MS = 15_000;
/** How long a stopping server may take before it is killed. */
const SHUTDOWN_TIMEOUT_MS = 5_000;

/** The full path of an executable found on PATH, or null. */
export function which(command: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, command);
    try {
      accessSync(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return null;
}

/** A loopback port nobody listens on right now (the kernel's pick). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

export interface RunningServer {
  name: string;
  port: number;
  pid: number;
  child: ChildProcess;
}

const running = new Set<RunningServer>();
/** Load generators in flight, killed with the servers if the benchmark is interrupted. */
const tools = new Set<ChildProcess>();
let cleanupInstalled = false;

/**
 * Makes sure no server outlives the benchmark: stopped on exit, on SIGINT/SIGTERM and on an
 * uncaught error.
 */
function installCleanup(): void {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  process.on('exit', () => {
    for (const server of running) server.child.kill('SIGKILL');
    for (const tool of tools) tool.kill('SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping servers`);
      void stopAll().finally(() => process.exit(130));
    });
  }
}

/** Spawns a server process and waits until it answers PING on `port`. */
async function startProcess(name: string, command: string, args: string[], port: number, env: Record<string, string> = {}): Promise<RunningServer> {
  installCleanup();
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
  const server: RunningServer = { name, port, pid: child.pid ?? -1, child };
  running.add(server);
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (text: string) => {
    if (stderr.length < 4096) stderr += text;
  });
  let exited = false;
  child.once('exit', () => {
    exited = true;
    running.delete(server);
  });
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${name} exited at startup: ${stderr.trim() || `code ${child.exitCode}`}`);
    if (await answersPing(port)) return server;
    // Polled often: the persistence benchmark times start-ups with it.
    await sleep(5);
  }
  await stopServer(server);
  throw new Error(`${name} did not answer PING on port ${port} within ${STARTUP_TIMEOUT_MS} ms`);
}

/** Starts nodis from the compiled tree as npm start does, without save points; `extra` adds options (`--dir`...). */
export function startNodis(port: number, extra: string[] = []): Promise<RunningServer> {
  const args = [...serverNodeOptions(), NODIS_BIN, '--port', String(port), '--bind', '127.0.0.1', '--save', '', ...extra];
  return startProcess('nodis', process.execPath, args, port, serverEnvironment());
}

/** Starts a real redis-server without save points or append-only file; `extra` adds options. */
export function startRedis(port: number, binary = 'redis-server', extra: string[] = []): Promise<RunningServer> {
  return startProcess('redis', binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...extra], port);
}

/** Stops a server (SIGTERM, then SIGKILL if it lingers). */
export async function stopServer(server: RunningServer): Promise<void> {
  const child = server.child;
  if (child.exitCode !== null || child.signalCode !== null) {
    running.delete(server);
    return;
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), SHUTDOWN_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
  running.delete(server);
}

/** Stops every server this process started. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((server) => stopServer(server)));
}

async function answersPing(port: number): Promise<boolean> {
  const client = await BenchClient.connect(port).catch(() => null);
  if (client === null) return false;
  try {
    return (await client.call('PING')) === 'PONG';
  } catch {
    return false;
  } finally {
    client.close();
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resident set size of a process in bytes, from /proc/PID/status (Linux). */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (match === null) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) * 1024;
}

// redis-parser ships no types; this is the part of its API the benchmarks use.
export interface RespParser {
  execute(chunk: Buffer): void;
}
export interface RespParserOptions {
  returnReply(reply: unknown): void;
  returnError(error: Error): void;
  returnFatalError?(error: Error): void;
  returnBuffers?: boolean;
}
export const RedisParser = createRequire(import.meta.url)('redis-parser') as new (options: RespParserOptions) => RespParser;

interface Pending {
  resolve(reply: unknown): void;
  reject(error: Error): void;
}

/**
 * A minimal pipelining RESP2 client on a raw socket (replies parsed by redis-parser), so the
 * load generators add as little as possible of their own overhead.
 */
export class BenchClient {
  private readonly pending: Pending[] = [];
  private head = 0;
  private readonly parser: RespParser;

  private constructor(private readonly socket: net.Socket) {
    this.parser = new RedisParser({
      returnReply: (reply) => this.settle()?.resolve(reply),
      returnError: (error) => this.settle()?.reject(error),
      returnFatalError: (error) => this.fail(error),
    });
    socket.on('data', (chunk: Buffer) => this.parser.execute(chunk));
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => this.fail(new Error('connection closed')));
  }

  static connect(port: number, host = '127.0.0.1'): Promise<BenchClient> {
    return new Promise((resolve, reject) => {
      const socket = net.createConnection({ port, host, noDelay: true });
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new BenchClient(socket));
      });
    });
  }

  /** Sends one command and resolves with its reply. */
  call(...args: string[]): Promise<unknown> {
    const done = this.expect();
    this.socket.write(encodeCommand(args));
    return done;
  }

  /** Sends pre-encoded commands in one write and resolves with their `count` replies. */
  pipeline(encoded: Buffer, count: number): Promise<unknown[]> {
    const replies: Promise<unknown>[] = [];
    for (let i = 0; i < count; i++) replies.push(this.expect());
    this.socket.write(encoded);
    return Promise.all(replies);
  }

  close(): void {
    this.socket.destroy();
  }

  private expect(): Promise<unknown> {
    return new Promise((resolve, reject) => this.pending.push({ resolve, reject }));
  }

  private settle(): Pending | undefined {
    const next = this.pending[this.head];
    if (next === undefined) return undefined;
    this.head++;
    if (this.head === this.pending.length) {
      this.pending.length = 0;
      this.head = 0;
    }
    return next;
  }

  private fail(error: Error): void {
    for (let i = this.head; i < this.pending.length; i++) this.pending[i].reject(error);
    this.pending.length = 0;
    this.head = 0;
  }
}

/** One command as a RESP array of bulk strings (latin1): the server's own encoder. */
export const encodeCommand = (args: readonly string[]): Buffer => encodeBulkArray(args);

export interface RedisBenchmarkOptions {
  port: number;
  tests: readonly string[];
  requests: number;
  clients: number;
  pipeline: number;
  /** Kill redis-benchmark after this long: it spins forever when the server goes away. */
  timeoutMs: number;
}

/**
 * Runs redis-benchmark in CSV mode; returns requests per second keyed by the lower-case test
 * name as given with -t ("MSET (10 keys)" becomes "mset").
 */
/** What redis-benchmark measured for one test. */
export interface BenchmarkResult {
  rps: number;
  p99Ms: number;
}

export function runRedisBenchmark(binary: string, options: RedisBenchmarkOptions): Promise<Map<string, BenchmarkResult>> {
  const args = [
    '-h', '127.0.0.1', '-p', String(options.port),
    '-c', String(options.clients), '-n', String(options.requests), '-P', String(options.pipeline),
    '-t', benchmarkSelectors(options.tests).join(','), '-q', '--csv',
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    tools.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      tools.delete(child);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      tools.delete(child);
      const output = `${stdout}\n${stderr}`.trim();
      if (signal === 'SIGKILL') {
        reject(new Error(`redis-benchmark timed out after ${options.timeoutMs} ms: ${lastLines(output)}`));
        return;
      }
      const results = parseBenchmarkCsv(stdout);
      const missing = options.tests.filter((test) => !results.has(test));
      if (code !== 0 || missing.length > 0) {
        reject(new Error(`redis-benchmark failed (exit ${code}) on ${missing.join(',') || 'port ' + options.port}: ${lastLines(output)}`));
        return;
      }
      resolve(results);
    });
  });
}

/** redis-benchmark's -t names: one `lrange` runs every LRANGE_N test. */
function benchmarkSelectors(tests: readonly string[]): string[] {
  return [...new Set(tests.map((test) => (test.startsWith('lrange_') ? 'lrange' : test)))];
}

/**
 * Parses `redis-benchmark --csv` output: a header line, then "TEST","rps","avg_latency_ms",
 * "min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms",... per test. Names are
 * "LRANGE_100 (first 100 elements)" style; the LPUSH that only fills LRANGE's list is left out.
 */
export function parseBenchmarkCsv(csv: string): Map<string, BenchmarkResult> {
  const results = new Map<string, BenchmarkResult>();
  for (const line of csv.split('\n')) {
    const fields = line.trim().split(',').map((field) => field.replace(/^"|"$/g, ''));
    if (fields.length < 2 || fields[0] === 'test') continue;
    const rps = Number(fields[1]);
    if (!Number.isFinite(rps) || fields[0].includes('(needed')) continue;
    results.set(fields[0].split(' ')[0].toLowerCase(), { rps, p99Ms: Number(fields[6]) });
  }
  return results;
}

function lastLines(text: string): string {
  return text.split('\n').slice(-3).join(' | ');
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function geometricMean(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  return Math.exp(values.reduce((sum, value) => sum + Math.log(value), 0) / values.length);
}

/** A Markdown table with right-aligned columns except the first. */
export function markdownTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => row[i].length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join(' | ')} |`;
  const rule = `|${widths.map((width, i) => (i === 0 ? '-'.repeat(width + 2) : '-'.repeat(width + 1) + ':')).join('|')}|`;
  return [line(headers), rule, ...rows.map(line)].join('\n');
}

/** 1234567.8 → "1,234,568". */
export function formatCount(value: number): string {
  return Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '-';
}

/**
 * Reads `--name value` / `--name=value` / `--flag` options, falling back to the environment
 * variable BENCH_NAME (upper case, dashes as underscores).
 */
export function option(name: string): string | undefined {
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === `--${name}`) {
      const next = argv[i + 1];
      return next === undefined || next.startsWith('--') ? 'true' : next;
    }
    if (arg.startsWith(`--${name}=`)) return arg.slice(name.length + 3);
  }
  return process.env[`BENCH_${name.toUpperCase().replace(/-/g, '_')}`];
}

/** A positive integer option, or `fallback`. */
export function integerOption(name: string, fallback: number): number {
  const text = option(name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} needs a positive integer, got '${text}'`);
  return value;
}
