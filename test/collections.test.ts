import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { ALL_BYTES, connect, errorOf, startTestServer } from './helpers.js';
import type { Server } from '../src/index.js';

const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';
const BIN = ALL_BYTES.toString('latin1');

/** For each type: how to create a key of it with two elements, and a reading and a writing command on it. */
const TYPES = {
  string: { create: ['SET', 'k', 'v'], read: ['GET', 'k'], write: ['APPEND', 'k', 'x'] },
  hash: { create: ['HSET', 'k', 'a', '1', 'b', '2'], read: ['HGET', 'k', 'a'], write: ['HSET', 'k', 'c', '3'] },
  list: { create: ['RPUSH', 'k', 'a', 'b'], read: ['LRANGE', 'k', '0', '-1'], write: ['LPUSH', 'k', 'c'] },
  set: { create: ['SADD', 'k', 'a', 'b'], read: ['SMEMBERS', 'k'], write: ['SADD', 'k', 'c'] },
  zset: { create: ['ZADD', 'k', '1', 'a', '2', 'b'], read: ['ZRANGE', 'k', '0', '-1'], write: ['ZADD', 'k', '3', 'c'] },
} as const;
type TypeName = keyof typeof TYPES;
const TYPE_NAMES = Object.keys(TYPES) as TypeName[];
const COLLECTIONS = TYPE_NAMES.filter((type) => type !== 'string');

/** `args` with its key argument (always "k" at index 1) renamed. */
const onKey = (args: readonly string[], key: string): string[] => [args[0], key, ...args.slice(2)];

describe('what every collection type shares', () => {
  let server: Server;
  let redis: Redis;

  before(async () => {
    server = await startTestServer();
    redis = connect(server, { protocol: 2 });
  });

  after(async () => {
    redis.disconnect();
    await server.shutdown();
  });

  beforeEach(async () => {
    await redis.flushall();
  });

  const run = (args: readonly string[]) => redis.call(args[0], ...args.slice(1));

  it('TYPE names each type, and every command of another type gets WRONGTYPE', async () => {
    for (const type of TYPE_NAMES) {
      await run(onKey(TYPES[type].create, type));
      expect(await redis.type(type)).to.equal(type);
    }
    for (const holder of TYPE_NAMES) {
      for (const other of TYPE_NAMES.filter((t) => t !== holder)) {
        for (const args of [TYPES[other].read, TYPES[other].write]) {
          expect(await errorOf(run(onKey(args, holder))), `${args[0]} on a ${holder}`).to.equal(WRONGTYPE);
        }
      }
    }
    // Nothing was changed by the refused writes.
    expect(await redis.hlen('hash')).to.equal(2);
    expect(await redis.llen('list')).to.equal(2);
    expect(await redis.scard('set')).to.equal(2);
    expect(await redis.zcard('zset')).to.equal(2);
  });

  it('removing the last element deletes the key', async () => {
    const emptiers: Record<(typeof COLLECTIONS)[number], string[]> = {
      hash: ['HDEL', 'hash', 'a', 'b'],
      list: ['LTRIM', 'list', '1', '0'],
      set: ['SREM', 'set', 'a', 'b'],
      zset: ['ZREMRANGEBYRANK', 'zset', '0', '-1'],
    };
    for (const type of COLLECTIONS) {
      await run(onKey(TYPES[type].create, type));
      await run(emptiers[type]);
      expect(await redis.exists(type), type).to.equal(0);
      expect(await redis.type(type)).to.equal('none');
    }
  });

  it('RENAME, COPY and MOVE carry every type whole, with binary keys and elements', async () => {
    for (const type of COLLECTIONS) {
      const key = BIN + type;
      await run(onKey(TYPES[type].create, key));
      const before = await run(onKey(TYPES[type].read, key));
      await redis.rename(key, `${key}-renamed`);
      expect(await redis.exists(key)).to.equal(0);
      expect(await run(onKey(TYPES[type].read, `${key}-renamed`))).to.deep.equal(before);

      expect(await redis.copy(`${key}-renamed`, `${key}-copy`)).to.equal(1);
      await run(onKey(TYPES[type].write, `${key}-copy`));
      expect(await run(onKey(TYPES[type].read, `${key}-renamed`)), `${type} copy is independent`).to.deep.equal(before);

      expect(await redis.move(`${key}-renamed`, 3)).to.equal(1);
      expect(await redis.exists(`${key}-renamed`)).to.equal(0);
      await redis.select(3);
      expect(await redis.type(`${key}-renamed`)).to.equal(type);
      expect(await run(onKey(TYPES[type].read, `${key}-renamed`))).to.deep.equal(before);
      await redis.select(0);
    }
  });

  it('SCAN TYPE filters by every type', async () => {
    for (const type of TYPE_NAMES) for (let i = 0; i < 3; i++) await run(onKey(TYPES[type].create, `${type}:${i}`));
    for (const type of TYPE_NAMES) {
      const [cursor, keys] = (await redis.call('SCAN', '0', 'COUNT', '1000', 'TYPE', type.toUpperCase())) as [string, string[]];
      expect(cursor).to.equal('0');
      expect(keys.sort()).to.deep.equal([0, 1, 2].map((i) => `${type}:${i}`));
    }
  });

  it('OBJECT ENCODING follows the size limits, and CONFIG SET moves them', async () => {
    const small = { hash: 'listpack', list: 'quicklist', set: 'intset', zset: 'listpack' };
    await run(['HSET', 'hash', 'f', 'v']);
    await run(['RPUSH', 'list', 'a']);
    await run(['SADD', 'set', '1']);
    await run(['ZADD', 'zset', '1', 'm']);
    for (const type of COLLECTIONS) expect(await redis.object('ENCODING', type), type).to.equal(small[type]);

    await run(['SADD', 'set', 'text']);
    expect(await redis.object('ENCODING', 'set')).to.equal('hashtable');
    await run(['HSET', 'hash', 'long', 'x'.repeat(65)]);
    expect(await redis.object('ENCODING', 'hash')).to.equal('hashtable');
    await run(['ZADD', 'zset', '2', 'x'.repeat(65)]);
    expect(await redis.object('ENCODING', 'zset')).to.equal('skiplist');

    await redis.config('SET', 'hash-max-listpack-entries', '2');
    await redis.config('SET', 'zset-max-ziplist-entries', '2');
    await redis.config('SET', 'set-max-intset-entries', '2');
    expect(await redis.config('GET', 'zset-max-listpack-entries')).to.deep.equal(['zset-max-listpack-entries', '2']);
    await run(['HSET', 'h2', 'a', '1', 'b', '2']);
    await run(['ZADD', 'z2', '1', 'a', '2', 'b']);
    await run(['SADD', 's2', '1', '2']);
    expect([await redis.object('ENCODING', 'h2'), await redis.object('ENCODING', 'z2'), await redis.object('ENCODING', 's2')]).to.deep.equal(['listpack', 'listpack', 'intset']);
    await run(['HSET', 'h2', 'c', '3']);
    await run(['ZADD', 'z2', '3', 'c']);
    await run(['SADD', 's2', '3']);
    expect([await redis.object('ENCODING', 'h2'), await redis.object('ENCODING', 'z2'), await redis.object('ENCODING', 's2')]).to.deep.equal(['hashtable', 'skiplist', 'hashtable']);
    for (const [name, value] of [['hash-max-listpack-entries', '512'], ['zset-max-listpack-entries', '128'], ['set-max-intset-entries', '512']]) {
      await redis.config('SET', name, value);
    }
  });

  it('a hash, a set and a sorted set of 1,000,000 members work', async function () {
    this.timeout(120_000);
    const total = 1_000_000;
    const batch = 10_000;
    const member = (i: number) => `m:${i}`;
    /** Runs `command` followed by the elements `element` gives, `batch` elements per command. */
    const fill = async (command: string[], element: (i: number) => string[]) => {
      const pipeline = redis.pipeline();
      for (let start = 0; start < total; start += batch) {
        const args = [...command];
        for (let i = start; i < start + batch; i++) args.push(...element(i));
        pipeline.call(args[0], ...args.slice(1));
      }
      await pipeline.exec();
    };
    await fill(['HSET', 'big-hash'], (i) => [member(i), String(i)]);
    expect(await redis.hlen('big-hash')).to.equal(total);
    expect(await redis.hget('big-hash', member(765_432))).to.equal('765432');
    expect(await redis.object('ENCODING', 'big-hash')).to.equal('hashtable');

    await fill(['SADD', 'big-set'], (i) => [member(i)]);
    expect(await redis.scard('big-set')).to.equal(total);
    expect(await redis.sismember('big-set', member(999_999))).to.equal(1);

    await fill(['ZADD', 'big-zset'], (i) => [String(i), member(i)]);
    expect(await redis.zcard('big-zset')).to.equal(total);
    expect(await redis.zrank('big-zset', member(654_321))).to.equal(654_321);
    expect(await redis.zrange('big-zset', '500000', '500001')).to.deep.equal([member(500_000), member(500_001)]);
    expect(await redis.zcount('big-zset', '(10', '20')).to.equal(10);
    expect(await redis.zpopmin('big-zset')).to.deep.equal([member(0), '0']);
    expect(await redis.zcard('big-zset')).to.equal(total - 1);
  });
});
