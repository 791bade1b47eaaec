import { expect } from 'chai';
import { Redis } from 'ioredis';
import { ALL_BYTES, arityError, connect, errorOf, rawRequest, startTestServer } from './helpers.js';
import { replyOrError, seededRandom, useRealRedis } from './external.js';
import type { Server } from '../src/index.js';

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
      ours = connect(server, { protocol: 2 });
    });

    after(() => ours?.disconnect());

    it('a seeded random sequence of hash commands replies as Redis does', async () => {
      const random = seededRandom(12345);
      const fields = ['a', 'b', 'c', 'd', 'e', 'n', 'f', BIN.slice(0, 20), BIN.slice(200), '__proto__', 'x'.repeat(70)];
      const values = ['1', '-5', '2.5', 'abc', '', '9223372036854775807', '1e10', '0', '17', 'v'.repeat(70)];
      const field = () => fields[random(fields.length)];
      const value = () => values[random(values.length)];
      const key = () => ['h1', 'h2', 's'][random(3)];
      await theirs.flushall();
      await theirs.config('SET', 'hash-max-listpack-entries', '4');
      await redis.config('SET', 'hash-max-listpack-entries', '4');
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
        () => ['HINCRBY', key(), field(), ['1', '-3', 'x', '9223372036854775807'][random(4)]],
        () => ['HINCRBYFLOAT', key(), field(), ['1.5', '-0.25', 'x', '1e3'][random(4)]],
        () => ['OBJECT', 'ENCODING', key()],
        () => ['HRANDFIELD', key(), ['0', 'x', '5'][random(3)]].slice(0, 2 + random(2)),
        () => ['HSCAN', 'h' + (1 + random(2)), '0', 'COUNT', '1000'],
        () => ['DEL', key()],
      ];
      const unordered = new Set(['HGETALL', 'HKEYS', 'HVALS', 'HSCAN']);
      /** Pairs (or single items) of a hashtable's reply in a canonical order: Redis's dict order is its own. */
      const canonical = (items: Buffer[], pairs: boolean): string[] => {
        const groups: string[] = [];
        for (let i = 0; i < items.length; i += pairs ? 2 : 1) groups.push(items.slice(i, i + (pairs ? 2 : 1)).map((b) => b.toString('latin1')).join('\0'));
        return groups.sort();
      };
      const outcome = async (client: Redis, args: string[], hashtable: boolean): Promise<unknown> => {
        const reply = await replyOrError(client, args);
        if (typeof reply === 'string') return reply;
        // Random picks differ; their count and validity are what must match.
        if (args[0] === 'HRANDFIELD') return Array.isArray(reply) ? reply.length : reply === null;
        if (!hashtable || !unordered.has(args[0])) return reply;
        if (args[0] === 'HSCAN') return [(reply as Buffer[][])[0], canonical((reply as Buffer[][])[1], true)];
        return canonical(reply as Buffer[], args[0] === 'HGETALL');
      };
      for (let i = 0; i < 400; i++) {
        const args = makers[random(makers.length)]();
        const hashtable = String(await theirs.call('OBJECT', 'ENCODING', args[1])) === 'hashtable';
        const expected = await outcome(theirs, args, hashtable);
        const got = await outcome(ours, args, hashtable);
        expect(got, `${i}: ${JSON.stringify(args)}`).to.deep.equal(expected);
      }
    });
  });
});
