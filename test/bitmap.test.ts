import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { ALL_BYTES, collectionStub, errorOf, rawRequest, startWithClients, stopWithClients } from './helpers.js';
import type { Server } from '../src/index.js';
import { countBits, fieldIncrement, fieldSet, findBit } from '../src/datatypes/bits.js';

const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';
const NOT_INTEGER = 'ERR value is not an integer or out of range';
const SYNTAX = 'ERR syntax error';
const BIT_OFFSET = 'ERR bit offset is not an integer or out of range';
const BIT_VALUE = 'ERR bit is not an integer or out of range';
const FIELD_TYPE = 'ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.';

describe('bitmap commands', () => {
  let server: Server;
  let redis: Redis;
  let resp2: Redis;
  const putHash = (key: string) => server.databases[0].dict.set(key, collectionStub('hash'));

  before(async () => ({ server, redis, resp2 } = await startWithClients()));
  after(() => stopWithClients(server, redis, resp2));

  beforeEach(async () => {
    await redis.flushall();
  });

  describe('SETBIT and GETBIT', () => {
    it('SETBIT returns the previous bit and pads with zeros', async () => {
      expect(await redis.setbit('b', 7, 1)).to.equal(0);
      expect(await redis.setbit('b', 7, 1)).to.equal(1);
      expect(await redis.get('b')).to.equal('\x01');
      expect(await redis.setbit('b', 17, 1)).to.equal(0);
      expect((await redis.getBuffer('b'))!.equals(Buffer.from([0x01, 0x00, 0x40]))).to.equal(true);
      expect(await redis.setbit('b', 7, 0)).to.equal(1);
      expect(await redis.getbit('b', 7)).to.equal(0);
      expect(await redis.getbit('b', 17)).to.equal(1);
      expect(await redis.getbit('b', 1000000)).to.equal(0);
      expect(await redis.getbit('missing', 5)).to.equal(0);
    });

    it('SETBIT that changes nothing is not a write', async () => {
      await redis.setbit('b', 3, 1);
      const before = server.dirty;
      await redis.setbit('b', 3, 1);
      await redis.setbit('b', 4, 0);
      expect(server.dirty).to.equal(before);
      await redis.setbit('b', 4, 1);
      expect(server.dirty).to.equal(before + 1);
    });

    it('SETBIT and GETBIT errors', async () => {
      for (const offset of ['-1', '4294967296', 'a', '#1']) expect(await errorOf(redis.call('SETBIT', 'b', offset, '1'))).to.equal(BIT_OFFSET);
      for (const value of ['2', '-1', 'a']) expect(await errorOf(redis.call('SETBIT', 'b', '0', value))).to.equal(BIT_VALUE);
      for (const offset of ['-1', '4294967296', 'x']) expect(await errorOf(redis.call('GETBIT', 'b', offset))).to.equal(BIT_OFFSET);
      putHash('h');
      expect(await errorOf(redis.setbit('h', 0, 1))).to.equal(WRONGTYPE);
      expect(await errorOf(redis.getbit('h', 0))).to.equal(WRONGTYPE);
      expect(await errorOf(redis.call('SETBIT', 'h', '-1', '1'))).to.equal(BIT_OFFSET);
    });

    it('SETBIT keeps the TTL and edits a binary value in place', async () => {
      await redis.set('b', ALL_BYTES, 'EX', 100);
      expect(await redis.setbit('b', 0, 1)).to.equal(0);
      expect(await redis.ttl('b')).to.equal(100);
      const expected = Buffer.from(ALL_BYTES);
      expected[0] = 0x80;
      expect((await redis.getBuffer('b'))!.equals(expected)).to.equal(true);
      expect(await redis.getbit('b', 255 * 8 + 7)).to.equal(1);
    });

    it('SETBIT at offset 2^32-1: one bit per user id, 512 MB', async function () {
      this.timeout(60000);
      expect(await redis.setbit('online', 4294967295, 1)).to.equal(0);
      expect(await redis.setbit('online', 12345, 1)).to.equal(0);
      expect(await redis.strlen('online')).to.equal(536870912);
      expect(await redis.bitcount('online')).to.equal(2);
      expect(await redis.getbit('online', 4294967295)).to.equal(1);
      expect(await redis.bitpos('online', 1)).to.equal(12345);
      expect(await redis.call('BITPOS', 'online', '1', '12346', '-1', 'BIT')).to.equal(4294967295);
      expect(await errorOf(redis.call('SETBIT', 'online', '4294967296', '1'))).to.equal(BIT_OFFSET);
      expect(await redis.del('online')).to.equal(1);
    });
  });

  describe('BITCOUNT', () => {
    beforeEach(async () => {
      await redis.set('s', 'foobar');
    });

    it('BITCOUNT counts the whole value or a byte or bit range', async () => {
      expect(await redis.bitcount('s')).to.equal(26);
      expect(await redis.bitcount('s', 0, 0)).to.equal(4);
      expect(await redis.bitcount('s', 1, 1)).to.equal(6);
      expect(await redis.bitcount('s', 1, -2)).to.equal(18);
      expect(await redis.call('BITCOUNT', 's', '5', '30', 'BIT')).to.equal(17);
      expect(await redis.call('BITCOUNT', 's', '0', '-1', 'byte')).to.equal(26);
      expect(await redis.call('BITCOUNT', 's', '-100', '-50')).to.equal(4);
      expect(await redis.call('BITCOUNT', 's', '-50', '-100')).to.equal(0);
      expect(await redis.call('BITCOUNT', 's', '3', '2')).to.equal(0);
      expect(await redis.bitcount('missing')).to.equal(0);
    });

    it('BITCOUNT of all byte values', async () => {
      await redis.set('b', ALL_BYTES);
      expect(await redis.bitcount('b')).to.equal(1024);
      expect(await redis.call('BITCOUNT', 'b', '9', '2046', 'BIT')).to.equal(1023);
    });

    it('BITCOUNT errors; a missing key counts 0 whatever the arguments (as Redis 7.0)', async () => {
      expect(await errorOf(redis.call('BITCOUNT', 's', '1'))).to.equal(SYNTAX);
      expect(await errorOf(redis.call('BITCOUNT', 's', 'a', 'b'))).to.equal(NOT_INTEGER);
      expect(await errorOf(redis.call('BITCOUNT', 's', '0', '1', 'foo'))).to.equal(SYNTAX);
      expect(await errorOf(redis.call('BITCOUNT', 's', '0', '1', 'BIT', 'x'))).to.equal(SYNTAX);
      expect(await redis.call('BITCOUNT', 'missing', 'a', 'b')).to.equal(0);
      putHash('h');
      expect(await errorOf(redis.bitcount('h'))).to.equal(WRONGTYPE);
    });
  });

  describe('BITPOS', () => {
    it('BITPOS finds the first set or clear bit', async () => {
      await redis.set('s', Buffer.from([0xff, 0xf0, 0x00]));
      expect(await redis.bitpos('s', 0)).to.equal(12);
      expect(await redis.bitpos('s', 1)).to.equal(0);
      expect(await redis.call('BITPOS', 's', '1', '2')).to.equal(-1);
      expect(await redis.call('BITPOS', 's', '1', '1')).to.equal(8);
      expect(await redis.call('BITPOS', 's', '1', '9', '-1', 'BIT')).to.equal(9);
      expect(await redis.call('BITPOS', 's', '0', '0', '11', 'BIT')).to.equal(-1);
      expect(await redis.call('BITPOS', 's', '1', '12', '-1', 'BIT')).to.equal(-1);
    });

    it('BITPOS for a clear bit in an all-ones value', async () => {
      await redis.set('ff', Buffer.from([0xff, 0xff, 0xff]));
      expect(await redis.bitpos('ff', 0)).to.equal(24);
      expect(await redis.call('BITPOS', 'ff', '0', '1')).to.equal(24);
      expect(await redis.call('BITPOS', 'ff', '0', '1', '2')).to.equal(-1);
      expect(await redis.call('BITPOS', 'ff', '0', '3', '-1', 'BIT')).to.equal(-1);
      expect(await redis.call('BITPOS', 'ff', '0', '2', '13', 'BIT')).to.equal(-1);
    });

    it('BITPOS on missing and empty values', async () => {
      expect(await redis.bitpos('missing', 0)).to.equal(0);
      expect(await redis.bitpos('missing', 1)).to.equal(-1);
      expect(await redis.call('BITPOS', 'missing', '0', 'a')).to.equal(0);
      await redis.set('e', '');
      expect(await redis.bitpos('e', 0)).to.equal(-1);
      expect(await redis.bitpos('e', 1)).to.equal(-1);
    });

    it('BITPOS over a long run of words', async () => {
      await redis.setbit('w', 8 * 1001 + 3, 1);
      expect(await redis.bitpos('w', 1)).to.equal(8 * 1001 + 3);
      expect(await redis.call('BITPOS', 'w', '1', '3')).to.equal(8 * 1001 + 3);
      await redis.set('o', Buffer.concat([Buffer.alloc(1001, 0xff), Buffer.from([0xfe])]));
      expect(await redis.bitpos('o', 0)).to.equal(8 * 1001 + 7);
    });

    it('BITPOS errors', async () => {
      await redis.set('s', 'foo');
      expect(await errorOf(redis.call('BITPOS', 's', '2'))).to.equal('ERR The bit argument must be 1 or 0.');
      expect(await errorOf(redis.call('BITPOS', 's', 'x'))).to.equal(NOT_INTEGER);
      expect(await errorOf(redis.call('BITPOS', 's', '0', '1', '2', 'foo'))).to.equal(SYNTAX);
      expect(await errorOf(redis.call('BITPOS', 's', '0', '1', '2', '3', '4'))).to.equal(SYNTAX);
      expect(await errorOf(redis.call('BITPOS', 's', '1', '2', 'BIT'))).to.equal(NOT_INTEGER);
      putHash('h');
      expect(await errorOf(redis.bitpos('h', 1))).to.equal(WRONGTYPE);
      expect(await errorOf(redis.call('BITPOS', 'h', '2'))).to.equal('ERR The bit argument must be 1 or 0.');
    });
  });

  describe('BITOP', () => {
    beforeEach(async () => {
      await redis.set('a', 'abc');
      await redis.set('b', Buffer.from([0xff, 0x00]));
    });

    it('BITOP AND, OR, XOR, NOT', async () => {
      expect(await redis.bitop('AND', 'd', 'a', 'b')).to.equal(3);
      expect((await redis.getBuffer('d'))!.equals(Buffer.from([0x61, 0, 0]))).to.equal(true);
      expect(await redis.call('BITOP', 'or', 'd', 'a', 'b', 'missing')).to.equal(3);
      expect((await redis.getBuffer('d'))!.equals(Buffer.from([0xff, 0x62, 0x63]))).to.equal(true);
      expect(await redis.bitop('XOR', 'd', 'a', 'b')).to.equal(3);
      expect((await redis.getBuffer('d'))!.equals(Buffer.from([0x9e, 0x62, 0x63]))).to.equal(true);
      expect(await redis.bitop('NOT', 'd', 'a')).to.equal(3);
      expect((await redis.getBuffer('d'))!.equals(Buffer.from([0x9e, 0x9d, 0x9c]))).to.equal(true);
      expect(await redis.bitop('AND', 'd', 'a', 'missing')).to.equal(3);
      expect((await redis.getBuffer('d'))!.equals(Buffer.alloc(3))).to.equal(true);
    });

    it('BITOP of binary values', async () => {
      await redis.set('x', ALL_BYTES);
      await redis.bitop('NOT', 'd', 'x');
      expect((await redis.getBuffer('d'))!.equals(Buffer.from(Array.from(ALL_BYTES, (b) => 255 - b)))).to.equal(true);
      await redis.bitop('XOR', 'd', 'd', 'x');
      expect((await redis.getBuffer('d'))!.equals(Buffer.alloc(256, 0xff))).to.equal(true);
    });

    it('BITOP clears the destination TTL; an empty result deletes it', async () => {
      await redis.set('d', 'x', 'EX', 100);
      await redis.bitop('OR', 'd', 'a');
      expect(await redis.ttl('d')).to.equal(-1);
      expect(await redis.bitop('OR', 'd', 'missing')).to.equal(0);
      expect(await redis.exists('d')).to.equal(0);
    });

    it('BITOP errors', async () => {
      expect(await errorOf(redis.call('BITOP', 'foo', 'd', 'a'))).to.equal(SYNTAX);
      expect(await errorOf(redis.call('BITOP', 'NOT', 'd', 'a', 'b'))).to.equal('ERR BITOP NOT must be called with a single source key.');
      expect(await errorOf(redis.call('BITOP', 'AND', 'd'))).to.equal("ERR wrong number of arguments for 'bitop' command");
      putHash('h');
      expect(await errorOf(redis.bitop('AND', 'd', 'a', 'h'))).to.equal(WRONGTYPE);
      expect(await redis.bitop('AND', 'h', 'a')).to.equal(3);
      expect(await redis.type('h')).to.equal('string');
    });
  });

  describe('BITFIELD', () => {
    it('BITFIELD SET, GET and INCRBY', async () => {
      expect(await redis.call('BITFIELD', 'f', 'SET', 'u8', '0', '255', 'GET', 'u8', '0', 'GET', 'i8', '0')).to.deep.equal([0, 255, -1]);
      expect(await redis.call('BITFIELD', 'f', 'INCRBY', 'u4', '#1', '3', 'GET', 'u4', '4')).to.deep.equal([2, 2]);
      expect(await redis.call('BITFIELD', 'f', 'SET', 'i5', '#3', '-7', 'GET', 'i5', '#3', 'GET', 'u5', '#3')).to.deep.equal([0, -7, 25]);
      expect(await redis.call('BITFIELD', 'f', 'GET', 'u8', '1000')).to.deep.equal([0]);
    });

    it('BITFIELD overflow: WRAP, SAT and FAIL', async () => {
      expect(await redis.call('BITFIELD', 'f', 'OVERFLOW', 'SAT', 'SET', 'u8', '0', '-1', 'GET', 'u8', '0')).to.deep.equal([0, 255]);
      expect(await redis.call('BITFIELD', 'f', 'OVERFLOW', 'WRAP', 'SET', 'u8', '0', '-1')).to.deep.equal([255]);
      expect(await redis.call('BITFIELD', 'f', 'OVERFLOW', 'SAT', 'SET', 'i8', '0', '200', 'GET', 'i8', '0')).to.deep.equal([-1, 127]);
      expect(await redis.call('BITFIELD', 'f', 'INCRBY', 'u2', '100', '1', 'OVERFLOW', 'SAT', 'INCRBY', 'u2', '102', '1')).to.deep.equal([1, 1]);
      expect(await redis.call('BITFIELD', 'f', 'INCRBY', 'u8', '0', '10')).to.deep.equal([137]);
      expect(await resp2.call('BITFIELD', 'f', 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', '0', '250', 'INCRBY', 'u8', '0', '1')).to.deep.equal([null, 138]);
    });

    it('BITFIELD FAIL is a null in both protocols', async () => {
      expect(await rawRequest(server, ['BITFIELD', 'f', 'OVERFLOW', 'FAIL', 'SET', 'i8', '0', '128'], 9)).to.equal('*1\r\n$-1\r\n');
      expect(await rawRequest(server, ['BITFIELD', 'f', 'OVERFLOW', 'FAIL', 'SET', 'i8', '0', '128'], 7, true)).to.equal('*1\r\n_\r\n');
      // The key is still created (padded), as in Redis.
      expect(await redis.strlen('f')).to.equal(1);
    });

    it('BITFIELD at the 64-bit limits', async () => {
      expect(await rawRequest(server, ['BITFIELD', 'f', 'INCRBY', 'i64', '0', '9223372036854775807', 'INCRBY', 'i64', '0', '1'], 49))
        .to.equal('*2\r\n:9223372036854775807\r\n:-9223372036854775808\r\n');
      expect(await rawRequest(server, ['BITFIELD', 'f', 'OVERFLOW', 'SAT', 'INCRBY', 'i64', '0', '-1', 'GET', 'u63', '0'], 49))
        .to.equal('*2\r\n:-9223372036854775808\r\n:4611686018427387904\r\n');
    });

    it('BITFIELD counts changed fields as writes', async () => {
      const before = server.dirty;
      await redis.call('BITFIELD', 'f', 'SET', 'u8', '0', '5', 'SET', 'u8', '0', '5', 'GET', 'u8', '0');
      expect(server.dirty - before).to.equal(2);
      await redis.call('BITFIELD', 'f', 'SET', 'u8', '0', '5', 'SET', 'u8', '0', '5');
      expect(server.dirty - before).to.equal(2);
      await redis.call('BITFIELD', 'f', 'SET', 'u8', '0', '6', 'SET', 'u8', '0', '5');
      expect(server.dirty - before).to.equal(4);
    });

    it('BITFIELD errors', async () => {
      for (const type of ['i65', 'u64', 'u0', 'i', 'x8', 'I8', 'i08', 'i+8']) {
        expect(await errorOf(redis.call('BITFIELD', 'f', 'GET', type, '0'))).to.equal(FIELD_TYPE);
      }
      for (const offset of ['-1', '#-1', '4294967296', '#536870912', 'a']) {
        expect(await errorOf(redis.call('BITFIELD', 'f', 'GET', 'u8', offset))).to.equal(BIT_OFFSET);
      }
      expect(await redis.call('BITFIELD', 'f', 'GET', 'u8', '#536870911')).to.deep.equal([0]);
      expect(await errorOf(redis.call('BITFIELD', 'f', 'SET', 'u8', '0', 'abc'))).to.equal(NOT_INTEGER);
      for (const args of [['SET', 'u8', '0'], ['GET'], ['foo'], ['OVERFLOW']]) {
        expect(await errorOf(redis.call('BITFIELD', 'f', ...args))).to.equal(SYNTAX);
      }
      expect(await errorOf(redis.call('BITFIELD', 'f', 'OVERFLOW', 'bla'))).to.equal('ERR Invalid OVERFLOW type specified');
      expect(await redis.call('BITFIELD', 'f', 'OVERFLOW', 'WRAP')).to.deep.equal([]);
      expect(await redis.exists('f')).to.equal(0);
      putHash('h');
      expect(await errorOf(redis.call('BITFIELD', 'h', 'GET', 'u8', '0'))).to.equal(WRONGTYPE);
      expect(await errorOf(redis.call('BITFIELD', 'h', 'SET', 'u8', '0', '1'))).to.equal(WRONGTYPE);
      expect(await errorOf(redis.call('BITFIELD', 'h'))).to.equal(WRONGTYPE);
    });

    it('BITFIELD_RO reads only', async () => {
      await redis.set('f', Buffer.from([0x80, 0x01]));
      expect(await redis.call('BITFIELD_RO', 'f', 'GET', 'u8', '0', 'GET', 'i4', '#3')).to.deep.equal([128, 1]);
      expect(await redis.call('BITFIELD_RO', 'missing', 'GET', 'u8', '0')).to.deep.equal([0]);
      expect(await errorOf(redis.call('BITFIELD_RO', 'f', 'GET', 'u8', '0', 'SET', 'u8', '0', '1'))).to.equal('ERR BITFIELD_RO only supports the GET subcommand');
      expect(await errorOf(redis.call('BITFIELD_RO', 'f', 'INCRBY', 'u8', '0', '1'))).to.equal('ERR BITFIELD_RO only supports the GET subcommand');
      expect(await redis.call('BITFIELD_RO', 'f', 'OVERFLOW', 'WRAP')).to.deep.equal([]);
      putHash('h');
      expect(await errorOf(redis.call('BITFIELD_RO', 'h', 'GET', 'u8', '0'))).to.equal(WRONGTYPE);
    });

    it('BITFIELD on binary keys and values', async () => {
      const key = ALL_BYTES.toString('latin1');
      await redis.set(Buffer.from(key, 'latin1'), ALL_BYTES);
      const reply = await redis.callBuffer('BITFIELD', Buffer.from(key, 'latin1'), 'GET', 'u8', '#200', 'SET', 'u16', '#0', '65535') as number[];
      expect(reply).to.deep.equal([200, 1]);
      expect((await redis.getrangeBuffer(Buffer.from(key, 'latin1'), 0, 2)).equals(Buffer.from([0xff, 0xff, 2]))).to.equal(true);
    });
  });

  it('bit helpers', () => {
    const bytes = Buffer.from([0x0f, 0xff, 0xf0]);
    expect(countBits(bytes, 0, 23)).to.equal(16);
    expect(countBits(bytes, 5, 18)).to.equal(14);
    expect(findBit(bytes, 1, 0, 23)).to.equal(4);
    expect(findBit(bytes, 0, 4, 23)).to.equal(20);
    expect(findBit(bytes, 0, 4, 19)).to.equal(-1);
    const i8 = { signed: true, bits: 8 };
    expect(fieldIncrement(i8, 127n, 1n, 'wrap')).to.equal(-128n);
    expect(fieldIncrement(i8, 127n, 1n, 'sat')).to.equal(127n);
    expect(fieldIncrement(i8, 127n, 1n, 'fail')).to.equal(null);
    expect(fieldSet({ signed: false, bits: 4 }, -1n, 'sat')).to.equal(15n);
  });

  it('arity errors', async () => {
    const calls: [string, string[]][] = [
      ['setbit', ['k', '0']], ['getbit', ['k']], ['bitcount', []], ['bitpos', ['k']], ['bitop', ['and', 'd']],
      ['bitfield', []], ['bitfield_ro', []],
    ];
    for (const [name, args] of calls) {
      expect(await errorOf(redis.call(name, ...args))).to.equal(`ERR wrong number of arguments for '${name}' command`);
    }
  });
});
