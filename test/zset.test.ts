import { expect } from 'chai';
import { Redis } from 'ioredis';
import { ALL_BYTES, arityError, connect, errorOf, expectRawReply, startWithClients, stopWithClients } from './helpers.js';
import { replyOrError, seededRandom, useRealRedis } from './external.js';
import type { Server } from '../src/index.js';

const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';
const NOT_INTEGER = 'ERR value is not an integer or out of range';
const NOT_FLOAT = 'ERR value is not a valid float';
const MIN_MAX_NOT_FLOAT = 'ERR min or max is not a float';
const LEX_RANGE = 'ERR min or max not valid string range item';
const SYNTAX = 'ERR syntax error';
const BIN = ALL_BYTES.toString('latin1');

describe('sorted set commands', () => {
  let server: Server;
  let redis: Redis;
  let resp2: Redis;
  const expectRaw = (args: string[], expected: string, resp3 = false) => expectRawReply(server, args, expected, resp3);

  before(async () => ({ server, redis, resp2 } = await startWithClients()));
  after(() => stopWithClients(server, redis, resp2));

  beforeEach(async () => {
    await redis.flushall();
    await redis.config('SET', 'zset-max-listpack-entries', '128');
    await redis.config('SET', 'zset-max-listpack-value', '64');
  });

  describe('ZADD, ZINCRBY, ZSCORE, ZMSCORE, ZCARD, ZREM', () => {
    it('ZADD counts new members and ZSCORE reads scores back', async () => {
      expect(await redis.call('ZADD', 'z', '1', 'a', '2', 'b')).to.equal(2);
      expect(await redis.call('ZADD', 'z', '3', 'a', '4', 'c')).to.equal(1);
      expect(await resp2.call('ZSCORE', 'z', 'a')).to.equal('3');
      expect(await resp2.call('ZSCORE', 'z', 'missing')).to.equal(null);
      expect(await resp2.call('ZSCORE', 'nokey', 'a')).to.equal(null);
      expect(await redis.zcard('z')).to.equal(3);
      expect(await redis.zcard('nokey')).to.equal(0);
    });

    it('ZADD options NX, XX, GT, LT and CH', async () => {
      await redis.call('ZADD', 'z', '5', 'a');
      expect(await redis.call('ZADD', 'z', 'NX', '1', 'a', '1', 'b')).to.equal(1);
      expect(await redis.call('ZADD', 'z', 'XX', 'CH', '2', 'a', '1', 'c')).to.equal(1);
      expect(await redis.call('ZADD', 'z', 'GT', 'CH', '1', 'a', '3', 'b')).to.equal(1);
      expect(await redis.call('ZADD', 'z', 'LT', 'CH', '9', 'a', '0', 'b')).to.equal(1);
      expect(await redis.call('ZADD', 'z', 'GT', '7', 'new')).to.equal(1);
      expect(await resp2.call('ZRANGE', 'z', '0', '-1', 'WITHSCORES')).to.deep.equal(['b', '0', 'a', '2', 'new', '7']);
      expect(await redis.call('ZADD', 'nokey', 'XX', '1', 'a')).to.equal(0);
      expect(await redis.exists('nokey')).to.equal(0);
    });

    it('ZADD option errors are Redis\'s', async () => {
      expect(await errorOf(redis.call('ZADD', 'z', 'NX', 'XX', '1', 'a'))).to.equal('ERR XX and NX options at the same time are not compatible');
      expect(await errorOf(redis.call('ZADD', 'z', 'GT', 'LT', '1', 'a'))).to.equal('ERR GT, LT, and/or NX options at the same time are not compatible');
      expect(await errorOf(redis.call('ZADD', 'z', 'NX', 'GT', '1', 'a'))).to.equal('ERR GT, LT, and/or NX options at the same time are not compatible');
      expect(await errorOf(redis.call('ZADD', 'z', 'INCR', '1', 'a', '2', 'b'))).to.equal('ERR INCR option supports a single increment-element pair');
      expect(await errorOf(redis.call('ZADD', 'z', '1', 'a', '2'))).to.equal(SYNTAX);
      expect(await errorOf(redis.call('ZADD', 'z', 'NX', 'CH'))).to.equal(SYNTAX);
      expect(await errorOf(redis.call('ZADD', 'z', 'x', 'a'))).to.equal(NOT_FLOAT);
      expect(await errorOf(redis.call('ZADD', 'z', 'nan', 'a'))).to.equal(NOT_FLOAT);
      expect(await errorOf(redis.call('ZADD', 'z', '1', 'a', ' 2', 'b'))).to.equal(NOT_FLOAT);
      expect(await errorOf(redis.call('ZADD', 'z'))).to.equal(arityError('zadd'));
      expect(await errorOf(redis.call('ZADD', 'z', '1'))).to.equal(arityError('zadd'));
      expect(await redis.exists('z')).to.equal(0);
    });

    it('ZADD INCR and ZINCRBY reply with the new score, or null when nothing was done', async () => {
      expect(await resp2.call('ZINCRBY', 'z', '1.5', 'a')).to.equal('1.5');
      expect(await resp2.call('ZADD', 'z', 'INCR', '1', 'a')).to.equal('2.5');
      expect(await resp2.call('ZADD', 'z', 'INCR', 'NX', '1', 'a')).to.equal(null);
      expect(await resp2.call('ZADD', 'z', 'INCR', 'LT', '1', 'a')).to.equal(null);
      expect(await resp2.call('ZADD', 'z', 'INCR', 'XX', '1', 'nope')).to.equal(null);
      expect(await resp2.call('ZINCRBY', 'z', '0.1', 'a')).to.equal('2.6000000000000001');
      expect(await resp2.call('ZINCRBY', 'z', 'inf', 'a')).to.equal('inf');
      expect(await errorOf(redis.call('ZINCRBY', 'z', '-inf', 'a'))).to.equal('ERR resulting score is not a number (NaN)');
      expect(await errorOf(redis.call('ZINCRBY', 'z', 'x', 'a'))).to.equal(NOT_FLOAT);
      expect(await errorOf(redis.call('ZINCRBY', 'z', 'NX', 'a'))).to.equal(SYNTAX);
      expect(await errorOf(redis.call('ZINCRBY', 'z', '1'))).to.equal(arityError('zincrby'));
    });

    it('ZSCORE and ZINCRBY in RESP3 are doubles', async () => {
      await redis.call('ZADD', 'z', '1.1', 'a', 'inf', 'b', '-inf', 'c');
      await expectRaw(['ZSCORE', 'z', 'a'], ',1.1000000000000001\r\n', true);
      await expectRaw(['ZSCORE', 'z', 'b'], ',inf\r\n', true);
      await expectRaw(['ZSCORE', 'z', 'c'], ',-inf\r\n', true);
      await expectRaw(['ZSCORE', 'z', 'x'], '_\r\n', true);
      await expectRaw(['ZSCORE', 'z', 'a'], '$18\r\n1.1000000000000001\r\n');
      await expectRaw(['ZSCORE', 'z', 'c'], '$4\r\n-inf\r\n');
      await expectRaw(['ZINCRBY', 'z', '1', 'a'], ',2.1000000000000001\r\n', true);
      await expectRaw(['ZMSCORE', 'z', 'b', 'x'], '*2\r\n,inf\r\n_\r\n', true);
      await expectRaw(['ZMSCORE', 'z', 'b', 'x'], '*2\r\n$3\r\ninf\r\n$-1\r\n');
    });

    it('-0 is kept by a skiplist and becomes 0 in a listpack', async () => {
      await redis.call('ZADD', 'small', '-0', 'a');
      expect(await resp2.call('ZSCORE', 'small', 'a')).to.equal('0');
      expect(await resp2.call('ZINCRBY', 'small2', '-0', 'a')).to.equal('-0');
      await redis.config('SET', 'zset-max-listpack-entries', '0');
      await redis.call('ZADD', 'big', '-0', 'a');
      expect(await resp2.call('ZSCORE', 'big', 'a')).to.equal('-0');
    });

    it('ZMSCORE answers each member, null for missing ones', async () => {
      await redis.call('ZADD', 'z', '1', 'a');
      expect(await resp2.call('ZMSCORE', 'z', 'a', 'x')).to.deep.equal(['1', null]);
      expect(await resp2.call('ZMSCORE', 'nokey', 'a', 'x')).to.deep.equal([null, null]);
      expect(await errorOf(redis.call('ZMSCORE', 'z'))).to.equal(arityError('zmscore'));
    });

    it('ZREM removes members and deletes the emptied key', async () => {
      await redis.call('ZADD', 'z', '1', 'a', '2', 'b');
      expect(await redis.call('ZREM', 'z', 'a', 'x', 'a')).to.equal(1);
      expect(await redis.call('ZREM', 'nokey', 'a')).to.equal(0);
      expect(await redis.call('ZREM', 'z', 'b')).to.equal(1);
      expect(await redis.exists('z')).to.equal(0);
    });

    it('sorted set commands against the wrong type', async () => {
      await redis.set('s', 'v');
      for (const args of [
        ['ZADD', 's', '1', 'a'], ['ZINCRBY', 's', '1', 'a'], ['ZREM', 's', 'a'], ['ZSCORE', 's', 'a'], ['ZMSCORE', 's', 'a'],
        ['ZCARD', 's'], ['ZCOUNT', 's', '0', '1'], ['ZLEXCOUNT', 's', '-', '+'], ['ZRANK', 's', 'a'], ['ZREVRANK', 's', 'a'],
        ['ZRANGE', 's', '0', '1'], ['ZRANGESTORE', 'd', 's', '0', '1'], ['ZREVRANGE', 's', '0', '1'], ['ZRANGEBYSCORE', 's', '0', '1'],
        ['ZRANGEBYLEX', 's', '-', '+'], ['ZREMRANGEBYRANK', 's', '0', '1'], ['ZREMRANGEBYSCORE', 's', '0', '1'],
        ['ZREMRANGEBYLEX', 's', '-', '+'], ['ZPOPMIN', 's'], ['ZPOPMAX', 's', '2'], ['ZMPOP', '1', 's', 'MIN'],
        ['ZRANDMEMBER', 's'], ['ZSCAN', 's', '0'], ['ZUNION', '1', 's'], ['ZINTERSTORE', 'd', '1', 's'], ['ZDIFF', '1', 's'],
        ['ZINTERCARD', '1', 's'],
      ]) {
        expect(await errorOf(redis.call(args[0], ...args.slice(1))), args.join(' ')).to.equal(WRONGTYPE);
      }
    });

    it('members and keys are binary safe; members named like Object properties are ordinary', async () => {
      await redis.call('ZADD', ALL_BYTES, '1', ALL_BYTES, '2', '__proto__', '3', 'constructor');
      expect((await redis.callBuffer('ZRANGE', ALL_BYTES, '0', '0') as Buffer[])[0].equals(ALL_BYTES)).to.equal(true);
      expect(await resp2.call('ZSCORE', ALL_BYTES, ALL_BYTES)).to.equal('1');
      expect(await resp2.call('ZSCORE', ALL_BYTES, 'toString')).to.equal(null);
      expect(await redis.call('ZRANK', ALL_BYTES, '__proto__')).to.equal(1);
      const lex = await redis.callBuffer('ZRANGEBYLEX', 'lex', '-', '+') as Buffer[];
      expect(lex).to.deep.equal([]);
      await redis.call('ZADD', 'lex', '0', ALL_BYTES.subarray(0, 1), '0', ALL_BYTES.subarray(255), '0', ALL_BYTES.subarray(128, 129));
      const ordered = await redis.callBuffer('ZRANGEBYLEX', 'lex', Buffer.from('(\x00', 'latin1'), '+') as Buffer[];
      expect(ordered.map((b) => b[0])).to.deep.equal([128, 255]);
    });
  });

  describe('ZRANK, ZCOUNT, ZLEXCOUNT', () => {
    it('ZRANK and ZREVRANK, with the WITHSCORE option of Redis 7.2', async () => {
      await redis.call('ZADD', 'z', '1', 'a', '2.5', 'b', '3', 'c');
      expect(await redis.call('ZRANK', 'z', 'a')).to.equal(0);
      expect(await redis.call('ZREVRANK', 'z', 'a')).to.equal(2);
      expect(await redis.call('ZRANK', 'z', 'x')).to.equal(null);
      expect(await redis.call('ZRANK', 'nokey', 'x')).to.equal(null);
      await expectRaw(['ZRANK', 'z', 'b', 'withscore'], '*2\r\n:1\r\n$3\r\n2.5\r\n');
      await expectRaw(['ZREVRANK', 'z', 'b', 'WITHSCORE'], '*2\r\n:1\r\n,2.5\r\n', true);
      await expectRaw(['ZRANK', 'z', 'x', 'WITHSCORE'], '*-1\r\n');
      await expectRaw(['ZRANK', 'nokey', 'x', 'WITHSCORE'], '*-1\r\n');
      await expectRaw(['ZRANK', 'nokey', 'x', 'WITHSCORE'], '_\r\n', true);
      expect(await errorOf(redis.call('ZRANK', 'z', 'a', 'WITHSCORES'))).to.equal('ERR syntax error');
      expect(await errorOf(redis.call('ZREVRANK', 'z', 'a', 'WITHSCORE', 'x'))).to.equal(arityError('zrevrank'));
      expect(await errorOf(redis.call('ZRANK', 'z'))).to.equal(arityError('zrank'));
      await redis.set('str', 'x');
      expect(await errorOf(redis.call('ZRANK', 'str', 'a', 'WITHSCORE'))).to.equal(WRONGTYPE);
    });

    it('ZCOUNT with inclusive and exclusive bounds, infinities and strtod quirks', async () => {
      await redis.call('ZADD', 'z', '0', 'zero', '1', 'a', '2', 'b', '3', 'c');
      expect(await redis.call('ZCOUNT', 'z', '1', '3')).to.equal(3);
      expect(await redis.call('ZCOUNT', 'z', '(1', '(3')).to.equal(1);
      expect(await redis.call('ZCOUNT', 'z', '-inf', '+inf')).to.equal(4);
      expect(await redis.call('ZCOUNT', 'z', '(', '10')).to.equal(3);
      expect(await redis.call('ZCOUNT', 'z', '', '10')).to.equal(4);
      expect(await redis.call('ZCOUNT', 'z', ' 1', '1e400')).to.equal(3);
      expect(await redis.call('ZCOUNT', 'z', '3', '1')).to.equal(0);
      expect(await redis.call('ZCOUNT', 'nokey', '0', '1')).to.equal(0);
      for (const bad of ['x', 'nan', '1 ', '(x', '1e']) expect(await errorOf(redis.call('ZCOUNT', 'z', bad, '1'))).to.equal(MIN_MAX_NOT_FLOAT);
      expect(await errorOf(redis.call('ZCOUNT', 'nokey', 'x', '1'))).to.equal(MIN_MAX_NOT_FLOAT);
    });

    it('ZLEXCOUNT with [, (, - and +', async () => {
      await redis.call('ZADD', 'z', '0', 'a', '0', 'b', '0', 'c', '0', 'd');
      expect(await redis.call('ZLEXCOUNT', 'z', '-', '+')).to.equal(4);
      expect(await redis.call('ZLEXCOUNT', 'z', '[b', '[c')).to.equal(2);
      expect(await redis.call('ZLEXCOUNT', 'z', '(b', '(c')).to.equal(0);
      expect(await redis.call('ZLEXCOUNT', 'z', '+', '-')).to.equal(0);
      for (const bad of ['a', '', '++', '-x']) expect(await errorOf(redis.call('ZLEXCOUNT', 'z', bad, '+'))).to.equal(LEX_RANGE);
    });
  });

  describe('ZRANGE and friends', () => {
    beforeEach(async () => {
      await redis.call('ZADD', 'z', '1', 'a', '2', 'b', '3', 'c', '4', 'd');
    });

    it('ZRANGE by rank, reversed, with negative indexes', async () => {
      expect(await redis.call('ZRANGE', 'z', '0', '-1')).to.deep.equal(['a', 'b', 'c', 'd']);
      expect(await redis.call('ZRANGE', 'z', '-2', '100')).to.deep.equal(['c', 'd']);
      expect(await redis.call('ZRANGE', 'z', '0', '1', 'REV')).to.deep.equal(['d', 'c']);
      expect(await redis.call('ZREVRANGE', 'z', '1', '2')).to.deep.equal(['c', 'b']);
      expect(await redis.call('ZRANGE', 'z', '3', '1')).to.deep.equal([]);
      expect(await redis.call('ZRANGE', 'nokey', '0', '-1')).to.deep.equal([]);
      expect(await resp2.call('ZRANGE', 'z', '0', '0', 'WITHSCORES')).to.deep.equal(['a', '1']);
    });

    it('ZRANGE BYSCORE and BYLEX with REV and LIMIT', async () => {
      expect(await redis.call('ZRANGE', 'z', '(1', '3', 'BYSCORE')).to.deep.equal(['b', 'c']);
      expect(await redis.call('ZRANGE', 'z', '3', '(1', 'BYSCORE', 'REV')).to.deep.equal(['c', 'b']);
      expect(await redis.call('ZRANGE', 'z', '-inf', '+inf', 'BYSCORE', 'LIMIT', '1', '2')).to.deep.equal(['b', 'c']);
      expect(await redis.call('ZRANGE', 'z', '-inf', '+inf', 'BYSCORE', 'LIMIT', '1', '-1')).to.deep.equal(['b', 'c', 'd']);
      expect(await redis.call('ZRANGE', 'z', '-inf', '+inf', 'BYSCORE', 'LIMIT', '-1', '2')).to.deep.equal([]);
      expect(await redis.call('ZRANGE', 'z', '[c', '-', 'BYLEX', 'REV')).to.deep.equal(['c', 'b', 'a']);
      expect(await redis.call('ZRANGE', 'z', '+', '-', 'BYLEX', 'REV', 'LIMIT', '1', '2')).to.deep.equal(['c', 'b']);
      expect(await redis.call('ZRANGEBYSCORE', 'z', '2', '3')).to.deep.equal(['b', 'c']);
      expect(await redis.call('ZREVRANGEBYSCORE', 'z', '+inf', '-inf', 'LIMIT', '1', '2')).to.deep.equal(['c', 'b']);
      expect(await redis.call('ZRANGEBYLEX', 'z', '(a', '[c')).to.deep.equal(['b', 'c']);
      expect(await redis.call('ZREVRANGEBYLEX', 'z', '+', '-', 'LIMIT', '0', '1')).to.deep.equal(['d']);
    });

    it('ZRANGE syntax errors', async () => {
      expect(await errorOf(redis.call('ZRANGE', 'z', '0', '1', 'LIMIT', '0', '1'))).to.equal('ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX');
      expect(await errorOf(redis.call('ZREVRANGE', 'z', '0', '1', 'LIMIT', '0', '1'))).to.equal('ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX');
      expect(await errorOf(redis.call('ZRANGE', 'z', '-', '+', 'BYLEX', 'WITHSCORES'))).to.equal('ERR syntax error, WITHSCORES not supported in combination with BYLEX');
      expect(await errorOf(redis.call('ZRANGEBYLEX', 'z', '-', '+', 'WITHSCORES'))).to.equal('ERR syntax error, WITHSCORES not supported in combination with BYLEX');
      for (const extra of [['BYSCORE', 'BYLEX'], ['REV', 'REV'], ['LIMIT', '0'], ['FOO']]) {
        expect(await errorOf(redis.call('ZRANGE', 'z', '0', '1', ...extra)), extra.join(' ')).to.equal(SYNTAX);
      }
      expect(await errorOf(redis.call('ZRANGEBYSCORE', 'z', '0', '1', 'REV'))).to.equal(SYNTAX);
      expect(await errorOf(redis.call('ZRANGE', 'z', 'x', '1'))).to.equal(NOT_INTEGER);
      expect(await errorOf(redis.call('ZRANGE', 'z', '0', '1', 'BYSCORE', 'LIMIT', 'x', '1'))).to.equal(NOT_INTEGER);
      expect(await errorOf(redis.call('ZRANGE', 'z', 'x', '1', 'BYSCORE'))).to.equal(MIN_MAX_NOT_FLOAT);
      expect(await errorOf(redis.call('ZRANGE', 'z', '0', '1', 'BYLEX'))).to.equal(LEX_RANGE);
      expect(await errorOf(redis.call('ZRANGE', 'z', '0'))).to.equal(arityError('zrange'));
    });

    it('WITHSCORES is a flat array in RESP2 and [member, score] pairs in RESP3', async () => {
      await expectRaw(['ZRANGE', 'z', '0', '1', 'WITHSCORES'], '*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n');
      await expectRaw(['ZRANGE', 'z', '0', '1', 'WITHSCORES'], '*2\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,2\r\n', true);
      await expectRaw(['ZRANGEBYSCORE', 'z', '4', '4', 'WITHSCORES'], '*1\r\n*2\r\n$1\r\nd\r\n,4\r\n', true);
      await expectRaw(['ZUNION', '1', 'z', 'WITHSCORES'], '*4\r\n*2\r\n$1\r\na\r\n,1\r\n', true);
      await expectRaw(['ZRANGE', 'z', '0', '0'], '*1\r\n$1\r\na\r\n', true);
    });

    it('ZRANGESTORE stores the range, deletes the destination when empty', async () => {
      await redis.set('dst', 'old');
      await redis.expire('dst', 100);
      expect(await redis.call('ZRANGESTORE', 'dst', 'z', '1', '2')).to.equal(2);
      expect(await redis.ttl('dst')).to.equal(-1);
      expect(await resp2.call('ZRANGE', 'dst', '0', '-1', 'WITHSCORES')).to.deep.equal(['b', '2', 'c', '3']);
      expect(await redis.call('ZRANGESTORE', 'dst', 'z', '+inf', '(1', 'BYSCORE', 'REV', 'LIMIT', '0', '1')).to.equal(1);
      expect(await redis.call('ZRANGE', 'dst', '0', '-1')).to.deep.equal(['d']);
      expect(await redis.call('ZRANGESTORE', 'dst', 'nokey', '0', '-1')).to.equal(0);
      expect(await redis.exists('dst')).to.equal(0);
      expect(await errorOf(redis.call('ZRANGESTORE', 'dst', 'z', '0', '-1', 'WITHSCORES'))).to.equal(SYNTAX);
      expect(await errorOf(redis.call('ZRANGESTORE', 'dst', 'z', '0'))).to.equal(arityError('zrangestore'));
    });

    it('ZREMRANGEBYRANK, ZREMRANGEBYSCORE and ZREMRANGEBYLEX', async () => {
      expect(await redis.call('ZREMRANGEBYRANK', 'z', '0', '0')).to.equal(1);
      expect(await redis.call('ZREMRANGEBYSCORE', 'z', '(2', '3')).to.equal(1);
      expect(await redis.call('ZREMRANGEBYLEX', 'z', '[a', '[b')).to.equal(1);
      expect(await redis.call('ZRANGE', 'z', '0', '-1')).to.deep.equal(['d']);
      expect(await redis.call('ZREMRANGEBYRANK', 'z', '5', '10')).to.equal(0);
      expect(await redis.call('ZREMRANGEBYRANK', 'z', '-1', '-1')).to.equal(1);
      expect(await redis.exists('z')).to.equal(0);
      expect(await errorOf(redis.call('ZREMRANGEBYRANK', 'z', 'x', '1'))).to.equal(NOT_INTEGER);
      expect(await errorOf(redis.call('ZREMRANGEBYSCORE', 'z', 'x', '1'))).to.equal(MIN_MAX_NOT_FLOAT);
      expect(await errorOf(redis.call('ZREMRANGEBYLEX', 'z', 'a', 'b'))).to.equal(LEX_RANGE);
    });
  });

  describe('ZPOPMIN, ZPOPMAX, ZMPOP', () => {
    beforeEach(async () => {
      await redis.call('ZADD', 'z', '1', 'a', '2', 'b', '3', 'c');
    });

    it('ZPOPMIN and ZPOPMAX pop from either end and delete the emptied key', async () => {
      expect(await resp2.call('ZPOPMIN', 'z')).to.deep.equal(['a', '1']);
      expect(await resp2.call('ZPOPMAX', 'z', '5')).to.deep.equal(['c', '3', 'b', '2']);
      expect(await redis.exists('z')).to.equal(0);
      expect(await resp2.call('ZPOPMIN', 'z')).to.deep.equal([]);
      expect(await errorOf(redis.call('ZPOPMIN', 'z', '-1'))).to.equal('ERR value is out of range, must be positive');
      expect(await errorOf(redis.call('ZPOPMIN', 'z', 'x'))).to.equal('ERR value is out of range, must be positive');
      expect(await errorOf(redis.call('ZPOPMIN', 'z', '1', '2'))).to.equal(SYNTAX);
    });

    it('ZPOPMIN replies flat without a count and nests pairs with one in RESP3', async () => {
      await expectRaw(['ZPOPMIN', 'z'], '*2\r\n$1\r\na\r\n,1\r\n', true);
      await expectRaw(['ZPOPMAX', 'z', '1'], '*1\r\n*2\r\n$1\r\nc\r\n,3\r\n', true);
      await expectRaw(['ZPOPMAX', 'z', '0'], '*0\r\n', true);
      await expectRaw(['ZPOPMAX', 'z', '1'], '*2\r\n$1\r\nb\r\n$1\r\n2\r\n');
    });

    it('ZMPOP pops from the first non-empty key', async () => {
      expect(await resp2.call('ZMPOP', '2', 'nokey', 'z', 'MAX', 'COUNT', '2')).to.deep.equal(['z', [['c', '3'], ['b', '2']]]);
      await expectRaw(['ZMPOP', '1', 'z', 'MIN'], '*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\na\r\n,1\r\n', true);
      await expectRaw(['ZMPOP', '1', 'z', 'MIN'], '*-1\r\n');
      await expectRaw(['ZMPOP', '1', 'z', 'MIN'], '_\r\n', true);
    });

    it('ZMPOP argument errors', async () => {
      expect(await errorOf(redis.call('ZMPOP', '0', 'z', 'MIN'))).to.equal('ERR numkeys should be greater than 0');
      expect(await errorOf(redis.call('ZMPOP', 'x', 'z', 'MIN'))).to.equal('ERR numkeys should be greater than 0');
      expect(await errorOf(redis.call('ZMPOP', '2', 'z', 'MIN'))).to.equal(SYNTAX);
      expect(await errorOf(redis.call('ZMPOP', '1', 'z', 'FOO'))).to.equal(SYNTAX);
      expect(await errorOf(redis.call('ZMPOP', '1', 'z', 'MIN', 'COUNT', '0'))).to.equal('ERR count should be greater than 0');
      expect(await errorOf(redis.call('ZMPOP', '1', 'z', 'MIN', 'COUNT', '1', 'COUNT', '1'))).to.equal(SYNTAX);
      expect(await errorOf(redis.call('ZMPOP', '1', 'z'))).to.equal(arityError('zmpop'));
    });
  });

  describe('ZUNION, ZINTER, ZDIFF and their STORE forms, ZINTERCARD', () => {
    beforeEach(async () => {
      await redis.call('ZADD', 'z1', '1', 'a', '2', 'b', '3', 'c');
      await redis.call('ZADD', 'z2', '10', 'b', '20', 'c', '30', 'd');
      await redis.call('SADD', 's', 'a', 'd');
    });

    it('union, intersection and difference, sets counting as score 1', async () => {
      expect(await resp2.call('ZUNION', '2', 'z1', 'z2', 'WITHSCORES')).to.deep.equal(['a', '1', 'b', '12', 'c', '23', 'd', '30']);
      expect(await resp2.call('ZINTER', '2', 'z1', 'z2', 'WITHSCORES')).to.deep.equal(['b', '12', 'c', '23']);
      expect(await resp2.call('ZDIFF', '2', 'z1', 'z2', 'WITHSCORES')).to.deep.equal(['a', '1']);
      expect(await resp2.call('ZINTER', '2', 'z1', 's', 'WITHSCORES')).to.deep.equal(['a', '2']);
      expect(await resp2.call('ZUNION', '2', 'z1', 'nokey')).to.deep.equal(['a', 'b', 'c']);
      expect(await resp2.call('ZINTER', '2', 'z1', 'nokey')).to.deep.equal([]);
    });

    it('WEIGHTS and AGGREGATE; inf * 0 counts as 0', async () => {
      expect(await resp2.call('ZUNION', '2', 'z1', 'z2', 'WEIGHTS', '2', '0.5', 'WITHSCORES')).to.deep.equal(['a', '2', 'b', '9', 'd', '15', 'c', '16']);
      expect(await resp2.call('ZINTER', '2', 'z1', 'z2', 'AGGREGATE', 'MIN', 'WITHSCORES')).to.deep.equal(['b', '2', 'c', '3']);
      expect(await resp2.call('ZINTER', '2', 'z1', 'z2', 'AGGREGATE', 'max', 'WITHSCORES')).to.deep.equal(['b', '10', 'c', '20']);
      await redis.call('ZADD', 'inf', 'inf', 'a');
      expect(await resp2.call('ZUNION', '1', 'inf', 'WEIGHTS', '0', 'WITHSCORES')).to.deep.equal(['a', '0']);
    });

    it('STORE forms replace the destination and delete it when the result is empty', async () => {
      expect(await redis.call('ZUNIONSTORE', 'dst', '2', 'z1', 'z2')).to.equal(4);
      expect(await redis.call('ZINTERSTORE', 'dst', '2', 'z1', 'z2', 'WEIGHTS', '1', '0')).to.equal(2);
      expect(await resp2.call('ZRANGE', 'dst', '0', '-1', 'WITHSCORES')).to.deep.equal(['b', '2', 'c', '3']);
      expect(await redis.call('ZDIFFSTORE', 'dst', '2', 'z1', 'z1')).to.equal(0);
      expect(await redis.exists('dst')).to.equal(0);
      expect(await redis.call('ZUNIONSTORE', 'z1', '2', 'z1', 'z2')).to.equal(4);
      expect(await redis.call('OBJECT', 'ENCODING', 'z1')).to.equal('listpack');
    });

    it('ZINTERCARD with and without LIMIT', async () => {
      expect(await redis.call('ZINTERCARD', '2', 'z1', 'z2')).to.equal(2);
      expect(await redis.call('ZINTERCARD', '2', 'z1', 'z2', 'LIMIT', '1')).to.equal(1);
      expect(await redis.call('ZINTERCARD', '2', 'z1', 'z2', 'LIMIT', '0')).to.equal(2);
      expect(await errorOf(redis.call('ZINTERCARD', '1', 'z1', 'LIMIT', '-1'))).to.equal("ERR LIMIT can't be negative");
      expect(await errorOf(redis.call('ZINTERCARD', '1', 'z1', 'WITHSCORES'))).to.equal(SYNTAX);
    });

    it('argument errors', async () => {
      for (const name of ['ZUNION', 'ZINTER', 'ZDIFF', 'ZINTERCARD']) {
        expect(await errorOf(redis.call(name, '0', 'z1'))).to.equal(`ERR at least 1 input key is needed for '${name.toLowerCase()}' command`);
        expect(await errorOf(redis.call(name, 'x', 'z1'))).to.equal(NOT_INTEGER);
        expect(await errorOf(redis.call(name, '2', 'z1'))).to.equal(SYNTAX);
      }
      expect(await errorOf(redis.call('ZUNIONSTORE', 'd', '0', 'z1'))).to.equal("ERR at least 1 input key is needed for 'zunionstore' command");
      expect(await errorOf(redis.call('ZUNION', '1', 'z1', 'WEIGHTS', 'x'))).to.equal('ERR weight value is not a float');
      expect(await errorOf(redis.call('ZUNION', '1', 'z1', 'WEIGHTS', '1', '2'))).to.equal(SYNTAX);
      expect(await errorOf(redis.call('ZUNION', '1', 'z1', 'AGGREGATE', 'AVG'))).to.equal(SYNTAX);
      expect(await errorOf(redis.call('ZDIFF', '1', 'z1', 'WEIGHTS', '1'))).to.equal(SYNTAX);
      expect(await errorOf(redis.call('ZUNIONSTORE', 'd', '1', 'z1', 'WITHSCORES'))).to.equal(SYNTAX);
      await redis.set('str', 'x');
      expect(await errorOf(redis.call('ZUNION', '2', 'str', 'z1', 'AGGREGATE', 'AVG'))).to.equal(WRONGTYPE);
    });
  });

  describe('ZRANDMEMBER and ZSCAN', () => {
    it('ZRANDMEMBER picks members, distinct for a positive count', async () => {
      await redis.config('SET', 'zset-max-listpack-entries', '4');
      const members = Array.from({ length: 50 }, (_, i) => 'm' + i);
      await redis.call('ZADD', 'z', ...members.flatMap((m, i) => [String(i), m]));
      expect(members).to.include(await redis.call('ZRANDMEMBER', 'z'));
      for (const count of [1, 5, 20, 49, 50, 80]) {
        const picks = await redis.call('ZRANDMEMBER', 'z', String(count)) as string[];
        expect(picks.length).to.equal(Math.min(count, 50));
        expect(new Set(picks).size).to.equal(picks.length);
        for (const pick of picks) expect(members).to.include(pick);
      }
      expect((await redis.call('ZRANDMEMBER', 'z', '-100') as string[]).length).to.equal(100);
      const pairs = await resp2.call('ZRANDMEMBER', 'z', '3', 'WITHSCORES') as string[];
      expect(pairs.length).to.equal(6);
      expect(Number(pairs[1])).to.equal(members.indexOf(pairs[0]));
      await redis.call('ZADD', 'small', '1', 'a', '2', 'b', '3', 'c', '4', 'd');
      expect(await redis.call('ZRANDMEMBER', 'small', '4')).to.deep.equal(['d', 'c', 'b', 'a']);
      // A listpack gives few picks (count * 3 <= size) in its order, many in random order, as Redis 7.0.
      await redis.config('SET', 'zset-max-listpack-entries', '128');
      const scoreOrder = (picks: string[]) => picks.every((m, i) => i === 0 || members.indexOf(picks[i - 1]) < members.indexOf(m));
      await redis.call('ZADD', 'lp', ...members.slice(0, 30).flatMap((m, i) => [String(i), m]));
      expect(await redis.object('ENCODING', 'lp')).to.equal('listpack');
      let shuffled = 0;
      for (let i = 0; i < 20; i++) {
        expect(scoreOrder(await redis.call('ZRANDMEMBER', 'lp', '10') as string[])).to.equal(true);
        if (!scoreOrder(await redis.call('ZRANDMEMBER', 'lp', '20') as string[])) shuffled++;
      }
      expect(shuffled).to.be.greaterThan(0);
      expect(await redis.call('ZRANDMEMBER', 'nokey')).to.equal(null);
      expect(await redis.call('ZRANDMEMBER', 'nokey', '5')).to.deep.equal([]);
    });

    it('ZRANDMEMBER reply shapes and errors', async () => {
      await redis.call('ZADD', 'z', '1', 'a');
      await expectRaw(['ZRANDMEMBER', 'z', '1', 'WITHSCORES'], '*1\r\n*2\r\n$1\r\na\r\n,1\r\n', true);
      await expectRaw(['ZRANDMEMBER', 'z', '-2', 'WITHSCORES'], '*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\na\r\n$1\r\n1\r\n');
      expect(await errorOf(redis.call('ZRANDMEMBER', 'z', 'x'))).to.equal(NOT_INTEGER);
      expect(await errorOf(redis.call('ZRANDMEMBER', 'z', '1', 'FOO'))).to.equal(SYNTAX);
      expect(await errorOf(redis.call('ZRANDMEMBER', 'z', '-9223372036854775808'))).to.equal('ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807');
      expect(await errorOf(redis.call('ZRANDMEMBER', 'z', '5000000000000000000', 'WITHSCORES'))).to.equal('ERR value is out of range');
    });

    it('ZSCAN returns a listpack whole and walks a skiplist with a cursor', async () => {
      await redis.call('ZADD', 'small', '1.5', 'a', '2', 'b');
      expect(await resp2.call('ZSCAN', 'small', '0')).to.deep.equal(['0', ['a', '1.5', 'b', '2']]);
      expect(await resp2.call('ZSCAN', 'small', '0', 'MATCH', 'b*')).to.deep.equal(['0', ['b', '2']]);
      await redis.config('SET', 'zset-max-listpack-entries', '4');
      const members = Array.from({ length: 100 }, (_, i) => 'm' + i);
      await redis.call('ZADD', 'big', ...members.flatMap((m, i) => [String(i), m]));
      const seen = new Map<string, string>();
      let cursor = '0';
      do {
        const [next, items] = await resp2.call('ZSCAN', 'big', cursor, 'COUNT', '7') as [string, string[]];
        for (let i = 0; i < items.length; i += 2) seen.set(items[i], items[i + 1]);
        cursor = next;
      } while (cursor !== '0');
      expect(seen.size).to.equal(100);
      expect(seen.get('m42')).to.equal('42');
      expect(await resp2.call('ZSCAN', 'nokey', '0')).to.deep.equal(['0', []]);
      expect(await errorOf(redis.call('ZSCAN', 'big', 'x'))).to.equal('ERR invalid cursor');
      expect(await errorOf(redis.call('ZSCAN', 'big', '0', 'COUNT', '0'))).to.equal(SYNTAX);
      expect(await errorOf(redis.call('ZSCAN', 'big', '0', 'FOO', '1'))).to.equal(SYNTAX);
    });
  });

  describe('encodings', () => {
    it('listpack until zset-max-listpack-entries or -value is crossed, then skiplist for good', async () => {
      await redis.config('SET', 'zset-max-listpack-entries', '2');
      await redis.call('ZADD', 'z', '1', 'a', '2', 'b');
      expect(await redis.call('OBJECT', 'ENCODING', 'z')).to.equal('listpack');
      await redis.call('ZADD', 'z', '3', 'c');
      expect(await redis.call('OBJECT', 'ENCODING', 'z')).to.equal('skiplist');
      await redis.call('ZREM', 'z', 'a', 'b');
      expect(await redis.call('OBJECT', 'ENCODING', 'z')).to.equal('skiplist');
      await redis.call('ZADD', 'dup', '1', 'a', '1', 'a', '1', 'a');
      expect(await redis.call('OBJECT', 'ENCODING', 'dup')).to.equal('listpack');
      await redis.call('ZADD', 'long', '1', 'x'.repeat(65));
      expect(await redis.call('OBJECT', 'ENCODING', 'long')).to.equal('skiplist');
      await redis.call('ZADD', 'xx', '1', 'a');
      await redis.call('ZADD', 'xx', 'XX', '1', 'x'.repeat(65));
      expect(await redis.call('OBJECT', 'ENCODING', 'xx')).to.equal('listpack');
    });

    it('COPY makes an independent sorted set with the same encoding', async () => {
      await redis.config('SET', 'zset-max-listpack-entries', '1');
      await redis.call('ZADD', 'z', '1', 'a', '2', 'b');
      await redis.copy('z', 'c');
      await redis.call('ZADD', 'c', '5', 'a');
      expect(await resp2.call('ZSCORE', 'z', 'a')).to.equal('1');
      expect(await redis.call('OBJECT', 'ENCODING', 'c')).to.equal('skiplist');
      expect(await redis.call('ZRANGE', 'c', '0', '-1')).to.deep.equal(['b', 'a']);
    });

    it('a write through MULTI fails a WATCH on the key', async () => {
      const other = connect(server);
      await redis.watch('z');
      await other.call('ZADD', 'z', '1', 'a');
      expect(await redis.multi().set('k', 'v').exec()).to.equal(null);
      other.disconnect();
    });
  });

  describe('differential test against redis-server', () => {
    const real = useRealRedis(Number(process.env.NODIS_ZSET_REDIS_PORT ?? 6434));
    let theirs: Redis;
    let ours: Redis;

    before(() => {
      theirs = real.client;
      ours = resp2;
    });

    /** A seeded random sequence of commands against both, sorted sets leaving the listpack encoding after `maxEntries` members. */
    async function compare(seed: number, maxEntries: string): Promise<void> {
      const random = seededRandom(seed);
      const pick = <T>(items: readonly T[]): T => items[random(items.length)];
      const members = ['a', 'b', 'c', 'd', 'e', 'f', 'g', '', BIN.slice(0, 10), BIN.slice(250), '__proto__', 'x'.repeat(70)];
      const scores = ['1', '2', '-1', '0', '-0', '1.5', '0.1', 'inf', '-inf', '1e20', '3', '2.5', '7'];
      const badScores = ['x', 'nan', ' 1'];
      const bounds = ['0', '1', '(1', '2', '(2.5', '-inf', '+inf', '(inf', '3', '', '(', '1e400', 'x'];
      const lexBounds = ['-', '+', '[a', '(a', '[c', '(d', '[', '(', 'a', '[x'];
      const ranks = ['0', '1', '-1', '-2', '2', '5', '-100', '100', 'x'];
      const keys = ['z1', 'z2', 'z3', 's', 'str'];
      const key = () => pick(keys);
      // Lex ranges assume equal scores; with mixed ones only a listpack's answer is deterministic.
      const lexKey = () => pick(['lex', 'lex', 'mixed', 'nokey', 'str']);
      const member = () => pick(members);
      const score = () => (random(20) === 0 ? pick(badScores) : pick(scores));
      const rangeOptions = (): string[] => {
        const options: string[] = [];
        if (random(3) === 0) options.push('WITHSCORES');
        if (random(3) === 0) options.push('LIMIT', pick(['0', '1', '-1', '2']), pick(['1', '2', '-1', '0']));
        return options;
      };
      const combineOptions = (count: number): string[] => {
        const options: string[] = [];
        if (random(3) === 0) options.push('WEIGHTS', ...Array.from({ length: count }, () => pick(['1', '2', '0', '-1', 'inf', '0.5'])));
        if (random(3) === 0) options.push('AGGREGATE', pick(['SUM', 'MIN', 'MAX']));
        return options;
      };
      const sourceKeys = (count: number) => Array.from({ length: count }, () => pick(['z1', 'z2', 'z3', 's', 'nokey']));
      const makers: (() => string[])[] = [
        () => ['ZADD', key(), ...(random(2) ? [pick(['NX', 'XX', 'GT', 'LT', 'CH', 'INCR'])] : []), score(), member(), ...(random(2) ? [score(), member()] : [])],
        () => ['ZADD', pick(['z1', 'z2', 'z3']), score(), member(), score(), member(), score(), member()],
        () => ['ZINCRBY', key(), score(), member()],
        () => ['ZREM', key(), member(), member()],
        () => ['ZSCORE', key(), member()],
        () => ['ZMSCORE', key(), member(), member()],
        () => ['ZCARD', key()],
        () => ['ZCOUNT', key(), pick(bounds), pick(bounds)],
        () => ['ZLEXCOUNT', lexKey(), pick(lexBounds), pick(lexBounds)],
        () => ['ZADD', 'lex', '0', member(), '0', member()],
        () => [pick(['ZRANK', 'ZREVRANK']), key(), member()],
        () => ['ZRANGE', key(), pick(ranks), pick(ranks), ...(random(2) ? ['REV'] : []), ...(random(4) ? [] : ['WITHSCORES'])],
        () => ['ZRANGE', key(), pick(bounds), pick(bounds), 'BYSCORE', ...(random(2) ? ['REV'] : []), ...rangeOptions()],
        () => ['ZRANGE', lexKey(), pick(lexBounds), pick(lexBounds), 'BYLEX', ...(random(2) ? ['REV'] : []), ...rangeOptions()],
        () => [pick(['ZRANGEBYSCORE', 'ZREVRANGEBYSCORE']), key(), pick(bounds), pick(bounds), ...rangeOptions()],
        () => [pick(['ZRANGEBYLEX', 'ZREVRANGEBYLEX']), lexKey(), pick(lexBounds), pick(lexBounds), ...rangeOptions()],
        () => ['ZREVRANGE', key(), pick(ranks), pick(ranks), ...(random(2) ? ['WITHSCORES'] : [])],
        () => ['ZRANGESTORE', pick(['z3', 'dst']), key(), pick(ranks), pick(ranks)],
        () => ['ZRANGESTORE', pick(['z3', 'dst']), key(), pick(bounds), pick(bounds), 'BYSCORE', ...(random(2) ? ['LIMIT', '1', '2'] : [])],
        () => ['ZREMRANGEBYRANK', key(), pick(ranks), pick(ranks)],
        () => ['ZREMRANGEBYSCORE', key(), pick(bounds), pick(bounds)],
        () => ['ZREMRANGEBYLEX', lexKey(), pick(lexBounds), pick(lexBounds)],
        () => [pick(['ZPOPMIN', 'ZPOPMAX']), key(), ...(random(2) ? [pick(['0', '1', '2', '-1', 'x'])] : [])],
        () => ['ZMPOP', '2', key(), key(), pick(['MIN', 'MAX', 'FOO']), ...(random(2) ? ['COUNT', pick(['1', '3', '0'])] : [])],
        () => {
          const count = 1 + random(3);
          const name = pick(['ZUNION', 'ZINTER', 'ZDIFF']);
          return [name, String(count), ...sourceKeys(count), ...(name === 'ZDIFF' ? [] : combineOptions(count)), ...(random(2) ? ['WITHSCORES'] : [])];
        },
        () => {
          const count = 1 + random(3);
          const name = pick(['ZUNIONSTORE', 'ZINTERSTORE', 'ZDIFFSTORE']);
          return [name, pick(['dst', 'z3']), String(count), ...sourceKeys(count), ...(name === 'ZDIFFSTORE' ? [] : combineOptions(count))];
        },
        () => ['ZINTERCARD', '2', ...sourceKeys(2), ...(random(2) ? ['LIMIT', pick(['0', '1', '-1'])] : [])],
        () => ['ZRANDMEMBER', key(), ...(random(2) ? [pick(['0', '1', '3', '-3', '100', 'x'])] : []), ...(random(3) ? [] : ['WITHSCORES'])],
        () => ['ZSCAN', pick(['z1', 'z2', 'z3', 'dst']), '0', 'COUNT', '1000'],
        () => ['OBJECT', 'ENCODING', pick(['z1', 'z2', 'z3', 'dst'])],
        () => ['SADD', 's', member()],
        () => ['DEL', pick(['z1', 'z2', 'z3', 'dst'])],
      ];
      await theirs.flushall();
      await ours.flushall();
      for (const client of [theirs, ours]) {
        await client.config('SET', 'zset-max-listpack-entries', maxEntries);
        await client.config('SET', 'zset-max-listpack-value', '64');
        await client.set('str', 'text');
        await client.call('ZADD', 'mixed', '3', 'a', '1', 'b', '2', 'c', '1', 'd', '0', 'e');
      }
      const outcome = async (client: Redis, args: string[]): Promise<unknown> => {
        const reply = await replyOrError(client, args);
        if (typeof reply === 'string') return reply;
        // Random picks differ: their count must match (and the whole set's order when all are returned).
        if (args[0] === 'ZRANDMEMBER') return Array.isArray(reply) ? (Number(args[2]) >= 100 ? reply : reply.length) : reply === null;
        if (args[0] === 'ZSCAN') {
          const items = (reply as Buffer[][])[1];
          const pairs: string[] = [];
          for (let i = 0; i < items.length; i += 2) pairs.push(items[i].toString('latin1') + '\0' + items[i + 1].toString('latin1'));
          return [(reply as Buffer[][])[0].toString(), pairs.sort()];
        }
        return reply;
      };
      for (let i = 0; i < 1500; i++) {
        const args = makers[random(makers.length)]();
        const expected = await outcome(theirs, args);
        const got = await outcome(ours, args);
        expect(got, `${i}: ${JSON.stringify(args)}`).to.deep.equal(expected);
      }
    }

    it('a seeded random sequence of sorted set commands replies as Redis does, listpacks soon becoming skiplists', async () => {
      await compare(4242, '5');
    });

    it('the same with sorted sets kept as listpacks but for a member over zset-max-listpack-value', async () => {
      await compare(4343, '128');
    });
  });
});
