import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { useRealRedis } from './external.js';
import { connect, errorOf, startTestServer } from './helpers.js';
import type { Server } from '../src/index.js';

const OOM = "OOM command not allowed when used memory > 'maxmemory'.";

/** A field of INFO as a number. */
async function infoNumber(redis: Redis, field: string): Promise<number> {
  const info = String(await redis.info());
  const match = new RegExp(`\\r\\n${field}:([^\\r]+)\\r\\n`).exec(info);
  if (match === null) throw new Error(`no ${field} in INFO`);
  return Number(match[1]);
}

/** What a database's running estimate should be, counted again from scratch. */
function recount(server: Server, index: number): number {
  const db = server.databases[index];
  let bytes = 0;
  for (const key of db.dict.keys()) bytes += db.usage(key);
  return bytes;
}

describe('maxmemory and eviction', () => {
  let server: Server;
  let redis: Redis;

  beforeEach(async () => {
    server = await startTestServer();
    redis = connect(server, { protocol: 2 });
  });

  afterEach(async () => {
    redis.disconnect();
    await server.shutdown();
  });

  /** Sets maxmemory to what is used now plus `room` bytes, under `policy`. */
  async function budget(policy: string, room: number): Promise<number> {
    await redis.config('SET', 'maxmemory-policy', policy);
    const limit = (await infoNumber(redis, 'used_memory')) + room;
    await redis.config('SET', 'maxmemory', String(limit));
    return limit;
  }

  it('used_memory follows every kind of write: the running estimate equals a recount', async () => {
    const value = 'x'.repeat(100);
    await redis.set('s', value);
    await redis.append('s', 'more');
    await redis.setrange('s', 200, 'far');
    await redis.setbit('bits', 5000, 1);
    await redis.hset('h', 'a', '1', 'b', value);
    await redis.hset('h', 'a', value);
    await redis.hdel('h', 'b');
    await redis.rpush('l', 'a', 'b', 'c', value);
    await redis.lpop('l');
    await redis.ltrim('l', 0, 1);
    await redis.sadd('set', '1', '2', '3');
    await redis.sadd('set', 'not an integer');
    await redis.spop('set');
    await redis.zadd('z', '1', 'a', '2', 'b', '3', value);
    await redis.zincrby('z', 5, 'a');
    await redis.zpopmin('z');
    await redis.expire('h', 100);
    await redis.persist('h');
    await redis.expire('l', 100);
    await redis.rename('l', 'l2');
    await redis.copy('z', 'z2');
    await redis.sunionstore('u', 'set', 'set');
    await redis.move('z2', 1);
    await redis.rpoplpush('l2', 'l3');
    await redis.lmove('l2', 'l3', 'LEFT', 'RIGHT');
    await redis.incr('counter');
    await redis.incrbyfloat('float', '1.5');
    await redis.set('gone', 'x', 'PX', 1);
    await new Promise((resolve) => setTimeout(resolve, 10));
    await redis.get('gone');
    const dump = (await redis.callBuffer('DUMP', 'h')) as Buffer;
    await redis.call('RESTORE', 'restored', '0', dump);
    await redis.swapdb(0, 2);
    await redis.swapdb(0, 2);
    for (const index of [0, 1, 2]) expect(server.databases[index].bytes, `db ${index}`).to.equal(recount(server, index));
    expect(server.databases[0].bytes).to.be.above(1000);
    // Loaded again: small collections stay undecoded until read, then count as decoded.
    expect(await redis.call('DEBUG', 'RELOAD')).to.equal('OK');
    for (const index of [0, 1]) expect(server.databases[index].bytes, `db ${index} reloaded`).to.equal(recount(server, index));
    for (const key of await redis.keys('*')) await redis.type(key).then(() => redis.call('OBJECT', 'ENCODING', key));
    for (const index of [0, 1]) expect(server.databases[index].bytes, `db ${index} decoded`).to.equal(recount(server, index));
    await redis.flushall();
    for (const index of [0, 1]) expect(server.databases[index].bytes).to.equal(0);
    expect(await infoNumber(redis, 'used_memory_dataset')).to.equal(0);
  });

  it('noeviction: writes get OOM past maxmemory, reads and deletes go on', async () => {
    await budget('noeviction', 2000);
    let refused = '';
    for (let i = 0; i < 100 && refused === ''; i++) refused = await redis.set(`k${i}`, 'v'.repeat(100)).then(() => '', (e: Error) => e.message);
    expect(refused).to.equal(OOM);
    expect(await redis.get('k0')).to.equal('v'.repeat(100));
    expect(await errorOf(redis.multi().set('a', 'b').exec())).to.match(/^EXECABORT Transaction discarded because of previous errors/);
    expect(await redis.del('k0')).to.equal(1);
    expect(await infoNumber(redis, 'evicted_keys')).to.equal(0);
    const info = String(await redis.info('memory'));
    expect(info).to.match(/\r\nmaxmemory_policy:noeviction\r\n/).and.match(/\r\nmaxmemory_human:[\d.]+[KM]\r\n/);
  });

  it('allkeys-random keeps used_memory within maxmemory, counting evicted_keys and notifying `evicted`', async () => {
    const limit = await budget('allkeys-random', 20_000);
    await redis.config('SET', 'notify-keyspace-events', 'Ee');
    const subscriber = connect(server, { protocol: 2 });
    const evicted: string[] = [];
    subscriber.on('message', (_channel: string, key: string) => evicted.push(key));
    await subscriber.subscribe('__keyevent@0__:evicted');
    try {
      for (let i = 0; i < 500; i++) await redis.set(`k${i}`, 'v'.repeat(100));
      expect(await infoNumber(redis, 'used_memory')).to.be.at.most(limit);
      const count = await infoNumber(redis, 'evicted_keys');
      expect(count).to.be.above(300);
      expect(await redis.dbsize()).to.equal(500 - count);
      await redis.ping();
      expect(evicted.length).to.equal(count);
    } finally {
      subscriber.disconnect();
    }
  });

  for (const policy of ['volatile-random', 'volatile-lru', 'volatile-lfu', 'volatile-ttl']) {
    it(`${policy} evicts only keys with a TTL, and gives OOM once none is left`, async () => {
      for (let i = 0; i < 20; i++) await redis.set(`keep${i}`, 'v'.repeat(100));
      await budget(policy, 20_000);
      let refused = '';
      for (let i = 0; i < 1000 && refused === ''; i++) {
        refused = await redis.set(`ttl${i}`, 'v'.repeat(100), 'EX', 1000).then(() => '', (e: Error) => e.message);
      }
      expect(await infoNumber(redis, 'evicted_keys')).to.be.above(0);
      for (let i = 0; i < 20; i++) expect(await redis.exists(`keep${i}`)).to.equal(1);
      // Without a TTL nothing may go: past the limit, writes are refused.
      for (let i = 0; i < 1000 && refused === ''; i++) refused = await redis.set(`more${i}`, 'v'.repeat(100)).then(() => '', (e: Error) => e.message);
      expect(refused).to.equal(OOM);
    });
  }

  it('volatile-ttl evicts the nearest expiry first', async () => {
    await budget('volatile-ttl', 30_000);
    await redis.config('SET', 'maxmemory-samples', '64');
    for (let i = 0; i < 40; i++) await redis.set(`far${i}`, 'v'.repeat(100), 'EX', 100_000 + i);
    for (let i = 0; i < 200; i++) await redis.set(`near${i}`, 'v'.repeat(100), 'EX', 1000 + i);
    for (let i = 0; i < 40; i++) expect(await redis.exists(`far${i}`), `far${i}`).to.equal(1);
    expect(await infoNumber(redis, 'evicted_keys')).to.be.above(0);
  });

  it('allkeys-lru keeps the keys read recently; OBJECT IDLETIME tells their idle time', async () => {
    await redis.config('SET', 'maxmemory-policy', 'allkeys-lru');
    for (let i = 0; i < 100; i++) await redis.set(`old${i}`, 'v'.repeat(100));
    await new Promise((resolve) => setTimeout(resolve, 2100));
    for (let i = 0; i < 10; i++) await redis.get(`old${i}`);
    expect(await redis.object('IDLETIME', 'old0')).to.equal(0);
    expect(await redis.object('IDLETIME', 'old50')).to.be.at.least(2);
    expect(await errorOf(redis.object('FREQ', 'old0'))).to.match(/^ERR An LFU maxmemory policy is not selected/);
    await budget('allkeys-lru', 0);
    await redis.config('SET', 'maxmemory-samples', '10');
    for (let i = 0; i < 60; i++) await redis.set(`new${i}`, 'v'.repeat(100));
    let kept = 0;
    for (let i = 0; i < 10; i++) kept += await redis.exists(`old${i}`);
    expect(kept).to.be.at.least(9);
    expect(await infoNumber(redis, 'evicted_keys')).to.be.at.least(50);
  });

  it('allkeys-lfu keeps the keys read often; OBJECT FREQ tells their counter', async () => {
    await redis.config('SET', 'maxmemory-policy', 'allkeys-lfu');
    for (let i = 0; i < 100; i++) await redis.set(`k${i}`, 'v'.repeat(100));
    for (let round = 0; round < 100; round++) for (let i = 0; i < 10; i++) await redis.get(`k${i}`);
    expect(await redis.object('FREQ', 'k0')).to.be.above(5);
    expect(await redis.object('FREQ', 'k50')).to.be.at.most(5);
    expect(await errorOf(redis.object('IDLETIME', 'k0'))).to.match(/^ERR An LFU maxmemory policy is selected, idle time not tracked/);
    await budget('allkeys-lfu', 0);
    await redis.config('SET', 'maxmemory-samples', '10');
    for (let i = 0; i < 60; i++) await redis.set(`new${i}`, 'v'.repeat(100));
    let kept = 0;
    for (let i = 0; i < 10; i++) kept += await redis.exists(`k${i}`);
    expect(kept).to.be.at.least(9);
  });

  it('CONFIG SET maxmemory lower evicts down to it at once', async () => {
    await redis.config('SET', 'maxmemory-policy', 'allkeys-random');
    for (let i = 0; i < 1000; i++) await redis.set(`k${i}`, 'v'.repeat(100));
    const used = await infoNumber(redis, 'used_memory');
    const dataset = await infoNumber(redis, 'used_memory_dataset');
    const limit = used - Math.floor(dataset / 2);
    await redis.config('SET', 'maxmemory', String(limit));
    // The rest of an eviction that ran out of time goes on between commands.
    for (let tries = 0; tries < 50 && (await infoNumber(redis, 'used_memory')) > limit; tries++) await new Promise((r) => setTimeout(r, 10));
    expect(await infoNumber(redis, 'used_memory')).to.be.at.most(limit);
    expect(await redis.dbsize()).to.be.within(400, 550);
  });

  it('MEMORY USAGE, STATS, DOCTOR, HELP and their errors', async () => {
    await redis.set('k', 'v'.repeat(100));
    await redis.hset('h', ...Array.from({ length: 100 }, (_, i) => [`f${i}`, `v${i}`]).flat());
    const small = (await redis.memory('USAGE', 'k')) as number;
    expect(small).to.be.within(150, 400);
    expect(await redis.call('MEMORY', 'USAGE', 'k', 'SAMPLES', '0')).to.equal(small);
    expect((await redis.memory('USAGE', 'h')) as number).to.be.within(100 * 6, 100 * 60); // a listpack: ~9 bytes a pair
    expect(await redis.memory('USAGE', 'missing')).to.equal(null);
    expect(await errorOf(redis.call('MEMORY', 'USAGE', 'k', 'SAMPLES'))).to.equal('ERR syntax error');
    expect(await errorOf(redis.call('MEMORY', 'USAGE', 'k', 'SAMPLES', '-1'))).to.equal('ERR syntax error');
    expect(await errorOf(redis.call('MEMORY', 'USAGE', 'k', 'SAMPLES', 'x'))).to.equal('ERR value is not an integer or out of range');
    expect(await errorOf(redis.call('MEMORY', 'USAGE'))).to.equal("ERR wrong number of arguments for 'memory|usage' command");
    const stats = (await redis.memory('STATS')) as unknown[];
    expect(stats.filter((_, i) => i % 2 === 0)).to.include.members(['peak.allocated', 'total.allocated', 'keys.count', 'dataset.bytes']);
    expect(stats[stats.indexOf('keys.count') + 1]).to.equal(2);
    expect(await redis.memory('DOCTOR')).to.match(/^Hi Sam, this instance is empty or is using very little memory/);
    expect(((await redis.memory('HELP')) as string[])[0]).to.match(/^MEMORY <subcommand>/);
    expect(await redis.call('MEMORY', 'PURGE')).to.equal('OK');
    expect(await errorOf(redis.call('MEMORY', 'NOPE'))).to.match(/^ERR unknown subcommand 'NOPE'/);
  });

  describe('MEMORY USAGE beside redis-server', () => {
    const real = useRealRedis(Number(process.env.NODIS_MEMORY_REDIS_PORT ?? 6441));

    // Small hashes, sorted sets and sets of integers are packed by both (listpack, intset), and
    // larger ones are hash tables in both; lists are chunks of packed elements in both.
    it('is within 2x of Redis\'s figure for every type, packed or not', async () => {
      const range = (n: number) => Array.from({ length: n }, (_, i) => i);
      const fill = async (client: Redis) => {
        await client.set('short', 'v'.repeat(10));
        await client.set('long', 'v'.repeat(1000));
        for (const n of [10, 100, 1000]) {
          await client.hset(`hash${n}`, ...range(n).flatMap((i) => [`field:${i}`, `value:${i}`]));
          await client.rpush(`list${n}`, ...range(n).map((i) => `element:${i}`));
          await client.sadd(`set${n}`, ...range(n).map((i) => `member:${i}`));
          await client.sadd(`intset${n}`, ...range(n).map(String));
          await client.zadd(`zset${n}`, ...range(n).flatMap((i) => [String(i), `member:${i}`]));
        }
      };
      await fill(redis);
      await fill(real.client);
      const keys = [
        'short', 'long', 'hash10', 'hash100', 'hash1000', 'list10', 'list100', 'list1000', 'set10', 'set100', 'set1000',
        'intset10', 'intset100', 'intset1000', 'zset10', 'zset100', 'zset1000',
      ];
      for (const key of keys) {
        const ours = (await redis.memory('USAGE', key)) as number;
        const theirs = (await real.client.memory('USAGE', key, 'SAMPLES', '0')) as number;
        expect(ours / theirs, `${key}: nodis ${ours}, Redis ${theirs}`).to.be.within(0.5, 2);
      }
    });
  });
});
