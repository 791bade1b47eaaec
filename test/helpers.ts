import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import pino from 'pino';
import { Redis, type RedisOptions } from 'ioredis';
import { startServer, type Server } from '../src/index.js';
import type { CollectionValue } from '../src/keyspace/values.js';

/**
 * A server on an ephemeral loopback port, with logging off unless NODIS_TEST_LOG is set, and a
 * fresh directory of its own for snapshots (so no test loads or overwrites another's dump.rdb).
 */
export async function startTestServer(args: string[] = []): Promise<Server> {
  const logger = pino({ level: process.env.NODIS_TEST_LOG ?? 'silent' });
  return startServer(['--port', '0', '--save', '', '--dir', mkdtempSync(join(tmpdir(), 'nodis-test-')), ...args], logger);
}

/** An ioredis client for `server` (RESP3 by default, as ioredis 6 does; no INFO ready check). */
export function connect(server: Pick<Server, 'port'>, options: RedisOptions = {}): Redis {
  return new Redis({ port: server.port, host: '127.0.0.1', enableReadyCheck: false, maxRetriesPerRequest: 0, retryStrategy: () => null, ...options });
}

/**
 * A raw TCP connection for protocol tests: send bytes, read exactly what the server answers.
 * Everything is latin1 so any byte can be written and compared.
 */
export class RawClient {
  private received = '';
  private waiters: (() => void)[] = [];
  closed = false;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk) => {
      this.received += chunk.toString('latin1');
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => {});
  }

  /** Connects to a nodis test server, or to anything listening on a loopback port. */
  static connect(server: Pick<Server, 'port'>): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(server.port, '127.0.0.1', () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  send(data: string | Buffer): void {
    this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  /** Sends a command as a RESP array of bulk strings. */
  command(...args: (string | Buffer)[]): void {
    this.send(encodeCommand(args));
  }

  /** Waits for `length` bytes (or the close) and returns them. */
  async read(length: number, timeoutMs = 5000): Promise<string> {
    await this.waitFor(() => this.received.length >= length, timeoutMs);
    const out = this.received.slice(0, length);
    this.received = this.received.slice(out.length);
    return out;
  }

  /** Waits for `count` CRLF-terminated lines (or the close) and returns them without their CRLF. */
  async readLines(count: number, timeoutMs = 5000): Promise<string[]> {
    await this.waitFor(() => this.received.split('\r\n').length > count, timeoutMs);
    const parts = this.received.split('\r\n');
    this.received = parts.slice(count).join('\r\n');
    return parts.slice(0, count);
  }

  private async waitFor(ready: () => boolean, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!ready() && !this.closed) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Reads exactly `expected.length` bytes: compare the result with `expected`. */
  expect(expected: string, timeoutMs?: number): Promise<string> {
    return this.read(expected.length, timeoutMs);
  }

  /** Resolves once the server has closed the connection (false after the timeout). */
  async waitClosed(timeoutMs = 5000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    return this.closed;
  }

  close(): void {
    this.socket.destroy();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

/** Encodes a request as a RESP array of bulk strings. */
export function encodeCommand(args: (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const bytes = typeof arg === 'string' ? Buffer.from(arg, 'latin1') : arg;
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/** Every byte value 0x00-0xFF, for binary-safety tests. */
export const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

/** Sends `args` on `raw` and asserts that the next bytes it receives are exactly `expected`. */
export async function expectReply(raw: RawClient, args: (string | Buffer)[], expected: string): Promise<void> {
  raw.command(...args);
  const got = await raw.expect(expected);
  if (got !== expected) throw new Error(`${args.join(' ')}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(got)}`);
}

/** Switches `raw` to RESP3 and consumes HELLO's reply (its length varies with the client id). */
export async function switchToResp3(raw: RawClient): Promise<void> {
  raw.command('HELLO', '3');
  raw.command('PING');
  let received = '';
  while (!received.endsWith('+PONG\r\n')) {
    const next = await raw.read(1);
    if (next === '') throw new Error(`no reply to HELLO 3 (got ${JSON.stringify(received)})`);
    received += next;
  }
}

/** The error message a command is answered with; fails when the command succeeds. */
export async function errorOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected an error reply');
}

export function arityError(name: string): string {
  return `ERR wrong number of arguments for '${name}' command`;
}

/**
 * A collection of `type` without contents: enough for WRONGTYPE, TYPE, SCAN TYPE and OBJECT
 * ENCODING tests before the collection types exist.
 */
export function collectionStub(type: CollectionValue['type'], encoding = 'listpack'): CollectionValue {
  return { type, size: 1, bytes: 0, accountedBytes: 0, encoding: () => encoding, copy: () => collectionStub(type, encoding) };
}

/** Sends one command on a fresh raw connection (after HELLO 3 when `resp3`) and reads `length` bytes. */
export async function rawRequest(server: Server, args: (string | Buffer)[], length: number, resp3 = false): Promise<string> {
  const client = await RawClient.connect(server);
  if (resp3) await switchToResp3(client);
  client.command(...args);
  const reply = await client.read(length);
  client.close();
  return reply;
}

/** Asserts the exact bytes `args` is answered with on a fresh connection (RESP3 when `resp3`). */
export async function expectRawReply(server: Server, args: string[], expected: string, resp3 = false): Promise<void> {
  expect(await rawRequest(server, args, expected.length, resp3), args.join(' ')).to.equal(expected);
}

/** A test server with an ioredis client in RESP3 (ioredis's default) and one in RESP2. */
export async function startWithClients(): Promise<{ server: Server; redis: Redis; resp2: Redis }> {
  const server = await startTestServer();
  return { server, redis: connect(server), resp2: connect(server, { protocol: 2 }) };
}

/** Undoes startWithClients. */
export async function stopWithClients(server: Server, redis: Redis, resp2: Redis): Promise<void> {
  redis.disconnect();
  resp2.disconnect();
  await server.shutdown();
}

/** The raw connections a suite opens; closeAll (in afterEach) closes them. */
export class RawClients {
  private opened: RawClient[] = [];

  constructor(private readonly server: () => Server) {}

  /** A new raw connection, switched to RESP3 when `resp3`. */
  async open(resp3 = false): Promise<RawClient> {
    const raw = await RawClient.connect(this.server());
    this.opened.push(raw);
    if (resp3) await switchToResp3(raw);
    return raw;
  }

  closeAll(): void {
    for (const raw of this.opened) raw.close();
    this.opened = [];
  }
}

/** Waits until `condition` holds (the server runs in this process: a few event-loop turns). */
export async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(condition()).to.equal(true);
}

/** Reads as many bytes as `expected` has from `raw` and checks they are those. */
export async function expectBytes(raw: RawClient, expected: string): Promise<void> {
  expect(await raw.expect(expected)).to.equal(expected);
}

/** nodis-server as `npm start` runs it, built next to this file. */
export const SERVER_BIN = fileURLToPath(new URL('../bin/nodis-server.js', import.meta.url));

/** A nodis-server in a process of its own (to measure its memory), listening on an ephemeral port. */
export interface ServerProcess {
  port: number;
  child: ChildProcess;
  /** Resident set size of the server process in bytes. */
  rss(): number;
  stop(): Promise<void>;
}

export function startServerProcess(args: string[] = [], nodeArgs: string[] = []): Promise<ServerProcess> {
  return new Promise((resolve, reject) => {
    const dir = mkdtempSync(join(tmpdir(), 'nodis-process-'));
    const child = spawn(process.execPath, [...nodeArgs, SERVER_BIN, '--port', '0', '--save', '', '--dir', dir, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`nodis-server exited with ${code} before it was ready: ${output}`)));
    child.stdout!.on('data', (chunk) => {
      output += chunk;
      const ready = /"port":(\d+).*Ready to accept connections/.exec(output);
      if (ready === null) return;
      child.stdout!.removeAllListeners('data');
      child.stdout!.resume();
      child.removeAllListeners('exit');
      resolve({
        port: Number(ready[1]),
        child,
        rss: () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'latin1'))![1]) * 1024,
        stop: () => new Promise((done) => {
          child.once('exit', () => done());
          child.kill('SIGTERM');
        }),
      });
    });
  });
}

/**
 * What database `db` holds, comparable between servers: for every key matching `pattern`, its
 * type, its value in a canonical order and its expiry time (PEXPIRETIME, exact).
 */
export async function contents(redis: Redis, db = 0, pattern = '*'): Promise<Record<string, unknown>> {
  const latin1 = (bytes: Buffer) => bytes.toString('latin1');
  await redis.select(db);
  const keys = (await redis.keysBuffer(pattern)).map(latin1).sort();
  const found: Record<string, unknown> = {};
  for (const key of keys) {
    const name = Buffer.from(key, 'latin1');
    const type = await redis.type(name);
    let value: unknown;
    if (type === 'string') value = latin1((await redis.getBuffer(name))!);
    else if (type === 'list') value = (await redis.lrangeBuffer(name, 0, -1)).map(latin1);
    else if (type === 'set') value = (await redis.smembersBuffer(name)).map(latin1).sort();
    else if (type === 'hash') value = Object.entries(await redis.hgetallBuffer(name)).map(([f, v]) => `${f}=${latin1(v)}`).sort();
    else value = ((await redis.callBuffer('ZRANGE', name, '0', '-1', 'WITHSCORES')) as Buffer[]).map(latin1);
    found[key] = [type, value, await redis.pexpiretime(name)];
  }
  await redis.select(0);
  return found;
}
