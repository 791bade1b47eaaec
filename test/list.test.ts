import { expect } from 'chai';
import { Redis } from 'ioredis';
import { ListValue } from '../src/datatypes/list.js';
import { ALL_BYTES, arityError, connect, errorOf, rawRequest, startTestServer } from './helpers.js';
import { replyOrError, seededRandom, useRealRedis } from './external.js';
import type { Server } from '../src/index.js';

const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';

describe('ListValue', () => {
  it('ListValue matches an array model under random pushes, pops, inserts and filters', () => {
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const list = new ListValue();
    const model: string[] = [];
    for (let step = 0; step < 20000; step++) {
      const op = rand(7);
      const v = String(rand(50));
      if (op === 0) { list.pushHead(v); model.unshift(v); }
      else if (op === 1) { list.pushTail(v); model.push(v); }
      else if (op === 2) expect(list.popHead()).to.equal(model.shift());
      else if (op === 3) expect(list.popTail()).to.equal(model.pop());
      else if (op === 4) { const i = rand(model.length + 1); list.insert(i, v); model.splice(i, 0, v); }
      else if (op === 5 && step % 50 === 0) {
        const removed = list.filter((x) => x !== v);
        const before = model.length;
        const kept = model.filter((x) => x !== v);
        model.length = 0; model.push(...kept);
        expect(removed).to.equal(before - kept.length);
      } else if (op === 6 && model.length > 0) { const i = rand(model.length); list.set(i, v); model[i] = v; }
      expect(list.size).to.equal(model.length);
    }
    expect(list.range(0, list.size - 1)).to.deep.equal(model);
    const copy = list.copy();
    copy.pushTail('x');
    expect(list.size).to.equal(model.length);
    expect(list.encoding()).to.equal('quicklist');
  });

  it('ListValue holds 10,000,000 elements', () => {
    const list = new ListValue();
    for (let i = 0; i < 10_000_000; i++) list.pushTail(String(i & 1023));
    expect(list.size).to.equal(10_000_000);
    expect(list.get(0)).to.equal('0');
    expect(list.get(9_999_999)).to.equal(String(9_999_999 & 1023));
    expect(list.range(9_999_998, 9_999_999)).to.deep.equal([String(9_999_998 & 1023), String(9_999_999 & 1023)]);
  });
});

describe('list commands', () => {
  let server: Server;
  let redis: Redis;
  let resp2: Redis;

  before(async () => {
    server = await startTestServer();
    redis = connect(server);
    resp2 = connect(server, { protocol: 2 });
  });

  after(async () => {
    redis.disconnect();
    resp2.disconnect();
    await server.shutdown();
  });

  beforeEach(async () => {
    await redis.flushall();
  });

  it('LPUSH and RPUSH add at both ends and return the length', async () => {
    expect(await redis.rpush('l', 'b', 'c')).to.equal(2);
    expect(await redis.lpush('l', 'a', 'z')).to.equal(4);
    expect(await redis.lrange('l', 0, -1)).to.deep.equal(['z', 'a', 'b', 'c']);
    expect(await redis.call('OBJECT', 'ENCODING', 'l')).to.equal('quicklist');
  });

  it('LPUSHX and RPUSHX only push to an existing list', async () => {
    expect(await redis.lpushx('l', 'a')).to.equal(0);
    expect(await redis.rpushx('l', 'a')).to.equal(0);
    expect(await redis.exists('l')).to.equal(0);
    await redis.rpush('l', 'm');
    expect(await redis.lpushx('l', 'a', 'b')).to.equal(3);
    expect(await redis.rpushx('l', 'y', 'z')).to.equal(5);
    expect(await redis.lrange('l', 0, -1)).to.deep.equal(['b', 'a', 'm', 'y', 'z']);
  });

  it('LPUSH arity and WRONGTYPE errors', async () => {
    expect(await errorOf(redis.call('LPUSH', 'l'))).to.equal(arityError('lpush'));
    expect(await errorOf(redis.call('RPUSHX', 'l'))).to.equal(arityError('rpushx'));
    await redis.set('s', 'x');
    for (const cmd of ['LPUSH', 'RPUSH', 'LPUSHX', 'RPUSHX']) expect(await errorOf(redis.call(cmd, 's', 'a'))).to.equal(WRONGTYPE);
    for (const args of [['LLEN', 's'], ['LINDEX', 's', '0'], ['LRANGE', 's', '0', '1'], ['LPOP', 's'], ['RPOP', 's', '1']]) {
      expect(await errorOf(redis.call(args[0], ...args.slice(1)))).to.equal(WRONGTYPE);
    }
  });

  it('LPUSH and LRANGE are binary safe', async () => {
    await redis.rpush(Buffer.from(ALL_BYTES), ALL_BYTES, Buffer.alloc(0));
    const got = await redis.lrangeBuffer(Buffer.from(ALL_BYTES), 0, -1);
    expect(got).to.deep.equal([ALL_BYTES, Buffer.alloc(0)]);
    expect(await redis.lindexBuffer(Buffer.from(ALL_BYTES), 0)).to.deep.equal(ALL_BYTES);
  });

  it('LLEN of a missing key is 0', async () => {
    expect(await redis.llen('nokey')).to.equal(0);
    await redis.rpush('l', 'a', 'b', 'c');
    expect(await redis.llen('l')).to.equal(3);
  });

  it('LINDEX with positive, negative and out of range indexes', async () => {
    await redis.rpush('l', 'a', 'b', 'c');
    expect(await redis.lindex('l', 0)).to.equal('a');
    expect(await redis.lindex('l', -1)).to.equal('c');
    expect(await redis.lindex('l', -3)).to.equal('a');
    expect(await redis.lindex('l', 3)).to.equal(null);
    expect(await redis.lindex('l', -4)).to.equal(null);
    expect(await errorOf(redis.call('LINDEX', 'l', 'x'))).to.equal('ERR value is not an integer or out of range');
    // Redis looks the key up first: a missing key answers nil even to a bad index.
    expect(await redis.call('LINDEX', 'nokey', 'x')).to.equal(null);
  });

  it('LRANGE clamps its indexes', async () => {
    await redis.rpush('l', 'a', 'b', 'c');
    expect(await redis.lrange('l', -100, 100)).to.deep.equal(['a', 'b', 'c']);
    expect(await redis.lrange('l', 1, -2)).to.deep.equal(['b']);
    expect(await redis.lrange('l', 2, 1)).to.deep.equal([]);
    expect(await redis.lrange('l', 5, 10)).to.deep.equal([]);
    expect(await redis.lrange('nokey', 0, -1)).to.deep.equal([]);
    expect(await errorOf(redis.call('LRANGE', 'nokey', 'a', '1'))).to.equal('ERR value is not an integer or out of range');
  });

  it('LSET replaces an element, with its errors', async () => {
    await redis.rpush('l', 'a', 'b', 'c');
    expect(await redis.lset('l', -1, 'z')).to.equal('OK');
    expect(await redis.lset('l', 0, 'y')).to.equal('OK');
    expect(await redis.lrange('l', 0, -1)).to.deep.equal(['y', 'b', 'z']);
    expect(await errorOf(redis.lset('nokey', 0, 'v'))).to.equal('ERR no such key');
    expect(await errorOf(redis.call('LSET', 'l', 'x', 'v'))).to.equal('ERR value is not an integer or out of range');
    expect(await errorOf(redis.lset('l', 3, 'v'))).to.equal('ERR index out of range');
    expect(await errorOf(redis.lset('l', -4, 'v'))).to.equal('ERR index out of range');
    await redis.set('s', 'x');
    expect(await errorOf(redis.lset('s', 0, 'v'))).to.equal(WRONGTYPE);
  });

  it('LTRIM keeps a range and deletes an emptied list', async () => {
    await redis.rpush('l', 'a', 'b', 'c', 'd', 'e');
    expect(await redis.ltrim('l', 1, -2)).to.equal('OK');
    expect(await redis.lrange('l', 0, -1)).to.deep.equal(['b', 'c', 'd']);
    expect(await redis.ltrim('l', -100, 100)).to.equal('OK');
    expect(await redis.llen('l')).to.equal(3);
    expect(await redis.ltrim('l', 2, 1)).to.equal('OK');
    expect(await redis.exists('l')).to.equal(0);
    expect(await redis.ltrim('nokey', 0, 1)).to.equal('OK');
    expect(await errorOf(redis.call('LTRIM', 'nokey', 'a', '1'))).to.equal('ERR value is not an integer or out of range');
    await redis.set('s', 'x');
    expect(await errorOf(redis.ltrim('s', 0, 1))).to.equal(WRONGTYPE);
  });

  it('LREM from the head, from the tail and all', async () => {
    await redis.rpush('l', 'x', 'a', 'x', 'b', 'x', 'c', 'x');
    expect(await redis.lrem('l', 1, 'x')).to.equal(1);
    expect(await redis.lrange('l', 0, -1)).to.deep.equal(['a', 'x', 'b', 'x', 'c', 'x']);
    expect(await redis.lrem('l', -2, 'x')).to.equal(2);
    expect(await redis.lrange('l', 0, -1)).to.deep.equal(['a', 'x', 'b', 'c']);
    expect(await redis.lrem('l', 0, 'x')).to.equal(1);
    expect(await redis.lrem('l', 0, 'nothing')).to.equal(0);
    expect(await redis.lrem('nokey', 0, 'x')).to.equal(0);
    expect(await errorOf(redis.call('LREM', 'nokey', 'a', 'x'))).to.equal('ERR value is not an integer or out of range');
    await redis.set('s', 'x');
    expect(await errorOf(redis.lrem('s', 0, 'x'))).to.equal(WRONGTYPE);
  });

  it('LINSERT before and after a pivot', async () => {
    await redis.rpush('l', 'a', 'c');
    expect(await redis.linsert('l', 'BEFORE', 'c', 'b')).to.equal(3);
    expect(await redis.call('LINSERT', 'l', 'after', 'c', 'd')).to.equal(4);
    expect(await redis.lrange('l', 0, -1)).to.deep.equal(['a', 'b', 'c', 'd']);
    expect(await redis.linsert('l', 'AFTER', 'zz', 'e')).to.equal(-1);
    expect(await redis.linsert('nokey', 'AFTER', 'a', 'e')).to.equal(0);
    expect(await errorOf(redis.call('LINSERT', 'l', 'MIDDLE', 'a', 'e'))).to.equal('ERR syntax error');
    await redis.set('s', 'x');
    expect(await errorOf(redis.linsert('s', 'AFTER', 'a', 'e'))).to.equal(WRONGTYPE);
  });

  it('LPOP and RPOP without and with count', async () => {
    await redis.rpush('l', 'a', 'b', 'c', 'd', 'e');
    expect(await redis.lpop('l')).to.equal('a');
    expect(await redis.rpop('l')).to.equal('e');
    expect(await redis.call('LPOP', 'l', '2')).to.deep.equal(['b', 'c']);
    expect(await redis.call('RPOP', 'l', '0')).to.deep.equal([]);
    expect(await redis.call('RPOP', 'l', '10')).to.deep.equal(['d']);
    expect(await redis.exists('l')).to.equal(0);
  });

  it('LPOP count errors', async () => {
    await redis.rpush('l', 'a');
    expect(await errorOf(redis.call('LPOP', 'l', '-1'))).to.equal('ERR value is out of range, must be positive');
    expect(await errorOf(redis.call('RPOP', 'l', 'x'))).to.equal('ERR value is out of range, must be positive');
    expect(await errorOf(redis.call('LPOP', 'l', '1', '2'))).to.equal(arityError('lpop'));
    expect(await errorOf(redis.call('LPOP'))).to.equal(arityError('lpop'));
  });

  it('LPOP of a missing key: null bulk without count, null array with count (RESP2 and RESP3)', async () => {
    const raw2 = [
      await rawRequest(server, ['LPOP', 'nokey'], 5),
      await rawRequest(server, ['LPOP', 'nokey', '1'], 5),
      await rawRequest(server, ['RPOP', 'nokey', '0'], 5),
    ];
    expect(raw2).to.deep.equal(['$-1\r\n', '*-1\r\n', '*-1\r\n']);
    const raw3 = [
      await rawRequest(server, ['LPOP', 'nokey'], 3, true),
      await rawRequest(server, ['LPOP', 'nokey', '1'], 3, true),
    ];
    expect(raw3).to.deep.equal(['_\r\n', '_\r\n']);
  });

  it('RPUSH builds a list of 10,000,000 elements', async () => {
    const batch = 20000;
    const total = 10_000_000;
    const args: string[] = new Array(batch);
    for (let start = 0; start < total; start += batch * 50) {
      const pipeline = resp2.pipeline();
      for (let b = start; b < start + batch * 50 && b < total; b += batch) {
        for (let i = 0; i < batch; i++) args[i] = String(b + i);
        pipeline.rpush('big', ...args);
      }
      await pipeline.exec();
    }
    expect(await redis.llen('big')).to.equal(total);
    expect(await redis.lindex('big', 0)).to.equal('0');
    expect(await redis.lindex('big', -1)).to.equal(String(total - 1));
    expect(await redis.lrange('big', 0, 1)).to.deep.equal(['0', '1']);
    expect(await redis.lrange('big', -2, -1)).to.deep.equal([String(total - 2), String(total - 1)]);
    expect(await redis.lindex('big', 5_000_000)).to.equal('5000000');
    await redis.del('big');
  });

  describe('differential test against redis-server', () => {
    const real = useRealRedis(Number(process.env.NODIS_LIST_REDIS_PORT ?? 6433));
    let theirs: Redis;
    let ours: Redis;

    before(() => {
      theirs = real.client;
      ours = connect(server, { protocol: 2 });
    });

    after(() => ours?.disconnect());

    it('a seeded random sequence of list commands replies as Redis does', async () => {
      const random = seededRandom(4343);
      const values = ['1', 'a', '', '__proto__', 'x'.repeat(100), ALL_BYTES.toString('latin1').slice(0, 30)];
      const value = () => values[random(values.length)];
      const key = () => ['l1', 'l2', 'str'][random(3)];
      const index = () => String(random(16) - 8);
      await theirs.flushall();
      await theirs.set('str', 'x');
      await ours.set('str', 'x');
      const makers: (() => string[])[] = [
        () => ['LPUSH', key(), value(), value()],
        () => ['RPUSH', key(), value(), value(), value()],
        () => ['LPUSHX', key(), value()],
        () => ['RPUSHX', key(), value()],
        () => ['LPOP', key()],
        () => ['RPOP', key()],
        () => ['LPOP', key(), String(random(4))],
        () => ['RPOP', key(), String(random(4) - 1)],
        () => ['LLEN', key()],
        () => ['LINDEX', key(), index()],
        () => ['LRANGE', key(), index(), index()],
        () => ['LSET', key(), index(), value()],
        () => ['LINSERT', key(), random(2) === 0 ? 'BEFORE' : 'after', value(), value()],
        () => ['LTRIM', key(), index(), index()],
        () => ['LREM', key(), String(random(5) - 2), value()],
        () => ['OBJECT', 'ENCODING', key()],
        () => ['DEL', key()],
      ];
      for (let i = 0; i < 500; i++) {
        const args = makers[random(makers.length)]();
        const expected = await replyOrError(theirs, args);
        const got = await replyOrError(ours, args);
        expect(got, `${i}: ${JSON.stringify(args)}`).to.deep.equal(expected);
      }
    });
  });
});
