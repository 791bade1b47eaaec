import { expect } from 'chai';
import { Redis } from 'ioredis';
import { ALL_BYTES, arityError, errorOf, expectRawReply, rawRequest, startWithClients, stopWithClients } from './helpers.js';
import { replyOrError, seededRandom, useRealRedis } from './external.js';
import type { Server } from '../src/index.js';

const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';
const NOT_INTEGER = 'ERR value is not an integer or out of range';
const MUST_BE_POSITIVE = 'ERR value is out of range, must be positive';
const SYNTAX = 'ERR syntax error';
const BIN = ALL_BYTES.toString('latin1');

/** Members as latin1 strings, sorted: for replies whose order is a hash table's. */
function sortedMembers(reply: unknown): string[] {
  return (reply as (string | Buffer)[]).map((m) => (typeof m === 'string' ? m : m.toString('latin1'))).sort();
}

function expectDistinctMembersOf(reply: unknown, members: string[], count: number): void {
  const got = reply as string[];
  expect(got).to.have.length(count);
  expect(new Set(got).size).to.equal(count);
  for (const member of got) expect(members).to.include(member);
}

describe('set commands', () => {
  let server: Server;
  let redis: Redis;
  let resp2: Redis;
  const expectRaw = (args: string[], expected: string, resp3 = false) => expectRawReply(server, args, expected, resp3);

  before(async () => ({ server, redis, resp2 } = await startWithClients()));
  after(() => stopWithClients(server, redis, resp2));

  beforeEach(async () => {
    await redis.flushall();
    await redis.config('SET', 'set-max-intset-entries', '512');
  });

  describe('SADD, SREM, SCARD, SISMEMBER, SMISMEMBER, SMEMBERS', () => {
    it('SADD counts new members and SCARD/SISMEMBER see them', async () => {
      expect(await redis.call('SADD', 's', 'a', 'b', 'a')).to.equal(2);
      expect(await redis.call('SADD', 's', 'b', 'c')).to.equal(1);
      expect(await redis.call('SCARD', 's')).to.equal(3);
      expect(await redis.call('SISMEMBER', 's', 'c')).to.equal(1);
      expect(await redis.call('SISMEMBER', 's', 'x')).to.equal(0);
      expect(await redis.call('SCARD', 'missing')).to.equal(0);
    });

    it('SMISMEMBER answers each member, also for a missing key', async () => {
      await redis.call('SADD', 's', 'a', '1');
      expect(await redis.call('SMISMEMBER', 's', 'a', 'x', '1')).to.deep.equal([1, 0, 1]);
      expect(await redis.call('SMISMEMBER', 'missing', 'a')).to.deep.equal([0]);
    });

    it('SREM removes members and deletes the emptied key', async () => {
      await redis.call('SADD', 's', 'a', 'b', 'c');
      expect(await redis.call('SREM', 's', 'a', 'x')).to.equal(1);
      expect(sortedMembers(await redis.call('SMEMBERS', 's'))).to.deep.equal(['b', 'c']);
      expect(await redis.call('SREM', 's', 'b', 'c')).to.equal(2);
      expect(await redis.exists('s')).to.equal(0);
      expect(await redis.call('SREM', 's', 'b')).to.equal(0);
    });

    it('SMEMBERS of an intset is sorted numerically, as a set in RESP3 and an array in RESP2', async () => {
      await redis.call('SADD', 's', '10', '-3', '2', '9223372036854775807', '-9223372036854775808', '9223372036854775806');
      expect(await redis.object('ENCODING', 's')).to.equal('intset');
      const sorted = ['-9223372036854775808', '-3', '2', '10', '9223372036854775806', '9223372036854775807'];
      expect(await redis.call('SMEMBERS', 's')).to.deep.equal(sorted);
      expect(await resp2.call('SMEMBERS', 's')).to.deep.equal(sorted);
      await redis.call('SADD', 't', '2', '1');
      await expectRaw(['SMEMBERS', 't'], '~2\r\n$1\r\n1\r\n$1\r\n2\r\n', true);
      await expectRaw(['SMEMBERS', 't'], '*2\r\n$1\r\n1\r\n$1\r\n2\r\n');
      await expectRaw(['SMEMBERS', 'missing'], '~0\r\n', true);
    });

    it('SADD converts to hashtable on a non-integer or too many members', async () => {
      await redis.call('SADD', 's', '1', '01');
      expect(await redis.object('ENCODING', 's')).to.equal('hashtable');
      await redis.config('SET', 'set-max-intset-entries', '2');
      await redis.call('SADD', 't', '1', '2');
      expect(await redis.object('ENCODING', 't')).to.equal('intset');
      await redis.call('SADD', 't', '3');
      expect(await redis.object('ENCODING', 't')).to.equal('hashtable');
    });

    it('SADD and SMEMBERS are binary safe', async () => {
      await redis.call('SADD', ALL_BYTES, ALL_BYTES);
      const members = (await redis.callBuffer('SMEMBERS', ALL_BYTES)) as Buffer[];
      expect(members[0].equals(ALL_BYTES)).to.equal(true);
    });

    it('set commands reply WRONGTYPE and arity errors', async () => {
      await redis.set('str', 'x');
      await redis.call('SADD', 's', 'a');
      for (const args of [
        ['SADD', 'str', 'a'], ['SREM', 'str', 'a'], ['SCARD', 'str'], ['SISMEMBER', 'str', 'a'], ['SMEMBERS', 'str'],
        ['SMISMEMBER', 'str', 'a'], ['SPOP', 'str'], ['SPOP', 'str', '0'], ['SRANDMEMBER', 'str'], ['SRANDMEMBER', 'str', '0'],
        ['SMOVE', 'str', 's', 'a'], ['SMOVE', 's', 'str', 'a'], ['SMOVE', 'str', 'str', 'a'],
        ['SINTER', 'missing', 'str'], ['SINTERSTORE', 'd', 'missing', 'str'], ['SINTERCARD', '2', 'missing', 'str'],
        ['SUNION', 's', 'str'], ['SUNIONSTORE', 'd', 'str'], ['SDIFF', 'missing', 'str'], ['SDIFFSTORE', 'd', 's', 'str'],
        ['SSCAN', 'str', '0'],
      ]) {
        expect(await errorOf(redis.call(args[0], ...args.slice(1))), args.join(' ')).to.equal(WRONGTYPE);
      }
      for (const [name, args] of [['sadd', ['s']], ['spop', []], ['srandmember', []], ['smove', ['a', 'b']], ['sinter', []],
        ['sinterstore', ['d']], ['sintercard', ['1']], ['sunionstore', ['d']], ['sdiff', []], ['sscan', ['s']]] as const) {
        expect(await errorOf(redis.call(name, ...args))).to.equal(arityError(name));
      }
    });
  });

  describe('SPOP', () => {
    it('pops one random member, null for a missing key, and deletes the emptied set', async () => {
      await redis.call('SADD', 's', 'a', 'b');
      const first = await redis.call('SPOP', 's');
      expect(['a', 'b']).to.include(first);
      expect(await redis.call('SISMEMBER', 's', first as string)).to.equal(0);
      expect(await redis.call('SPOP', 's')).to.equal(first === 'a' ? 'b' : 'a');
      expect(await redis.exists('s')).to.equal(0);
      expect(await redis.call('SPOP', 's')).to.equal(null);
      await expectRaw(['SPOP', 's'], '$-1\r\n');
      await expectRaw(['SPOP', 's'], '_\r\n', true);
    });

    it('pops count distinct members as a set reply', async () => {
      const members = Array.from({ length: 50 }, (_, i) => `m${i}`);
      await redis.call('SADD', 's', ...members);
      expectDistinctMembersOf(await redis.call('SPOP', 's', '3'), members, 3);
      const many = (await redis.call('SPOP', 's', '45')) as string[];
      expectDistinctMembersOf(many, members, 45);
      expect(await redis.call('SCARD', 's')).to.equal(2);
      const left = (await redis.call('SMEMBERS', 's')) as string[];
      for (const member of left) expect(many).not.to.include(member);
      await redis.call('SADD', 't', 'a', 'b', 'c');
      expect((await rawRequest(server, ['SPOP', 't', '1'], 4, true)).slice(0, 4)).to.equal('~1\r\n');
      expect((await rawRequest(server, ['SPOP', 't', '1'], 4)).slice(0, 4)).to.equal('*1\r\n');
    });

    it('with a count as large as the set returns it all (numeric order when it could be an intset) and deletes it', async () => {
      await redis.call('SADD', 's', '30', '10', '20');
      expect(await redis.call('SPOP', 's', '10')).to.deep.equal(['10', '20', '30']);
      expect(await redis.exists('s')).to.equal(0);
      // A hashtable left with integers only is returned in numeric order too, as Redis's SUNION of it would be.
      await redis.call('SADD', 'h', '30', '10', 'x', '20');
      await redis.call('SREM', 'h', 'x');
      expect(await redis.object('ENCODING', 'h')).to.equal('hashtable');
      expect(await redis.call('SPOP', 'h', '3')).to.deep.equal(['10', '20', '30']);
      await expectRaw(['SPOP', 'missing', '2'], '~0\r\n', true);
      await expectRaw(['SPOP', 'missing', '2'], '*0\r\n');
    });

    it('count 0 answers an empty set; a negative or bad count and extra arguments are errors', async () => {
      await redis.call('SADD', 's', 'a');
      expect(await redis.call('SPOP', 's', '0')).to.deep.equal([]);
      await expectRaw(['SPOP', 's', '0'], '~0\r\n', true);
      expect(await redis.call('SCARD', 's')).to.equal(1);
      expect(await errorOf(redis.call('SPOP', 's', '-1'))).to.equal(MUST_BE_POSITIVE);
      expect(await errorOf(redis.call('SPOP', 'missing', 'abc'))).to.equal(MUST_BE_POSITIVE);
      expect(await errorOf(redis.call('SPOP', 's', '9223372036854775808'))).to.equal(MUST_BE_POSITIVE);
      expect(await errorOf(redis.call('SPOP', 's', '1', '2'))).to.equal(SYNTAX);
    });

    it('leaving few members rebuilds the set: a hashtable of integers may become an intset; the TTL stays', async () => {
      await redis.call('SADD', 's', ...Array.from({ length: 600 }, (_, i) => String(i)));
      await redis.expire('s', 1000);
      expect(await redis.object('ENCODING', 's')).to.equal('hashtable');
      const popped = (await redis.call('SPOP', 's', '599')) as string[];
      expect(new Set(popped).size).to.equal(599);
      expect(await redis.call('SCARD', 's')).to.equal(1);
      expect(await redis.object('ENCODING', 's')).to.equal('intset');
      expect(await redis.ttl('s')).to.be.greaterThan(0);
      const [left] = (await redis.call('SMEMBERS', 's')) as string[];
      expect(popped).not.to.include(left);
      // What is replied then is the old set's rest: an intset's in numeric order.
      await redis.call('SADD', 'i', '10', '9', '8', '7', '6', '5', '4', '3', '2', '1');
      const rest = (await redis.call('SPOP', 'i', '9')) as string[];
      expect(rest).to.deep.equal([...rest].sort((a, b) => Number(a) - Number(b)));
      expect(rest).to.have.length(9);
    });

    it('pops binary members', async () => {
      await redis.call('SADD', 's', ALL_BYTES);
      const popped = (await redis.callBuffer('SPOP', 's')) as Buffer;
      expect(popped.equals(ALL_BYTES)).to.equal(true);
    });
  });

  describe('SRANDMEMBER', () => {
    it('without count returns one member or null', async () => {
      await redis.call('SADD', 's', 'a', 'b');
      expect(['a', 'b']).to.include(await redis.call('SRANDMEMBER', 's'));
      expect(await redis.call('SCARD', 's')).to.equal(2);
      expect(await redis.call('SRANDMEMBER', 'missing')).to.equal(null);
      await expectRaw(['SRANDMEMBER', 'missing'], '_\r\n', true);
    });

    it('a positive count picks distinct members (by drawing or by shuffling), replied as an array', async () => {
      const members = Array.from({ length: 30 }, (_, i) => `m${i}`);
      await redis.call('SADD', 's', ...members);
      for (const count of [1, 2, 9, 10, 11, 29]) expectDistinctMembersOf(await redis.call('SRANDMEMBER', 's', String(count)), members, count);
      expect(await redis.call('SCARD', 's')).to.equal(30);
      expect((await rawRequest(server, ['SRANDMEMBER', 's', '2'], 4, true)).slice(0, 4)).to.equal('*2\r\n');
    });

    it('a count of the size or more returns the whole set in its order', async () => {
      await redis.call('SADD', 's', '3', '1', '2');
      expect(await redis.call('SRANDMEMBER', 's', '3')).to.deep.equal(['1', '2', '3']);
      await expectRaw(['SRANDMEMBER', 's', '100'], '*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n', true);
      await redis.call('SADD', 'h', 'a', 'b');
      expect(sortedMembers(await redis.call('SRANDMEMBER', 'h', '5'))).to.deep.equal(['a', 'b']);
    });

    it('a negative count may repeat members', async () => {
      await redis.call('SADD', 's', 'only');
      expect(await redis.call('SRANDMEMBER', 's', '-4')).to.deep.equal(['only', 'only', 'only', 'only']);
      await expectRaw(['SRANDMEMBER', 's', '-2'], '*2\r\n$4\r\nonly\r\n$4\r\nonly\r\n', true);
      await redis.call('SADD', 'b', ALL_BYTES);
      const picks = (await redis.callBuffer('SRANDMEMBER', 'b', '-2')) as Buffer[];
      expect(picks.every((pick) => pick.equals(ALL_BYTES))).to.equal(true);
    });

    it('count 0 or a missing key answers an empty array; bad counts are errors', async () => {
      await redis.call('SADD', 's', 'a');
      await expectRaw(['SRANDMEMBER', 's', '0'], '*0\r\n', true);
      await expectRaw(['SRANDMEMBER', 'missing', '3'], '*0\r\n', true);
      expect(await errorOf(redis.call('SRANDMEMBER', 's', 'abc'))).to.equal(NOT_INTEGER);
      expect(await errorOf(redis.call('SRANDMEMBER', 's', '9223372036854775808'))).to.equal(NOT_INTEGER);
      expect(await errorOf(redis.call('SRANDMEMBER', 's', '-9223372036854775808'))).to.equal(
        'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807',
      );
      expect(await errorOf(redis.call('SRANDMEMBER', 's', '1', '2'))).to.equal(SYNTAX);
    });
  });

  describe('SMOVE', () => {
    it('moves a member, creating the destination and deleting the emptied source', async () => {
      await redis.call('SADD', 'src', 'a', '1');
      expect(await redis.call('SMOVE', 'src', 'dst', 'a')).to.equal(1);
      expect(await redis.call('SMEMBERS', 'src')).to.deep.equal(['1']);
      expect(await redis.call('SMEMBERS', 'dst')).to.deep.equal(['a']);
      expect(await redis.call('SMOVE', 'src', 'dst', '1')).to.equal(1);
      expect(await redis.exists('src')).to.equal(0);
      expect(sortedMembers(await redis.call('SMEMBERS', 'dst'))).to.deep.equal(['1', 'a']);
      expect(await redis.object('ENCODING', 'dst')).to.equal('hashtable');
    });

    it('answers 0 for a missing source or member and 1 when the member is already in the destination', async () => {
      await redis.call('SADD', 'src', 'a', 'b');
      await redis.call('SADD', 'dst', 'a');
      await redis.set('str', 'x');
      expect(await redis.call('SMOVE', 'missing', 'str', 'a')).to.equal(0);
      expect(await redis.call('SMOVE', 'src', 'dst', 'x')).to.equal(0);
      expect(await redis.call('SMOVE', 'src', 'dst', 'a')).to.equal(1);
      expect(await redis.call('SMEMBERS', 'src')).to.deep.equal(['b']);
      expect(await redis.call('SMEMBERS', 'dst')).to.deep.equal(['a']);
    });

    it('with the same source and destination only checks membership', async () => {
      await redis.call('SADD', 's', 'a');
      expect(await redis.call('SMOVE', 's', 's', 'a')).to.equal(1);
      expect(await redis.call('SMOVE', 's', 's', 'x')).to.equal(0);
      expect(await redis.call('SMEMBERS', 's')).to.deep.equal(['a']);
    });

    it('moves binary members between binary keys', async () => {
      await redis.call('SADD', ALL_BYTES, ALL_BYTES);
      expect(await redis.call('SMOVE', ALL_BYTES, 'dst', ALL_BYTES)).to.equal(1);
      expect(((await redis.callBuffer('SMEMBERS', 'dst')) as Buffer[])[0].equals(ALL_BYTES)).to.equal(true);
    });
  });

  describe('SINTER, SUNION, SDIFF and their STORE forms', () => {
    beforeEach(async () => {
      await redis.call('SADD', 'a', '1', '2', '3', 'x');
      await redis.call('SADD', 'b', '2', '3', '4', 'x');
      await redis.call('SADD', 'c', '3', '4', '5');
    });

    it('SINTER intersects; a missing key makes the result empty', async () => {
      expect(sortedMembers(await redis.call('SINTER', 'a', 'b'))).to.deep.equal(['2', '3', 'x']);
      expect(await redis.call('SINTER', 'a', 'b', 'c')).to.deep.equal(['3']);
      expect(await redis.call('SINTER', 'c')).to.deep.equal(['3', '4', '5']);
      expect(await redis.call('SINTER', 'a', 'missing')).to.deep.equal([]);
      expect(sortedMembers(await redis.call('SINTER', 'a', 'a'))).to.deep.equal(['1', '2', '3', 'x']);
      await expectRaw(['SINTER', 'a', 'c'], '~1\r\n$1\r\n3\r\n', true);
      await expectRaw(['SINTER', 'a', 'c'], '*1\r\n$1\r\n3\r\n');
      await expectRaw(['SINTER', 'a', 'missing'], '~0\r\n', true);
    });

    it('SINTER replies in the order of the smallest set: numeric for an intset', async () => {
      await redis.call('SADD', 'i', '9', '-1', '5', '7');
      await redis.call('SADD', 'h', '7', '5', 'z', '9', '-1', 'y');
      expect(await redis.call('SINTER', 'h', 'i')).to.deep.equal(['-1', '5', '7', '9']);
    });

    it('SUNION and SDIFF treat missing keys as empty sets', async () => {
      expect(sortedMembers(await redis.call('SUNION', 'a', 'c', 'missing'))).to.deep.equal(['1', '2', '3', '4', '5', 'x']);
      expect(await redis.call('SUNION', 'c', 'missing')).to.deep.equal(['3', '4', '5']);
      expect(await redis.call('SUNION', 'missing')).to.deep.equal([]);
      expect(await redis.call('SDIFF', 'a', 'b')).to.deep.equal(['1']);
      expect(await redis.call('SDIFF', 'a', 'missing', 'c')).to.deep.include.members(['1', '2', 'x']);
      expect(await redis.call('SDIFF', 'missing', 'a')).to.deep.equal([]);
      expect(await redis.call('SDIFF', 'a', 'a')).to.deep.equal([]);
      expect(await redis.call('SDIFF', 'c', 'b', 'c')).to.deep.equal([]);
      await expectRaw(['SDIFF', 'c', 'b'], '~1\r\n$1\r\n5\r\n', true);
      await expectRaw(['SUNION', 'missing'], '~0\r\n', true);
      await expectRaw(['SUNION', 'missing'], '*0\r\n');
    });

    it('SUNION of integers that fit an intset is numerically sorted', async () => {
      await redis.call('SADD', 'h', 'z', '30', '-2');
      await redis.call('SREM', 'h', 'z');
      await redis.call('SADD', 'i', '10', '-5');
      expect(await redis.call('SUNION', 'h', 'i')).to.deep.equal(['-5', '-2', '10', '30']);
    });

    it('the STORE forms overwrite the destination (any type, TTL dropped) and reply the cardinality', async () => {
      await redis.set('dst', 'string', 'EX', 100);
      expect(await redis.call('SINTERSTORE', 'dst', 'a', 'b')).to.equal(3);
      expect(await redis.type('dst')).to.equal('set');
      expect(await redis.ttl('dst')).to.equal(-1);
      expect(sortedMembers(await redis.call('SMEMBERS', 'dst'))).to.deep.equal(['2', '3', 'x']);
      expect(await redis.call('SUNIONSTORE', 'dst', 'dst', 'c')).to.equal(5);
      expect(sortedMembers(await redis.call('SMEMBERS', 'dst'))).to.deep.equal(['2', '3', '4', '5', 'x']);
      expect(await redis.call('SDIFFSTORE', 'dst', 'c', 'a')).to.equal(2);
      expect(await redis.call('SMEMBERS', 'dst')).to.deep.equal(['4', '5']);
      expect(await redis.object('ENCODING', 'dst')).to.equal('intset');
    });

    it('an empty result deletes the destination', async () => {
      for (const args of [['SINTERSTORE', 'dst', 'a', 'missing'], ['SINTERSTORE', 'dst', 'a', 'c', '5'], ['SUNIONSTORE', 'dst', 'missing'],
        ['SDIFFSTORE', 'dst', 'a', 'a'], ['SDIFFSTORE', 'dst', 'missing', 'a']]) {
        await redis.set('dst', 'x');
        expect(await redis.call(args[0], ...args.slice(1)), args.join(' ')).to.equal(0);
        expect(await redis.exists('dst')).to.equal(0);
      }
    });

    it('the stored encoding follows Redis: intset while integers fit, SDIFF by the algorithm it picks', async () => {
      await redis.config('SET', 'set-max-intset-entries', '4');
      expect(await redis.call('SUNIONSTORE', 'u', 'c', 'missing')).to.equal(3);
      expect(await redis.object('ENCODING', 'u')).to.equal('intset');
      expect(await redis.call('SUNIONSTORE', 'u', 'a', 'c')).to.equal(6);
      expect(await redis.object('ENCODING', 'u')).to.equal('hashtable');
      await redis.call('SADD', 'five', '1', '2', '3', '4', '5');
      await redis.call('SADD', 'big', '5', 'x1', 'x2', 'x3', 'x4', 'x5', 'x6', 'x7', 'x8', 'x9', 'x10');
      // Looking members up costs less here: only the 4 surviving members are added.
      expect(await redis.call('SDIFFSTORE', 'd1', 'five', 'big')).to.equal(4);
      expect(await redis.object('ENCODING', 'd1')).to.equal('intset');
      await redis.call('SADD', 'one', '5');
      await redis.call('SADD', 'two', '4');
      await redis.call('SADD', 'three', '9');
      // Copying then removing costs less here: the copy of 5 members became a hashtable.
      expect(await redis.call('SDIFFSTORE', 'd2', 'five', 'one', 'two', 'three')).to.equal(3);
      expect(await redis.object('ENCODING', 'd2')).to.equal('hashtable');
    });

    it('work on binary members and keys', async () => {
      await redis.call('SADD', ALL_BYTES, ALL_BYTES, 'a');
      await redis.call('SADD', 'other', ALL_BYTES);
      expect(((await redis.callBuffer('SINTER', ALL_BYTES, 'other')) as Buffer[])[0].equals(ALL_BYTES)).to.equal(true);
      expect(await redis.call('SDIFF', ALL_BYTES, 'other')).to.deep.equal(['a']);
      expect(await redis.call('SUNIONSTORE', BIN.slice(0, 10), ALL_BYTES, 'other')).to.equal(2);
      expect(await redis.call('SISMEMBER', BIN.slice(0, 10), ALL_BYTES)).to.equal(1);
    });
  });

  describe('SINTERCARD', () => {
    beforeEach(async () => {
      await redis.call('SADD', 'a', '1', '2', '3', 'x');
      await redis.call('SADD', 'b', '2', '3', '4', 'x');
    });

    it('counts the intersection, up to LIMIT (0 = no limit, the last LIMIT wins)', async () => {
      expect(await redis.call('SINTERCARD', '2', 'a', 'b')).to.equal(3);
      expect(await redis.call('SINTERCARD', '1', 'a')).to.equal(4);
      expect(await redis.call('SINTERCARD', '2', 'a', 'missing')).to.equal(0);
      expect(await redis.call('SINTERCARD', '2', 'a', 'b', 'LIMIT', '2')).to.equal(2);
      expect(await redis.call('SINTERCARD', '2', 'a', 'b', 'limit', '0')).to.equal(3);
      expect(await redis.call('SINTERCARD', '2', 'a', 'b', 'LIMIT', '9', 'LIMIT', '1')).to.equal(1);
      expect(await redis.call('SINTERCARD', '1', 'a', 'LIMIT', '100')).to.equal(4);
    });

    it('replies Redis errors for bad numkeys and options', async () => {
      for (const numKeys of ['0', '-1', 'abc', '9223372036854775808']) {
        expect(await errorOf(redis.call('SINTERCARD', numKeys, 'a'))).to.equal('ERR numkeys should be greater than 0');
      }
      expect(await errorOf(redis.call('SINTERCARD', '3', 'a', 'b'))).to.equal("ERR Number of keys can't be greater than number of args");
      expect(await errorOf(redis.call('SINTERCARD', '1', 'a', 'LIMIT', '-1'))).to.equal("ERR LIMIT can't be negative");
      expect(await errorOf(redis.call('SINTERCARD', '1', 'a', 'LIMIT', 'x'))).to.equal("ERR LIMIT can't be negative");
      expect(await errorOf(redis.call('SINTERCARD', '1', 'a', 'LIMIT'))).to.equal(SYNTAX);
      expect(await errorOf(redis.call('SINTERCARD', '1', 'a', 'b'))).to.equal(SYNTAX);
    });

    it('COMMAND GETKEYS finds the counted keys', async () => {
      expect(await redis.call('COMMAND', 'GETKEYS', 'SINTERCARD', '2', 'a', 'b', 'LIMIT', '1')).to.deep.equal(['a', 'b']);
      expect(await redis.call('COMMAND', 'GETKEYS', 'SINTERSTORE', 'd', 'a', 'b')).to.deep.equal(['d', 'a', 'b']);
      expect(await redis.call('COMMAND', 'GETKEYS', 'SMOVE', 's', 'd', 'm')).to.deep.equal(['s', 'd']);
    });
  });

  describe('SSCAN', () => {
    it('returns an intset whole, in numeric order, with MATCH applied', async () => {
      await redis.call('SADD', 's', '12', '3', '-1', '20');
      expect(await resp2.call('SSCAN', 's', '0', 'COUNT', '1')).to.deep.equal(['0', ['-1', '3', '12', '20']]);
      expect(await resp2.call('SSCAN', 's', '0', 'MATCH', '*2*')).to.deep.equal(['0', ['12', '20']]);
      await expectRaw(['SSCAN', 's', '0', 'MATCH', '3'], '*2\r\n$1\r\n0\r\n*1\r\n$1\r\n3\r\n', true);
    });

    it('walks a hashtable with a cursor, visiting every member once', async () => {
      const members = Array.from({ length: 100 }, (_, i) => `m${i}`);
      await redis.call('SADD', 's', ...members, ALL_BYTES);
      const seen: string[] = [];
      let cursor = '0';
      do {
        const [next, found] = (await resp2.callBuffer('SSCAN', 's', cursor, 'COUNT', '7')) as [Buffer, Buffer[]];
        cursor = next.toString();
        seen.push(...found.map((m) => m.toString('latin1')));
      } while (cursor !== '0');
      expect(seen.sort()).to.deep.equal([...members, BIN].sort());
      const [, matched] = (await resp2.call('SSCAN', 's', '0', 'MATCH', 'm9*', 'COUNT', '1000')) as [string, string[]];
      expect(matched.sort()).to.deep.equal(['m9', 'm90', 'm91', 'm92', 'm93', 'm94', 'm95', 'm96', 'm97', 'm98', 'm99']);
    });

    it('answers an empty scan for a missing key and Redis errors for bad arguments', async () => {
      expect(await resp2.call('SSCAN', 'missing', '0')).to.deep.equal(['0', []]);
      await redis.call('SADD', 's', 'a');
      expect(await errorOf(redis.call('SSCAN', 's', 'x'))).to.equal('ERR invalid cursor');
      expect(await errorOf(redis.call('SSCAN', 's', '0', 'COUNT', '0'))).to.equal(SYNTAX);
      expect(await errorOf(redis.call('SSCAN', 's', '0', 'COUNT'))).to.equal(SYNTAX);
      expect(await errorOf(redis.call('SSCAN', 's', '0', 'TYPE', 'set'))).to.equal(SYNTAX);
      expect(await errorOf(redis.call('SSCAN', 's', '0', 'COUNT', 'x'))).to.equal(NOT_INTEGER);
    });
  });

  describe('a set of 1,000,000 members', function () {
    this.timeout(120000);
    const SIZE = 1_000_000;
    const BATCH = 1000;

    it('keeps SCARD, SPOP and SRANDMEMBER correct', async () => {
      for (let start = 0; start < SIZE; start += BATCH * 100) {
        const pipeline = redis.pipeline();
        for (let batch = start; batch < Math.min(start + BATCH * 100, SIZE); batch += BATCH) {
          pipeline.call('SADD', 'big', ...Array.from({ length: BATCH }, (_, i) => `member:${batch + i}`));
        }
        await pipeline.exec();
      }
      expect(await redis.call('SCARD', 'big')).to.equal(SIZE);
      const isMember = (m: string): boolean => /^member:\d+$/.test(m) && Number(m.slice(7)) < SIZE;

      const drawn = (await redis.call('SRANDMEMBER', 'big', '1000')) as string[];
      expect(new Set(drawn).size).to.equal(1000);
      expect(drawn.every(isMember)).to.equal(true);
      const shuffled = (await redis.call('SRANDMEMBER', 'big', '400000')) as string[];
      expect(new Set(shuffled).size).to.equal(400000);
      expect(((await redis.call('SRANDMEMBER', 'big', '-1000')) as string[]).every(isMember)).to.equal(true);

      const popped = (await redis.call('SPOP', 'big', '1000')) as string[];
      expect(new Set(popped).size).to.equal(1000);
      expect(popped.every(isMember)).to.equal(true);
      expect(await redis.call('SMISMEMBER', 'big', ...popped.slice(0, 10))).to.deep.equal(Array(10).fill(0));
      const one = (await redis.call('SPOP', 'big')) as string;
      expect(isMember(one) && !popped.includes(one)).to.equal(true);
      expect(await redis.call('SCARD', 'big')).to.equal(SIZE - 1001);

      // Popping nearly everything rebuilds the set from the few that stay.
      const most = (await redis.call('SPOP', 'big', String(SIZE - 1011))) as string[];
      expect(most.length).to.equal(SIZE - 1011);
      expect(await redis.call('SCARD', 'big')).to.equal(10);
      const rest = (await redis.call('SMEMBERS', 'big')) as string[];
      const all = new Set([...popped, one, ...most, ...rest]);
      expect(all.size).to.equal(SIZE);
    });
  });

  describe('differential test against redis-server', () => {
    const real = useRealRedis(Number(process.env.NODIS_SET_REDIS_PORT ?? 6432));
    let theirs: Redis;
    let ours: Redis;

    before(() => {
      theirs = real.client;
      ours = resp2;
    });

    it('a seeded random sequence of set commands replies as Redis does', async () => {
      const MAX_INTSET = 4;
      const random = seededRandom(4242);
      const members = ['1', '-5', '17', '0', '3', '9223372036854775807', '-9223372036854775808', '01', 'a', 'b', '', '__proto__', BIN.slice(0, 30)];
      const member = () => members[random(members.length)];
      const keyNames = ['s1', 's2', 's3', 'str'];
      const key = () => keyNames[random(keyNames.length)];
      const keys = () => Array.from({ length: 1 + random(3) }, key);
      const count = () => String(random(8) - 2);
      await theirs.flushall();
      for (const client of [theirs, ours]) {
        await client.config('SET', 'set-max-intset-entries', String(MAX_INTSET));
        await client.set('str', 'x');
      }
      const makers: (() => string[])[] = [
        () => ['SADD', key(), member(), member(), member()],
        () => ['SADD', key(), String(random(20))],
        () => ['SREM', key(), member(), member()],
        () => ['SCARD', key()],
        () => ['SISMEMBER', key(), member()],
        () => ['SMEMBERS', key()],
        () => ['SMISMEMBER', key(), member(), member()],
        () => ['SMOVE', key(), key(), member()],
        () => ['SINTER', ...keys()],
        () => ['SUNION', ...keys()],
        () => ['SDIFF', ...keys()],
        () => ['SINTERSTORE', key(), ...keys()],
        () => ['SUNIONSTORE', key(), ...keys()],
        () => ['SDIFFSTORE', key(), ...keys()],
        () => { const k = keys(); return ['SINTERCARD', String(k.length - random(2) + random(2)), ...k, ...(random(2) ? ['LIMIT', count()] : [])]; },
        () => ['SSCAN', key(), '0', ...(random(2) ? ['MATCH', '*1*'] : []), ...(random(2) ? ['COUNT', String(1 + random(3))] : [])],
        () => ['SRANDMEMBER', key(), ...(random(3) ? [count()] : [])],
        () => ['SPOP', key(), ...(random(3) ? [count()] : [])],
        () => ['OBJECT', 'ENCODING', key()],
        () => ['DEL', key()],
        () => ['SET', 'str', 'x'],
      ];
      const asText = (reply: unknown): unknown =>
        reply instanceof Buffer ? reply.toString('latin1') : Array.isArray(reply) ? reply.map(asText) : reply;
      const run = async (client: Redis, args: string[]): Promise<unknown> => asText(await replyOrError(client, args));
      const encoding = async (k: string): Promise<string> => String(await theirs.call('OBJECT', 'ENCODING', k));
      const membersOf = async (client: Redis, k: string): Promise<string[]> => {
        const reply = await run(client, ['SMEMBERS', k]);
        return Array.isArray(reply) ? (reply as string[]) : [];
      };
      /** Whether Redis's reply to a set-valued command has a defined order (an intset's), else compare sorted. */
      const ordered = async (args: string[]): Promise<boolean> => {
        const [name, ...rest] = args;
        if (name === 'SMEMBERS') return (await encoding(rest[0])) === 'intset';
        if (name === 'SINTER') {
          // The order of the smallest input (the first of the smallest, as a stable sort leaves it).
          let smallest = '';
          let smallestSize = Infinity;
          for (const k of rest) {
            const size = Number(await replyOrError(theirs, ['SCARD', k]));
            if (size < smallestSize) [smallest, smallestSize] = [k, size];
          }
          return smallestSize === 0 || (await encoding(smallest)) === 'intset';
        }
        // SUNION and SDIFF reply their result set: store it aside to see its encoding.
        await replyOrError(theirs, [`${name}STORE`, '__probe', ...rest]);
        const probed = await encoding('__probe');
        await theirs.del('__probe');
        return probed !== 'hashtable';
      };
      /** Makes ours hold what theirs holds at `k` after a random pick, encoding included. */
      const resync = async (k: string): Promise<void> => {
        const content = await membersOf(theirs, k);
        await ours.del(k);
        if (content.length === 0) return;
        await run(ours, ['SADD', k, ...content]);
        if ((await encoding(k)) === 'hashtable' && String(await ours.call('OBJECT', 'ENCODING', k)) === 'intset') {
          await run(ours, ['SADD', k, 'not-an-integer']);
          await run(ours, ['SREM', k, 'not-an-integer']);
        }
      };

      for (let i = 0; i < 1500; i++) {
        const args = makers[random(makers.length)]();
        const label = `${i}: ${JSON.stringify(args)}`;
        const [name] = args;
        if (name === 'SPOP' || name === 'SRANDMEMBER') {
          const before = await membersOf(theirs, args[1]);
          const fitsIntset = before.length <= MAX_INTSET && before.every((m) => /^(0|-?[1-9][0-9]*)$/.test(m) && BigInt(m) < 2n ** 63n && BigInt(m) >= -(2n ** 63n));
          const wasIntset = before.length > 0 && (await encoding(args[1])) === 'intset';
          // Errors come back as strings, members as Buffers.
          const expected = await replyOrError(theirs, args);
          const got = await replyOrError(ours, args);
          if (typeof expected === 'string' || expected === null) {
            expect(got, label).to.deep.equal(expected);
            continue;
          }
          if (args.length === 2) {
            expect(before, label).to.include(asText(got));
          } else {
            const n = Number(args[2]);
            const picks = asText(got) as string[];
            expect(picks.length, label).to.equal((expected as Buffer[]).length);
            for (const pick of picks) expect(before, label).to.include(pick);
            if (n >= 0) expect(new Set(picks).size, label).to.equal(picks.length);
            // The whole set comes back in its order: numeric for an intset (SPOP: whenever it could be one).
            const inOrder = name === 'SPOP' ? fitsIntset : wasIntset;
            if (n >= before.length && inOrder) expect(picks, label).to.deep.equal(asText(expected));
          }
          if (name === 'SPOP') await resync(args[1]);
          continue;
        }
        if (name === 'SSCAN' && (await encoding(args[1])) === 'hashtable') {
          // A hashtable's cursors differ from Redis's: compare what full iterations visit.
          const visitAll = async (client: Redis): Promise<string[]> => {
            const seen: string[] = [];
            let cursor = '0';
            do {
              const [next, found] = (await run(client, ['SSCAN', args[1], cursor, ...args.slice(3)])) as [string, string[]];
              cursor = next;
              seen.push(...found);
            } while (cursor !== '0');
            return seen.sort();
          };
          expect(await visitAll(ours), label).to.deep.equal(await visitAll(theirs));
          continue;
        }
        const unordered = ['SMEMBERS', 'SINTER', 'SUNION', 'SDIFF'].includes(name) && !(await ordered(args));
        const expected = await run(theirs, args);
        const got = await run(ours, args);
        if (unordered && Array.isArray(expected)) expect(sortedMembers(got), label).to.deep.equal(sortedMembers(expected));
        else expect(got, label).to.deep.equal(expected);
      }
    });
  });
});
