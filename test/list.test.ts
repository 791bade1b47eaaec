import { expect } from 'chai';
import { Redis } from 'ioredis';
import { ListValue } from '../src/datatypes/list.js';
import { ALL_BYTES, arityError, errorOf, rawRequest, startWithClients, stopWithClients } from './helpers.js';
import { replyOrError, seededRandom, useRealRedis } from './external.js';
import type { Server } from '../src/index.js';

const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';

describe('ListValue', () => {
  /** A list and an array model put through the same random operations, checked after each. */
  function exercise(seed: number, steps: number, value: (random: (n: number) => number) => string): void {
    const random = seededRandom(seed);
    const list = new ListValue();
    const model: string[] = [];
    const burst = (): string[] => Array.from({ length: [1, 2, 8, 40, 300][random(5)] }, () => value(random));
    for (let step = 0; step < steps; step++) {
      const op = random(13);
      const what = `step ${step}, op ${op}`;
      // Phases of growth and shrinking, so that chunks are packed, unpacked and emptied at both ends.
      const growing = step % 600 < 350;
      if (op < 4 && (growing || op < 2)) {
        const values = burst();
        const atHead = random(2) === 0;
        if (values.length === 1 && random(2) === 0) {
          if (atHead) list.pushHead(values[0]);
          else list.pushTail(values[0]);
        } else {
          list.pushAll(atHead, ['LPUSH', 'key', ...values], 2);
        }
        if (atHead) model.unshift(...values.reverse());
        else model.push(...values);
      } else if (op < 6) {
        for (let n = random(growing ? 3 : 40); n >= 0; n--) {
          if (random(2) === 0) expect(list.popHead(), what).to.equal(model.shift());
          else expect(list.popTail(), what).to.equal(model.pop());
        }
      } else if (op === 6) {
        const i = random(model.length + 1);
        const v = value(random);
        list.insert(i, v);
        model.splice(i, 0, v);
      } else if (op === 7 && model.length > 0) {
        const i = random(model.length);
        model[i] = value(random);
        list.set(i, model[i]);
      } else if (op === 8 && model.length > 0) {
        const i = random(model.length);
        expect(list.get(i), what).to.equal(model[i]);
        const stop = Math.min(model.length - 1, i + random(300));
        expect(list.range(i, stop), what).to.deep.equal(model.slice(i, stop + 1));
      } else if (op === 9) {
        const element = value(random);
        const limit = [1, 2, Infinity][random(3)];
        const fromTail = random(2) === 0;
        const matches = model.flatMap((x, i) => (x === element ? [i] : []));
        const removed = fromTail ? matches.slice(-limit) : matches.slice(0, limit);
        expect(list.remove(element, limit, fromTail), what).to.equal(removed.length);
        for (let i = removed.length - 1; i >= 0; i--) model.splice(removed[i], 1);
      } else if (op === 10) {
        const fromHead = random(Math.min(model.length, 200) + 1);
        const fromTail = random(Math.min(model.length - fromHead, 200) + 1);
        list.trim(fromHead, fromTail);
        model.splice(0, fromHead);
        model.splice(model.length - fromTail, fromTail);
      } else if (op === 11) {
        const element = model.length > 0 && random(2) === 0 ? model[random(model.length)] : value(random);
        const fromTail = random(2) === 0;
        const limit = random(model.length + 2);
        const found: number[] = [];
        list.find(element, fromTail, limit, (index) => found.push(index) < 3);
        const scanned = fromTail ? model.map((_, i) => model.length - 1 - i) : model.map((_, i) => i);
        const expected = scanned.slice(0, limit).filter((i) => model[i] === element).slice(0, 3);
        expect(found, what).to.deep.equal(expected);
      } else if (op === 12) {
        const copy = list.copy();
        expect(copy.bytes, what).to.equal(list.bytes);
        copy.pushTail('x');
        copy.trim(Math.min(model.length, 50), 0);
        expect(copy.range(0, copy.size - 1), what).to.deep.equal([...model.slice(50), 'x']);
      }
      expect(list.size, what).to.equal(model.length);
      if (process.env.LIST_DEBUG) expect(list.range(0, list.size - 1), what).to.deep.equal(model);
    }
    expect(list.range(0, list.size - 1)).to.deep.equal(model);
    expect(list.encoding()).to.equal('quicklist');
  }

  it('matches an array model: short elements, many alike, across chunk boundaries', () => {
    exercise(1, 6000, (random) => String(random(30)));
  });

  it('matches an array model: binary, empty, long and large elements', () => {
    const bytes = ALL_BYTES.toString('latin1');
    const large = 'L'.repeat(20_000);
    exercise(2, 3000, (random) => {
      const kind = random(20);
      if (kind === 0) return '';
      if (kind === 1) return large + String(random(3));
      if (kind < 5) return bytes.slice(random(256));
      if (kind < 8) return `element:${random(10)}`.repeat(1 + random(3)); // 13 chars or more: views when sliced
      return String(random(10));
    });
  });

  it('a 100 MB element is pushed, read, popped and packed beside small ones', () => {
    const large = 'x'.repeat(100 * 1024 * 1024);
    const list = new ListValue();
    list.pushAll(false, ['a', large, 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
    expect(list.get(1).length).to.equal(large.length);
    list.pushHead(large);
    expect(list.popTail()).to.equal('h');
    let found = -1;
    list.find(large, true, list.size, (index) => {
      found = index;
      return false;
    });
    expect(found).to.equal(2);
    expect(list.remove(large, 1, true)).to.equal(1);
    expect(list.popHead()).to.equal(large);
    expect(list.range(0, list.size - 1)).to.deep.equal(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
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

  before(async () => ({ server, redis, resp2 } = await startWithClients()));
  after(() => stopWithClients(server, redis, resp2));

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

  it('LPOS finds the first match, with RANK, COUNT and MAXLEN', async () => {
    await redis.rpush('l', 'a', 'b', 'c', 'a', 'b', 'c', 'a');
    expect(await redis.lpos('l', 'c')).to.equal(2);
    expect(await redis.lpos('l', 'z')).to.equal(null);
    expect(await redis.call('LPOS', 'l', 'a', 'RANK', '2')).to.equal(3);
    expect(await redis.call('LPOS', 'l', 'a', 'rank', '-1')).to.equal(6);
    expect(await redis.call('LPOS', 'l', 'b', 'RANK', '-2')).to.equal(1);
    expect(await redis.call('LPOS', 'l', 'a', 'RANK', '4')).to.equal(null);
    expect(await redis.call('LPOS', 'l', 'a', 'COUNT', '0')).to.deep.equal([0, 3, 6]);
    expect(await redis.call('LPOS', 'l', 'a', 'COUNT', '2')).to.deep.equal([0, 3]);
    expect(await redis.call('LPOS', 'l', 'a', 'RANK', '-1', 'COUNT', '0')).to.deep.equal([6, 3, 0]);
    expect(await redis.call('LPOS', 'l', 'a', 'RANK', '2', 'COUNT', '2', 'MAXLEN', '5')).to.deep.equal([3]);
    expect(await redis.call('LPOS', 'l', 'c', 'MAXLEN', '2')).to.equal(null);
    expect(await redis.call('LPOS', 'l', 'z', 'COUNT', '1')).to.deep.equal([]);
    expect(await redis.call('LPOS', 'nokey', 'a')).to.equal(null);
    expect(await redis.call('LPOS', 'nokey', 'a', 'COUNT', '1')).to.deep.equal([]);
    // As Redis 7.0, RANK LONG_MIN searches from the tail and ignores COUNT; LONG_MIN + 1 is a plain rank.
    expect(await redis.call('LPOS', 'l', 'a', 'RANK', '-9223372036854775808', 'COUNT', '1', 'MAXLEN', '4')).to.deep.equal([6, 3]);
    expect(await redis.call('LPOS', 'l', 'a', 'RANK', '-9223372036854775807', 'COUNT', '1')).to.deep.equal([]);
  });

  it('LPOS errors: RANK 0, negative COUNT and MAXLEN, syntax, WRONGTYPE after the options', async () => {
    await redis.rpush('l', 'a');
    await redis.set('s', 'x');
    const rankZero = "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list";
    expect(await errorOf(redis.call('LPOS', 'l', 'a', 'RANK', '0'))).to.equal(rankZero);
    expect(await errorOf(redis.call('LPOS', 's', 'a', 'RANK', '0'))).to.equal(rankZero);
    expect(await errorOf(redis.call('LPOS', 'l', 'a', 'RANK', 'x'))).to.equal('ERR value is not an integer or out of range');
    expect(await errorOf(redis.call('LPOS', 'l', 'a', 'RANK', '9223372036854775808'))).to.equal('ERR value is not an integer or out of range');
    expect(await errorOf(redis.call('LPOS', 'l', 'a', 'COUNT', '-1'))).to.equal("ERR COUNT can't be negative");
    expect(await errorOf(redis.call('LPOS', 'l', 'a', 'COUNT', 'x'))).to.equal("ERR COUNT can't be negative");
    expect(await errorOf(redis.call('LPOS', 'l', 'a', 'MAXLEN', '-1'))).to.equal("ERR MAXLEN can't be negative");
    expect(await errorOf(redis.call('LPOS', 'l', 'a', 'RANK'))).to.equal('ERR syntax error');
    expect(await errorOf(redis.call('LPOS', 'l', 'a', 'FOO', '1'))).to.equal('ERR syntax error');
    expect(await errorOf(redis.call('LPOS', 's', 'a'))).to.equal(WRONGTYPE);
    expect(await errorOf(redis.call('LPOS', 'l'))).to.equal(arityError('lpos'));
  });

  it('LPOS is binary safe, null bulk in RESP2 and RESP3', async () => {
    await redis.rpush('l', 'x', ALL_BYTES, 'y');
    expect(await redis.call('LPOS', 'l', ALL_BYTES)).to.equal(1);
    expect(await rawRequest(server, ['LPOS', 'l', 'z'], 5)).to.equal('$-1\r\n');
    expect(await rawRequest(server, ['LPOS', 'l', 'z'], 3, true)).to.equal('_\r\n');
  });

  it('LMOVE moves between either ends, creating the destination and deleting an emptied source', async () => {
    await redis.rpush('src', 'a', 'b', 'c');
    expect(await redis.lmove('src', 'dst', 'LEFT', 'RIGHT')).to.equal('a');
    expect(await redis.call('LMOVE', 'src', 'dst', 'right', 'left')).to.equal('c');
    expect(await redis.lrange('dst', 0, -1)).to.deep.equal(['c', 'a']);
    expect(await redis.lmove('src', 'dst', 'LEFT', 'LEFT')).to.equal('b');
    expect(await redis.exists('src')).to.equal(0);
    expect(await redis.lrange('dst', 0, -1)).to.deep.equal(['b', 'c', 'a']);
    expect(await redis.lmove('src', 'dst', 'LEFT', 'LEFT')).to.equal(null);
  });

  it('LMOVE and RPOPLPUSH on one key rotate the list', async () => {
    await redis.rpush('l', 'a', 'b', 'c');
    expect(await redis.rpoplpush('l', 'l')).to.equal('c');
    expect(await redis.lrange('l', 0, -1)).to.deep.equal(['c', 'a', 'b']);
    expect(await redis.lmove('l', 'l', 'LEFT', 'RIGHT')).to.equal('c');
    expect(await redis.lrange('l', 0, -1)).to.deep.equal(['a', 'b', 'c']);
    await redis.rpush('one', 'x');
    expect(await redis.lmove('one', 'one', 'RIGHT', 'LEFT')).to.equal('x');
    expect(await redis.lrange('one', 0, -1)).to.deep.equal(['x']);
  });

  it('LMOVE and RPOPLPUSH errors: a destination of another type pops nothing', async () => {
    await redis.rpush('l', 'a');
    await redis.set('s', 'x');
    expect(await errorOf(redis.lmove('l', 's', 'LEFT', 'LEFT'))).to.equal(WRONGTYPE);
    expect(await errorOf(redis.rpoplpush('l', 's'))).to.equal(WRONGTYPE);
    expect(await redis.lrange('l', 0, -1)).to.deep.equal(['a']);
    expect(await errorOf(redis.rpoplpush('s', 'l'))).to.equal(WRONGTYPE);
    // A missing source answers nil before the destination's type is looked at.
    expect(await redis.rpoplpush('nokey', 's')).to.equal(null);
    expect(await errorOf(redis.call('LMOVE', 'l', 'd', 'UP', 'LEFT'))).to.equal('ERR syntax error');
    expect(await errorOf(redis.call('LMOVE', 's', 'd', 'LEFT', 'DOWN'))).to.equal('ERR syntax error');
    expect(await errorOf(redis.call('LMOVE', 'l', 'd', 'LEFT'))).to.equal(arityError('lmove'));
    expect(await errorOf(redis.call('RPOPLPUSH', 'l'))).to.equal(arityError('rpoplpush'));
  });

  it('LMOVE is binary safe and answers null bulk for a missing source in RESP2 and RESP3', async () => {
    const key = Buffer.from(ALL_BYTES);
    await redis.rpush(key, ALL_BYTES);
    expect(await redis.lmoveBuffer(key, Buffer.concat([key, key]), 'LEFT', 'LEFT')).to.deep.equal(ALL_BYTES);
    expect(await redis.lrangeBuffer(Buffer.concat([key, key]), 0, -1)).to.deep.equal([ALL_BYTES]);
    expect(await rawRequest(server, ['RPOPLPUSH', 'nokey', 'd'], 5)).to.equal('$-1\r\n');
    expect(await rawRequest(server, ['LMOVE', 'nokey', 'd', 'LEFT', 'LEFT'], 3, true)).to.equal('_\r\n');
  });

  it('LMPOP pops from the first non-empty list, as [key, [elements]]', async () => {
    await redis.rpush('l2', 'a', 'b', 'c');
    expect(await redis.call('LMPOP', '3', 'nokey', 'l2', 'l3', 'LEFT')).to.deep.equal(['l2', ['a']]);
    expect(await redis.call('LMPOP', '1', 'l2', 'right', 'COUNT', '10')).to.deep.equal(['l2', ['c', 'b']]);
    expect(await redis.exists('l2')).to.equal(0);
    expect(await redis.call('LMPOP', '2', 'nokey', 'l2', 'LEFT')).to.equal(null);
    expect(await rawRequest(server, ['LMPOP', '1', 'nokey', 'LEFT'], 5)).to.equal('*-1\r\n');
    expect(await rawRequest(server, ['LMPOP', '1', 'nokey', 'LEFT'], 3, true)).to.equal('_\r\n');
    await redis.rpush(Buffer.from(ALL_BYTES), ALL_BYTES);
    expect(await redis.callBuffer('LMPOP', '1', Buffer.from(ALL_BYTES), 'LEFT')).to.deep.equal([ALL_BYTES, [ALL_BYTES]]);
  });

  it('LMPOP errors, in Redis order: numkeys, end, COUNT, then types', async () => {
    await redis.rpush('l', 'a');
    await redis.set('s', 'x');
    const numKeys = 'ERR numkeys should be greater than 0';
    expect(await errorOf(redis.call('LMPOP', '0', 'l', 'LEFT'))).to.equal(numKeys);
    expect(await errorOf(redis.call('LMPOP', 'x', 'l', 'LEFT'))).to.equal(numKeys);
    expect(await errorOf(redis.call('LMPOP', '-1', 'l', 'LEFT'))).to.equal(numKeys);
    expect(await errorOf(redis.call('LMPOP', '2', 'l', 'LEFT'))).to.equal('ERR syntax error');
    expect(await errorOf(redis.call('LMPOP', '9223372036854775807', 'l', 'LEFT'))).to.equal('ERR syntax error');
    expect(await errorOf(redis.call('LMPOP', '1', 's', 'UP'))).to.equal('ERR syntax error');
    expect(await errorOf(redis.call('LMPOP', '1', 'l', 'LEFT', 'COUNT', '0'))).to.equal('ERR count should be greater than 0');
    expect(await errorOf(redis.call('LMPOP', '1', 'l', 'LEFT', 'COUNT', 'x'))).to.equal('ERR count should be greater than 0');
    expect(await errorOf(redis.call('LMPOP', '1', 'l', 'LEFT', 'COUNT', '1', 'COUNT', '1'))).to.equal('ERR syntax error');
    expect(await errorOf(redis.call('LMPOP', '1', 'l', 'LEFT', 'COUNT'))).to.equal('ERR syntax error');
    expect(await errorOf(redis.call('LMPOP', '2', 'nokey', 's', 'LEFT'))).to.equal(WRONGTYPE);
    // A key of another type before a list fails; after one it is never looked at.
    expect(await errorOf(redis.call('LMPOP', '2', 's', 'l', 'LEFT'))).to.equal(WRONGTYPE);
    expect(await redis.call('LMPOP', '2', 'l', 's', 'LEFT')).to.deep.equal(['l', ['a']]);
    expect(await errorOf(redis.call('LMPOP', '1', 'l'))).to.equal(arityError('lmpop'));
  });

  it('COMMAND GETKEYS finds the keys of LMPOP, BLMPOP, LMOVE and BLPOP', async () => {
    expect(await redis.call('COMMAND', 'GETKEYS', 'LMPOP', '2', 'a', 'b', 'LEFT')).to.deep.equal(['a', 'b']);
    expect(await redis.call('COMMAND', 'GETKEYS', 'BLMPOP', '0', '2', 'a', 'b', 'LEFT')).to.deep.equal(['a', 'b']);
    expect(await redis.call('COMMAND', 'GETKEYS', 'LMOVE', 'a', 'b', 'LEFT', 'LEFT')).to.deep.equal(['a', 'b']);
    expect(await redis.call('COMMAND', 'GETKEYS', 'BLPOP', 'a', 'b', '0')).to.deep.equal(['a', 'b']);
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
      ours = resp2;
    });

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
        () => ['LPOS', key(), value()],
        () => ['LPOS', key(), value(), 'RANK', String(random(7) - 3), 'COUNT', String(random(4) - 1), 'MAXLEN', String(random(6) - 1)],
        () => ['LMOVE', key(), key(), ['LEFT', 'RIGHT', 'right', 'UP'][random(4)], random(2) === 0 ? 'LEFT' : 'RIGHT'],
        () => ['RPOPLPUSH', key(), key()],
        () => ['LMPOP', String(random(4)), key(), key(), random(2) === 0 ? 'LEFT' : 'RIGHT'],
        () => ['LMPOP', '2', key(), key(), 'RIGHT', 'COUNT', String(random(5) - 1)],
        // Blocking forms on keys that may all be empty: a short wait, then the null array.
        () => ['BLPOP', key(), key(), '0.01'],
        () => ['BRPOP', key(), '0.01'],
        () => ['BLMOVE', key(), key(), 'RIGHT', 'LEFT', '0.01'],
        () => ['BRPOPLPUSH', key(), key(), '0.01'],
        () => ['BLMPOP', '0.01', '2', key(), key(), 'LEFT', 'COUNT', String(random(3) + 1)],
        () => ['OBJECT', 'ENCODING', key()],
        () => ['DEL', key()],
      ];
      for (let i = 0; i < 800; i++) {
        const args = makers[random(makers.length)]();
        const expected = await replyOrError(theirs, args);
        const got = await replyOrError(ours, args);
        expect(got, `${i}: ${JSON.stringify(args)}`).to.deep.equal(expected);
      }
    });
  });
});
