import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { ALL_BYTES, arityError, collectionStub, connect, errorOf, rawRequest, startWithClients, stopWithClients } from './helpers.js';
import type { Server } from '../src/index.js';
import { addLongDouble, formatLongDouble, parseLongDouble } from '../src/datatypes/long-double.js';

const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';
const NOT_INTEGER = 'ERR value is not an integer or out of range';
const NOT_FLOAT = 'ERR value is not a valid float';
const SYNTAX = 'ERR syntax error';
const BIN = ALL_BYTES.toString('latin1');

describe('string commands', () => {
  let server: Server;
  let redis: Redis;
  let resp2: Redis;
  const putHash = (key: string) => server.databases[0].dict.set(key, collectionStub('hash'));

  before(async () => ({ server, redis, resp2 } = await startWithClients()));
  after(() => stopWithClients(server, redis, resp2));

  beforeEach(async () => {
    await redis.flushall();
  });

  describe('GET and SET', () => {
    it('SET and GET a value; GET of a missing key is nil', async () => {
      expect(await redis.set('k', 'v')).to.equal('OK');
      expect(await redis.get('k')).to.equal('v');
      expect(await redis.get('missing')).to.equal(null);
    });

    it('GET counts keyspace hits and misses', async () => {
      const db = server.databases[0];
      await redis.set('k', 'v');
      const [hits, misses] = [db.keyspaceHits, db.keyspaceMisses];
      await redis.get('k');
      await redis.get('missing');
      expect([db.keyspaceHits - hits, db.keyspaceMisses - misses]).to.deep.equal([1, 1]);
    });

    it('SET NX and XX', async () => {
      expect(await redis.set('k', 'a', 'XX')).to.equal(null);
      expect(await redis.set('k', 'a', 'NX')).to.equal('OK');
      expect(await redis.set('k', 'b', 'NX')).to.equal(null);
      expect(await redis.set('k', 'c', 'XX')).to.equal('OK');
      expect(await redis.get('k')).to.equal('c');
    });

    it('SET GET returns the old value, with NX and XX too', async () => {
      expect(await redis.call('SET', 'k', 'a', 'GET')).to.equal(null);
      expect(await redis.call('SET', 'k', 'b', 'GET')).to.equal('a');
      expect(await redis.call('SET', 'k', 'c', 'NX', 'GET')).to.equal('b');
      expect(await redis.get('k')).to.equal('b');
      expect(await redis.call('SET', 'other', 'x', 'XX', 'GET')).to.equal(null);
      expect(await redis.exists('other')).to.equal(0);
      expect(await redis.call('SET', 'k', 'd', 'GET', 'GET')).to.equal('b');
    });

    it('SET option conflicts and unknown options are syntax errors', async () => {
      for (const options of [['NX', 'XX'], ['EX', '10', 'PX', '100'], ['EX'], ['KEEPTTL', 'EX', '10'], ['PX', '10', 'KEEPTTL'], ['EXAT', '1', 'PXAT', '1'], ['foo'], ['PERSIST']]) {
        expect(await errorOf(redis.call('SET', 'k', 'v', ...options))).to.equal(SYNTAX);
      }
      // Repeating the same option is accepted.
      expect(await redis.call('SET', 'k', 'v', 'EX', '10', 'EX', '20')).to.equal('OK');
      expect(await redis.call('SET', 'k', 'v', 'KEEPTTL', 'KEEPTTL')).to.equal('OK');
      expect(await redis.call('SET', 'k', 'v', 'NX', 'NX')).to.equal(null);
    });

    it('SET with an invalid expire time', async () => {
      const invalid = "ERR invalid expire time in 'set' command";
      for (const options of [['EX', '0'], ['EX', '-1'], ['PX', '0'], ['PX', '9223372036854775807'], ['EX', '9223372036854775'], ['EX', '9223372036854776']]) {
        expect(await errorOf(redis.call('SET', 'k', 'v', ...options))).to.equal(invalid);
      }
      expect(await errorOf(redis.call('SET', 'k', 'v', 'EX', 'abc'))).to.equal(NOT_INTEGER);
      expect(await errorOf(redis.call('SET', 'k', 'v', 'XX', 'EX', '0'))).to.equal(invalid);
      // Absolute times up to the int64 limit are fine.
      expect(await redis.call('SET', 'k', 'v', 'EXAT', '9223372036854775')).to.equal('OK');
      expect(await redis.call('SET', 'k', 'v', 'PXAT', '9223372036854775807')).to.equal('OK');
    });

    it('SET EX/PX/EXAT/PXAT set the TTL; KEEPTTL keeps it; a plain SET clears it', async () => {
      await redis.set('k', 'v', 'EX', 100);
      expect(await redis.ttl('k')).to.equal(100);
      await redis.call('SET', 'k', 'v', 'PX', '50000');
      expect(await redis.pttl('k')).to.be.within(49000, 50000);
      await redis.call('SET', 'k', 'v', 'EXAT', String(Math.floor(Date.now() / 1000) + 200));
      expect(await redis.ttl('k')).to.be.within(198, 200);
      await redis.call('SET', 'k', 'v', 'PXAT', String(Date.now() + 300000));
      expect(await redis.ttl('k')).to.be.within(298, 300);
      await redis.call('SET', 'k', 'w', 'KEEPTTL');
      expect(await redis.ttl('k')).to.be.within(298, 300);
      await redis.set('k', 'x');
      expect(await redis.ttl('k')).to.equal(-1);
    });

    it('SET PXAT in the past leaves no key', async () => {
      await redis.call('SET', 'k', 'v', 'PXAT', '1');
      expect(await redis.exists('k')).to.equal(0);
    });

    it('SET overwrites a key of another type, but SET GET on it is WRONGTYPE', async () => {
      putHash('h');
      expect(await errorOf(redis.call('SET', 'h', 'v', 'GET'))).to.equal(WRONGTYPE);
      expect(await errorOf(redis.call('SET', 'h', 'v', 'NX', 'GET'))).to.equal(WRONGTYPE);
      // The expire is validated before the type.
      expect(await errorOf(redis.call('SET', 'h', 'v', 'EX', '0', 'GET'))).to.equal("ERR invalid expire time in 'set' command");
      expect(await redis.set('h', 'v')).to.equal('OK');
      expect(await redis.type('h')).to.equal('string');
    });

    it('GET of a key of another type is WRONGTYPE', async () => {
      putHash('h');
      expect(await errorOf(redis.get('h'))).to.equal(WRONGTYPE);
    });

    it('SET and GET binary keys and values', async () => {
      const key = Buffer.concat([ALL_BYTES, Buffer.from('key')]);
      await redis.set(key, ALL_BYTES);
      expect((await redis.getBuffer(key))!.equals(ALL_BYTES)).to.equal(true);
      const reply = await rawRequest(server, ['GET', key], 256 + 8);
      expect(reply).to.equal(`$256\r\n${BIN}\r\n`);
    });

    it('SET counts one change and touches watched keys', async () => {
      const before = server.dirty;
      await redis.set('k', 'v');
      expect(server.dirty - before).to.equal(1);
      const watcher = connect(server);
      await watcher.watch('k');
      await redis.set('k', 'w');
      const result = await watcher.multi().get('k').exec();
      expect(result).to.equal(null);
      watcher.disconnect();
    });
  });

  describe('SETNX, SETEX, PSETEX, GETSET, GETDEL, GETEX', () => {
    it('SETNX sets only a missing key and replies 1 or 0', async () => {
      expect(await redis.setnx('k', 'a')).to.equal(1);
      expect(await redis.setnx('k', 'b')).to.equal(0);
      expect(await redis.get('k')).to.equal('a');
    });

    it('SETEX and PSETEX set a value with a TTL', async () => {
      expect(await redis.setex('k', 100, 'v')).to.equal('OK');
      expect(await redis.ttl('k')).to.equal(100);
      expect(await redis.psetex('p', 100000, 'v')).to.equal('OK');
      expect(await redis.pttl('p')).to.be.within(99000, 100000);
      expect(await errorOf(redis.setex('k', 0, 'v'))).to.equal("ERR invalid expire time in 'setex' command");
      expect(await errorOf(redis.psetex('k', -5, 'v'))).to.equal("ERR invalid expire time in 'psetex' command");
      expect(await errorOf(redis.call('SETEX', 'k', 'x', 'v'))).to.equal(NOT_INTEGER);
    });

    it('GETSET returns the old value and clears the TTL', async () => {
      expect(await redis.getset('k', 'a')).to.equal(null);
      await redis.expire('k', 100);
      expect(await redis.getset('k', 'b')).to.equal('a');
      expect(await redis.get('k')).to.equal('b');
      expect(await redis.ttl('k')).to.equal(-1);
      putHash('h');
      expect(await errorOf(redis.getset('h', 'x'))).to.equal(WRONGTYPE);
    });

    it('GETDEL returns the value and deletes the key', async () => {
      await redis.set('k', 'v');
      expect(await redis.getdel('k')).to.equal('v');
      expect(await redis.exists('k')).to.equal(0);
      expect(await redis.getdel('k')).to.equal(null);
      putHash('h');
      expect(await errorOf(redis.getdel('h'))).to.equal(WRONGTYPE);
      expect(await redis.type('h')).to.equal('hash');
    });

    it('GETEX sets or removes the TTL', async () => {
      await redis.set('k', 'v');
      expect(await redis.getex('k')).to.equal('v');
      expect(await redis.getex('k', 'EX', 100)).to.equal('v');
      expect(await redis.ttl('k')).to.equal(100);
      expect(await redis.call('GETEX', 'k', 'PX', '200000')).to.equal('v');
      expect(await redis.ttl('k')).to.equal(200);
      expect(await redis.call('GETEX', 'k', 'EXAT', String(Math.floor(Date.now() / 1000) + 300))).to.equal('v');
      expect(await redis.ttl('k')).to.be.within(298, 300);
      expect(await redis.call('GETEX', 'k', 'PERSIST')).to.equal('v');
      expect(await redis.ttl('k')).to.equal(-1);
      expect(await redis.call('GETEX', 'k', 'PXAT', '1')).to.equal('v');
      expect(await redis.exists('k')).to.equal(0);
    });

    it('GETEX errors', async () => {
      await redis.set('k', 'v');
      for (const options of [['EX', '10', 'PX', '10'], ['PERSIST', 'EX', '10'], ['EX', '10', 'PERSIST'], ['KEEPTTL'], ['GET'], ['NX'], ['foo'], ['EX']]) {
        expect(await errorOf(redis.call('GETEX', 'k', ...options))).to.equal(SYNTAX);
      }
      expect(await errorOf(redis.call('GETEX', 'k', 'EX', '0'))).to.equal("ERR invalid expire time in 'getex' command");
      expect(await errorOf(redis.call('GETEX', 'k', 'EX', 'abc'))).to.equal(NOT_INTEGER);
      // A missing key is nil before the expire is looked at; syntax comes first.
      expect(await redis.call('GETEX', 'missing', 'EX', '0')).to.equal(null);
      expect(await errorOf(redis.call('GETEX', 'missing', 'foo'))).to.equal(SYNTAX);
      putHash('h');
      expect(await errorOf(redis.call('GETEX', 'h', 'EX', '0'))).to.equal(WRONGTYPE);
    });
  });

  describe('MSET, MSETNX, MGET', () => {
    it('MSET sets every pair and counts one change per key', async () => {
      const before = server.dirty;
      expect(await redis.mset('a', '1', 'b', '2', 'c', '3')).to.equal('OK');
      expect(server.dirty - before).to.equal(3);
      expect(await redis.mget('a', 'b', 'c', 'd')).to.deep.equal(['1', '2', '3', null]);
    });

    it('MSET clears TTLs and overwrites other types', async () => {
      await redis.set('a', 'x', 'EX', 100);
      putHash('h');
      await redis.mset('a', '1', 'h', '2');
      expect(await redis.ttl('a')).to.equal(-1);
      expect(await redis.get('h')).to.equal('2');
    });

    it('MSET and MSETNX with an odd number of arguments', async () => {
      expect(await errorOf(redis.call('MSET', 'a', '1', 'b'))).to.equal(arityError('mset'));
      expect(await errorOf(redis.call('MSETNX', 'a', '1', 'b'))).to.equal(arityError('msetnx'));
    });

    it('MSETNX sets all keys or none', async () => {
      expect(await redis.msetnx('a', '1', 'b', '2')).to.equal(1);
      expect(await redis.msetnx('b', 'x', 'c', '3')).to.equal(0);
      expect(await redis.mget('a', 'b', 'c')).to.deep.equal(['1', '2', null]);
    });

    it('MGET gives nil for keys of other types', async () => {
      putHash('h');
      await redis.set('s', 'v');
      expect(await redis.mget('s', 'h', 'missing')).to.deep.equal(['v', null, null]);
    });

    it('MSET and MGET binary keys and values', async () => {
      const key = Buffer.concat([Buffer.from('k'), ALL_BYTES]);
      await redis.mset(key, ALL_BYTES, 'plain', 'x');
      const [value, plain] = await redis.mgetBuffer(key, 'plain');
      expect(value!.equals(ALL_BYTES)).to.equal(true);
      expect(plain!.toString()).to.equal('x');
    });
  });

  describe('APPEND and STRLEN', () => {
    it('APPEND creates or extends a value and returns the length', async () => {
      expect(await redis.append('k', 'hello')).to.equal(5);
      expect(await redis.append('k', ' world')).to.equal(11);
      expect(await redis.get('k')).to.equal('hello world');
      expect(await redis.strlen('k')).to.equal(11);
      expect(await redis.strlen('missing')).to.equal(0);
    });

    it('APPEND keeps the TTL', async () => {
      await redis.set('k', 'a', 'EX', 100);
      await redis.append('k', 'b');
      expect(await redis.ttl('k')).to.equal(100);
    });

    it('APPEND many chunks past the in-place growth threshold', async () => {
      const chunk = 'x'.repeat(1000) + '\u00ff\u0000';
      let expected = '';
      for (let i = 0; i < 40; i++) {
        expected += chunk;
        expect(await redis.append('k', Buffer.from(chunk, 'latin1'))).to.equal(expected.length);
      }
      expect((await redis.getBuffer('k'))!.toString('latin1')).to.equal(expected);
      expect(await redis.strlen('k')).to.equal(expected.length);
    });

    it('APPEND binary values', async () => {
      await redis.append('k', ALL_BYTES);
      await redis.append('k', ALL_BYTES);
      expect((await redis.getBuffer('k'))!.equals(Buffer.concat([ALL_BYTES, ALL_BYTES]))).to.equal(true);
    });

    it('APPEND beyond proto-max-bulk-len', async () => {
      await redis.config('SET', 'proto-max-bulk-len', '1048576');
      try {
        await redis.setrange('k', 1048575, 'a');
        expect(await errorOf(redis.append('k', 'b'))).to.equal('ERR string exceeds maximum allowed size (proto-max-bulk-len)');
      } finally {
        await redis.config('SET', 'proto-max-bulk-len', '536870912');
      }
    });

    it('APPEND and STRLEN on a key of another type', async () => {
      putHash('h');
      expect(await errorOf(redis.append('h', 'x'))).to.equal(WRONGTYPE);
      expect(await errorOf(redis.strlen('h'))).to.equal(WRONGTYPE);
    });
  });

  describe('GETRANGE, SUBSTR, SETRANGE', () => {
    it('GETRANGE with positive, negative and out of range indexes', async () => {
      await redis.set('s', 'Hello World');
      const cases: [number | string, number | string, string][] = [
        [0, -1, 'Hello World'], [-3, -1, 'rld'], [-1, -3, ''], [5, 3, ''], [0, 100, 'Hello World'],
        [-100, -50, 'H'], [-50, -100, ''], [-100, 2, 'Hel'], [0, '9223372036854775807', 'Hello World'], [0, -100, 'H'],
      ];
      for (const [start, end, expected] of cases) expect(await redis.getrange('s', start, end)).to.equal(expected);
      expect(await redis.getrange('missing', 0, -1)).to.equal('');
      expect(await redis.call('SUBSTR', 's', '0', '4')).to.equal('Hello');
    });

    it('GETRANGE errors', async () => {
      await redis.set('s', 'abc');
      expect(await errorOf(redis.getrange('s', 'a', 1))).to.equal(NOT_INTEGER);
      expect(await errorOf(redis.getrange('s', 0, '9223372036854775808'))).to.equal(NOT_INTEGER);
      putHash('h');
      expect(await errorOf(redis.getrange('h', 0, 1))).to.equal(WRONGTYPE);
    });

    it('GETRANGE of binary values, as strings and after an in-place edit', async () => {
      await redis.set('b', ALL_BYTES);
      expect((await redis.getrangeBuffer('b', 10, 20)).equals(ALL_BYTES.subarray(10, 21))).to.equal(true);
      await redis.setbit('b', 0, 1);
      expect((await redis.getrangeBuffer('b', -6, -1)).equals(ALL_BYTES.subarray(250))).to.equal(true);
    });

    it('SETRANGE overwrites, pads with zeros and returns the length', async () => {
      await redis.set('s', 'Hello World');
      expect(await redis.setrange('s', 6, 'Redis')).to.equal(11);
      expect(await redis.get('s')).to.equal('Hello Redis');
      expect(await redis.setrange('s', 13, '!')).to.equal(14);
      expect(await redis.get('s')).to.equal('Hello Redis\0\0!');
      expect(await redis.setrange('new', 3, 'x')).to.equal(4);
      expect(await redis.get('new')).to.equal('\0\0\0x');
    });

    it('SETRANGE with an empty value changes nothing', async () => {
      expect(await redis.setrange('missing', 0, '')).to.equal(0);
      expect(await redis.exists('missing')).to.equal(0);
      await redis.set('s', 'abc');
      expect(await redis.setrange('s', 536870912, '')).to.equal(3);
    });

    it('SETRANGE errors', async () => {
      expect(await errorOf(redis.setrange('s', -1, 'x'))).to.equal('ERR offset is out of range');
      expect(await errorOf(redis.setrange('s', 536870912, 'x'))).to.equal('ERR string exceeds maximum allowed size (proto-max-bulk-len)');
      expect(await errorOf(redis.call('SETRANGE', 's', '9223372036854775807', 'x'))).to.equal('ERR string exceeds maximum allowed size (proto-max-bulk-len)');
      expect(await errorOf(redis.call('SETRANGE', 's', '9223372036854775808', 'x'))).to.equal(NOT_INTEGER);
      putHash('h');
      expect(await errorOf(redis.setrange('h', 0, 'x'))).to.equal(WRONGTYPE);
      expect(await errorOf(redis.setrange('h', -1, 'x'))).to.equal('ERR offset is out of range');
    });

    it('SETRANGE keeps the TTL and binary content', async () => {
      await redis.set('s', ALL_BYTES, 'EX', 100);
      await redis.setrange('s', 254, Buffer.from([0, 1, 2]));
      expect(await redis.ttl('s')).to.equal(100);
      const expected = Buffer.concat([ALL_BYTES.subarray(0, 254), Buffer.from([0, 1, 2])]);
      expect((await redis.getBuffer('s'))!.equals(expected)).to.equal(true);
    });
  });

  describe('INCR, DECR, INCRBY, DECRBY', () => {
    it('INCR and DECR start from 0', async () => {
      expect(await redis.incr('n')).to.equal(1);
      expect(await redis.incr('n')).to.equal(2);
      expect(await redis.decr('d')).to.equal(-1);
      expect(await redis.incrby('n', 100)).to.equal(102);
      expect(await redis.decrby('n', 1000)).to.equal(-898);
      expect(await redis.get('n')).to.equal('-898');
    });

    it('INCR keeps the TTL', async () => {
      await redis.set('n', '5', 'EX', 100);
      await redis.incr('n');
      expect(await redis.ttl('n')).to.equal(100);
    });

    it('INCR of values that are not canonical integers', async () => {
      for (const value of ['007', ' 1', '1 ', '+1', '-0', '1.0', '', 'abc', '12345678901234567890', '9223372036854775808']) {
        await redis.set('n', value);
        expect(await errorOf(redis.incr('n'))).to.equal(NOT_INTEGER);
      }
    });

    it('INCRBY and DECRBY at the signed 64-bit limits', async () => {
      await redis.set('n', '9223372036854775807');
      expect(await errorOf(redis.incr('n'))).to.equal('ERR increment or decrement would overflow');
      expect(await rawRequest(server, ['DECR', 'n'], 22)).to.equal(':9223372036854775806\r\n');
      await redis.set('n', '-9223372036854775808');
      expect(await errorOf(redis.decr('n'))).to.equal('ERR increment or decrement would overflow');
      expect(await redis.call('INCRBY', 'n', '9223372036854775807')).to.equal(-1);
      expect(await errorOf(redis.call('DECRBY', 'n', '-9223372036854775808'))).to.equal('ERR decrement would overflow');
      expect(await errorOf(redis.call('INCRBY', 'n', '9223372036854775808'))).to.equal(NOT_INTEGER);
      expect(await errorOf(redis.call('INCRBY', 'n', '1.5'))).to.equal(NOT_INTEGER);
    });

    it('INCRBY is exact beyond 2^53', async () => {
      await redis.set('n', '9007199254740993');
      const raw2 = await rawRequest(server, ['INCR', 'n'], 19);
      expect(raw2).to.equal(':9007199254740994\r\n');
      expect(await rawRequest(server, ['INCRBY', 'n', '9007199254740993'], 20)).to.equal(':18014398509481987\r\n');
      expect(await rawRequest(server, ['DECRBY', 'n', '-5'], 20)).to.equal(':18014398509481992\r\n');
      expect(await redis.get('n')).to.equal('18014398509481992');
      await redis.set('n', '-9223372036854775807');
      expect(await rawRequest(server, ['DECR', 'n'], 23)).to.equal(':-9223372036854775808\r\n');
    });

    it('INCR of a value edited in place', async () => {
      await redis.set('n', '12');
      await redis.setrange('n', 1, '9');
      expect(await redis.incr('n')).to.equal(20);
    });

    it('INCR and INCRBY on a key of another type; the increment is checked first', async () => {
      putHash('h');
      expect(await errorOf(redis.incr('h'))).to.equal(WRONGTYPE);
      expect(await errorOf(redis.decrby('h', 1))).to.equal(WRONGTYPE);
      expect(await errorOf(redis.call('INCRBY', 'h', 'x'))).to.equal(NOT_INTEGER);
    });
  });

  describe('INCRBYFLOAT', () => {
    it('INCRBYFLOAT formats like %.17Lf without trailing zeros', async () => {
      const cases: [string | null, string, string][] = [
        ['10.50', '0.1', '10.6'], ['5.0e3', '2.0e2', '5200'], [null, '1e-20', '0'], [null, '-1e-20', '0'],
        ['0.1', '0.2', '0.3'], [null, '3.0000000000000000001', '3'], [null, '0x1p3', '8'], [null, '0X1P-2', '0.25'],
        [null, '.5', '0.5'], [null, '1.', '1'], [null, '+5', '5'], [null, '-0', '0'], [null, '1e23', '100000000000000000000000'],
        [null, '123456789.123456789', '123456789.12345678899873747'], ['9223372036854775807', '1', '9223372036854775808'],
        [null, '0.000003814697265625', '0.00000381469726562'], [null, '12345678901234567890.5', '12345678901234567890'],
      ];
      for (const [initial, increment, expected] of cases) {
        await redis.del('f');
        if (initial !== null) await redis.set('f', initial);
        expect(await redis.incrbyfloat('f', increment)).to.equal(expected);
        expect(await redis.get('f')).to.equal(expected);
      }
    });

    it('INCRBYFLOAT prints huge values in plain decimal', async () => {
      const result = await redis.incrbyfloat('f', '1e300');
      expect(result).to.match(/^1000000000000000000008997324079559193870523944273290747938260082321265646596180935755849152083750497190350372508614274835903592556184672983913096260520748646287327135641843653294084255107606016789726652932370030551382947620994540294772781889620606179267611627097410650567187386105690089424915104006144$/);
      // Beyond the range of doubles, within that of long doubles.
      const huge = await redis.incrbyfloat('g', '1e4000');
      expect(huge.length).to.equal(4000);
      expect(huge.startsWith('99999999999999999999654638730996237849324925835069576313015083330432619433')).to.equal(true);
    });

    it('INCRBYFLOAT errors', async () => {
      for (const increment of ['abc', '', ' 1', '1 ', 'nan', '1e', '0x', '1e5000', '1e-5000']) {
        expect(await errorOf(redis.incrbyfloat('f', increment))).to.equal(NOT_FLOAT);
      }
      for (const increment of ['inf', '-inf', 'Infinity']) {
        expect(await errorOf(redis.incrbyfloat('f', increment))).to.equal('ERR increment would produce NaN or Infinity');
      }
      await redis.set('f', '1.18973149535723176502e+4932');
      expect(await errorOf(redis.incrbyfloat('f', '1e4932'))).to.equal('ERR increment would produce NaN or Infinity');
      await redis.set('f', 'abc');
      expect(await errorOf(redis.incrbyfloat('f', '1'))).to.equal(NOT_FLOAT);
      putHash('h');
      expect(await errorOf(redis.incrbyfloat('h', 'abc'))).to.equal(WRONGTYPE);
    });

    it('INCRBYFLOAT keeps the TTL', async () => {
      await redis.set('f', '1.5', 'EX', 100);
      await redis.incrbyfloat('f', '1');
      expect(await redis.ttl('f')).to.equal(100);
    });

    it('long double parsing, addition and formatting', () => {
      const sum = (a: string, b: string) => formatLongDouble(addLongDouble(parseLongDouble(a)!, parseLongDouble(b)!));
      expect(sum('10.50', '0.1')).to.equal('10.6');
      expect(sum('0x1p-16445', '0')).to.equal('0');
      expect(parseLongDouble('0x1p-16446')).to.equal(undefined);
      expect(parseLongDouble('1e-4950')).to.not.equal(undefined);
      expect(parseLongDouble('1.2e4932')).to.equal(undefined);
      expect(parseLongDouble('1\0')).to.equal(undefined);
      expect(parseLongDouble('inf')!.infinite).to.equal(true);
    });
  });

  describe('LCS', () => {
    beforeEach(async () => {
      await redis.set('a', 'ohmytext');
      await redis.set('b', 'mynewtext');
    });

    it('LCS returns the subsequence, or its length with LEN', async () => {
      expect(await redis.call('LCS', 'a', 'b')).to.equal('mytext');
      expect(await redis.call('LCS', 'a', 'b', 'LEN')).to.equal(6);
      expect(await redis.call('LCS', 'a', 'missing')).to.equal('');
      expect(await redis.call('LCS', 'missing', 'other', 'LEN')).to.equal(0);
    });

    it('LCS IDX in RESP2 is a flat array', async () => {
      expect(await resp2.call('LCS', 'a', 'b', 'IDX')).to.deep.equal(['matches', [[[4, 7], [5, 8]], [[2, 3], [0, 1]]], 'len', 6]);
      expect(await resp2.call('LCS', 'a', 'b', 'IDX', 'MINMATCHLEN', '4', 'WITHMATCHLEN')).to.deep.equal(['matches', [[[4, 7], [5, 8], 4]], 'len', 6]);
      expect(await resp2.call('LCS', 'a', 'b', 'IDX', 'MINMATCHLEN', '-4')).to.deep.equal(['matches', [[[4, 7], [5, 8]], [[2, 3], [0, 1]]], 'len', 6]);
    });

    it('LCS IDX in RESP3 is a map', async () => {
      const expected = '%2\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n$3\r\nlen\r\n:6\r\n';
      expect(await rawRequest(server, ['LCS', 'a', 'b', 'IDX', 'MINMATCHLEN', '4', 'WITHMATCHLEN'], expected.length, true)).to.equal(expected);
      const flat = '*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n$3\r\nlen\r\n:6\r\n';
      expect(await rawRequest(server, ['LCS', 'a', 'b', 'IDX', 'MINMATCHLEN', '4', 'WITHMATCHLEN'], flat.length)).to.equal(flat);
    });

    it('LCS errors', async () => {
      expect(await errorOf(redis.call('LCS', 'a', 'b', 'LEN', 'IDX'))).to.equal('ERR If you want both the length and indexes, please just use IDX.');
      expect(await errorOf(redis.call('LCS', 'a', 'b', 'MINMATCHLEN'))).to.equal(SYNTAX);
      expect(await errorOf(redis.call('LCS', 'a', 'b', 'foo'))).to.equal(SYNTAX);
      expect(await errorOf(redis.call('LCS', 'a', 'b', 'MINMATCHLEN', 'x'))).to.equal(NOT_INTEGER);
      putHash('h');
      expect(await errorOf(redis.call('LCS', 'a', 'h'))).to.equal('ERR The specified keys must contain string values');
      await redis.set('long', 'a'.repeat(12000));
      expect(await errorOf(redis.call('LCS', 'long', 'long'))).to.equal('ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len');
    });

    it('LCS of binary values', async () => {
      await redis.set('x', ALL_BYTES);
      await redis.set('y', Buffer.concat([ALL_BYTES.subarray(128), Buffer.from('zz'), ALL_BYTES.subarray(0, 64)]));
      const result = await redis.callBuffer('LCS', 'x', 'y') as Buffer;
      expect(result.equals(ALL_BYTES.subarray(128))).to.equal(true);
    });
  });

  it('arity errors', async () => {
    const calls: [string, string[]][] = [
      ['get', []], ['set', ['k']], ['setnx', ['k']], ['setex', ['k', '1']], ['psetex', ['k', '1']], ['getset', ['k']],
      ['getdel', []], ['getex', []], ['mset', ['k']], ['msetnx', ['k']], ['mget', []], ['append', ['k']], ['strlen', []],
      ['getrange', ['k', '0']], ['substr', ['k', '0']], ['setrange', ['k', '0']], ['incr', []], ['decr', []],
      ['incrby', ['k']], ['decrby', ['k']], ['incrbyfloat', ['k']], ['lcs', ['a']], ['get', ['a', 'b']],
    ];
    for (const [name, args] of calls) expect(await errorOf(redis.call(name, ...args))).to.equal(arityError(name));
  });
});
