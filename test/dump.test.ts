import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { ALL_BYTES, arityError, connect, contents, errorOf, startTestServer } from './helpers.js';
import { useRealRedis } from './external.js';
import type { Server } from '../src/index.js';

const BIN = ALL_BYTES.toString('latin1');

/** One key of each type and encoding, created by `redis`. */
async function makeKeys(redis: Redis): Promise<void> {
  await redis.set('string', BIN);
  await redis.set('integer', '-123456');
  await redis.set('long', 'y'.repeat(1000));
  await redis.rpush('list', 'a', BIN, '1');
  await redis.rpush('biglist', ...Array.from({ length: 3000 }, (_, i) => `e${i}`));
  await redis.hset('hash', 'f', 'v', BIN, BIN);
  await redis.hset('bighash', ...Array.from({ length: 1000 }, (_, i) => [`f${i}`, `v${i}`]).flat());
  await redis.sadd('intset', '1', '2', '-3');
  await redis.sadd('set', 'a', BIN);
  await redis.sadd('bigset', ...Array.from({ length: 1000 }, (_, i) => `m${i}`));
  await redis.zadd('zset', '1.5', 'a', '-inf', BIN);
  await redis.zadd('bigzset', ...Array.from({ length: 300 }, (_, i) => [String(i), `m${i}`]).flat());
}

const KEYS = ['string', 'integer', 'long', 'list', 'biglist', 'hash', 'bighash', 'intset', 'set', 'bigset', 'zset', 'bigzset'];

/** A key's type, value in a canonical order, and expiry time. */
async function valueOf(redis: Redis, key: string): Promise<unknown> {
  return (await contents(redis, 0, key))[key];
}

describe('DUMP and RESTORE', () => {
  let server: Server;
  let redis: Redis;

  before(async () => {
    server = await startTestServer();
    redis = connect(server, { protocol: 2 });
  });

  afterEach(() => redis.flushall());

  after(async () => {
    redis.disconnect();
    await server.shutdown();
  });

  it('DUMP then RESTORE gives back every type, encoding and binary value; DUMP of a missing key is nil', async () => {
    await makeKeys(redis);
    for (const key of KEYS) {
      const before = await valueOf(redis, key);
      const encoding = await redis.object('ENCODING', key);
      const payload = (await redis.dumpBuffer(key))!;
      expect(await redis.restore(`${key}:copy`, 0, payload)).to.equal('OK');
      expect(await valueOf(redis, `${key}:copy`)).to.deep.equal(before);
      expect(await redis.object('ENCODING', `${key}:copy`)).to.equal(encoding);
    }
    expect(await redis.dump('missing')).to.equal(null);
  });

  it('RESTORE with a TTL, ABSTTL, REPLACE; a TTL already past creates nothing', async () => {
    await redis.set('k', 'v');
    const payload = (await redis.dumpBuffer('k'))!;
    expect(await errorOf(redis.restore('k', 0, payload))).to.equal('BUSYKEY Target key name already exists.');
    expect(await redis.restore('k', 5000, payload, 'REPLACE')).to.equal('OK');
    expect(await redis.pttl('k')).to.be.within(4000, 5000);
    const at = Date.now() + 100_000;
    expect(await redis.restore('abs', at, payload, 'ABSTTL')).to.equal('OK');
    expect(await redis.pexpiretime('abs')).to.equal(at);
    expect(await redis.call('RESTORE', 'abs', '1', payload, 'ABSTTL', 'REPLACE')).to.equal('OK');
    expect(await redis.exists('abs')).to.equal(0);
    expect(await redis.restore('idle', 0, payload, 'IDLETIME', 10)).to.equal('OK');
    expect(await redis.restore('freq', 0, payload, 'FREQ', 255)).to.equal('OK');
  });

  it("errors in Redis's order: options, existing key, TTL, payload version and checksum, contents", async () => {
    await redis.set('k', 'v');
    const payload = (await redis.dumpBuffer('k'))!;
    expect(await errorOf(redis.call('DUMP'))).to.equal(arityError('dump'));
    expect(await errorOf(redis.call('RESTORE', 'x', '0'))).to.equal(arityError('restore'));
    expect(await errorOf(redis.call('RESTORE', 'k', 'x', payload, 'BOGUS'))).to.equal('ERR syntax error');
    expect(await errorOf(redis.call('RESTORE', 'n', '0', payload, 'FREQ', '1', 'IDLETIME', '1'))).to.equal('ERR syntax error');
    expect(await errorOf(redis.call('RESTORE', 'n', '0', payload, 'IDLETIME', '-1'))).to.equal('ERR Invalid IDLETIME value, must be >= 0');
    expect(await errorOf(redis.call('RESTORE', 'n', '0', payload, 'IDLETIME', 'x'))).to.equal('ERR value is not an integer or out of range');
    expect(await errorOf(redis.call('RESTORE', 'n', '0', payload, 'FREQ', '256'))).to.equal('ERR Invalid FREQ value, must be >= 0 and <= 255');
    expect(await errorOf(redis.call('RESTORE', 'k', 'x', 'junk'))).to.equal('BUSYKEY Target key name already exists.');
    expect(await errorOf(redis.call('RESTORE', 'n', 'x', 'junk'))).to.equal('ERR value is not an integer or out of range');
    expect(await errorOf(redis.call('RESTORE', 'n', '-1', payload))).to.equal('ERR Invalid TTL value, must be >= 0');
    expect(await errorOf(redis.call('RESTORE', 'n', '0', 'junk'))).to.equal('ERR DUMP payload version or checksum are wrong');
    const flipped = Buffer.from(payload);
    flipped[1] ^= 1;
    expect(await errorOf(redis.call('RESTORE', 'n', '0', flipped))).to.equal('ERR DUMP payload version or checksum are wrong');
    const future = Buffer.from(payload);
    future.writeUInt16LE(99, future.length - 10);
    expect(await errorOf(redis.call('RESTORE', 'n', '0', future))).to.equal('ERR DUMP payload version or checksum are wrong');
    expect(await redis.exists('n')).to.equal(0);
  });

  describe('payloads move between nodis and redis-server', () => {
    const real = useRealRedis(Number(process.env.NODIS_DUMP_REDIS_PORT ?? 6437));

    it('RESTORE of Redis payloads in nodis, and of nodis payloads in Redis, gives the same values', async () => {
      const theirs = real.client;
      await theirs.flushall();
      await makeKeys(theirs);
      await makeKeys(redis);
      for (const key of KEYS) {
        expect(await redis.restore(`from-redis:${key}`, 0, (await theirs.dumpBuffer(key))!)).to.equal('OK');
        expect(await valueOf(redis, `from-redis:${key}`)).to.deep.equal(await valueOf(theirs, key));
        expect(await redis.object('ENCODING', `from-redis:${key}`)).to.equal(await theirs.object('ENCODING', key));
        expect(await theirs.restore(`from-nodis:${key}`, 0, (await redis.dumpBuffer(key))!)).to.equal('OK');
        expect(await valueOf(theirs, `from-nodis:${key}`)).to.deep.equal(await valueOf(redis, key));
      }
    });
  });
});
