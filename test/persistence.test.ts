import { expect } from 'chai';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { ALL_BYTES, connect, contents, errorOf, RawClient, startServerProcess, startTestServer, until } from './helpers.js';
import { startServer, type Server } from '../src/index.js';
import pino from 'pino';

const BIN = ALL_BYTES.toString('latin1');

/** Keys of every type and encoding, binary ones, integers, TTLs, in databases 0, 1 and 5. */
async function fill(redis: Redis): Promise<void> {
  const many = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
  await redis.set('str', 'hello');
  await redis.set(Buffer.from(BIN, 'latin1'), Buffer.from(BIN, 'latin1'));
  for (const n of ['0', '-1', '127', '128', '-32768', '65535', '2147483647', '-2147483648', '4294967296', '9223372036854775807', '007', '-0', '1.5']) await redis.set(`int:${n}`, n);
  await redis.set('long', 'x'.repeat(5000));
  await redis.setbit('bits', 1000, 1);
  await redis.set('ttl', 'v', 'PX', 3_600_000);
  await redis.rpush('list:small', 'a', 'b', '', BIN);
  await redis.rpush('list:big', ...many(5000, 'element'));
  await redis.hset('hash:small', 'f', 'v', BIN, BIN, 'empty', '');
  await redis.hset('hash:big', ...many(1200, 'field').flatMap((f) => [f, f.toUpperCase()]));
  await redis.sadd('set:ints', '1', '-5', '300', '70000', '9223372036854775807');
  await redis.sadd('set:strings', 'a', 'b', BIN);
  await redis.sadd('set:big', ...many(1000, 'm'));
  await redis.zadd('zset:small', '1', 'a', '-2.5', 'b', 'inf', 'c', '-inf', BIN);
  await redis.zadd('zset:big', ...many(500, 'member').flatMap((m, i) => [String(i / 7), m]));
  await redis.expire('hash:big', 7200);
  await redis.select(1);
  await redis.set('in1', 'one');
  await redis.rpush('list1', 'x');
  await redis.select(5);
  await redis.hset('in5', 'f', 'v');
  await redis.pexpire('in5', 10_000_000);
  await redis.select(0);
}

/** Databases 0, 1 and 5 (where `fill` writes), fillers left out. */
async function allContents(redis: Redis): Promise<unknown[]> {
  return [await contents(redis, 0, '[^f]*'), await contents(redis, 1, '[^f]*'), await contents(redis, 5, '[^f]*')];
}

/** A loopback port nobody listens on, for servers whose port must be known before they are ready. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (probe.address() as net.AddressInfo).port;
      probe.close(() => resolve(port));
    });
  });
}

describe('persistence: RDB snapshots', () => {
  let dir: string;
  let server: Server;
  let redis: Redis;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nodis-persist-'));
    server = await startTestServer(['--dir', dir]);
    redis = connect(server, { protocol: 2 });
  });

  afterEach(async () => {
    redis.disconnect();
    await server.shutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Starts a second server on the same directory, which loads what the first one saved. */
  async function restarted(): Promise<{ server: Server; redis: Redis }> {
    const again = await startTestServer(['--dir', dir]);
    return { server: again, redis: connect(again, { protocol: 2 }) };
  }

  it('SAVE writes dump.rdb; a server started on it has every key, type, value, TTL and database', async () => {
    await fill(redis);
    const before = await allContents(redis);
    const lastBefore = await redis.lastsave();
    expect(await redis.call('SAVE')).to.equal('OK');
    expect(existsSync(join(dir, 'dump.rdb'))).to.equal(true);
    expect(readFileSync(join(dir, 'dump.rdb')).subarray(0, 9).toString()).to.equal('REDIS0010');
    expect(await redis.lastsave()).to.be.at.least(lastBefore);
    expect(String(await redis.info('persistence'))).to.include('rdb_changes_since_last_save:0\r\n').and.include('rdb_saves:1\r\n');
    const other = await restarted();
    try {
      expect(await allContents(other.redis)).to.deep.equal(before);
      expect(await other.redis.dbsize()).to.equal(await redis.dbsize());
      expect(await other.redis.object('ENCODING', 'hash:big')).to.equal('hashtable');
      expect(await other.redis.object('ENCODING', 'set:ints')).to.equal('intset');
    } finally {
      other.redis.disconnect();
      await other.server.shutdown();
    }
  });

  it('loads a dump.rdb that redis-server 7.0 saved (test/fixtures/redis-7.0.rdb)', async () => {
    copyFileSync(fileURLToPath(new URL('../../test/fixtures/redis-7.0.rdb', import.meta.url)), join(dir, 'dump.rdb'));
    const other = await restarted();
    try {
      const r = other.redis;
      expect(await r.mget('string', 'integer', 'long')).to.deep.equal(['hello', '12345', 'x'.repeat(100)]);
      expect(await r.pexpiretime('ttl')).to.equal(4102444800000);
      expect(await r.lrange('list', 0, -1)).to.deep.equal(['a', 'b', 'c']);
      expect(await r.hgetall('hash')).to.deep.equal({ f1: 'v1', f2: 'v2' });
      expect(await r.smembers('intset')).to.deep.equal(['1', '2', '3']);
      expect((await r.smembers('set')).sort()).to.deep.equal(['a', 'b']);
      expect(await r.call('ZRANGE', 'zset', '0', '-1', 'WITHSCORES')).to.deep.equal(['a', '1', 'b', '2.5']);
      expect(await r.object('ENCODING', 'integer')).to.equal('int');
      await r.select(2);
      expect(await r.get('other-db')).to.equal('yes');
      expect(await r.hlen('bighash')).to.equal(600);
      expect(await r.object('ENCODING', 'bighash')).to.equal('hashtable');
    } finally {
      other.redis.disconnect();
      await other.server.shutdown();
    }
  });

  it('BGSAVE answers at once and saves in the background; LASTSAVE and INFO follow it', async () => {
    await fill(redis);
    const before = await allContents(redis);
    expect(await redis.bgsave()).to.equal('Background saving started');
    expect(await errorOf(redis.bgsave())).to.equal('ERR Background save already in progress');
    expect(await errorOf(redis.call('SAVE'))).to.equal('ERR Background save already in progress');
    expect(String(await redis.info('persistence'))).to.include('rdb_bgsave_in_progress:1\r\n');
    await until(() => server.persistence.backgroundSaveStartedAt === null);
    const info = String(await redis.info('persistence'));
    expect(info).to.include('rdb_bgsave_in_progress:0\r\n').and.include('rdb_last_bgsave_status:ok\r\n').and.include('rdb_last_bgsave_time_sec:0\r\n');
    expect(existsSync(join(dir, 'temp-bg-' + process.pid + '.rdb'))).to.equal(false);
    const other = await restarted();
    try {
      expect(await allContents(other.redis)).to.deep.equal(before);
    } finally {
      other.redis.disconnect();
      await other.server.shutdown();
    }
    expect(await errorOf(redis.call('BGSAVE', 'NOW'))).to.equal('ERR syntax error');
    expect(await errorOf(redis.call('SAVE', 'x'))).to.equal("ERR wrong number of arguments for 'save' command");
  });

  it('BGSAVE inside MULTI schedules a save; BGSAVE SCHEDULE during a save is refused as in Redis', async () => {
    await fill(redis);
    expect(await redis.bgsave()).to.equal('Background saving started');
    expect(await errorOf(redis.call('BGSAVE', 'SCHEDULE'))).to.equal('ERR Background save already in progress');
    await until(() => server.persistence.saves === 1);
    expect(await redis.multi().bgsave().exec()).to.deep.equal([[null, 'Background saving scheduled']]);
    await until(() => server.persistence.saves === 2);
    expect(await errorOf(redis.multi().call('SAVE').exec())).to.equal('EXECABORT Transaction discarded because of previous errors.');
  });

  for (const loaded of [false, true]) {
    const what = loaded ? 'on data just loaded from a snapshot, still undecoded' : 'on data written by commands';
    it(`BGSAVE is point-in-time: writes of every kind made while it runs are not in the file (${what})`, async () => {
      await fill(redis);
      // Enough keys that the save spans many slices, with writes landing before and after the walk.
      for (let i = 0; i < 200_000; i += 10_000) {
        await redis.mset(...Array.from({ length: 10_000 }, (_, j) => [`filler:${i + j}`, `value${i + j}`]).flat());
      }
      const before = await allContents(redis);
      const fillerBefore = await redis.mget('filler:0', 'filler:100000', 'filler:199999');
      // Reading every key above decoded it: load again to have the writes below meet undecoded collections.
      if (loaded) expect(await redis.call('DEBUG', 'RELOAD')).to.equal('OK');
      const pipeline = redis.pipeline();
      pipeline.bgsave();
      // Changes in place, replacements, deletions, TTL changes, renames, moves, new keys, whole databases.
      pipeline.set('str', 'changed').append('long', 'more').setbit('bits', 0, 1).incr('int:0').lpush('list:big', 'new')
        .rpop('list:small').hset('hash:big', 'field0', 'changed').hdel('hash:small', 'f').sadd('set:ints', '12345').srem('set:big', 'm0')
        .zadd('zset:big', '100', 'member0').zpopmin('zset:small').persist('hash:big').expire('str', 100).del('ttl')
        .rename('set:strings', 'renamed').move('int:127', 3).set('brand-new', 'x').copy('list:small', 'list:copy')
        .set('filler:0', 'changed').del('filler:100000').lpush('filler:list', 'x');
      pipeline.select(1).flushdb().set('after-flush', 'x').select(5).swapdb(5, 6).select(0);
      await pipeline.exec();
      // More writes once the walk is under way.
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(server.persistence.backgroundSaveStartedAt).to.not.equal(null);
      await redis.set('filler:199999', 'late');
      await redis.hset('hash:small', BIN, 'late');
      await until(() => server.persistence.backgroundSaveStartedAt === null);
      const other = await restarted();
      try {
        expect(await allContents(other.redis)).to.deep.equal(before);
        expect(await other.redis.mget('filler:0', 'filler:100000', 'filler:199999')).to.deep.equal(fillerBefore);
        expect(await other.redis.exists('filler:list')).to.equal(0);
        expect(await other.redis.dbsize()).to.equal(200_000 + Object.keys(before[0] as object).length);
      } finally {
        other.redis.disconnect();
        await other.server.shutdown();
      }
    });
  }

  it('a failed background save refuses writes with MISCONF while save points are set, until a save works', async () => {
    const gone = mkdtempSync(join(tmpdir(), 'nodis-gone-'));
    await redis.config('SET', 'dir', gone);
    rmSync(gone, { recursive: true });
    await redis.config('SET', 'save', '3600 1');
    await redis.set('k', 'v');
    expect(await redis.bgsave()).to.equal('Background saving started');
    await until(() => !server.persistence.lastBgsaveOk);
    expect(String(await redis.info('persistence'))).to.include('rdb_last_bgsave_status:err\r\n');
    expect(await errorOf(redis.set('k', 'w'))).to.match(/^MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk\. /);
    expect(await errorOf(redis.ping())).to.match(/^MISCONF /);
    expect(await errorOf(redis.multi().set('k', 'w').exec())).to.equal('EXECABORT Transaction discarded because of previous errors.');
    expect(await redis.get('k')).to.equal('v');
    await redis.config('SET', 'stop-writes-on-bgsave-error', 'no');
    expect(await redis.set('k', 'w')).to.equal('OK');
    await redis.config('SET', 'stop-writes-on-bgsave-error', 'yes');
    expect(await errorOf(redis.call('SAVE'))).to.equal('ERR');
    await redis.config('SET', 'dir', dir);
    expect(await redis.bgsave()).to.equal('Background saving started');
    await until(() => server.persistence.lastBgsaveOk);
    expect(await redis.set('k', 'x')).to.equal('OK');
  });

  it('save points start a background save once enough changes are old enough', async () => {
    await redis.config('SET', 'save', '1 2');
    await redis.set('a', '1');
    await new Promise((resolve) => setTimeout(resolve, 1300));
    expect(existsSync(join(dir, 'dump.rdb'))).to.equal(false);
    await redis.set('b', '2');
    await until(() => server.persistence.saves === 1);
    expect(await redis.config('GET', 'save')).to.deep.equal(['save', '1 2']);
    expect(String(await redis.info('persistence'))).to.include('rdb_changes_since_last_save:0\r\n');
  });

  it('save-cron saves at the times a cron expression names; a bad expression is refused', async function () {
    this.timeout(10_000);
    expect(await errorOf(redis.config('SET', 'save-cron', 'every minute'))).to.equal(
      "ERR CONFIG SET failed (possibly related to argument 'save-cron') - Invalid cron expression",
    );
    await redis.set('k', 'v');
    await redis.config('SET', 'save-cron', '* * * * * *');
    await until(() => server.persistence.saves >= 1);
    await redis.config('SET', 'save-cron', '');
    expect(existsSync(join(dir, 'dump.rdb'))).to.equal(true);
  });

  it('DEBUG RELOAD saves and loads back the same data', async () => {
    await fill(redis);
    const before = await allContents(redis);
    // A key whose TTL passed but that nothing removed yet is not loaded back, as in Redis.
    await redis.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
    await redis.set('stale', 'v', 'PX', 1);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(server.databases[0].dict.has('stale')).to.equal(true);
    expect(await redis.call('DEBUG', 'RELOAD')).to.equal('OK');
    await redis.call('DEBUG', 'SET-ACTIVE-EXPIRE', '1');
    expect(server.databases[0].dict.has('stale')).to.equal(false);
    expect(await allContents(redis)).to.deep.equal(before);
  });

  it('dir must exist and dbfilename must be a bare name', async () => {
    expect(await errorOf(redis.config('SET', 'dir', join(dir, 'missing')))).to.equal(
      "ERR CONFIG SET failed (possibly related to argument 'dir') - No such file or directory",
    );
    expect(await errorOf(redis.config('SET', 'dbfilename', 'a/b.rdb'))).to.equal(
      "ERR CONFIG SET failed (possibly related to argument 'dbfilename') - dbfilename can't be a path, just a filename",
    );
    await redis.config('SET', 'dbfilename', 'other.rdb');
    await redis.call('SAVE');
    expect(existsSync(join(dir, 'other.rdb'))).to.equal(true);
  });

  it('SHUTDOWN saves when save points are set or SAVE is given, not with NOSAVE; a failed save keeps the server up', async () => {
    let exits = 0;
    // Stands in for the process exit, which would follow (with no reply) in nodis-server.
    server.onShutdownRequest = () => void exits++;
    const raw = await RawClient.connect(server);
    await redis.set('k', 'v');
    raw.command('SHUTDOWN', 'NOSAVE');
    await until(() => exits === 1);
    expect(existsSync(join(dir, 'dump.rdb'))).to.equal(false);
    // SAVE saves even without save points.
    raw.command('SHUTDOWN', 'SAVE');
    await until(() => exits === 2);
    expect(existsSync(join(dir, 'dump.rdb'))).to.equal(true);
    rmSync(join(dir, 'dump.rdb'));
    await redis.config('SET', 'save', '3600 1');
    raw.command('SHUTDOWN');
    await until(() => exits === 3);
    raw.close();
    expect(existsSync(join(dir, 'dump.rdb'))).to.equal(true);
    const gone = mkdtempSync(join(tmpdir(), 'nodis-gone-'));
    await redis.config('SET', 'dir', gone);
    rmSync(gone, { recursive: true });
    expect(await errorOf(redis.call('SHUTDOWN'))).to.equal('ERR Errors trying to SHUTDOWN. Check logs.');
    expect(exits).to.equal(3);
    expect(await redis.ping()).to.equal('PONG');
  });

  it('a corrupt or truncated snapshot stops start-up, naming the file and the byte offset', async () => {
    await fill(redis);
    await redis.call('SAVE');
    const path = join(dir, 'dump.rdb');
    const good = readFileSync(path);
    const logger = pino({ level: 'silent' });
    const start = () => startServer(['--port', '0', '--save', '', '--dir', dir], logger);
    writeFileSync(path, good.subarray(0, good.length - 100));
    const truncated = await start().then(() => null, (error: Error) => error.message);
    expect(truncated).to.match(new RegExp(`^Bad snapshot ${path.replace(/[/.]/g, '\\$&')} at byte \\d+: `));
    const flipped = Buffer.from(good);
    flipped[good.length - 20] ^= 0xff;
    writeFileSync(path, flipped);
    expect(await start().then(() => null, (error: Error) => error.message)).to.match(/^Bad snapshot .* at byte \d+: /);
    // A wrong checksum is an error, unless rdbchecksum is no.
    const badSum = Buffer.from(good);
    badSum[good.length - 1] ^= 0xff;
    writeFileSync(path, badSum);
    expect(await start().then(() => null, (error: Error) => error.message)).to.match(/^Bad snapshot .* at byte \d+: checksum mismatch/);
    const unchecked = await startServer(['--port', '0', '--save', '', '--dir', dir, '--rdbchecksum', 'no'], logger);
    expect(unchecked.databases[0].size).to.be.above(0);
    await unchecked.shutdown();
    writeFileSync(path, 'not a snapshot at all');
    expect(await start().then(() => null, (error: Error) => error.message)).to.match(/^Bad snapshot .* at byte 0: /);
    // The file is left as it was, for the user to look at.
    expect(readFileSync(path, 'latin1')).to.equal('not a snapshot at all');
  });

  it('a collection damaged inside a file that passes its checks is dropped when first used; the rest is served', async () => {
    // Without a checksum only the collection's own decoding can find the damage.
    await redis.config('SET', 'rdbchecksum', 'no');
    await redis.hset('hash:small', 'f', 'v', 'g', 'w');
    await redis.set('str', 'intact');
    await redis.rpush('list', 'a', 'b');
    await redis.call('SAVE');
    const path = join(dir, 'dump.rdb');
    const file = readFileSync(path);
    // The listpack comes after the key and its own length byte; it starts with its size in bytes.
    file.writeUInt32LE(9999, file.indexOf('hash:small') + 'hash:small'.length + 1);
    writeFileSync(path, file);
    const other = await restarted();
    try {
      expect(await other.redis.get('str')).to.equal('intact');
      expect(await other.redis.hgetall('hash:small')).to.deep.equal({});
      expect(await other.redis.exists('hash:small')).to.equal(0);
      expect(await other.redis.lrange('list', 0, -1)).to.deep.equal(['a', 'b']);
      expect(await other.redis.hset('hash:small', 'new', '1')).to.equal(1);
    } finally {
      other.redis.disconnect();
      await other.server.shutdown();
    }
  });

  it('while the snapshot loads, commands get -LOADING and INFO shows the progress', async () => {
    for (let i = 0; i < 600_000; i += 20_000) {
      await redis.mset(...Array.from({ length: 20_000 }, (_, j) => [`filler:${i + j}`, 'v'.repeat(20)]).flat());
    }
    await redis.call('SAVE');
    const port = await freePort();
    const loading = startServer(['--port', String(port), '--save', '', '--dir', dir], pino({ level: 'silent' }));
    let raw: RawClient | null = null;
    for (let tries = 0; raw === null && tries < 200; tries++) {
      raw = await RawClient.connect({ port }).catch(() => null);
      if (raw === null) await new Promise((resolve) => setTimeout(resolve, 2));
    }
    raw!.command('GET', 'filler:1');
    raw!.command('INFO', 'persistence');
    const [reply, header] = await raw!.readLines(2);
    expect(reply).to.equal('-LOADING Redis is loading the dataset in memory');
    const info = await raw!.read(Number(header.slice(1)) + 2);
    expect(info).to.include('loading:1\r\n').and.match(/loading_loaded_perc:\d+\.\d\d\r\n/).and.include('loading_total_bytes:');
    const loaded = await loading;
    try {
      raw!.command('GET', 'filler:1');
      expect(await raw!.readLines(2)).to.deep.equal(['$20', 'v'.repeat(20)]);
      expect(loaded.databases[0].size).to.equal(600_000);
    } finally {
      raw!.close();
      await loaded.shutdown();
    }
  });
});

describe('persistence: the server process', () => {
  it('SIGTERM saves when save points are set; the next start loads it', async function () {
    this.timeout(30_000);
    const dir = mkdtempSync(join(tmpdir(), 'nodis-signal-'));
    const first = await startServerProcess(['--dir', dir, '--save', '3600 1']);
    const client = connect(first, { protocol: 2 });
    await client.set('survives', 'the restart');
    client.disconnect();
    await first.stop();
    expect(existsSync(join(dir, 'dump.rdb'))).to.equal(true);
    const second = await startServerProcess(['--dir', dir]);
    const again = connect(second, { protocol: 2 });
    try {
      for (let tries = 0; tries < 100 && (await again.get('survives').catch(() => null)) === null; tries++) await new Promise((r) => setTimeout(r, 20));
      expect(await again.get('survives')).to.equal('the restart');
    } finally {
      again.disconnect();
      await second.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('kill -9 during a background save leaves the previous snapshot whole', async function () {
    this.timeout(60_000);
    const dir = mkdtempSync(join(tmpdir(), 'nodis-crash-'));
    const server = await startServerProcess(['--dir', dir]);
    const client = connect(server, { protocol: 2 });
    try {
      await client.set('first', 'snapshot');
      await client.call('SAVE');
      const saved = readFileSync(join(dir, 'dump.rdb'));
      for (let i = 0; i < 300_000; i += 20_000) {
        await client.mset(...Array.from({ length: 20_000 }, (_, j) => [`filler:${i + j}`, 'v'.repeat(50)]).flat());
      }
      await client.bgsave();
      server.child.kill('SIGKILL');
      await new Promise((resolve) => server.child.once('exit', resolve));
      // The old snapshot, untouched (or, had the save finished first, the new one whole).
      const after = readFileSync(join(dir, 'dump.rdb'));
      if (!after.equals(saved)) {
        const restarted = await startServerProcess(['--dir', dir]);
        const check = connect(restarted, { protocol: 2 });
        for (let tries = 0; tries < 200 && (await check.dbsize().catch(() => -1)) === -1; tries++) await new Promise((r) => setTimeout(r, 20));
        expect(await check.dbsize()).to.equal(300_001);
        check.disconnect();
        await restarted.stop();
      }
    } finally {
      client.disconnect();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
