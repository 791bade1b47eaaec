import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { connect, errorOf, RawClient, startTestServer, until } from './helpers.js';
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
});
