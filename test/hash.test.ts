import { expect } from 'chai';
import { Redis } from 'ioredis';
import { ALL_BYTES, arityError, errorOf, rawRequest, startWithClients, stopWithClients } from './helpers.js';
import { replyOrError, seededRandom, useRealRedis } from './external.js';
import type { Server } from '../src/index.js';
import { RandomKeys } from '../src/datatypes/random-keys.js';

const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';
const NOT_INTEGER = 'ERR value is not an integer or out of range';
const NOT_FLOAT = 'ERR value is not a valid float';
const SYNTAX = 'ERR syntax error';
const BIN = ALL_BYTES.toString('latin1');

describe('hash commands', () => {
  let server: Server;
  let redis: Redis;
  let resp2: Redis;
  /** The exact bytes `args` is answered with (RESP3 when `resp3`). */
  const rawReply = (args: string[], expected: string, resp3 = false) => rawRequest(server, args, expected.length, resp3);

  before(async () => ({ server, redis, resp2 } = await startWithClients()));
  after(() => stopWithClients(server, redis, resp2));

  beforeEach(async () => {
    await redis.flushall();
    await redis.config('SET', 'hash-max-listpack-entries', '512');
    await redis.config('SET', 'hash-max-listpack-value', '64');
  });

  describe('HSET, HMSET, HSETNX, HGET, HMGET', () => {
    it('HSET counts new fields only and HGET reads them back', async () => {
      expect(await redis.call('HSET', 'h', 'a', '1', 'b', '2')).to.equal(2);
      expect(await redis.call('HSET', 'h', 'a', '3', 'c', '4')).to.equal(1);
      expect(await redis.hget('h', 'a')).to.equal('3');
      expect(await redis.hget('h', 'missing')).to.equal(null);
      expect(await redis.hget('nokey', 'a')).to.equal(null);
    });

    it('HSET and HMSET with an odd number of arguments are arity errors', async () => {
      expect(await errorOf(redis.call('HSET', 'h', 'a', 'b', 'c'))).to.equal(arityError('hset'));
      expect(await errorOf(redis.call('HSET', 'h', 'a'))).to.equal(arityError('hset'));
      expect(await errorOf(redis.call('HMSET', 'h', 'a', 'b', 'c'))).to.equal(arityError('hmset'));
      expect(await redis.exists('h')).to.equal(0);
    });

    it('HMSET replies OK', async () => {
      expect(await redis.call('HMSET', 'h', 'a', '1', 'b', '2')).to.equal('OK');
      expect(await redis.hmget('h', 'a', 'x', 'b')).to.deep.equal(['1', null, '2']);
      expect(await redis.hmget('nokey', 'a', 'b')).to.deep.equal([null, null]);
    });

    it('HSETNX sets only missing fields', async () => {
      expect(await redis.hsetnx('h', 'a', '1')).to.equal(1);
      expect(await redis.hsetnx('h', 'a', '2')).to.equal(0);
      expect(await redis.hget('h', 'a')).to.equal('1');
    });

    it('HSET and HGET are binary safe', async () => {
      await redis.call('HSET', ALL_BYTES, ALL_BYTES, ALL_BYTES);
      expect((await redis.hgetBuffer(ALL_BYTES, ALL_BYTES))!.equals(ALL_BYTES)).to.equal(true);
      expect(await redis.hstrlen(ALL_BYTES, ALL_BYTES)).to.equal(256);
    });

    it('fields named like Object properties are ordinary', async () => {
      await redis.call('HSET', 'h', '__proto__', 'x', 'constructor', 'y');
      expect(await resp2.call('HGETALL', 'h')).to.deep.equal(['__proto__', 'x', 'constructor', 'y']);
      expect(await redis.hexists('h', 'toString')).to.equal(0);
      expect(await redis.hlen('h')).to.equal(2);
    });

    it('hash commands against the wrong type', async () => {
      await redis.set('s', 'v');
      for (const args of [['HSET', 's', 'a', 'b'], ['HSETNX', 's', 'a', 'b'], ['HGET', 's', 'a'], ['HMGET', 's', 'a'], ['HGETALL', 's'],
        ['HKEYS', 's'], ['HVALS', 's'], ['HLEN', 's'], ['HEXISTS', 's', 'a'], ['HDEL', 's', 'a'], ['HSTRLEN', 's', 'a'],
        ['HINCRBY', 's', 'a', '1'], ['HINCRBYFLOAT', 's', 'a', '1'], ['HRANDFIELD', 's'], ['HSCAN', 's', '0']]) {
        expect(await errorOf(redis.call(args[0], ...args.slice(1)))).to.equal(WRONGTYPE);
      }
    });

    it('hash commands check their arity', async () => {
      for (const [name, args] of [['hget', ['h']], ['hmget', ['h']], ['hgetall', []], ['hlen', ['h', 'x']], ['hdel', ['h']],
        ['hsetnx', ['h', 'a']], ['hincrby', ['h', 'a']], ['hincrbyfloat', ['h']], ['hrandfield', []], ['hscan', ['h']], ['hstrlen', ['h']],
        ['hexists', ['h']], ['hkeys', []], ['hvals', []]] as const) {
        expect(await errorOf(redis.call(name, ...args))).to.equal(arityError(name));
      }
    });
  });

  describe('HGETALL, HKEYS, HVALS, HLEN, HEXISTS, HSTRLEN, HDEL', () => {
    it('HGETALL is a map in RESP3 and a flat array in RESP2', async () => {
      await redis.call('HSET', 'h', 'a', '1', 'b', '2');
      expect(await rawReply(['HGETALL', 'h'], '%2\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n', true)).to.equal('%2\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n');
      expect(await rawReply(['HGETALL', 'h'], '*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n')).to.equal('*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n');
      expect(await rawReply(['HGETALL', 'nokey'], '%0\r\n', true)).to.equal('%0\r\n');
      expect(await rawReply(['HGETALL', 'nokey'], '*0\r\n')).to.equal('*0\r\n');
    });

    it('HKEYS, HVALS, HLEN keep insertion order', async () => {
      await redis.call('HSET', 'h', 'z', '1', 'a', '2');
      expect(await redis.hkeys('h')).to.deep.equal(['z', 'a']);
      expect(await redis.hvals('h')).to.deep.equal(['1', '2']);
      expect(await redis.hlen('h')).to.equal(2);
      expect(await redis.hkeys('nokey')).to.deep.equal([]);
      expect(await redis.hvals('nokey')).to.deep.equal([]);
      expect(await redis.hlen('nokey')).to.equal(0);
    });

    it('HEXISTS and HSTRLEN', async () => {
      await redis.call('HSET', 'h', 'a', 'hello');
      expect(await redis.hexists('h', 'a')).to.equal(1);
      expect(await redis.hexists('h', 'b')).to.equal(0);
      expect(await redis.hstrlen('h', 'a')).to.equal(5);
      expect(await redis.hstrlen('h', 'b')).to.equal(0);
      expect(await redis.hstrlen('nokey', 'b')).to.equal(0);
    });

    it('HDEL counts deleted fields and deletes the emptied key', async () => {
      await redis.call('HSET', 'h', 'a', '1', 'b', '2');
      expect(await redis.hdel('h', 'a', 'a', 'x')).to.equal(1);
      expect(await redis.hdel('h', 'b')).to.equal(1);
      expect(await redis.exists('h')).to.equal(0);
      expect(await redis.hdel('nokey', 'a')).to.equal(0);
    });
  });

  describe('HINCRBY and HINCRBYFLOAT', () => {
    it('HINCRBY creates, increments and checks for overflow', async () => {
      expect(await redis.hincrby('h', 'n', 5)).to.equal(5);
      expect(await redis.hincrby('h', 'n', -7)).to.equal(-2);
      await redis.call('HSET', 'h', 'big', '9223372036854775800');
      await redis.call('HINCRBY', 'h', 'big', '7');
      expect(await redis.hget('h', 'big')).to.equal('9223372036854775807');
      expect(await errorOf(redis.call('HINCRBY', 'h', 'big', '1'))).to.equal('ERR increment or decrement would overflow');
      await redis.call('HSET', 'h', 's', 'abc', 'sp', ' 1');
      expect(await errorOf(redis.call('HINCRBY', 'h', 's', '1'))).to.equal('ERR hash value is not an integer');
      expect(await errorOf(redis.call('HINCRBY', 'h', 'sp', '1'))).to.equal('ERR hash value is not an integer');
      expect(await errorOf(redis.call('HINCRBY', 'h', 'n', 'x'))).to.equal(NOT_INTEGER);
      expect(await errorOf(redis.call('HINCRBY', 'h', 'n', '9223372036854775808'))).to.equal(NOT_INTEGER);
    });

    it('HINCRBYFLOAT formats as INCRBYFLOAT and reports its errors', async () => {
      expect(await redis.hincrbyfloat('h', 'f', '10.5')).to.equal('10.5');
      expect(await redis.hincrbyfloat('h', 'f', '0.1')).to.equal('10.6');
      expect(await redis.hincrbyfloat('h', 'f', '-10.6')).to.equal('0');
      expect(await redis.hincrbyfloat('h', 'e', '5.0e3')).to.equal('5000');
      await redis.call('HSET', 'h', 's', 'abc');
      expect(await errorOf(redis.call('HINCRBYFLOAT', 'h', 's', '1'))).to.equal('ERR hash value is not a float');
      expect(await errorOf(redis.call('HINCRBYFLOAT', 'h', 'f', 'x'))).to.equal(NOT_FLOAT);
      expect(await errorOf(redis.call('HINCRBYFLOAT', 'h', 'f', 'inf'))).to.equal('ERR value is NaN or Infinity');
      await redis.call('HSET', 'h', 'm', '1.1e4932');
      expect(await errorOf(redis.call('HINCRBYFLOAT', 'h', 'm', '1e4932'))).to.equal('ERR increment would produce NaN or Infinity');
    });
  });

  describe('HRANDFIELD', () => {
    it('HRANDFIELD without count returns one field, nil for a missing key', async () => {
      await redis.call('HSET', 'h', 'a', '1', 'b', '2', 'c', '3');
      for (let i = 0; i < 20; i++) expect(['a', 'b', 'c']).to.include(await redis.hrandfield('h'));
      expect(await redis.hrandfield('nokey')).to.equal(null);
      expect(await rawReply(['HRANDFIELD', 'nokey'], '$-1\r\n')).to.equal('$-1\r\n');
      expect(await rawReply(['HRANDFIELD', 'nokey'], '_\r\n', true)).to.equal('_\r\n');
    });

    it('HRANDFIELD with a positive count returns distinct fields', async () => {
      await redis.call('HSET', 'h', 'a', '1', 'b', '2', 'c', '3', 'd', '4');
      const two = (await redis.call('HRANDFIELD', 'h', '2')) as string[];
      expect(two).to.have.length(2);
      expect(new Set(two).size).to.equal(2);
      expect(((await redis.call('HRANDFIELD', 'h', '10')) as string[]).sort()).to.deep.equal(['a', 'b', 'c', 'd']);
      expect(await redis.call('HRANDFIELD', 'h', '0')).to.deep.equal([]);
      expect(await redis.call('HRANDFIELD', 'nokey', '5')).to.deep.equal([]);
    });

    it('HRANDFIELD with a negative count may repeat fields', async () => {
      await redis.call('HSET', 'h', 'a', '1');
      expect(await redis.call('HRANDFIELD', 'h', '-3')).to.deep.equal(['a', 'a', 'a']);
    });

    it('HRANDFIELD WITHVALUES is nested pairs in RESP3 and flat in RESP2', async () => {
      await redis.call('HSET', 'h', 'a', '1');
      expect(await rawReply(['HRANDFIELD', 'h', '-2', 'WITHVALUES'], '*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\na\r\n$1\r\n1\r\n')).to.equal('*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\na\r\n$1\r\n1\r\n');
      expect(await rawReply(['HRANDFIELD', 'h', '5', 'withvalues'], '*1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n', true)).to.equal('*1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n');
      expect(await rawReply(['HRANDFIELD', 'nokey', '5', 'WITHVALUES'], '*0\r\n', true)).to.equal('*0\r\n');
    });

    it('HRANDFIELD argument errors', async () => {
      await redis.call('HSET', 'h', 'a', '1');
      expect(await errorOf(redis.call('HRANDFIELD', 'h', 'x'))).to.equal(NOT_INTEGER);
      expect(await errorOf(redis.call('HRANDFIELD', 'h', '1', 'bad'))).to.equal(SYNTAX);
      expect(await errorOf(redis.call('HRANDFIELD', 'nokey', '1', 'WITHVALUES', 'x'))).to.equal(SYNTAX);
      expect(await errorOf(redis.call('HRANDFIELD', 'h', '-9223372036854775808'))).to.equal(
        'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807');
      expect(await errorOf(redis.call('HRANDFIELD', 'h', '-9223372036854775807', 'WITHVALUES'))).to.equal('ERR value is out of range');
    });

    it('HRANDFIELD picks only live fields of a hashtable, each about equally often, through deletes and re-adds', async () => {
      await redis.config('SET', 'hash-max-listpack-entries', '8');
      const fields = Array.from({ length: 40 }, (_, i) => `f${i}`);
      const again = new Set(['f0', 'f1', 'f2', 'f3', 'f4', 'f10']);
      await redis.call('HSET', 'h', ...fields.flatMap((field) => [field, `v-${field}`]));
      await redis.hdel('h', ...fields.slice(0, 10));
      await redis.call('HSET', 'h', ...['f0', 'f1', 'f2', 'f3', 'f4'].flatMap((field) => [field, `again-${field}`]));
      // The first pick indexes the hash; the few writes after it are tracked by the index.
      expect(fields).to.include(await redis.hrandfield('h'));
      await redis.hdel('h', 'f10', 'f11');
      await redis.call('HSET', 'h', 'f10', 'again-f10');
      expect(await redis.object('ENCODING', 'h')).to.equal('hashtable');
      const live = fields.filter((field, i) => !(i >= 5 && i < 10) && field !== 'f11');
      expect(live).to.have.length(34);
      const counts = new Map<string, number>();
      const picks = (await resp2.call('HRANDFIELD', 'h', '-68000', 'WITHVALUES')) as string[];
      expect(picks).to.have.length(136000);
      for (let i = 0; i < picks.length; i += 2) {
        expect(picks[i + 1]).to.equal(again.has(picks[i]) ? `again-${picks[i]}` : `v-${picks[i]}`);
        counts.set(picks[i], (counts.get(picks[i]) ?? 0) + 1);
      }
      // 2000 expected each; the standard deviation is about 44.
      expect([...counts.keys()].sort()).to.deep.equal([...live].sort());
      for (const count of counts.values()) expect(count).to.be.within(1700, 2300);
      for (const count of ['3', '15', '33']) {
        const distinct = (await redis.call('HRANDFIELD', 'h', count)) as string[];
        expect(distinct).to.have.length(Number(count));
        expect(new Set(distinct).size).to.equal(Number(count));
        for (const field of distinct) expect(live).to.include(field);
      }
      expect(((await redis.call('HRANDFIELD', 'h', '34')) as string[]).sort()).to.deep.equal([...live].sort());
    });

    it('HRANDFIELD answers a listpack in its order: the whole hash, and a few distinct picks', async () => {
      await redis.call('HSET', 'h', ...'abcdefghij'.split('').flatMap((field, i) => [field, String(i)]));
      await redis.hdel('h', 'c', 'g');
      await redis.call('HSET', 'h', 'c', 'new', 'a', 'changed');
      const order = await redis.hkeys('h');
      expect(order).to.deep.equal(['a', 'b', 'd', 'e', 'f', 'h', 'i', 'j', 'c']);
      expect(await redis.call('HRANDFIELD', 'h', '9')).to.deep.equal(order);
      expect(await resp2.call('HRANDFIELD', 'h', '100', 'WITHVALUES')).to.deep.equal(await resp2.call('HGETALL', 'h'));
      for (let i = 0; i < 20; i++) {
        const picks = (await redis.call('HRANDFIELD', 'h', '3')) as string[];
        const positions = picks.map((field) => order.indexOf(field));
        expect(positions).to.deep.equal([...positions].sort((x, y) => x - y));
        expect(new Set(positions).size).to.equal(3);
        expect(positions[0]).to.be.at.least(0);
      }
    });

    it('HRANDFIELD is binary safe', async () => {
      await redis.call('HSET', 'h', ALL_BYTES, ALL_BYTES);
      expect(await redis.object('ENCODING', 'h')).to.equal('hashtable');
      expect((await redis.callBuffer('HRANDFIELD', 'h')) as Buffer).to.deep.equal(ALL_BYTES);
      const picks = (await resp2.callBuffer('HRANDFIELD', 'h', '-2', 'WITHVALUES')) as Buffer[];
      expect(picks.map((b) => b.toString('latin1'))).to.deep.equal([BIN, BIN, BIN, BIN]);
    });

    it('HRANDFIELD of a COPY picks from the copy only', async () => {
      await redis.config('SET', 'hash-max-listpack-entries', '2');
      await redis.call('HSET', 'h', 'a', '1', 'b', '2', 'c', '3');
      await redis.copy('h', 'h2');
      await redis.hdel('h', 'a', 'b');
      await redis.call('HSET', 'h2', 'd', '4');
      expect(await redis.call('HRANDFIELD', 'h', '-20')).to.deep.equal(Array(20).fill('c'));
      expect(((await redis.call('HRANDFIELD', 'h2', '10')) as string[]).sort()).to.deep.equal(['a', 'b', 'c', 'd']);
      expect(await redis.object('ENCODING', 'h2')).to.equal('hashtable');
    });
  });

  describe('repeated picks: HRANDFIELD, SRANDMEMBER and ZRANDMEMBER with a negative count', () => {
    const TOO_LARGE = 'ERR count is too large for one reply';
    const commands = [
      { name: 'HRANDFIELD', fill: ['HSET', 'k', 'a', '1', 'b', '2', 'c', '3'], withValues: 'WITHVALUES' },
      { name: 'SRANDMEMBER', fill: ['SADD', 'k', 'a', 'b', 'c'], withValues: null },
      { name: 'ZRANDMEMBER', fill: ['ZADD', 'k', '1', 'a', '2', 'b', '3', 'c'], withValues: 'WITHSCORES' },
    ];

    for (const { name, fill, withValues } of commands) {
      it(`${name} refuses a count too large for one reply, before writing anything`, async () => {
        await redis.call(fill[0], ...fill.slice(1));
        for (const count of ['-9000000000000000000', '-9223372036854775807', '-134217729']) {
          expect(await errorOf(redis.call(name, 'k', count)), count).to.equal(TOO_LARGE);
        }
        if (withValues !== null) expect(await errorOf(redis.call(name, 'k', '-4611686018427387903', withValues))).to.equal(TOO_LARGE);
        // The connection still answers in order.
        expect(await redis.ping()).to.equal('PONG');
        // A missing key is empty and a wrong type is WRONGTYPE, as in Redis, whatever the count.
        expect(await redis.call(name, 'nokey', '-9000000000000000000')).to.deep.equal([]);
        await redis.set('str', 'x');
        expect(await errorOf(redis.call(name, 'str', '-9000000000000000000'))).to.equal(WRONGTYPE);
      });

      it(`${name} with a small negative count repeats members`, async () => {
        await redis.call(fill[0], ...fill.slice(1));
        const picks = (await redis.call(name, 'k', '-5')) as string[];
        expect(picks).to.have.length(5);
        for (const pick of picks) expect(['a', 'b', 'c']).to.include(pick);
        expect(new Set(picks).size).to.be.below(5);
        if (withValues !== null) expect((await resp2.call(name, 'k', '-5', withValues)) as string[]).to.have.length(10);
      });
    }
  });

  describe('RandomKeys', () => {
    it('picks every live key equally often through deletes, re-adds and rebuilds', () => {
      const live = new Map<string, number>();
      const picks = new RandomKeys(live);
      const add = (key: string): void => {
        if (live.has(key)) return;
        live.set(key, 0);
        picks.added(key);
      };
      const remove = (key: string): void => {
        if (live.delete(key)) picks.deleted(key);
      };
      const random = seededRandom(99);
      for (let i = 0; i < 2000; i++) {
        const key = `k${random(30)}`;
        if (random(2) === 0) add(key);
        else remove(key);
        if (live.size > 0) expect(live.has(picks.random())).to.equal(true);
      }
      for (let i = 0; i < 12; i++) add(`k${i}`);
      remove('k0');
      add('k0');
      remove('k1');
      const counts = new Map<string, number>();
      const draws = 1000 * live.size;
      for (let i = 0; i < draws; i++) {
        const key = picks.random();
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      // 1000 expected each; the standard deviation is under 32.
      expect([...counts.keys()].sort()).to.deep.equal([...live.keys()].sort());
      for (const count of counts.values()) expect(count).to.be.within(850, 1150);
      const distinct = picks.randomDistinct(live.size - 1);
      expect(new Set(distinct).size).to.equal(live.size - 1);
      for (const key of distinct) expect(live.has(key)).to.equal(true);
      expect([...picks.all()].sort()).to.deep.equal([...live.keys()].sort());
    });
  });

  describe('HSCAN', () => {
    it('HSCAN returns a small hash whole with cursor 0, filtered by MATCH', async () => {
      await redis.call('HSET', 'h', 'foo', '1', 'bar', '2', 'food', '3');
      expect(await redis.hscan('h', '0')).to.deep.equal(['0', ['foo', '1', 'bar', '2', 'food', '3']]);
      expect(await redis.hscan('h', '0', 'MATCH', 'foo*', 'COUNT', '1')).to.deep.equal(['0', ['foo', '1', 'food', '3']]);
      expect(await redis.hscan('nokey', '0')).to.deep.equal(['0', []]);
    });

    it('HSCAN iterates a hashtable hash completely', async () => {
      const args: string[] = [];
      for (let i = 0; i < 1000; i++) args.push(`f${i}`, `v${i}`);
      await redis.call('HSET', 'h', ...args);
      const seen = new Map<string, string>();
      let cursor = '0';
      do {
        const [next, items] = await redis.hscan('h', cursor, 'COUNT', '50');
        for (let i = 0; i < items.length; i += 2) seen.set(items[i], items[i + 1]);
        cursor = next;
      } while (cursor !== '0');
      expect(seen.size).to.equal(1000);
      expect(seen.get('f999')).to.equal('v999');
    });

    it('HSCAN argument errors', async () => {
      await redis.call('HSET', 'h', 'a', '1');
      expect(await errorOf(redis.call('HSCAN', 'h', 'x'))).to.equal('ERR invalid cursor');
      expect(await errorOf(redis.call('HSCAN', 'h', '0', 'COUNT', '0'))).to.equal(SYNTAX);
      expect(await errorOf(redis.call('HSCAN', 'h', '0', 'COUNT', 'x'))).to.equal(NOT_INTEGER);
      expect(await errorOf(redis.call('HSCAN', 'h', '0', 'MATCH'))).to.equal(SYNTAX);
      expect(await errorOf(redis.call('HSCAN', 'h', '0', 'NOVALUES'))).to.equal(SYNTAX);
    });

    it('HSCAN is binary safe', async () => {
      await redis.call('HSET', 'h', ALL_BYTES, ALL_BYTES);
      const [, items] = (await redis.callBuffer('HSCAN', 'h', '0')) as [Buffer, Buffer[]];
      expect(items.map((b) => b.toString('latin1'))).to.deep.equal([BIN, BIN]);
    });
  });

  describe('encoding', () => {
    it('a hash is a listpack until it has too many fields', async () => {
      await redis.config('SET', 'hash-max-listpack-entries', '3');
      await redis.call('HSET', 'h', 'a', '1', 'b', '2', 'c', '3');
      expect(await redis.object('ENCODING', 'h')).to.equal('listpack');
      await redis.call('HSET', 'h', 'd', '4');
      expect(await redis.object('ENCODING', 'h')).to.equal('hashtable');
      await redis.hdel('h', 'a', 'b', 'c');
      expect(await redis.object('ENCODING', 'h')).to.equal('hashtable');
    });

    it('a hash is a listpack until a field or value is too long', async () => {
      await redis.config('SET', 'hash-max-listpack-value', '4');
      await redis.call('HSET', 'h', 'abcd', '1234');
      expect(await redis.object('ENCODING', 'h')).to.equal('listpack');
      await redis.call('HSET', 'h2', 'abcde', '1');
      expect(await redis.object('ENCODING', 'h2')).to.equal('hashtable');
      await redis.call('HSET', 'h3', 'a', '1');
      await redis.hincrbyfloat('h3', 'a', '0.5555');
      expect(await redis.object('ENCODING', 'h3')).to.equal('hashtable');
    });

    it('CONFIG GET hash-max-ziplist-entries answers under the alias name', async () => {
      const body = '$24\r\nhash-max-ziplist-entries\r\n$3\r\n512\r\n';
      expect(await rawReply(['CONFIG', 'GET', 'hash-max-ziplist-entries'], '*2\r\n' + body)).to.equal('*2\r\n' + body);
      expect(await rawReply(['CONFIG', 'GET', 'hash-max-ziplist-entries'], '%1\r\n' + body, true)).to.equal('%1\r\n' + body);
    });

    it('COPY of a hash shares nothing', async () => {
      await redis.call('HSET', 'h', 'a', '1');
      await redis.copy('h', 'h2');
      await redis.call('HSET', 'h2', 'a', '2');
      expect(await redis.hget('h', 'a')).to.equal('1');
    });
  });

  describe('differential test against redis-server', () => {
    const real = useRealRedis(Number(process.env.NODIS_HASH_REDIS_PORT ?? 6431));
    let theirs: Redis;
    let ours: Redis;

    before(() => {
      theirs = real.client;
      ours = resp2;
    });

    /** Picks among `items`, reproducibly. */
    type Pick = <T>(items: readonly T[]) => T;

    /**
     * Sends the same seeded random sequence of hash commands to both servers and compares every
     * reply. Hashtable replies are compared in a canonical order (Redis's dict order is its own);
     * random picks by what they must satisfy, checked against each server's own contents.
     */
    async function compareWithRedis(seed: number, maxEntries: number, steps: number, fields: string[], values: string[], writes: number): Promise<void> {
      const random = seededRandom(seed);
      const pick: Pick = (items) => items[random(items.length)];
      const field = () => pick(fields);
      const value = () => pick(values);
      const key = () => pick(['h1', 'h2', 's']);
      await theirs.flushall();
      await theirs.config('SET', 'hash-max-listpack-entries', String(maxEntries));
      await redis.config('SET', 'hash-max-listpack-entries', String(maxEntries));
      await theirs.set('s', 'str');
      await ours.set('s', 'str');
      const makers: (() => string[])[] = [
        () => ['HSET', key(), field(), value(), field(), value()],
        () => ['HSETNX', key(), field(), value()],
        () => ['HMSET', key(), field(), value()],
        () => ['HGET', key(), field()],
        () => ['HMGET', key(), field(), field()],
        () => ['HGETALL', key()],
        () => ['HKEYS', key()],
        () => ['HVALS', key()],
        () => ['HLEN', key()],
        () => ['HEXISTS', key(), field()],
        () => ['HDEL', key(), field(), field()],
        () => ['HSTRLEN', key(), field()],
        () => ['HINCRBY', key(), field(), pick(['1', '-3', 'x', '9223372036854775807'])],
        () => ['HINCRBYFLOAT', key(), field(), pick(['1.5', '-0.25', 'x', '1e3'])],
        () => ['OBJECT', 'ENCODING', key()],
        () => ['HRANDFIELD', key(), pick(['0', 'x', '1', '2', '3', '5', '-1', '-5', '100']), 'WITHVALUES'].slice(0, 2 + random(3)),
        () => ['HSCAN', 'h' + (1 + random(2)), '0', 'COUNT', '1000'],
        () => ['DEL', key()],
      ];
      // Extra writes: many fields set and deleted while hashes are listpacks, whose order replies show.
      for (let i = 0; i < writes; i++) {
        makers.push(() => ['HSET', key(), field(), value(), field(), value(), field(), value()]);
        makers.push(() => ['HDEL', key(), field(), field(), field()]);
      }
      const unordered = new Set(['HGETALL', 'HKEYS', 'HVALS', 'HSCAN']);
      /** Pairs (or single items) of a hashtable's reply in a canonical order. */
      const canonical = (items: Buffer[], pairs: boolean): string[] => {
        const groups: string[] = [];
        for (let i = 0; i < items.length; i += pairs ? 2 : 1) groups.push(items.slice(i, i + (pairs ? 2 : 1)).map((b) => b.toString('latin1')).join('\0'));
        return groups.sort();
      };
      const outcome = async (client: Redis, args: string[], hashtable: boolean): Promise<unknown> => {
        const reply = await replyOrError(client, args);
        if (typeof reply === 'string') return reply;
        if (args[0] === 'HRANDFIELD') return randomPickFacts(client, args, reply, hashtable);
        if (!hashtable || !unordered.has(args[0])) return reply;
        if (args[0] === 'HSCAN') return [(reply as Buffer[][])[0], canonical((reply as Buffer[][])[1], true)];
        return canonical(reply as Buffer[], args[0] === 'HGETALL');
      };
      for (let i = 0; i < steps; i++) {
        const args = pick(makers)();
        const hashtable = String(await theirs.call('OBJECT', 'ENCODING', args[1])) === 'hashtable';
        const expected = await outcome(theirs, args, hashtable);
        const got = await outcome(ours, args, hashtable);
        expect(got, `${i}: ${JSON.stringify(args)}`).to.deep.equal(expected);
      }
    }

    /**
     * What a reply to HRANDFIELD must satisfy, against the server's own contents: its length, that
     * every pick is a field with its value, distinct for a positive count, and in a listpack's
     * order for the whole hash or a few picks (Redis's lpRandomPairsUnique).
     */
    async function randomPickFacts(client: Redis, args: string[], reply: unknown, hashtable: boolean): Promise<unknown> {
      const all = ((await replyOrError(client, ['HGETALL', args[1]])) as Buffer[]).map((b) => b.toString('latin1'));
      const fields = all.filter((_, i) => i % 2 === 0);
      const valueOf = new Map(fields.map((field, i) => [field, all[2 * i + 1]]));
      if (args.length === 2) return reply === null ? null : valueOf.has((reply as Buffer).toString('latin1'));
      const items = (reply as Buffer[]).map((b) => b.toString('latin1'));
      const withValues = args.length === 4;
      const picks = withValues ? items.filter((_, i) => i % 2 === 0) : items;
      const count = Number(args[2]);
      let position = 0;
      const inOrder = picks.every((pick) => (position = fields.indexOf(pick, position) + 1) > 0);
      return {
        length: items.length,
        live: picks.every((pick, i) => valueOf.has(pick) && (!withValues || items[2 * i + 1] === valueOf.get(pick))),
        distinct: count < 0 || new Set(picks).size === picks.length,
        inOrder: hashtable || count < 0 || (count < fields.length && count * 3 > fields.length) || inOrder,
      };
    }

    it('a seeded random sequence of hash commands replies as Redis does', async () => {
      const fields = ['a', 'b', 'c', 'd', 'e', 'n', 'f', BIN.slice(0, 20), BIN.slice(200), '__proto__', 'x'.repeat(70)];
      const values = ['1', '-5', '2.5', 'abc', '', '9223372036854775807', '1e10', '0', '17', 'v'.repeat(70)];
      await compareWithRedis(12345, 4, 400, fields, values, 0);
    });

    it('listpack hashes keep Redis\'s order through many deletes', async () => {
      const fields = [...'abcdefghijklmnopqrstuvwxyz'.split(''), BIN.slice(0, 30), BIN.slice(100, 120), '__proto__', 'constructor'];
      const values = ['1', '-5', '2.5', 'abc', '', '17'];
      await compareWithRedis(777, 24, 600, fields, values, 4);
    });
  });
});
