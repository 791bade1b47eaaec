import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { Redis as IORedis } from 'ioredis';
import { connect, errorOf, RawClient, startServerProcess, startTestServer, until } from './helpers.js';
import type { Server } from '../src/index.js';

const DEFAULT_LIMITS = 'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60';

describe('client-output-buffer-limit', () => {
  let server: Server;
  let redis: Redis;

  before(async () => {
    server = await startTestServer();
    redis = connect(server, { protocol: 2 });
  });

  afterEach(async () => {
    await redis.config('SET', 'client-output-buffer-limit', DEFAULT_LIMITS);
    await redis.flushall();
  });

  after(async () => {
    redis.disconnect();
    await server.shutdown();
  });

  it('CONFIG GET shows every class; CONFIG SET changes the classes it names, in memory units', async () => {
    expect(await redis.config('GET', 'client-output-buffer-limit')).to.deep.equal(['client-output-buffer-limit', DEFAULT_LIMITS]);
    await redis.config('SET', 'client-output-buffer-limit', 'pubsub 1mb 512kb 5');
    await redis.config('SET', 'client-output-buffer-limit', 'NORMAL 10mb 5mb 1 replica 1gb 0 0');
    expect(await redis.config('GET', 'client-output-buffer-limit')).to.deep.equal(['client-output-buffer-limit', 'normal 10485760 5242880 1 slave 1073741824 0 0 pubsub 1048576 524288 5']);
  });

  it('CONFIG SET rejects malformed limits with Redis\'s reasons and changes nothing', async () => {
    const failure = (reason: string) => `ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - ${reason}`;
    expect(await errorOf(redis.config('SET', 'client-output-buffer-limit', 'pubsub 1mb 512kb'))).to.equal(failure('Wrong number of arguments in buffer limit configuration.'));
    expect(await errorOf(redis.config('SET', 'client-output-buffer-limit', 'foo 1 1 1'))).to.equal(failure('Invalid client class specified in buffer limit configuration.'));
    expect(await errorOf(redis.config('SET', 'client-output-buffer-limit', 'pubsub x 1 1'))).to.equal(failure('Error in hard, soft or soft_seconds setting in buffer limit configuration.'));
    expect(await errorOf(redis.config('SET', 'client-output-buffer-limit', 'pubsub 1 1 -1'))).to.equal(failure('Error in hard, soft or soft_seconds setting in buffer limit configuration.'));
    expect(await redis.config('GET', 'client-output-buffer-limit')).to.deep.equal(['client-output-buffer-limit', DEFAULT_LIMITS]);
  });

  it('a subscriber that stops reading while a publisher floods it is dropped; everyone else goes on', async () => {
    await redis.config('SET', 'client-output-buffer-limit', 'pubsub 4mb 1mb 60');
    const subscriber = await RawClient.connect(server);
    subscriber.command('SUBSCRIBE', 'flood');
    await until(() => server.pubsub.channels.has('flood'));
    subscriber.socket.pause();
    const message = 'x'.repeat(100_000);
    // 50 MB in all: far beyond what the kernel's socket buffers absorb.
    for (let i = 0; i < 500 && server.pubsub.channels.has('flood'); i += 10) {
      const pipeline = redis.pipeline();
      for (let j = 0; j < 10; j++) pipeline.publish('flood', message);
      await pipeline.exec();
    }
    expect(server.pubsub.channels.has('flood')).to.equal(false);
    expect(await redis.publish('flood', 'after')).to.equal(0);
    expect(await redis.ping()).to.equal('PONG');
    subscriber.close();
  });

  it('staying above the soft limit for longer than its seconds drops a subscriber too', async () => {
    await redis.config('SET', 'client-output-buffer-limit', 'pubsub 0 1mb 0');
    const subscriber = await RawClient.connect(server);
    subscriber.command('SUBSCRIBE', 'slow');
    await until(() => server.pubsub.channels.has('slow'));
    subscriber.socket.pause();
    const message = 'y'.repeat(100_000);
    for (let i = 0; i < 500 && server.pubsub.channels.has('slow'); i++) {
      await redis.publish('slow', message);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    expect(server.pubsub.channels.has('slow')).to.equal(false);
    subscriber.close();
  });

  it('a normal client whose unread replies pass the hard limit is dropped when one is set', async () => {
    await redis.config('SET', 'client-output-buffer-limit', 'normal 2mb 0 0');
    await redis.set('big', 'v'.repeat(1_000_000));
    const reader = await RawClient.connect(server);
    reader.socket.pause();
    const clientsBefore = server.clients.size;
    for (let i = 0; i < 40; i++) reader.command('GET', 'big');
    await until(() => server.clients.size === clientsBefore - 1);
    expect(await redis.strlen('big')).to.equal(1_000_000);
    reader.close();
  });

  it('replies queued for a client that does not read are copies, not slices of the shared reply slabs', async () => {
    await redis.set('value', 'v'.repeat(8000));
    const clientsBefore = server.clients.size;
    const reader = await RawClient.connect(server);
    reader.socket.pause();
    await until(() => server.clients.size > clientsBefore);
    const socket = [...server.clients.values()].pop()!.socket as unknown as { writableLength: number; writableBuffer: { chunk: Buffer }[] };
    // Unread replies fill the kernel's buffers until Node queues the output; below Node's
    // high-water mark the server goes on reading this client.
    for (let i = 0; i < 5000 && socket.writableLength === 0; i++) {
      const processed = server.stats.commandsProcessed;
      reader.command('GET', 'value');
      await until(() => server.stats.commandsProcessed > processed);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(socket.writableLength).to.be.within(1, 16 * 1024);
    for (let i = 0; i < 5; i++) {
      reader.command('PING');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const pings = socket.writableBuffer.map((entry) => entry.chunk).filter((chunk) => chunk.length === 7);
    expect(pings).to.have.length(5);
    for (const chunk of pings) expect(chunk.buffer.byteLength).to.be.lessThan(16 * 1024);
    reader.close();
  });

  it('a client that does not read its replies does not hold up a shutdown', async () => {
    const other = await startTestServer();
    const admin = connect(other);
    await admin.set('big', 'v'.repeat(1_000_000));
    const reader = await RawClient.connect(other);
    reader.socket.pause();
    for (let i = 0; i < 30; i++) reader.command('GET', 'big');
    await until(() => [...other.clients.values()].some((client) => client.socket.writableLength > 0));
    admin.disconnect();
    await other.shutdown();
    reader.socket.resume();
    expect(await reader.waitClosed()).to.equal(true);
  });

  it('INFO reports the largest output and query buffers of the last seconds', async () => {
    await redis.set('big', 'v'.repeat(1_000_000));
    const reader = await RawClient.connect(server);
    const writer = await RawClient.connect(server);
    try {
      reader.socket.pause();
      for (let i = 0; i < 20; i++) reader.command('GET', 'big');
      writer.send(`*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$200000\r\n${'p'.repeat(150_000)}`);
      const recent = async (field: string) => Number(new RegExp(`${field}:(\\d+)`).exec(await redis.info('clients'))![1]);
      await until(() => server.clientPeaks.maxOutput >= 5_000_000 && server.clientPeaks.maxInput >= 150_000);
      expect(await recent('client_recent_max_output_buffer')).to.be.at.least(5_000_000);
      expect(await recent('client_recent_max_input_buffer')).to.be.within(150_000, 200_100);
    } finally {
      reader.close();
      writer.close();
    }
  });

  it('a flood to a subscriber that never reads: it is dropped, the server stays under 128 MB more RSS, others are served', async function () {
    this.timeout(60_000);
    const flooded = await startServerProcess();
    const options = { port: flooded.port, host: '127.0.0.1', protocol: 2 as const, enableReadyCheck: false };
    const publisher = new IORedis(options);
    const bystander = new IORedis(options);
    const subscriber = await RawClient.connect(flooded);
    try {
      subscriber.command('SUBSCRIBE', 'flood');
      await subscriber.read(33);
      subscriber.socket.pause();
      const baseline = flooded.rss();
      let peak = baseline;
      const message = 'm'.repeat(64 * 1024);
      // 256 MB offered in all, against the pubsub class's default limits (32 MB hard, 8 MB for 60 s soft).
      for (let batch = 0; batch < 40; batch++) {
        const pipeline = publisher.pipeline();
        for (let i = 0; i < 100; i++) pipeline.publish('flood', message);
        await pipeline.exec();
        expect(await bystander.set(`k${batch}`, String(batch))).to.equal('OK');
        expect(await bystander.get(`k${batch}`)).to.equal(String(batch));
        peak = Math.max(peak, flooded.rss());
      }
      // The subscriber is gone: only the publisher and the bystander are left.
      expect(await publisher.pubsub('NUMSUB', 'flood')).to.deep.equal(['flood', 0]);
      expect(String(await publisher.info('clients'))).to.contain('connected_clients:2\r\n');
      expect(peak - baseline).to.be.below(128 * 1024 * 1024);
    } finally {
      subscriber.close();
      publisher.disconnect();
      bystander.disconnect();
      await flooded.stop();
    }
  });
});
