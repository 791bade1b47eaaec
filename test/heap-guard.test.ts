import { expect } from 'chai';
import net from 'node:net';
import { connect, startServerProcess, type ServerProcess } from './helpers.js';

/** A server with a 96 MB heap: small enough to fill in a test. */
const SMALL_HEAP = ['--max-old-space-size=96'];

describe('heap limit: a server near V8\'s heap limit refuses writes instead of dying', () => {
  let server: ServerProcess;

  beforeEach(async () => {
    server = await startServerProcess([], SMALL_HEAP);
  });

  afterEach(async () => {
    if (server.child.exitCode === null && server.child.signalCode === null) await server.stop();
  });

  it('writes get -OOM near the limit, reads and deletes go on, and writes resume once there is room', async function () {
    this.timeout(60_000);
    const redis = connect(server, { protocol: 2 });
    try {
      const value = 'v'.repeat(100_000);
      let refused = '';
      let written = 0;
      // 100 KB strings live on the heap: 96 MB of them cannot fit.
      for (let batch = 0; batch < 100 && refused === ''; batch++) {
        const replies = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => redis.set(`key:${batch}:${i}`, value)));
        for (const reply of replies) {
          if (reply.status === 'fulfilled') written++;
          else refused = (reply.reason as Error).message;
        }
      }
      expect(refused).to.equal('OOM command not allowed when used memory is near the heap limit (heap_limit in INFO memory)');
      expect(written).to.be.above(100);
      expect(server.child.exitCode).to.equal(null);
      expect(await redis.get('key:0:0')).to.equal(value);
      expect(await redis.ping()).to.equal('PONG');
      const memory = String(await redis.info('memory'));
      expect(memory).to.match(/\r\nheap_full:1\r\n/).and.match(/\r\nheap_limit:\d+\r\n/);
      // Inside MULTI the refused write aborts the transaction, as Redis's OOM does.
      const multi = await redis.multi().set('x', '1').exec().catch((error: Error) => error.message);
      expect(String(multi)).to.match(/EXECABORT|OOM/);
      expect(await redis.flushall()).to.equal('OK');
      let accepted = false;
      for (let tries = 0; tries < 100 && !accepted; tries++) {
        accepted = await redis.set('after', 'flush').then(() => true, () => false);
        if (!accepted) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(accepted).to.equal(true);
      expect(await redis.get('after')).to.equal('flush');
    } finally {
      redis.disconnect();
    }
  });

  it('a request larger than a quarter of the heap closes its connection; others go on', async function () {
    this.timeout(30_000);
    const redis = connect(server, { protocol: 2 });
    const socket = net.createConnection({ port: server.port, host: '127.0.0.1' });
    try {
      await new Promise((resolve) => socket.once('connect', resolve));
      const closed = new Promise((resolve) => socket.once('close', resolve));
      socket.on('error', () => undefined);
      // A 40 MB bulk string, sent in pieces: more than a quarter of 96 MB.
      const size = 40 * 1024 * 1024;
      socket.write(`*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$${size}\r\n`);
      const piece = Buffer.alloc(1024 * 1024, 'x');
      const writable = () => new Promise<void>((resolve) => {
        const done = () => {
          socket.off('drain', done).off('close', done);
          resolve();
        };
        socket.on('drain', done).on('close', done);
      });
      for (let sent = 0; sent < size && !socket.destroyed; sent += piece.length) {
        if (!socket.write(piece)) await writable();
      }
      await closed;
      expect(await redis.ping()).to.equal('PONG');
      expect(await redis.exists('big')).to.equal(0);
      expect(server.child.exitCode).to.equal(null);
    } finally {
      socket.destroy();
      redis.disconnect();
    }
  });

  it('a reply larger than a quarter of the heap closes its connection instead of filling the heap', async function () {
    this.timeout(30_000);
    const redis = connect(server, { protocol: 2 });
    const reader = connect(server, { protocol: 2 });
    try {
      // 20 MB of list, read back 3 times in one pipeline: 60 MB of replies for one client.
      const element = 'e'.repeat(1000);
      for (let i = 0; i < 20; i++) await redis.rpush('list', ...Array.from({ length: 1000 }, () => element));
      const replies = await Promise.allSettled([1, 2, 3].map(() => reader.lrange('list', 0, -1)));
      expect(replies.some((reply) => reply.status === 'rejected')).to.equal(true);
      expect(await redis.llen('list')).to.equal(20_000);
      expect(server.child.exitCode).to.equal(null);
    } finally {
      redis.disconnect();
      reader.disconnect();
    }
  });
});
