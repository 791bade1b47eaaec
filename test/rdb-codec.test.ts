import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { formatDouble } from '../src/datatypes/double.js';
import { HashValue } from '../src/datatypes/hash.js';
import { ListValue } from '../src/datatypes/list.js';
import { canonicalInteger } from '../src/datatypes/int64.js';
import { SetValue } from '../src/datatypes/set.js';
import { ZSetValue } from '../src/datatypes/zset.js';
import { DeferredValue, isString, typeName, type CollectionValue, type RedisValue } from '../src/keyspace/values.js';
import { Crc64, crc64 } from '../persistence/crc64.js';
import { lzfCompress, lzfDecompress } from '../persistence/lzf.js';
import { encodeIntset, ListpackBuilder, RdbOpcode, RdbType } from '../persistence/rdb-format.js';
import { decodeValue, RdbError, RdbReader, type LoadLimits, type RdbEntry, type RdbReadOptions } from '../persistence/rdb-reader.js';
import { encodeValue, RdbEncoder, RdbWriter, type RdbWriteOptions } from '../persistence/rdb-writer.js';
import { requireBinary, seededRandom } from './external.js';
import { ALL_BYTES } from './helpers.js';

/** Redis 7.0's defaults. */
const LIMITS: LoadLimits = {
  hashMaxListpackEntries: 128,
  hashMaxListpackValue: 64,
  setMaxIntsetEntries: 512,
  zsetMaxListpackEntries: 128,
  zsetMaxListpackValue: 64,
};
const BYTES = ALL_BYTES.toString('latin1');
const INTEGER_EDGES = [
  '0', '1', '-1', '12', '13', '127', '128', '-128', '-129', '255', '4095', '4096', '-4096', '-4097', '32767', '32768',
  '-32768', '-32769', '8388607', '8388608', '-8388608', '-8388609', '2147483647', '2147483648', '-2147483648',
  '-2147483649', '12345678901', '9007199254740993', '9223372036854775807', '-9223372036854775808',
];
const NOT_INTEGERS = ['9223372036854775808', '-9223372036854775809', '-0', '007', '+5', ' 5', '5 ', '1e3', '', '-'];

// ---- building values as commands would ----

function listOf(elements: readonly string[]): ListValue {
  const list = new ListValue();
  for (const element of elements) list.pushTail(element);
  return list;
}

function hashOf(pairs: readonly (readonly [string, string])[]): HashValue {
  const hash = new HashValue();
  for (const [field, value] of pairs) {
    hash.checkLength(field, LIMITS.hashMaxListpackValue);
    hash.checkLength(value, LIMITS.hashMaxListpackValue);
    hash.set(field, value);
    hash.checkEntries(LIMITS.hashMaxListpackEntries);
  }
  return hash;
}

function setOf(members: readonly string[]): SetValue {
  const set = new SetValue();
  for (const member of members) set.add(member, LIMITS.setMaxIntsetEntries);
  return set;
}

function zsetOf(pairs: readonly (readonly [number, string])[]): ZSetValue {
  const zset = new ZSetValue();
  for (const [score, member] of pairs) zset.add(score, member, 0, LIMITS.zsetMaxListpackEntries, LIMITS.zsetMaxListpackValue);
  return zset;
}

const range = <T>(count: number, element: (i: number) => T): T[] => Array.from({ length: count }, (_, i) => element(i));

function randomText(length: number, seed: number): string {
  const random = seededRandom(seed);
  return String.fromCharCode(...range(length, () => random(256)));
}

const entry = (db: number, key: string, value: RedisValue, expireAt?: number): RdbEntry<RedisValue> => ({ db, key, value, expireAt });

/** Every type in every encoding nodis has, binary data, integer edges, TTLs, several databases. */
function sampleEntries(): RdbEntry<RedisValue>[] {
  const soon = Date.now() + 3_600_000;
  return [
    entry(0, 'string', 'hello'),
    entry(0, 'empty string', ''),
    entry(0, BYTES, BYTES),
    entry(0, 'buffer', Buffer.concat([ALL_BYTES, ALL_BYTES])),
    ...[...INTEGER_EDGES, ...NOT_INTEGERS].map((text) => entry(0, `int:${text}`, text)),
    entry(0, '12345', 'a key that is an integer'),
    entry(0, 'compressible', 'abcdefghij'.repeat(500), soon),
    entry(0, 'incompressible', randomText(3000, 1)),
    entry(0, 'list', listOf(['a', '', BYTES, ...INTEGER_EDGES, ...NOT_INTEGERS, 'x'.repeat(63), 'y'.repeat(64), 'z'.repeat(4095), 'w'.repeat(4096)])),
    entry(0, 'long list', listOf(range(10_000, (i) => (i % 3 === 0 ? String(i * 1_000_003 - 5_000_000_000) : `element ${i}`))), soon + 1),
    entry(0, 'list of long elements', listOf(range(20, (i) => randomText(5000 + i, i)))),
    entry(1, 'small hash', hashOf([['a', '1'], ['b', BYTES.slice(0, 60)], [BYTES.slice(200), '-0'], ...INTEGER_EDGES.map((n) => [n, n] as const)])),
    entry(1, 'big hash', hashOf(range(600, (i) => `field ${i}`).map((field, i) => [field, String(i * 7)]))),
    entry(1, 'hash with a long value', hashOf([['f', 'v'.repeat(65)]]), soon + 2),
    entry(1, 'hash with binary', hashOf([[BYTES, BYTES]])),
    entry(5, 'intset16', setOf(['5', '-3', '0', '32767', '-32768'])),
    entry(5, 'intset32', setOf(['70000', '-2147483648', '1'])),
    entry(5, 'intset64', setOf(['-9223372036854775808', '9223372036854775807', '0', '9007199254740993'])),
    entry(5, 'string set', setOf(['a', 'b', BYTES, ...NOT_INTEGERS])),
    entry(5, 'big integer set', setOf(range(600, (i) => String(i * 3)))),
    entry(5, 'big set', setOf(range(1000, (i) => `member ${i}`))),
    entry(15, 'small zset', zsetOf([[1.5, 'a'], [-Infinity, 'b'], [Infinity, 'c'], [0.1, 'd'], [1e300, 'e'], [2 ** 62, 'f'], [2 ** 63, 'g'], [-(2 ** 53) - 2, 'h'], [1 / 3, BYTES.slice(0, 64)], [-0, 'z'], [12, 'i']])),
    entry(15, 'big zset', zsetOf([...range(300, (i) => [Math.sin(i) * 1000, `m${i}`] as const), [-0, 'negative zero']])),
    entry(15, 'zset with a long member', zsetOf([[1, 'm'.repeat(65)], [2, 'n']]), soon + 3),
    entry(15, 'zset with binary', zsetOf([[3, BYTES]])),
  ];
}

// ---- comparing ----

/** A value's type, encoding and content in nodis's own order: what a round trip must keep. */
function describeValue(value: RedisValue): unknown {
  if (isString(value)) return { string: typeof value === 'string' ? value : value.toString('latin1') };
  if (value instanceof ListValue) return { list: value.range(0, value.size - 1) };
  if (value instanceof HashValue) return { hash: [...value.entries()], encoding: value.encoding() };
  if (value instanceof SetValue) return { set: [...value.list()], encoding: value.encoding() };
  if (value instanceof ZSetValue) return { zset: zsetPairs(value), encoding: value.encoding() };
  throw new Error(`unexpected ${value.type}`);
}

function zsetPairs(zset: ZSetValue): [string, number][] {
  const pairs: [string, number][] = [];
  const walk = zset.walkFromRank(0, false);
  while (walk.next()) pairs.push([walk.member, walk.score]);
  return pairs;
}

/** What a key holds as Redis commands show it: sets and hashes sorted, zsets by rank. */
interface Item {
  type: string;
  data: unknown;
  expireAt?: number;
}

function itemOf(value: RedisValue, expireAt: number | undefined): Item {
  const item: Item = { type: typeName(value), data: undefined, ...(expireAt === undefined ? {} : { expireAt }) };
  if (isString(value)) item.data = typeof value === 'string' ? value : value.toString('latin1');
  else if (value instanceof ListValue) item.data = value.range(0, value.size - 1);
  else if (value instanceof HashValue) item.data = [...value.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
  else if (value instanceof SetValue) item.data = [...value.list()].sort();
  else if (value instanceof ZSetValue) item.data = zsetPairs(value);
  return item;
}

type Items = Map<string, Item>;

function itemsOf(entries: readonly RdbEntry<RedisValue>[]): Items {
  return new Map(entries.map((e) => [`${e.db}/${e.key}`, itemOf(e.value, e.expireAt)]));
}

/** Asserts equal items, expiry times within a few seconds (Redis reports them as a TTL). */
function expectSameItems(actual: Items, expected: Items): void {
  expect([...actual.keys()].sort()).to.deep.equal([...expected.keys()].sort());
  for (const [key, { expireAt, ...item }] of expected) {
    const { expireAt: actualExpireAt, ...actualItem } = actual.get(key)!;
    expect(actualItem, key).to.deep.equal(item);
    expect(actualExpireAt === undefined, `${key} has no expiry`).to.equal(expireAt === undefined);
    if (expireAt !== undefined) expect(Math.abs(actualExpireAt! - expireAt), `${key}'s expiry`).to.be.below(5000);
  }
}

// ---- writing and reading whole files ----

function writeFile(entries: readonly RdbEntry[], options: RdbWriteOptions, aux: [string, string][] = [['redis-ver', '7.0.15'], ['redis-bits', '64']]): Buffer {
  const writer = new RdbWriter(options);
  writer.header(aux);
  const chunks: Buffer[] = [];
  for (const db of [...new Set(entries.map((e) => e.db))].sort((a, b) => a - b)) {
    const inDb = entries.filter((e) => e.db === db);
    writer.selectDb(db, inDb.length, inDb.filter((e) => e.expireAt !== undefined).length);
    for (const e of inDb) {
      writer.entry(e.key, e.value, e.expireAt);
      if (writer.pendingBytes > 4096) chunks.push(writer.take());
    }
  }
  writer.end();
  chunks.push(writer.take());
  return Buffer.concat(chunks);
}

function readFile(data: Buffer, options: Partial<RdbReadOptions> = {}): { entries: RdbEntry<RedisValue>[]; reader: RdbReader } {
  const reader = new RdbReader(data, { checksum: true, limits: LIMITS, ...options });
  const entries: RdbEntry<RedisValue>[] = [];
  // Without `defer` every value comes decoded.
  for (let e = reader.next(); e !== null; e = reader.next()) entries.push(e as RdbEntry<RedisValue>);
  return { entries, reader };
}

function expectRdbError(read: () => unknown, pattern: RegExp = /./): RdbError {
  try {
    read();
  } catch (error) {
    expect(error, String(error)).to.be.instanceOf(RdbError);
    expect((error as RdbError).message).to.match(pattern);
    return error as RdbError;
  }
  throw new Error('expected an RdbError');
}

// ---- test-only encoders for what Redis 7.0 no longer writes ----

/** A file of RDB `version`: the magic, what `body` writes, EOF, and from version 5 on the CRC-64. */
function legacyFile(version: number, body: (out: RdbEncoder) => void): Buffer {
  const out = new RdbEncoder(true);
  out.raw(Buffer.from(`REDIS${String(version).padStart(4, '0')}`, 'latin1'));
  body(out);
  out.byte(RdbOpcode.EOF);
  const data = out.take();
  return version >= 5 ? Buffer.concat([data, crc64(data)]) : data;
}

/** Little-endian bytes of `value` (a bigint keeps 64-bit precision). */
function littleEndian(value: number | bigint, width: number): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeBigInt64LE(BigInt(value));
  return bytes.subarray(0, width);
}

/** ziplist.c's entry body: integer-looking strings under 32 bytes as the smallest integer encoding. */
function ziplistEntryBody(element: string): Buffer {
  const integer = element.length < 32 ? canonicalInteger(element) : undefined;
  if (integer !== undefined) {
    const value = BigInt(integer);
    if (value >= 0n && value <= 12n) return Buffer.from([0xf1 + Number(value)]);
    const fits = (bits: number) => value >= -(2n ** BigInt(bits - 1)) && value < 2n ** BigInt(bits - 1);
    const [encoding, width] = fits(8) ? [0xfe, 1] : fits(16) ? [0xc0, 2] : fits(24) ? [0xf0, 3] : fits(32) ? [0xd0, 4] : [0xe0, 8];
    return Buffer.concat([Buffer.from([encoding]), littleEndian(value, width)]);
  }
  const bytes = Buffer.from(element, 'latin1');
  const length = bytes.length;
  const header = length < 64 ? [length] : length < 16384 ? [0x40 | (length >> 8), length & 0xff] : [0x80, ...littleEndian(length, 4).reverse()];
  return Buffer.concat([Buffer.from(header), bytes]);
}

/** A ziplist (Redis 2.6 to 6.2): header, entries each recording the previous one's length, 0xFF. */
function ziplist(elements: readonly string[]): Buffer {
  const entries: Buffer[] = [];
  let tail = 10;
  let previous = 0;
  for (const element of elements) {
    const prevlen = previous < 254 ? Buffer.from([previous]) : Buffer.concat([Buffer.from([254]), littleEndian(previous, 4)]);
    const entryBytes = Buffer.concat([prevlen, ziplistEntryBody(element)]);
    tail += previous;
    previous = entryBytes.length;
    entries.push(entryBytes);
  }
  const body = Buffer.concat(entries);
  const header = Buffer.alloc(10);
  header.writeUInt32LE(10 + body.length + 1, 0);
  header.writeUInt32LE(tail, 4);
  header.writeUInt16LE(Math.min(elements.length, 0xffff), 8);
  return Buffer.concat([header, body, Buffer.from([0xff])]);
}

/** A zipmap (Redis 2.4 and before): a count, then length-prefixed fields and values (with `free` spare bytes), 0xFF. */
function zipmap(pairs: readonly (readonly [string, string])[], free = 0): Buffer {
  const length = (n: number) => (n < 254 ? Buffer.from([n]) : Buffer.concat([Buffer.from([254]), littleEndian(n, 4)]));
  const parts = [Buffer.from([Math.min(pairs.length, 254)])];
  for (const [field, value] of pairs) {
    parts.push(length(field.length), Buffer.from(field, 'latin1'), length(value.length), Buffer.from([free]), Buffer.from(value, 'latin1'), Buffer.alloc(free));
  }
  parts.push(Buffer.from([0xff]));
  return Buffer.concat(parts);
}

/** rdbSaveDoubleValue (RDB_TYPE_ZSET): "%.17g" text after its length, 254/255 for infinities. */
function textDouble(out: RdbEncoder, value: number): void {
  if (value === Infinity || value === -Infinity) return out.byte(value > 0 ? 254 : 255);
  const text = formatDouble(value);
  out.byte(text.length);
  out.raw(Buffer.from(text, 'latin1'));
}

/** A key as old versions wrote it: expiry (in seconds when `seconds`), type, key. */
function legacyKey(out: RdbEncoder, type: number, key: string, expireAt?: number, seconds = false): void {
  if (expireAt !== undefined && seconds) {
    out.byte(RdbOpcode.EXPIRETIME);
    out.raw(littleEndian(expireAt / 1000, 4));
  } else if (expireAt !== undefined) {
    out.byte(RdbOpcode.EXPIRETIME_MS);
    out.milliseconds(expireAt);
  }
  out.byte(type);
  out.string(key);
}

// ---- a real redis-server ----

const REDIS_PORTS = [6441, 6442, 6443, 6444, 6445, 6446, 6447, 6448, 6449];
let nextPort = 0;

interface RealServer {
  client: Redis;
  dir: string;
  stop(): Promise<void>;
}

/**
 * A redis-server loading `dir`/dump.rdb if there is one (and SAVE-ing there). With
 * sanitize-dump-payload yes it checks every listpack, ziplist and intset it loads.
 */
async function startRedis(dir: string): Promise<RealServer> {
  const port = REDIS_PORTS[nextPort++ % REDIS_PORTS.length];
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--dbfilename', 'dump.rdb', '--save', '', '--appendonly', 'no', '--sanitize-dump-payload', 'yes'];
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const exited = once(child, 'exit');
  for (let tries = 0; spawnSync('redis-cli', ['-p', String(port), 'ping']).stdout?.toString().trim() !== 'PONG'; tries++) {
    if (child.exitCode !== null || tries > 100) throw new Error(`redis-server did not start on port ${port}:\n${log}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const client = new Redis({ port, host: '127.0.0.1', protocol: 2, enableReadyCheck: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
  return {
    client,
    dir,
    stop: async () => {
      client.disconnect();
      child.kill();
      await exited;
    },
  };
}

/** Runs `use` with a redis-server that loaded `file` (none: empty) in a fresh directory, then stops it. */
async function withRedis<T>(file: Buffer | null, use: (server: RealServer) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'nodis-rdb-'));
  if (file !== null) writeFileSync(join(dir, 'dump.rdb'), file);
  const server = await startRedis(dir);
  try {
    return await use(server);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const latin1 = (bytes: Buffer) => bytes.toString('latin1');
const parseScore = (text: string) => (text === 'inf' ? Infinity : text === '-inf' ? -Infinity : Number(text));

/** Everything in databases `dbs` as TYPE, GET, LRANGE, HGETALL, SMEMBERS, ZRANGE WITHSCORES and PTTL show it. */
async function redisItems(client: Redis, dbs: readonly number[]): Promise<Items> {
  const items: Items = new Map();
  for (const db of dbs) {
    await client.select(db);
    for (const key of (await client.callBuffer('KEYS', '*')) as Buffer[]) {
      const type = await client.type(key);
      const reply = async (...args: string[]) => (await client.callBuffer(args[0], key, ...args.slice(1))) as Buffer[];
      let data: unknown;
      if (type === 'string') data = latin1((await client.callBuffer('GET', key)) as Buffer);
      else if (type === 'list') data = (await reply('LRANGE', '0', '-1')).map(latin1);
      else if (type === 'set') data = (await reply('SMEMBERS')).map(latin1).sort();
      else if (type === 'hash') data = pairsOf(await reply('HGETALL')).sort(([a], [b]) => (a < b ? -1 : 1));
      else if (type === 'zset') data = pairsOf(await reply('ZRANGE', '0', '-1', 'WITHSCORES')).map(([member, score]) => [member, parseScore(score)]);
      const ttl = await client.pttl(key);
      items.set(`${db}/${latin1(key)}`, { type, data, ...(ttl >= 0 ? { expireAt: Date.now() + ttl } : {}) });
    }
  }
  return items;
}

function pairsOf(flat: Buffer[]): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; i < flat.length; i += 2) pairs.push([latin1(flat[i]), latin1(flat[i + 1])]);
  return pairs;
}

/** redis-check-rdb's verdict on `file`. */
function checkRdb(file: Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'nodis-rdb-check-'));
  try {
    writeFileSync(join(dir, 'x.rdb'), file);
    const result = spawnSync('redis-check-rdb', [join(dir, 'x.rdb')], { encoding: 'latin1' });
    return `${result.stdout}${result.stderr}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const RDB_OK = /RDB looks OK/;

describe('RDB codec', function () {
  this.timeout(60_000);

  describe('CRC-64', () => {
    it('matches the test vector of crc64.c', () => {
      expect(crc64(Buffer.from('123456789')).readBigUInt64LE()).to.equal(0xe9c6d914c4b8d9can);
      expect(crc64(Buffer.alloc(0)).equals(Buffer.alloc(8))).to.equal(true);
    });

    it('gives the same digest fed in pieces of any size', () => {
      const data = Buffer.from(randomText(10_000, 7), 'latin1');
      const whole = crc64(data);
      const random = seededRandom(3);
      for (let round = 0; round < 20; round++) {
        const crc = new Crc64();
        for (let at = 0; at < data.length; ) {
          const next = Math.min(data.length, at + random(40));
          crc.update(data.subarray(at, next));
          at = next;
        }
        expect(crc.digest().equals(whole)).to.equal(true);
      }
    });
  });

  describe('LZF', () => {
    it('round trips compressible text, every byte value and long runs', () => {
      for (const text of ['abcabcabcabcabcabcabcabc', 'hello world '.repeat(1000), BYTES.repeat(20), 'a'.repeat(100_000), randomText(50, 2).repeat(300)]) {
        const input = Buffer.from(text, 'latin1');
        const compressed = lzfCompress(input)!;
        expect(compressed.length).to.be.below(input.length);
        expect(lzfDecompress(compressed, input.length).equals(input)).to.equal(true);
      }
    });

    it('returns null when the result would not be smaller', () => {
      expect(lzfCompress(Buffer.from(randomText(1000, 5), 'latin1'))).to.equal(null);
      expect(lzfCompress(ALL_BYTES)).to.equal(null);
      expect(lzfCompress(Buffer.from('ab'))).to.equal(null);
      expect(lzfCompress(Buffer.alloc(0))).to.equal(null);
    });

    it('rejects corrupt input and a wrong length', () => {
      const compressed = lzfCompress(Buffer.from('hello world '.repeat(20)))!;
      expect(() => lzfDecompress(compressed, 239)).to.throw(/more than/);
      expect(() => lzfDecompress(compressed, 241)).to.throw(/not the stated/);
      expect(() => lzfDecompress(compressed.subarray(0, compressed.length - 1), 240)).to.throw(Error);
      expect(() => lzfDecompress(Buffer.from([5, 1, 2]), 6)).to.throw(/past the end/);
      expect(() => lzfDecompress(Buffer.from([0, 65, 0x20, 5]), 10)).to.throw(/before the start/);
      expect(() => lzfDecompress(Buffer.from([0xe0]), 10)).to.throw(/past the end/);
    });
  });

  describe('round trips', () => {
    for (const compression of [true, false]) {
      for (const checksum of [true, false]) {
        it(`keeps every type, encoding, byte and TTL (compression ${compression}, checksum ${checksum})`, () => {
          // In database order, as the file has them.
          const entries = [...sampleEntries(), entry(3, 'expired long ago', 'x', 1000)].sort((a, b) => a.db - b.db);
          const aux: [string, string][] = [['redis-ver', '7.0.15'], ['redis-bits', '64'], ['ctime', '1700000000'], ['broker', BYTES]];
          const data = writeFile(entries, { compression, checksum }, aux);
          if (!checksum) expect(data.subarray(-8).equals(Buffer.alloc(8))).to.equal(true);
          const { entries: read, reader } = readFile(data);
          expect(reader.version).to.equal(10);
          expect([...reader.aux]).to.deep.equal(aux);
          expect(reader.offset).to.equal(data.length);
          expect(reader.next()).to.equal(null);
          expect(read.map((e) => e.key)).to.deep.equal(entries.map((e) => e.key));
          read.forEach((e, i) => expect([e.db, e.expireAt, describeValue(e.value)], e.key).to.deep.equal([entries[i].db, entries[i].expireAt, describeValue(entries[i].value)]));
        });
      }
    }

    it('writes the encodings Redis 7.0 writes for the same values', () => {
      const types = sampleEntries().map((e) => encodeValue(e.value, true).type);
      const expected = [RdbType.STRING, RdbType.LIST_QUICKLIST_2, RdbType.HASH_LISTPACK, RdbType.HASH, RdbType.SET_INTSET, RdbType.SET, RdbType.ZSET_LISTPACK, RdbType.ZSET_2];
      expect([...new Set(types)].sort((a, b) => a - b)).to.deep.equal(expected.sort((a, b) => a - b));
    });

    it('DUMP payloads: encodeValue and decodeValue round trip, and entry() takes them as they are', () => {
      for (const { key, value } of sampleEntries()) {
        const encoded = encodeValue(value, true);
        expect(describeValue(decodeValue(encoded.type, encoded.payload, LIMITS)), key).to.deep.equal(describeValue(value));
        const direct = writeFile([entry(0, key, value)], { compression: true, checksum: true });
        const writer = new RdbWriter({ compression: true, checksum: true });
        writer.header([['redis-ver', '7.0.15'], ['redis-bits', '64']]);
        writer.selectDb(0, 1, 0);
        writer.entry(key, encoded, undefined);
        writer.end();
        expect(writer.take().equals(direct), key).to.equal(true);
      }
      expectRdbError(() => decodeValue(RdbType.SET, Buffer.from([0]), LIMITS), /empty/);
      const { type, payload } = encodeValue(listOf(['a', 'b']), false);
      expectRdbError(() => decodeValue(type, payload.subarray(0, payload.length - 1), LIMITS), /end of data/);
    });

    it('gives loaded values the encodings commands would under the limits in force', () => {
      const data = writeFile(sampleEntries(), { compression: true, checksum: true });
      const wide = { hashMaxListpackEntries: 1000, hashMaxListpackValue: 100, setMaxIntsetEntries: 1000, zsetMaxListpackEntries: 1000, zsetMaxListpackValue: 100 };
      const narrow = { hashMaxListpackEntries: 2, hashMaxListpackValue: 2, setMaxIntsetEntries: 2, zsetMaxListpackEntries: 2, zsetMaxListpackValue: 2 };
      const encodings = (limits: LoadLimits) => new Map(readFile(data, { limits }).entries.filter((e) => !isString(e.value)).map((e) => [e.key, (e.value as Exclude<RedisValue, string | Buffer>).encoding()]));
      const wideEncodings = encodings(wide);
      expect(wideEncodings.get('big hash')).to.equal('listpack');
      expect(wideEncodings.get('hash with a long value')).to.equal('listpack');
      expect(wideEncodings.get('big integer set')).to.equal('intset');
      expect(wideEncodings.get('big zset')).to.equal('listpack');
      expect(wideEncodings.get('string set')).to.equal('hashtable');
      const narrowEncodings = encodings(narrow);
      for (const key of ['small hash', 'intset16', 'small zset']) expect(narrowEncodings.get(key), key).to.not.be.oneOf(['listpack', 'intset']);
      // A listpack keeps -0 as 0 (a score stored as text), a skiplist keeps it.
      const zset = (limits: LoadLimits) => readFile(data, { limits }).entries.find((e) => e.key === 'big zset')!.value as ZSetValue;
      expect(Object.is(zset(LIMITS).score('negative zero'), -0)).to.equal(true);
      expect(Object.is(zset(wide).score('negative zero'), 0)).to.equal(true);
    });

    it('take() hands out chunks that add up to the whole file', () => {
      const writer = new RdbWriter({ compression: false, checksum: true });
      writer.header([]);
      writer.selectDb(0, 1, 0);
      const first = writer.take();
      writer.entry('k', 'v', undefined);
      expect(writer.pendingBytes).to.equal(5);
      writer.end();
      const rest = writer.take();
      expect(writer.pendingBytes).to.equal(0);
      const whole = Buffer.concat([first, rest]);
      expect(rest.subarray(-8).equals(crc64(whole.subarray(0, -8)))).to.equal(true);
      expect(readFile(whole).entries).to.deep.equal([entry(0, 'k', 'v')]);
    });

    it('builds listpacks as Redis does: integers at every width, counts past 65534', () => {
      const builder = new ListpackBuilder();
      for (const text of INTEGER_EDGES) builder.append(text);
      // lpEncodeIntegerGetType's sizes for INTEGER_EDGES, each plus its 1-byte backlen, between header and end marker.
      const sizes = [1, 1, 2, 1, 1, 1, 2, 2, 2, 2, 2, 3, 2, 3, 3, 4, 3, 4, 4, 5, 4, 5, 5, 9, 5, 9, 9, 9, 9, 9];
      expect(builder.size).to.equal(6 + sizes.reduce((total, size) => total + size + 1, 0) + 1);
      builder.reset();
      for (let i = 0; i < 70_000; i++) builder.append('x');
      expect(builder.finish().readUInt16LE(4)).to.equal(0xffff);
      expect(encodeIntset(setOf(['2', '-1']).intsetForm!).equals(Buffer.from([2, 0, 0, 0, 2, 0, 0, 0, 0xff, 0xff, 2, 0]))).to.equal(true);
    });
  });

  describe('corrupt and truncated files', () => {
    const small = () => writeFile([entry(0, 'a', 'abcdefghijklmnopqrstuvwxyz'), entry(0, 'l', listOf(['1', 'two'])), entry(2, 'z', zsetOf([[1, 'm']]), 1e13), entry(2, 'h', hashOf(range(200, (i) => [`f${i}`, 'v'])))], { compression: true, checksum: true });
    const readAll = (data: Buffer, options: Partial<RdbReadOptions> = {}) => readFile(data, options).entries;

    it('every prefix of a file gives an RdbError', () => {
      const data = small();
      readAll(data);
      for (let length = 0; length < data.length; length++) expectRdbError(() => readAll(data.subarray(0, length)));
    });

    it('a flipped byte in a value gives a checksum error, unless checksums are off', () => {
      const data = small();
      const at = data.indexOf('abcdefghijklmnop');
      data[at + 3] ^= 0x20;
      const error = expectRdbError(() => readAll(data), /checksum mismatch/);
      expect(error.offset).to.equal(data.length - 8);
      expect(readAll(data, { checksum: false })[0].value).to.equal('abcDefghijklmnopqrstuvwxyz');
      // A file saved with rdbchecksum no has 0 in place of the checksum: nothing to check.
      data.fill(0, data.length - 8);
      expect(readAll(data)).to.have.length(4);
    });

    it('lengths larger than the data left give an RdbError at once', () => {
      const file = (body: (out: RdbEncoder) => void) => legacyFile(10, body);
      const cases: [(out: RdbEncoder) => void, RegExp][] = [
        [(out) => (out.byte(RdbType.SET), out.string('k'), out.length(0xffffffff)), /4294967295 elements cannot fit/],
        [(out) => (out.byte(RdbType.HASH), out.string('k'), out.length(2 ** 40)), /cannot fit/],
        [(out) => (out.byte(RdbType.STRING), out.string('k'), out.length(2 ** 50)), /a string of/],
        [(out) => (out.byte(RdbType.STRING), out.string('k'), out.byte(0xc3), out.length(3), out.length(1e9), out.raw(Buffer.from([0, 97, 97]))), /cannot hold/],
        [(out) => (out.byte(RdbType.LIST_QUICKLIST_2), out.string('k'), out.length(1), out.length(7)), /container 7/],
        [(out) => (out.byte(RdbType.STRING), out.string('k'), out.byte(0xc7)), /invalid string encoding/],
        [(out) => (out.byte(RdbType.STRING), out.string('k'), out.byte(0x82)), /invalid length encoding/],
      ];
      for (const [body, pattern] of cases) {
        const started = Date.now();
        expectRdbError(() => readAll(file(body)), pattern);
        expect(Date.now() - started).to.be.below(100);
      }
    });

    it('names what nodis does not support: streams, modules, functions; refuses other files', () => {
      const keyOfType = (type: number) => legacyFile(10, (out) => (out.byte(type), out.string('k'), out.length(0)));
      expectRdbError(() => readAll(keyOfType(RdbType.STREAM_LISTPACKS_2)), /streams are not supported yet/);
      expectRdbError(() => readAll(keyOfType(RdbType.STREAM_LISTPACKS_3)), /streams/);
      expectRdbError(() => readAll(keyOfType(RdbType.MODULE_2)), /module values are not supported/);
      expectRdbError(() => readAll(keyOfType(8)), /unknown value type 8/);
      expectRdbError(() => readAll(legacyFile(10, (out) => (out.byte(RdbOpcode.FUNCTION2), out.string('#!lua name=x\n')))), /functions/);
      expectRdbError(() => readAll(Buffer.from('REDIX0010\xff', 'latin1')), /not an RDB file/);
      expectRdbError(() => readAll(Buffer.from('REDIS00x0\xff', 'latin1')), /invalid version/);
      expectRdbError(() => readAll(legacyFile(12, () => {})), /version 12 is not supported/);
      expectRdbError(() => readAll(legacyFile(0, () => {})), /version 0/);
    });

    it('refuses duplicates, NaN scores and malformed structures', () => {
      const key = (type: number, write: (out: RdbEncoder) => void) => legacyFile(10, (out) => (out.byte(type), out.string('k'), write(out)));
      const blob = (type: number, bytes: Buffer) => key(type, (out) => out.string(bytes));
      expectRdbError(() => readAll(key(RdbType.SET, (out) => (out.length(2), out.string('a'), out.string('a')))), /duplicate set member/);
      expectRdbError(() => readAll(key(RdbType.HASH, (out) => (out.length(2), ['f', 'v', 'f', 'w'].forEach((s) => out.string(s))))), /duplicate hash field/);
      expectRdbError(() => readAll(key(RdbType.ZSET_2, (out) => (out.length(1), out.string('m'), out.binaryDouble(NaN)))), /NaN/);
      expectRdbError(() => readAll(key(RdbType.ZSET, (out) => (out.length(1), out.string('m'), out.byte(3), out.raw(Buffer.from('abc'))))), /invalid score/);
      const listpack = encodeValue(hashOf([['a', '1']]), false).payload.subarray(1);
      const badBacklen = Buffer.from(listpack);
      badBacklen[badBacklen.length - 2] = 9;
      expectRdbError(() => readAll(blob(RdbType.HASH_LISTPACK, badBacklen)), /listpack: entry length does not match its backlen/);
      expectRdbError(() => readAll(blob(RdbType.HASH_LISTPACK, listpack.subarray(0, 10))), /listpack/);
      const textScore = new ListpackBuilder();
      ['member', 'score'].forEach((s) => textScore.append(s));
      expectRdbError(() => readAll(blob(RdbType.ZSET_LISTPACK, textScore.finish())), /invalid score "score"/);
      expectRdbError(() => readAll(blob(RdbType.SET_INTSET, Buffer.from([2, 0, 0, 0, 2, 0, 0, 0, 2, 0, 1, 0]))), /ascending/);
      expectRdbError(() => readAll(blob(RdbType.SET_INTSET, Buffer.from([3, 0, 0, 0, 0, 0, 0, 0]))), /invalid encoding/);
      expectRdbError(() => readAll(blob(RdbType.HASH_ZIPLIST, ziplist(['a']))), /field but no value/);
      expectRdbError(() => readAll(blob(RdbType.LIST_ZIPLIST, ziplist(['a', 'b']).fill(0, 4, 8))), /ziplist: its header puts the last entry/);
      expectRdbError(() => readAll(blob(RdbType.HASH_ZIPMAP, zipmap([['a', 'b']]).subarray(0, 6))), /zipmap/);
    });

    it('random damage gives values or RdbErrors, nothing else', () => {
      const data = small();
      const random = seededRandom(11);
      for (let round = 0; round < 3000; round++) {
        const damaged = Buffer.from(data);
        for (let flips = 1 + random(4); flips > 0; flips--) damaged[9 + random(damaged.length - 9)] = random(256);
        try {
          readAll(damaged, { checksum: false });
        } catch (error) {
          expect(error, String((error as Error).stack)).to.be.instanceOf(RdbError);
        }
      }
    });
  });

  describe('older formats', () => {
    const soon = Date.now() + 3_600_000;
    const later = Math.round((Date.now() + 7_200_000) / 1000) * 1000;

    /** Redis 2.8 (version 6): plain types, text scores, zipmap, ziplists, intset, expiry in seconds, db 2. */
    const version6 = () =>
      legacyFile(6, (out) => {
        out.byte(RdbOpcode.SELECTDB);
        out.length(2);
        legacyKey(out, RdbType.LIST, 'plain list', later, true);
        out.length(3);
        ['a', '42', BYTES].forEach((s) => out.string(s));
        legacyKey(out, RdbType.SET, 'plain set');
        out.length(3);
        ['7', '-1', '100000'].forEach((s) => out.string(s));
        legacyKey(out, RdbType.ZSET, 'text zset');
        out.length(4);
        for (const [member, score] of [['a', 1.5], ['b', -Infinity], ['c', Infinity], ['d', 1 / 3]] as const) {
          out.string(member);
          textDouble(out, score);
        }
        legacyKey(out, RdbType.HASH, 'plain hash', soon);
        out.length(2);
        ['f', 'v', BYTES, '123'].forEach((s) => out.string(s));
        legacyKey(out, RdbType.HASH_ZIPMAP, 'zipmap hash');
        out.string(zipmap([['name', 'value'], ['n', '12'], ['long', 'x'.repeat(300)]], 3));
        legacyKey(out, RdbType.LIST_ZIPLIST, 'ziplist list');
        out.string(ziplist(['a', ...INTEGER_EDGES, ...NOT_INTEGERS, 'y'.repeat(300), 'z'.repeat(20_000)]));
        legacyKey(out, RdbType.SET_INTSET, 'intset');
        out.string(encodeIntset(setOf(['3', '9223372036854775807', '-5']).intsetForm!));
        legacyKey(out, RdbType.ZSET_ZIPLIST, 'ziplist zset');
        out.string(ziplist(['d', '-9223372036854775808', 'a', '1', 'b', '2.5', 'c', 'inf']));
        legacyKey(out, RdbType.HASH_ZIPLIST, 'ziplist hash');
        out.string(ziplist(['f1', 'v1', 'f2', '-3', BYTES.slice(0, 50), '4096']));
      });

    const version6Items = (): Items =>
      itemsOf([
        entry(2, 'plain list', listOf(['a', '42', BYTES]), later),
        entry(2, 'plain set', setOf(['7', '-1', '100000'])),
        entry(2, 'text zset', zsetOf([[1.5, 'a'], [-Infinity, 'b'], [Infinity, 'c'], [1 / 3, 'd']])),
        entry(2, 'plain hash', hashOf([['f', 'v'], [BYTES, '123']]), soon),
        entry(2, 'zipmap hash', hashOf([['name', 'value'], ['n', '12'], ['long', 'x'.repeat(300)]])),
        entry(2, 'ziplist list', listOf(['a', ...INTEGER_EDGES, ...NOT_INTEGERS, 'y'.repeat(300), 'z'.repeat(20_000)])),
        entry(2, 'intset', setOf(['-5', '3', '9223372036854775807'])),
        entry(2, 'ziplist zset', zsetOf([[1, 'a'], [2.5, 'b'], [Infinity, 'c'], [-9223372036854775808, 'd']])),
        entry(2, 'ziplist hash', hashOf([['f1', 'v1'], ['f2', '-3'], [BYTES.slice(0, 50), '4096']])),
      ]);

    /** Redis 3.2 (version 7): AUX, RESIZEDB, quicklists of ziplists (LZF-compressed nodes too). */
    const version7 = () =>
      legacyFile(7, (out) => {
        out.byte(RdbOpcode.AUX);
        out.string('redis-ver');
        out.string('3.2.0');
        out.byte(RdbOpcode.SELECTDB);
        out.length(0);
        out.byte(RdbOpcode.RESIZEDB);
        out.length(1);
        out.length(0);
        legacyKey(out, RdbType.LIST_QUICKLIST, 'quicklist');
        out.length(3);
        out.string(ziplist(range(100, (i) => `element ${i}`)));
        out.string(ziplist(['1', '2', BYTES]));
        out.string(ziplist(range(50, (i) => String(i * 1000))));
      });

    const version7Items = (): Items => itemsOf([entry(0, 'quicklist', listOf([...range(100, (i) => `element ${i}`), '1', '2', BYTES, ...range(50, (i) => String(i * 1000))]))]);

    /** Redis 5 (version 9): LRU and LFU opcodes before keys. */
    const version9 = () =>
      legacyFile(9, (out) => {
        out.byte(RdbOpcode.IDLE);
        out.length(12345);
        legacyKey(out, RdbType.STRING, 'idle', soon);
        out.string('value');
        out.byte(RdbOpcode.FREQ);
        out.byte(200);
        legacyKey(out, RdbType.HASH_ZIPLIST, 'frequent');
        out.string(ziplist(['a', 'b']));
      });

    const version9Items = (): Items => itemsOf([entry(0, 'idle', 'value', soon), entry(0, 'frequent', hashOf([['a', 'b']]))]);

    /** Redis 7.0 (version 10) writes a quicklist's huge elements as plain nodes. */
    const plainNodes = () =>
      legacyFile(10, (out) => {
        legacyKey(out, RdbType.LIST_QUICKLIST_2, 'plain nodes');
        const listpack = new ListpackBuilder();
        ['a', '7'].forEach((s) => listpack.append(s));
        out.length(3);
        out.length(2);
        out.string(listpack.finish());
        out.length(1);
        out.string('p'.repeat(1000));
        out.length(2);
        out.string(listpack.finish());
      });

    const plainNodesItems = (): Items => itemsOf([entry(0, 'plain nodes', listOf(['a', '7', 'p'.repeat(1000), 'a', '7']))]);

    const files: [string, () => Buffer, () => Items][] = [
      ['version 6 (plain types, text scores, zipmap, ziplists, intset)', version6, version6Items],
      ['version 7 (quicklist of ziplists)', version7, version7Items],
      ['version 9 (IDLE, FREQ)', version9, version9Items],
      ['version 10 (plain quicklist nodes)', plainNodes, plainNodesItems],
    ];

    for (const [name, file, items] of files) {
      it(`reads ${name}`, () => {
        const warnings: string[] = [];
        expectSameItems(itemsOf(readFile(file(), { warn: (message) => warnings.push(message) }).entries), items());
        expect(warnings).to.deep.equal([]);
      });

      it(`redis-server loads ${name} to the same contents`, async function () {
        requireBinary(this, 'redis-server');
        expect(checkRdb(file())).to.match(RDB_OK);
        const dbs = [...new Set([...items().keys()].map((key) => Number(key.split('/')[0])))];
        expectSameItems(await withRedis(file(), ({ client }) => redisItems(client, dbs)), items());
      });
    }

    it('skips empty collections with a warning, as redis-server does (redis-check-rdb refuses them)', async function () {
      const file = legacyFile(9, (out) => {
        legacyKey(out, RdbType.LIST_ZIPLIST, 'empty list', soon);
        out.string(ziplist([]));
        legacyKey(out, RdbType.HASH, 'empty hash');
        out.length(0);
        legacyKey(out, RdbType.STRING, 'k');
        out.string('v');
      });
      const warnings: string[] = [];
      expect(readFile(file, { warn: (message) => warnings.push(message) }).entries).to.deep.equal([entry(0, 'k', 'v')]);
      expect(warnings).to.deep.equal(['skipped the empty key "empty list" in db 0', 'skipped the empty key "empty hash" in db 0']);
      requireBinary(this, 'redis-server');
      expectSameItems(await withRedis(file, ({ client }) => redisItems(client, [0])), itemsOf([entry(0, 'k', 'v')]));
    });

    it('reads version 4 (no checksum)', () => {
      const file = legacyFile(4, (out) => (legacyKey(out, RdbType.STRING, 'k'), out.string('v')));
      expect(file.subarray(-1)[0]).to.equal(RdbOpcode.EOF);
      expect(readFile(file).entries).to.deep.equal([entry(0, 'k', 'v')]);
    });

    it('skips module auxiliary data with a warning, as redis-check-rdb does', function () {
      // A module id: the name "nodistest" packed 6 bits a character, then encoding version 1.
      const name = 'nodistest';
      const charset = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const id = [...name].reduce((id, c) => (id << 6n) | BigInt(charset.indexOf(c)), 0n) * 1024n + 1n;
      const file = legacyFile(9, (out) => {
        out.byte(RdbOpcode.MODULE_AUX);
        out.byte(0x81);
        out.raw(Buffer.from(id.toString(16).padStart(16, '0'), 'hex'));
        [2, 1, 2, 77, 1, 5].forEach((n) => out.length(n)); // "when" (a UINT: before keys), a UINT 77, a SINT 5
        out.length(5);
        out.string('module state');
        out.length(3);
        out.raw(Buffer.alloc(4));
        out.length(4);
        out.raw(Buffer.alloc(8));
        out.length(0);
        legacyKey(out, RdbType.STRING, 'k');
        out.string('v');
      });
      const warnings: string[] = [];
      expect(readFile(file, { warn: (message) => warnings.push(message) }).entries).to.deep.equal([entry(0, 'k', 'v')]);
      expect(warnings).to.deep.equal(['skipped the auxiliary data of module nodistest: nodis has no modules']);
      requireBinary(this, 'redis-check-rdb');
      expect(checkRdb(file)).to.match(RDB_OK);
    });

    it('reads version 11 sets stored as listpacks (Redis 7.2)', () => {
      const listpack = new ListpackBuilder();
      ['a', '1', BYTES].forEach((s) => listpack.append(s));
      const file = legacyFile(11, (out) => (legacyKey(out, RdbType.SET_LISTPACK, 's'), out.string(listpack.finish())));
      const [read] = readFile(file).entries;
      expect(describeValue(read.value)).to.deep.equal({ set: ['a', '1', BYTES], encoding: 'hashtable' });
    });
  });

  describe('with redis-server', () => {
    it('a file RdbWriter writes passes redis-check-rdb and loads into redis-server unchanged', async function () {
      requireBinary(this, 'redis-server');
      const entries = sampleEntries();
      for (const compression of [true, false]) {
        const file = writeFile(entries, { compression, checksum: true });
        expect(checkRdb(file)).to.match(RDB_OK);
        const loaded = await withRedis(file, ({ client }) => redisItems(client, [0, 1, 5, 15]));
        expectSameItems(loaded, itemsOf(entries));
      }
    });

    it('writes strings byte for byte as redis-server does: integers, LZF, plain', async function () {
      requireBinary(this, 'redis-server');
      const random = seededRandom(5);
      const values = range(300, (i) => {
        const alphabet = 2 + random(60);
        const text = String.fromCharCode(...range(1 + random(i < 150 ? 80 : 9000), () => 33 + random(alphabet)));
        return i % 5 === 0 ? text.slice(0, 30).repeat(1 + random(40)) : text;
      });
      const keys = values.map((_, i) => `lzf:${String(i).padStart(4, '0')}`);
      const saved = await withRedis(null, async ({ client, dir }) => {
        await client.config('SET', 'rdbcompression', 'yes');
        for (let i = 0; i < values.length; i++) await client.set(keys[i], Buffer.from(values[i], 'latin1'));
        await client.save();
        return readFileSync(join(dir, 'dump.rdb'));
      });
      values.forEach((value, i) => {
        const out = new RdbEncoder(true);
        out.byte(RdbType.STRING);
        out.string(keys[i]);
        const key = out.take();
        out.string(value);
        const ours = out.take();
        const at = saved.indexOf(key) + key.length;
        expect(at, keys[i]).to.be.above(key.length);
        expect(saved.subarray(at, at + ours.length).equals(ours), `${keys[i]} (${value.length} bytes)`).to.equal(true);
      });
    });

    /** A dataset built in Redis with commands, in databases 0, 1 and 9. */
    async function fillRedis(client: Redis): Promise<void> {
      const bytes = ALL_BYTES;
      await client.select(0);
      await client.set(bytes, bytes);
      for (const text of [...INTEGER_EDGES, ...NOT_INTEGERS]) await client.set(`int:${text}`, text);
      await client.set('long', 'a fairly compressible string '.repeat(100), 'PX', 3_600_000);
      await client.set('random', Buffer.from(randomText(2000, 9), 'latin1'));
      await client.rpush('small list', 'a', bytes, ...INTEGER_EDGES);
      await client.rpush('long list', ...range(5000, (i) => (i % 2 === 0 ? String(i * 99_991) : `element ${i} `.repeat(1 + (i % 7)))));
      await client.hset('small hash', 'a', '1', 'b', bytes.subarray(0, 60), '-0', '12');
      await client.hset('big hash', ...range(600, (i) => [`f${i}`, `value ${i}`]).flat());
      await client.hset('long value hash', 'f', 'v'.repeat(100));
      await client.select(1);
      await client.sadd('intset', '1', '-7', '300000', '9223372036854775807', '-9223372036854775808');
      await client.sadd('strings', 'a', bytes, '01');
      await client.sadd('big intset', ...range(600, (i) => String(i)));
      await client.sadd('big set', ...range(700, (i) => `m${i}`));
      await client.expire('big set', 7200);
      await client.select(9);
      await client.zadd('small zset', '1.5', 'a', '-inf', 'b', '+inf', 'c', '0.1', 'd', '12', 'e', '4611686018427387904', 'f', '1e300', 'g');
      await client.zadd('big zset', ...range(300, (i) => [String(Math.cos(i) * 1e6), `member ${i}`]).flat());
      await client.zadd('long member zset', '1', 'x'.repeat(100));
    }

    for (const compression of ['yes', 'no']) {
      it(`reads what redis-server saves (rdbcompression ${compression}) and writes it back within 1.2x its size`, async function () {
        requireBinary(this, 'redis-server');
        await withRedis(null, async ({ client, dir }) => {
          await client.config('SET', 'rdbcompression', compression);
          await fillRedis(client);
          const expected = await redisItems(client, [0, 1, 9]);
          const encodings = new Map<string, string>();
          for (const key of expected.keys()) {
            const [db, name] = [Number(key.split('/')[0]), key.slice(key.indexOf('/') + 1)];
            await client.select(db);
            encodings.set(key, (await client.object('ENCODING', Buffer.from(name, 'latin1'))) as string);
          }
          await client.save();
          const saved = readFileSync(join(dir, 'dump.rdb'));
          const { entries, reader } = readFile(saved);
          expect(reader.version).to.equal(10);
          expect(reader.aux.get('redis-ver')).to.equal('7.0.15');
          expectSameItems(itemsOf(entries), expected);
          for (const e of entries) {
            if (!isString(e.value)) expect(e.value.encoding(), e.key).to.equal(encodings.get(`${e.db}/${e.key}`));
          }
          const rewritten = writeFile(entries, { compression: compression === 'yes', checksum: true }, [...reader.aux]);
          console.log(`      ${saved.length} bytes from redis-server, ${rewritten.length} from RdbWriter`);
          expect(rewritten.length / saved.length).to.be.within(0.8, 1.2);
          expect(checkRdb(rewritten)).to.match(RDB_OK);
          expectSameItems(await withRedis(rewritten, ({ client }) => redisItems(client, [0, 1, 9])), expected);

          // Read as a server loads (small collections left undecoded), then saved again: those are written back as they came.
          const codec = { decode: (value: DeferredValue) => decodeValue(value.format, Buffer.from(value.bytes, 'latin1'), LIMITS) as CollectionValue };
          const deferredReader = new RdbReader(saved, { checksum: true, limits: LIMITS, defer: codec });
          const loaded: RdbEntry[] = [];
          for (let e = deferredReader.next(); e !== null; e = deferredReader.next()) loaded.push(e);
          const deferred = loaded.filter((e) => e.value instanceof DeferredValue);
          expect(deferred.map((e) => (e.value as DeferredValue).type)).to.include.members(['hash', 'list', 'set', 'zset']);
          // The big ones are decoded at once.
          expect(deferred.some((e) => e.key === 'long list')).to.equal(false);
          const decoded = loaded.map((e) => ({ ...e, value: e.value instanceof DeferredValue ? e.value.decode()! : e.value }));
          expectSameItems(itemsOf(decoded), expected);
          for (const e of decoded) {
            if (!isString(e.value)) expect(e.value.encoding(), e.key).to.equal(encodings.get(`${e.db}/${e.key}`));
          }
          const resaved = writeFile(loaded, { compression: compression === 'yes', checksum: true }, [...reader.aux]);
          expect(checkRdb(resaved)).to.match(RDB_OK);
          expectSameItems(await withRedis(resaved, ({ client }) => redisItems(client, [0, 1, 9])), expected);
        });
      });
    }
  });

  describe('speed', () => {
    it('encodes and decodes 1,000,000 small string keys and a 1,000,000-field hash in a few seconds', () => {
      const strings = range(1_000_000, (i) => `key:${i}`).map((key, i) => entry(0, key, `value:${(i * 7919) % 1_000_003}`));
      const hash = new HashValue();
      for (let i = 0; i < 1_000_000; i++) {
        hash.set(`field:${i}`, `value:${i}`);
        hash.checkEntries(LIMITS.hashMaxListpackEntries);
      }
      for (const [name, entries] of [['1M string keys', strings], ['1M-field hash', [entry(0, 'hash', hash)]]] as const) {
        let started = performance.now();
        const data = writeFile(entries, { compression: true, checksum: true });
        const encoding = performance.now() - started;
        started = performance.now();
        const read = readFile(data).entries;
        const decoding = performance.now() - started;
        console.log(`      ${name}: ${data.length} bytes, encoded in ${encoding.toFixed(0)} ms, decoded in ${decoding.toFixed(0)} ms`);
        expect(read).to.have.length(entries.length);
        expect(encoding + decoding).to.be.below(10_000);
      }
    });
  });
});
