import { expect } from 'chai';
import net from 'node:net';
import { connect, encodeCommand, RawClient, startTestServer } from './helpers.js';
import type { Server } from '../src/index.js';

/** mulberry32: a tiny seeded generator, so every run sends exactly the same bytes. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = 0x5eed;
const CONNECTIONS = 20;
const FRAMES_PER_CONNECTION = 300;
const SENTINEL_KEY = 'fuzz:sentinel';
const SENTINEL_VALUE = 'untouched \x00\xff value';

/**
 * Well-formed requests to start from. Commands that could wipe or reconfigure the server
 * (FLUSHALL, CONFIG SET, SHUTDOWN, DEBUG, CLIENT KILL) or allocate from a number (SETRANGE,
 * SETBIT) are left out, so what survives the fuzzing can be checked.
 */
const VOCABULARY: string[][] = [
  ['PING'], ['PING', 'x'], ['ECHO', 'hello'], ['SELECT', '1'], ['SELECT', '0'], ['HELLO', '3'], ['HELLO', '2'],
  ['SET', 'f:1', 'v'], ['SET', 'f:2', '10', 'PX', '5'], ['GET', 'f:1'], ['INCR', 'f:3'], ['INCRBY', 'f:3', '7'],
  ['DEL', 'f:1', 'f:2'], ['EXPIRE', 'f:3', '1'], ['TTL', 'f:3'], ['MSET', 'f:4', 'a', 'f:5', 'b'], ['MGET', 'f:4', 'f:5'],
  ['APPEND', 'f:4', 'zz'], ['STRLEN', 'f:4'], ['EXISTS', 'f:1'], ['TYPE', 'f:4'],
  ['MULTI'], ['EXEC'], ['DISCARD'], ['WATCH', 'f:1'], ['UNWATCH'], ['NOSUCHCOMMAND', 'a'], ['CONFIG', 'NOSUCH'],
];

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)];
}

/** One request: valid RESP or inline, mutated, truncated, or plain noise. */
function frame(random: () => number): Buffer {
  const argv = pick(random, VOCABULARY);
  const roll = random();
  if (roll < 0.35) return encodeCommand(argv);
  if (roll < 0.5) return Buffer.from(argv.map((a) => (random() < 0.3 ? `"${a}"` : a)).join(' ') + '\r\n', 'latin1');
  if (roll < 0.85) {
    const bytes = Buffer.from(encodeCommand(argv));
    const mutations = 1 + Math.floor(random() * 3);
    let out = bytes;
    for (let m = 0; m < mutations; m++) {
      const at = Math.floor(random() * out.length);
      const kind = random();
      if (kind < 0.4) {
        out[at] = Math.floor(random() * 256);
      } else if (kind < 0.6) {
        out = Buffer.concat([out.subarray(0, at), out.subarray(at + 1)]);
      } else if (kind < 0.8) {
        out = Buffer.concat([out.subarray(0, at), Buffer.of(pick(random, [0x2a, 0x24, 0x0d, 0x0a, 0x22, 0x27, 0x2d, 0x30, 0x39, 0x00])), out.subarray(at)]);
      } else {
        out = out.subarray(0, at);
      }
    }
    return out;
  }
  const noise = Buffer.alloc(1 + Math.floor(random() * 64));
  for (let i = 0; i < noise.length; i++) noise[i] = Math.floor(random() * 256);
  return noise;
}

/** A connection that is reopened whenever the server closes it, and keeps what it is sent. */
class FuzzConnection {
  private socket: net.Socket | null = null;
  received = '';
  reconnects = 0;

  constructor(private readonly port: number) {}

  async send(bytes: Buffer): Promise<void> {
    if (this.socket === null || this.socket.destroyed) await this.open();
    this.socket!.write(bytes);
  }

  close(): void {
    this.socket?.destroy();
  }

  private open(): Promise<void> {
    this.reconnects++;
    return new Promise((resolve, reject) => {
      const socket = net.connect(this.port, '127.0.0.1', () => resolve());
      socket.on('data', (chunk) => (this.received += chunk.toString('latin1')));
      socket.on('error', () => {});
      socket.once('error', reject);
      this.socket = socket;
    });
  }
}

describe('fuzzing', () => {
  let server: Server;

  before(async () => {
    server = await startTestServer();
  });

  after(async () => {
    await server.shutdown();
  });

  it('random and mutated frames on many connections leave the server serving and the data intact', async () => {
    const redis = connect(server);
    try {
      expect(await redis.set(SENTINEL_KEY, Buffer.from(SENTINEL_VALUE, 'latin1'))).to.equal('OK');

      const random = seededRandom(SEED);
      const connections = Array.from({ length: CONNECTIONS }, () => new FuzzConnection(server.port));
      for (let i = 0; i < FRAMES_PER_CONNECTION; i++) {
        for (const connection of connections) await connection.send(frame(random));
        if (i % 20 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
      for (const connection of connections) connection.close();

      const replies = connections.map((c) => c.received).join('');
      expect(replies.length).to.be.greaterThan(0);
      // Any handler that threw something other than a CommandError shows up as this reply.
      expect(replies).to.not.include('internal error');

      const fresh = await RawClient.connect(server);
      fresh.send('PING\r\n');
      expect(await fresh.expect('+PONG\r\n')).to.equal('+PONG\r\n');
      fresh.close();
      const value = await redis.getBuffer(SENTINEL_KEY);
      expect(value?.toString('latin1')).to.equal(SENTINEL_VALUE);
    } finally {
      redis.disconnect();
    }
  });
});
