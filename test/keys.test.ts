import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { ALL_BYTES, arityError, collectionStub, connect, errorOf, rawRequest, startWithClients, stopWithClients } from './helpers.js';
import type { Server } from '../src/index.js';

const BIN = ALL_BYTES.toString('latin1');

describe('key commands', () => {
  let server: Server;
  let redis: Redis;
  let resp2: Redis;

  /** Sends a command on a fresh raw connection and reads as many bytes as `expected` has. */
  const raw = (args: (string | Buffer)[], expected: string, resp3 = false) => rawRequest(server, args, expected.length, resp3);

  const db = (i = 0) => server.databases[i];

  before(async () => ({ server, redis, resp2 } = await startWithClients()));
  after(() => stopWithClients(server, redis, resp2));

  beforeEach(() => {
    for (const database of server.databases) database.flush();
  });

  describe('DEL / UNLINK', () => {
    it('DEL removes existing keys and counts them', async () => {
      db().set('a', '1');
      db().set('b', '2');
      expect(await redis.call('DEL', 'a', 'b', 'c', 'a')).to.equal(2);
      expect(db().size).to.equal(0);
    });

    it('UNLINK behaves as DEL', async () => {
      db().set('a', '1');
      expect(await redis.call('UNLINK', 'a', 'nokey')).to.equal(1);
      expect(db().has('a')).to.equal(false);
    });

    it('DEL does not count an expired key', async () => {
      db().set('a', '1');
      db().setExpire('a', Date.now() - 1);
      expect(await redis.call('DEL', 'a')).to.equal(0);
      expect(db().dict.has('a')).to.equal(false);
    });

    it('DEL and UNLINK arity', async () => {
      expect(await errorOf(redis.call('DEL'))).to.equal(arityError('del'));
      expect(await errorOf(redis.call('UNLINK'))).to.equal(arityError('unlink'));
    });

    it('DEL with binary keys', async () => {
      db().set(BIN, 'v');
      expect(await redis.call('DEL', ALL_BYTES)).to.equal(1);
    });

    it('DEL makes a watching transaction fail', async () => {
      db().set('w', '1');
      const other = connect(server);
      await other.watch('w');
      await redis.call('DEL', 'w');
      const result = await other.multi().ping().exec();
      expect(result).to.equal(null);
      other.disconnect();
    });
  });

  describe('EXISTS / TOUCH', () => {
    it('EXISTS counts repeated keys each time', async () => {
      db().set('a', '1');
      expect(await redis.call('EXISTS', 'a', 'a', 'nokey', 'a')).to.equal(3);
      expect(await redis.call('EXISTS', 'nokey')).to.equal(0);
    });

    it('EXISTS ignores expired keys', async () => {
      db().set('a', '1');
      db().setExpire('a', Date.now() - 1);
      expect(await redis.call('EXISTS', 'a')).to.equal(0);
    });

    it('TOUCH counts existing keys', async () => {
      db().set('a', '1');
      db().set('b', collectionStub('hash'));
      expect(await redis.call('TOUCH', 'a', 'b', 'c')).to.equal(2);
    });

    it('EXISTS and TOUCH with binary keys and arity', async () => {
      db().set(BIN, 'v');
      expect(await redis.call('EXISTS', ALL_BYTES)).to.equal(1);
      expect(await redis.call('TOUCH', ALL_BYTES)).to.equal(1);
      expect(await errorOf(redis.call('EXISTS'))).to.equal(arityError('exists'));
      expect(await errorOf(redis.call('TOUCH'))).to.equal(arityError('touch'));
    });
  });

  describe('TYPE', () => {
    it('TYPE names every type, none for a missing key', async () => {
      db().set('s', 'v');
      db().set('b', Buffer.from('v'));
      db().set('h', collectionStub('hash'));
      db().set('l', collectionStub('list', 'quicklist'));
      db().set('z', collectionStub('zset'));
      db().set('t', collectionStub('set', 'intset'));
      const types = [];
      for (const key of ['s', 'b', 'h', 'l', 'z', 't', 'nokey']) types.push(await redis.call('TYPE', key));
      expect(types).to.deep.equal(['string', 'string', 'hash', 'list', 'zset', 'set', 'none']);
    });

    it('TYPE replies a status line', async () => {
      db().set(BIN, 'v');
      expect(await raw(['TYPE', ALL_BYTES], '+string\r\n')).to.equal('+string\r\n');
      expect(await raw(['TYPE', 'nokey'], '+none\r\n')).to.equal('+none\r\n');
    });

    it('TYPE arity', async () => {
      expect(await errorOf(redis.call('TYPE'))).to.equal(arityError('type'));
      expect(await errorOf(redis.call('TYPE', 'a', 'b'))).to.equal(arityError('type'));
    });
  });

  describe('KEYS', () => {
    it('KEYS with pattern', async () => {
      for (const key of ['key_x', 'key_y', 'key_z', 'foo_a', 'foo_b', 'foo_c']) db().set(key, 'hello');
      expect(((await redis.call('KEYS', 'foo*')) as string[]).sort()).to.deep.equal(['foo_a', 'foo_b', 'foo_c']);
      expect(((await redis.call('KEYS', '*')) as string[]).sort()).to.deep.equal(['foo_a', 'foo_b', 'foo_c', 'key_x', 'key_y', 'key_z']);
      expect(((await redis.call('KEYS', '*_[ax]')) as string[]).sort()).to.deep.equal(['foo_a', 'key_x']);
    });

    it('KEYS * returns the empty key, other patterns need text', async () => {
      db().set('', 'v');
      expect(await redis.call('KEYS', '*')).to.deep.equal(['']);
      expect(await redis.call('KEYS', '**')).to.deep.equal([]);
    });

    it('KEYS hides expired keys', async () => {
      db().set('a', '1');
      db().set('b', '1');
      db().setExpire('b', Date.now() - 1);
      expect(await redis.call('KEYS', '*')).to.deep.equal(['a']);
    });

    it('KEYS with binary keys and patterns', async () => {
      db().set(BIN, 'v');
      db().set('other', 'v');
      const found = (await redis.callBuffer('KEYS', Buffer.concat([ALL_BYTES.subarray(0, 0x2a), Buffer.from('*')]))) as Buffer[];
      expect(found.length).to.equal(1);
      expect(Buffer.compare(found[0], ALL_BYTES)).to.equal(0);
    });

    it('Regression for pattern matching long nested loops', async () => {
      db().set('a'.repeat(40), '1');
      expect(await redis.call('KEYS', 'a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b')).to.deep.equal([]);
    });

    it('KEYS replies an array in both protocols', async () => {
      db().set('k', 'v');
      expect(await raw(['KEYS', '*'], '*1\r\n$1\r\nk\r\n')).to.equal('*1\r\n$1\r\nk\r\n');
      expect(await raw(['KEYS', '*'], '*1\r\n$1\r\nk\r\n', true)).to.equal('*1\r\n$1\r\nk\r\n');
    });

    it('KEYS arity', async () => {
      expect(await errorOf(redis.call('KEYS'))).to.equal(arityError('keys'));
    });
  });

  describe('SCAN', () => {
    async function fullScan(client: Redis, ...options: string[]): Promise<string[]> {
      const seen: string[] = [];
      let cursor = '0';
      do {
        const [next, keys] = (await client.call('SCAN', cursor, ...options)) as [string, string[]];
        seen.push(...keys);
        cursor = next;
      } while (cursor !== '0');
      return seen;
    }

    it('SCAN basic', async () => {
      for (let i = 0; i < 1000; i++) db().set(`key:${i}`, 'v');
      const seen = new Set(await fullScan(redis));
      expect(seen.size).to.equal(1000);
    });

    it('SCAN COUNT', async () => {
      for (let i = 0; i < 100; i++) db().set(`key:${i}`, 'v');
      const [cursor, keys] = (await redis.call('SCAN', '0', 'COUNT', '7')) as [string, string[]];
      expect(cursor).to.not.equal('0');
      expect(keys.length).to.equal(7);
      expect(new Set(await fullScan(redis, 'COUNT', '1000')).size).to.equal(100);
    });

    it('SCAN MATCH', async () => {
      for (let i = 0; i < 100; i++) db().set(`key:${i}`, 'v');
      const seen = await fullScan(redis, 'MATCH', 'key:1?');
      expect(seen.sort()).to.deep.equal(Array.from({ length: 10 }, (_, i) => `key:1${i}`).sort());
    });

    it('SCAN TYPE', async () => {
      for (let i = 0; i < 50; i++) db().set(`s${i}`, 'v');
      for (let i = 0; i < 20; i++) db().set(`h${i}`, collectionStub('hash'));
      expect((await fullScan(redis, 'TYPE', 'hash')).sort()).to.deep.equal(Array.from({ length: 20 }, (_, i) => `h${i}`).sort());
      expect((await fullScan(redis, 'type', 'STRING')).length).to.equal(50);
      expect(await fullScan(redis, 'TYPE', 'nosuchtype')).to.deep.equal([]);
      expect((await fullScan(redis, 'MATCH', 'h1*', 'TYPE', 'hash')).sort()).to.deep.equal(['h1', ...Array.from({ length: 10 }, (_, i) => `h1${i}`)].sort());
    });

    it('SCAN skips and removes expired keys', async () => {
      db().set('a', '1');
      db().set('b', '1');
      db().setExpire('b', Date.now() - 1);
      expect(await fullScan(redis)).to.deep.equal(['a']);
      expect(db().dict.has('b')).to.equal(false);
    });

    it('SCAN guarantees keys present for the whole scan while others come and go', async () => {
      for (let i = 0; i < 2000; i++) db().set(`stable:${i}`, 'v');
      const seen = new Set<string>();
      let cursor = '0';
      let round = 0;
      do {
        const [next, keys] = (await redis.call('SCAN', cursor, 'COUNT', '50')) as [string, string[]];
        for (const key of keys) seen.add(key);
        cursor = next;
        // Churn between calls: add new keys, remove some of the previous round's.
        for (let i = 0; i < 30; i++) db().set(`churn:${round}:${i}`, 'v');
        if (round > 0) for (let i = 0; i < 30; i += 2) db().delete(`churn:${round - 1}:${i}`);
        round++;
      } while (cursor !== '0');
      for (let i = 0; i < 2000; i++) expect(seen.has(`stable:${i}`), `stable:${i}`).to.equal(true);
    });

    it('SCAN cursors are parsed as strtoul does', async () => {
      db().set('a', '1');
      expect(await redis.call('SCAN', '')).to.deep.equal(['0', ['a']]);
      expect(await redis.call('SCAN', '+0')).to.deep.equal(['0', ['a']]);
      expect(await redis.call('SCAN', '18446744073709551615')).to.deep.equal(['0', []]);
      expect(await redis.call('SCAN', '-1')).to.deep.equal(['0', []]);
    });

    it('SCAN cursor 0 on an empty database ends at once', async () => {
      expect(await redis.call('SCAN', '0')).to.deep.equal(['0', []]);
    });

    it('SCAN with binary keys', async () => {
      db().set(BIN, 'v');
      const [cursor, keys] = (await redis.callBuffer('SCAN', '0')) as [Buffer, Buffer[]];
      expect(cursor.toString()).to.equal('0');
      expect(Buffer.compare(keys[0], ALL_BYTES)).to.equal(0);
    });

    it('SCAN errors', async () => {
      expect(await errorOf(redis.call('SCAN', 'x'))).to.equal('ERR invalid cursor');
      expect(await errorOf(redis.call('SCAN', '-'))).to.equal('ERR invalid cursor');
      expect(await errorOf(redis.call('SCAN', ' 1'))).to.equal('ERR invalid cursor');
      expect(await errorOf(redis.call('SCAN', '18446744073709551616'))).to.equal('ERR invalid cursor');
      expect(await errorOf(redis.call('SCAN', '0', 'COUNT', '0'))).to.equal('ERR syntax error');
      expect(await errorOf(redis.call('SCAN', '0', 'COUNT', '-1'))).to.equal('ERR syntax error');
      expect(await errorOf(redis.call('SCAN', '0', 'COUNT', 'x'))).to.equal('ERR value is not an integer or out of range');
      expect(await errorOf(redis.call('SCAN', '0', 'MATCH'))).to.equal('ERR syntax error');
      expect(await errorOf(redis.call('SCAN', '0', 'BOGUS', 'x'))).to.equal('ERR syntax error');
      expect(await errorOf(redis.call('SCAN', 'x', 'BOGUS'))).to.equal('ERR invalid cursor');
      expect(await errorOf(redis.call('SCAN'))).to.equal(arityError('scan'));
    });

    it('SCAN reply shape in both protocols', async () => {
      expect(await raw(['SCAN', '0'], '*2\r\n$1\r\n0\r\n*0\r\n')).to.equal('*2\r\n$1\r\n0\r\n*0\r\n');
      expect(await raw(['SCAN', '0'], '*2\r\n$1\r\n0\r\n*0\r\n', true)).to.equal('*2\r\n$1\r\n0\r\n*0\r\n');
    });
  });

  describe('RANDOMKEY', () => {
    it('RANDOMKEY returns every key eventually', async () => {
      db().set('foo', 'x');
      db().set('bar', 'y');
      const seen = new Set<string>();
      for (let i = 0; i < 100 && seen.size < 2; i++) seen.add((await redis.call('RANDOMKEY')) as string);
      expect([...seen].sort()).to.deep.equal(['bar', 'foo']);
    });

    it('RANDOMKEY against empty DB', async () => {
      expect(await redis.call('RANDOMKEY')).to.equal(null);
      expect(await raw(['RANDOMKEY'], '$-1\r\n')).to.equal('$-1\r\n');
      expect(await raw(['RANDOMKEY'], '_\r\n', true)).to.equal('_\r\n');
    });

    it('RANDOMKEY skips expired keys', async () => {
      db().set('x', '1');
      db().setExpire('x', Date.now() - 1);
      expect(await redis.call('RANDOMKEY')).to.equal(null);
    });

    it('RANDOMKEY arity and binary keys', async () => {
      expect(await errorOf(redis.call('RANDOMKEY', 'x'))).to.equal(arityError('randomkey'));
      db().set(BIN, 'v');
      expect(Buffer.compare((await redis.callBuffer('RANDOMKEY')) as Buffer, ALL_BYTES)).to.equal(0);
    });
  });

  describe('RENAME / RENAMENX', () => {
    it('RENAME basic usage', async () => {
      db().set('mykey', 'hello');
      expect(await redis.call('RENAME', 'mykey', 'mykey1')).to.equal('OK');
      expect(await redis.call('RENAME', 'mykey1', 'mykey2')).to.equal('OK');
      expect(db().lookup('mykey2')).to.equal('hello');
      expect(db().has('mykey') || db().has('mykey1')).to.equal(false);
    });

    it('RENAME source key should no longer exist and overwrites the destination', async () => {
      db().set('a', '1');
      db().set('b', collectionStub('hash'));
      db().setExpire('b', Date.now() + 100000);
      expect(await redis.call('RENAME', 'a', 'b')).to.equal('OK');
      expect(db().lookup('b')).to.equal('1');
      expect(db().expireAt('b')).to.equal(undefined);
    });

    it('RENAME keeps the TTL', async () => {
      const when = Date.now() + 100000;
      db().set('a', '1');
      db().setExpire('a', when);
      await redis.call('RENAME', 'a', 'b');
      expect(db().expireAt('b')).to.equal(when);
      expect(db().expireAt('a')).to.equal(undefined);
    });

    it('RENAME against non existing source key', async () => {
      expect(await errorOf(redis.call('RENAME', 'nokey', 'foobar'))).to.equal('ERR no such key');
      expect(await errorOf(redis.call('RENAMENX', 'nokey', 'foobar'))).to.equal('ERR no such key');
      expect(await errorOf(redis.call('RENAME', 'nokey', 'nokey'))).to.equal('ERR no such key');
    });

    it('RENAME where source and dest key are the same (existing)', async () => {
      db().set('mykey', 'foo');
      expect(await redis.call('RENAME', 'mykey', 'mykey')).to.equal('OK');
      expect(await redis.call('RENAMENX', 'mykey', 'mykey')).to.equal(0);
      expect(db().lookup('mykey')).to.equal('foo');
    });

    it('RENAMENX basic usage and against already existing key', async () => {
      db().set('a', '1');
      db().set('b', '2');
      expect(await redis.call('RENAMENX', 'a', 'b')).to.equal(0);
      expect(db().lookup('a')).to.equal('1');
      expect(await redis.call('RENAMENX', 'a', 'c')).to.equal(1);
      expect(db().lookup('c')).to.equal('1');
    });

    it('RENAME with binary keys', async () => {
      db().set(BIN, 'v');
      expect(await redis.call('RENAME', ALL_BYTES, Buffer.concat([ALL_BYTES, ALL_BYTES]))).to.equal('OK');
      expect(db().lookup(BIN + BIN)).to.equal('v');
    });

    it('RENAME signals both keys to watchers', async () => {
      db().set('a', '1');
      const watchSource = connect(server);
      const watchDest = connect(server);
      await watchSource.watch('a');
      await watchDest.watch('b');
      await redis.call('RENAME', 'a', 'b');
      expect(await watchSource.multi().ping().exec()).to.equal(null);
      expect(await watchDest.multi().ping().exec()).to.equal(null);
      watchSource.disconnect();
      watchDest.disconnect();
    });

    it('RENAME arity', async () => {
      expect(await errorOf(redis.call('RENAME', 'a'))).to.equal(arityError('rename'));
      expect(await errorOf(redis.call('RENAMENX', 'a', 'b', 'c'))).to.equal(arityError('renamenx'));
    });
  });

  describe('COPY', () => {
    it('COPY basic usage for string', async () => {
      db().set('mykey', 'foobar');
      expect(await redis.call('COPY', 'mykey', 'mynewkey')).to.equal(1);
      expect(db().lookup('mynewkey')).to.equal('foobar');
      expect(db().lookup('mykey')).to.equal('foobar');
    });

    it('COPY copies Buffers instead of sharing them', async () => {
      const original = Buffer.from('abc');
      db().set('a', original);
      await redis.call('COPY', 'a', 'b');
      const copied = db().lookup('b') as Buffer;
      expect(copied).to.not.equal(original);
      expect(copied.equals(original)).to.equal(true);
    });

    it('COPY for a collection uses its copy', async () => {
      db().set('h', collectionStub('hash', 'hashtable'));
      await redis.call('COPY', 'h', 'h2');
      expect(await redis.call('TYPE', 'h2')).to.equal('hash');
      expect(db().lookup('h2')).to.not.equal(db().lookup('h'));
    });

    it('COPY for string does not replace an existing key without REPLACE option', async () => {
      db().set('a', '1');
      db().set('b', '2');
      expect(await redis.call('COPY', 'a', 'b')).to.equal(0);
      expect(db().lookup('b')).to.equal('2');
      expect(await redis.call('COPY', 'a', 'b', 'REPLACE')).to.equal(1);
      expect(db().lookup('b')).to.equal('1');
    });

    it('COPY for string can replace an existing key with REPLACE option', async () => {
      db().set('a', '1');
      db().set('b', collectionStub('list'));
      expect(await redis.call('COPY', 'a', 'b', 'replace')).to.equal(1);
      expect(db().lookup('b')).to.equal('1');
    });

    it('COPY for string ensures that copied data is independent of copying data', async () => {
      db().set('a', 'x');
      await redis.call('COPY', 'a', 'b');
      db().set('a', 'y');
      expect(db().lookup('b')).to.equal('x');
    });

    it('COPY keeps the TTL', async () => {
      const when = Date.now() + 100000;
      db().set('a', '1');
      db().setExpire('a', when);
      await redis.call('COPY', 'a', 'b');
      expect(db().expireAt('b')).to.equal(when);
    });

    it('COPY to another DB', async () => {
      db().set('a', '1');
      expect(await redis.call('COPY', 'a', 'a', 'DB', '1')).to.equal(1);
      expect(db(1).lookup('a')).to.equal('1');
      expect(await redis.call('COPY', 'a', 'a', 'DB', '1')).to.equal(0);
      expect(await redis.call('COPY', 'a', 'b', 'DB', '1', 'DB', '2', 'REPLACE')).to.equal(1);
      expect(db(2).lookup('b')).to.equal('1');
    });

    it('COPY of a missing key', async () => {
      expect(await redis.call('COPY', 'nokey', 'x')).to.equal(0);
    });

    it('COPY errors', async () => {
      db().set('a', '1');
      expect(await errorOf(redis.call('COPY', 'a', 'a'))).to.equal('ERR source and destination objects are the same');
      expect(await errorOf(redis.call('COPY', 'nokey', 'nokey'))).to.equal('ERR source and destination objects are the same');
      expect(await errorOf(redis.call('COPY', 'a', 'a', 'DB', '0'))).to.equal('ERR source and destination objects are the same');
      expect(await errorOf(redis.call('COPY', 'a', 'b', 'DB', '16'))).to.equal('ERR DB index is out of range');
      expect(await errorOf(redis.call('COPY', 'a', 'b', 'DB', '-1'))).to.equal('ERR DB index is out of range');
      expect(await errorOf(redis.call('COPY', 'a', 'b', 'DB', 'x'))).to.equal('ERR value is not an integer or out of range');
      expect(await errorOf(redis.call('COPY', 'a', 'b', 'DB', '99999999999'))).to.equal('ERR value is out of range, value must between -2147483648 and 2147483647');
      expect(await errorOf(redis.call('COPY', 'a', 'b', 'DB'))).to.equal('ERR syntax error');
      expect(await errorOf(redis.call('COPY', 'a', 'b', 'BOGUS'))).to.equal('ERR syntax error');
      expect(await errorOf(redis.call('COPY', 'a'))).to.equal(arityError('copy'));
    });

    it('COPY signals the destination only', async () => {
      db().set('a', '1');
      const watchSource = connect(server);
      const watchDest = connect(server);
      await watchSource.watch('a');
      await watchDest.watch('b');
      await redis.call('COPY', 'a', 'b');
      expect(await watchSource.multi().ping().exec()).to.deep.equal([[null, 'PONG']]);
      expect(await watchDest.multi().ping().exec()).to.equal(null);
      watchSource.disconnect();
      watchDest.disconnect();
    });

    it('COPY with binary keys', async () => {
      db().set(BIN, 'v');
      expect(await redis.call('COPY', ALL_BYTES, 'x')).to.equal(1);
      expect(db().lookup('x')).to.equal('v');
    });
  });

  describe('MOVE', () => {
    it('MOVE basic usage', async () => {
      db().set('mykey', 'foobar');
      expect(await redis.call('MOVE', 'mykey', '1')).to.equal(1);
      expect(db().has('mykey')).to.equal(false);
      expect(db(1).lookup('mykey')).to.equal('foobar');
    });

    it('MOVE against key existing in the target DB', async () => {
      db().set('mykey', 'hello');
      db(1).set('mykey', 'world');
      expect(await redis.call('MOVE', 'mykey', '1')).to.equal(0);
      expect(db().lookup('mykey')).to.equal('hello');
    });

    it('MOVE against non-existing key', async () => {
      expect(await redis.call('MOVE', 'nokey', '1')).to.equal(0);
    });

    it('MOVE keeps the TTL', async () => {
      const when = Date.now() + 100000;
      db().set('a', '1');
      db().setExpire('a', when);
      await redis.call('MOVE', 'a', '2');
      expect(db(2).expireAt('a')).to.equal(when);
    });

    it('MOVE errors', async () => {
      db().set('a', '1');
      expect(await errorOf(redis.call('MOVE', 'a', '0'))).to.equal('ERR source and destination objects are the same');
      expect(await errorOf(redis.call('MOVE', 'a', '16'))).to.equal('ERR DB index is out of range');
      expect(await errorOf(redis.call('MOVE', 'a', '-1'))).to.equal('ERR DB index is out of range');
      expect(await errorOf(redis.call('MOVE', 'a', 'x'))).to.equal('ERR value is not an integer or out of range');
      expect(await errorOf(redis.call('MOVE', 'a', '99999999999'))).to.equal('ERR value is out of range, value must between -2147483648 and 2147483647');
      expect(await errorOf(redis.call('MOVE', 'a'))).to.equal(arityError('move'));
    });

    it('MOVE with binary keys', async () => {
      db().set(BIN, 'v');
      expect(await redis.call('MOVE', ALL_BYTES, '3')).to.equal(1);
      expect(db(3).lookup(BIN)).to.equal('v');
    });

    it('MOVE signals the key in both databases', async () => {
      db().set('a', '1');
      const watchSource = connect(server);
      const watchDest = connect(server, { db: 1 });
      await watchSource.watch('a');
      await watchDest.watch('a');
      await redis.call('MOVE', 'a', '1');
      expect(await watchSource.multi().ping().exec()).to.equal(null);
      expect(await watchDest.multi().ping().exec()).to.equal(null);
      watchSource.disconnect();
      watchDest.disconnect();
    });
  });

  describe('EXPIRE family', () => {
    it('EXPIRE sets a TTL in seconds', async () => {
      db().set('x', 'foobar');
      expect(await redis.call('EXPIRE', 'x', '5')).to.equal(1);
      expect(await redis.call('TTL', 'x')).to.be.within(4, 5);
      expect(await redis.call('EXPIRE', 'nokey', '5')).to.equal(0);
    });

    it('EXPIRE with NX, XX, GT and LT options', async () => {
      db().set('foo', 'bar');
      expect(await redis.call('EXPIRE', 'foo', '100', 'XX')).to.equal(0);
      expect(await redis.call('EXPIRE', 'foo', '100', 'GT')).to.equal(0);
      expect(await redis.call('EXPIRE', 'foo', '200', 'LT')).to.equal(1);
      expect(await redis.call('EXPIRE', 'foo', '300', 'NX')).to.equal(0);
      expect(await redis.call('EXPIRE', 'foo', '100', 'xx')).to.equal(1);
      expect(await redis.call('EXPIRE', 'foo', '50', 'GT')).to.equal(0);
      expect(await redis.call('EXPIRE', 'foo', '200', 'GT')).to.equal(1);
      expect(await redis.call('EXPIRE', 'foo', '300', 'LT')).to.equal(0);
      expect(await redis.call('EXPIRE', 'foo', '100', 'LT', 'XX')).to.equal(1);
      expect(await redis.call('TTL', 'foo')).to.be.within(99, 100);
      await redis.call('PERSIST', 'foo');
      expect(await redis.call('EXPIRE', 'foo', '100', 'NX')).to.equal(1);
    });

    it('EXPIRE option errors', async () => {
      db().set('foo', 'bar');
      const nx = 'ERR NX and XX, GT or LT options at the same time are not compatible';
      expect(await errorOf(redis.call('EXPIRE', 'foo', '200', 'NX', 'XX'))).to.equal(nx);
      expect(await errorOf(redis.call('EXPIRE', 'foo', '200', 'NX', 'GT'))).to.equal(nx);
      expect(await errorOf(redis.call('EXPIRE', 'foo', '200', 'LT', 'NX'))).to.equal(nx);
      expect(await errorOf(redis.call('EXPIRE', 'foo', '200', 'GT', 'LT'))).to.equal('ERR GT and LT options at the same time are not compatible');
      expect(await errorOf(redis.call('EXPIRE', 'foo', '200', 'AB'))).to.equal('ERR Unsupported option AB');
      expect(await errorOf(redis.call('EXPIRE', 'foo', 'x', 'AB'))).to.equal('ERR Unsupported option AB');
      expect(await errorOf(redis.call('EXPIRE', 'foo', 'x'))).to.equal('ERR value is not an integer or out of range');
      expect(await errorOf(redis.call('EXPIRE', 'foo'))).to.equal(arityError('expire'));
      expect(await errorOf(redis.call('PEXPIREAT', 'foo'))).to.equal(arityError('pexpireat'));
    });

    it('EXPIRE with big integer overflows', async () => {
      db().set('foo', 'bar');
      expect(await errorOf(redis.call('EXPIRE', 'foo', '9223372036854775807'))).to.equal("ERR invalid expire time in 'expire' command");
      expect(await errorOf(redis.call('EXPIRE', 'foo', '9223372036854775'))).to.equal("ERR invalid expire time in 'expire' command");
      expect(await errorOf(redis.call('EXPIRE', 'foo', '-9223372036854776'))).to.equal("ERR invalid expire time in 'expire' command");
      expect(await errorOf(redis.call('PEXPIRE', 'foo', '9223372036854775807'))).to.equal("ERR invalid expire time in 'pexpire' command");
      expect(await errorOf(redis.call('EXPIREAT', 'foo', '9223372036854776'))).to.equal("ERR invalid expire time in 'expireat' command");
      expect(await redis.call('EXPIREAT', 'foo', '9223372036854775')).to.equal(1);
      expect(await redis.call('PEXPIREAT', 'foo', '9223372036854775807')).to.equal(1);
      expect(db().has('foo')).to.equal(true);
    });

    it('EXPIRE with a time in the past deletes the key and signals watchers', async () => {
      for (const [command, arg] of [['EXPIRE', '-1'], ['PEXPIRE', '0'], ['EXPIREAT', '1'], ['PEXPIREAT', '1000']]) {
        db().set('k', 'v');
        const watcher = connect(server);
        await watcher.watch('k');
        expect(await redis.call(command, 'k', arg)).to.equal(1);
        expect(db().dict.has('k'), command).to.equal(false);
        expect(await watcher.multi().ping().exec()).to.equal(null);
        watcher.disconnect();
      }
    });

    it('EXPIREAT and PEXPIREAT set absolute times', async () => {
      db().set('k', 'v');
      const at = Math.floor(Date.now() / 1000) + 1000;
      expect(await redis.call('EXPIREAT', 'k', String(at))).to.equal(1);
      expect(await redis.call('EXPIRETIME', 'k')).to.equal(at);
      expect(await redis.call('PEXPIRETIME', 'k')).to.equal(at * 1000);
      expect(await redis.call('PEXPIREAT', 'k', String(at * 1000 + 123))).to.equal(1);
      expect(await redis.call('PEXPIRETIME', 'k')).to.equal(at * 1000 + 123);
      expect(await redis.call('EXPIRETIME', 'k')).to.equal(at);
    });

    it('EXPIRE with binary keys', async () => {
      db().set(BIN, 'v');
      expect(await redis.call('PEXPIRE', ALL_BYTES, '100000')).to.equal(1);
      expect(await redis.call('PTTL', ALL_BYTES)).to.be.within(99000, 100000);
      expect(await redis.call('PERSIST', ALL_BYTES)).to.equal(1);
    });
  });

  describe('TTL family and PERSIST', () => {
    it('TTL, PTTL, EXPIRETIME, PEXPIRETIME return -2 for a missing key and -1 without TTL', async () => {
      db().set('k', 'v');
      for (const command of ['TTL', 'PTTL', 'EXPIRETIME', 'PEXPIRETIME']) {
        expect(await redis.call(command, 'nokey'), command).to.equal(-2);
        expect(await redis.call(command, 'k'), command).to.equal(-1);
      }
    });

    it('TTL rounds to the nearest second', async () => {
      db().set('k', 'v');
      db().setExpire('k', Date.now() + 2600);
      expect(await redis.call('TTL', 'k')).to.be.within(2, 3);
      db().setExpire('k', Date.now() + 100000);
      expect(await redis.call('TTL', 'k')).to.equal(100);
    });

    it('PERSIST removes the TTL', async () => {
      db().set('k', 'v');
      expect(await redis.call('PERSIST', 'k')).to.equal(0);
      expect(await redis.call('PERSIST', 'nokey')).to.equal(0);
      db().setExpire('k', Date.now() + 100000);
      expect(await redis.call('PERSIST', 'k')).to.equal(1);
      expect(await redis.call('TTL', 'k')).to.equal(-1);
      expect(await redis.call('PERSIST', 'k')).to.equal(0);
    });

    it('TTL family and PERSIST arity', async () => {
      for (const command of ['ttl', 'pttl', 'expiretime', 'pexpiretime', 'persist']) {
        expect(await errorOf(redis.call(command))).to.equal(arityError(command));
        expect(await errorOf(redis.call(command, 'a', 'b'))).to.equal(arityError(command));
      }
    });
  });

  describe('OBJECT', () => {
    it('OBJECT ENCODING of strings', async () => {
      const cases: [string | Buffer, string][] = [
        ['12345', 'int'],
        ['-9223372036854775808', 'int'],
        ['9223372036854775808', 'embstr'],
        ['0123', 'embstr'],
        ['+1', 'embstr'],
        ['x'.repeat(44), 'embstr'],
        ['x'.repeat(45), 'raw'],
        [Buffer.from('12'), 'raw'],
      ];
      for (const [value, encoding] of cases) {
        db().set('k', value);
        expect(await redis.call('OBJECT', 'ENCODING', 'k'), String(value)).to.equal(encoding);
      }
    });

    it('OBJECT ENCODING of collections asks the collection', async () => {
      db().set('h', collectionStub('hash', 'hashtable'));
      expect(await redis.call('object', 'encoding', 'h')).to.equal('hashtable');
    });

    it('OBJECT REFCOUNT', async () => {
      db().set('a', '100');
      db().set('b', '123456');
      db().set('c', 'foo');
      expect(await redis.call('OBJECT', 'REFCOUNT', 'a')).to.equal(2147483647);
      expect(await redis.call('OBJECT', 'REFCOUNT', 'b')).to.equal(1);
      expect(await redis.call('OBJECT', 'REFCOUNT', 'c')).to.equal(1);
    });

    it('OBJECT IDLETIME and FREQ', async () => {
      db().set('a', 'v');
      expect(await redis.call('OBJECT', 'IDLETIME', 'a')).to.equal(0);
      expect(await errorOf(redis.call('OBJECT', 'FREQ', 'a'))).to.equal(
        'ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
      );
    });

    it('OBJECT subcommands on a missing key reply null in both protocols', async () => {
      for (const sub of ['ENCODING', 'REFCOUNT', 'IDLETIME', 'FREQ']) {
        expect(await raw(['OBJECT', sub, 'nokey'], '$-1\r\n'), sub).to.equal('$-1\r\n');
        expect(await raw(['OBJECT', sub, 'nokey'], '_\r\n', true), sub).to.equal('_\r\n');
      }
    });

    it('OBJECT HELP', async () => {
      const expected =
        '*15\r\n+OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+ENCODING <key>\r\n+    Return the kind of internal representation used in order to store the value\r\n+    associated with a <key>.\r\n+FREQ <key>\r\n+    Return the access frequency index of the <key>. The returned integer is\r\n+    proportional to the logarithm of the recent access frequency of the key.\r\n+IDLETIME <key>\r\n+    Return the idle time of the <key>, that is the approximated number of\r\n+    seconds elapsed since the last access to the key.\r\n+REFCOUNT <key>\r\n+    Return the number of references of the value associated with the specified\r\n+    <key>.\r\n+HELP\r\n+    Prints this help.\r\n';
      expect(await raw(['OBJECT', 'help'], expected)).to.equal(expected);
    });

    it('OBJECT errors', async () => {
      expect(await errorOf(redis.call('OBJECT'))).to.equal(arityError('object'));
      expect(await errorOf(redis.call('OBJECT', 'ENCODING'))).to.equal(arityError('object|encoding'));
      expect(await errorOf(redis.call('OBJECT', 'HELP', 'x'))).to.equal(arityError('object|help'));
      expect(await errorOf(redis.call('OBJECT', 'foo'))).to.equal("ERR unknown subcommand 'foo'. Try OBJECT HELP.");
    });

    it('OBJECT with binary keys', async () => {
      db().set(BIN, 'v');
      expect(await redis.call('OBJECT', 'ENCODING', ALL_BYTES)).to.equal('embstr');
    });
  });

  describe('RESP2 clients', () => {
    it('integer and array replies are the same over RESP2', async () => {
      db().set('a', '1');
      expect(await resp2.call('EXISTS', 'a')).to.equal(1);
      expect(await resp2.call('SCAN', '0')).to.deep.equal(['0', ['a']]);
      expect(await resp2.call('OBJECT', 'ENCODING', 'nokey')).to.equal(null);
    });
  });
});
