import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import pino from 'pino';
import { ALL_BYTES, connect, contents, startServerProcess, startTestServer, until } from './helpers.js';
import { startServer, type Server } from '../src/index.js';

const BIN = ALL_BYTES.toString('latin1');
const CHECK_AOF = fileURLToPath(new URL('../bin/nodis-check-aof.js', import.meta.url));

/** Every database's contents, for comparing a server with the one restarted from its files. */
async function everything(redis: Redis): Promise<unknown[]> {
  const all: unknown[] = [];
  for (let db = 0; db < 4; db++) all.push(await contents(redis, db));
  return all;
}

/**
 * Writes whose replay must not depend on when or how often it runs: relative TTLs, random pops,
 * float sums, blocking pops, transactions, expiry, several databases, binary data.
 */
async function writeEverything(redis: Redis, waiter: Redis): Promise<void> {
  await redis.set('s', BIN);
  await redis.set('ttl', 'v', 'EX', 1000);
  await redis.setex('setex', 500, 'v');
  await redis.set('gone', 'v', 'PX', 1);
  await redis.incrbyfloat('float', '0.1');
  await redis.incrbyfloat('float', '0.2');
  await redis.rpush('list', 'a', 'b', 'c', 'd', 'e');
  await redis.lmove('list', 'other', 'LEFT', 'RIGHT');
  await redis.sadd('set', ...Array.from({ length: 50 }, (_, i) => `m${i}`));
  await redis.spop('set');
  await redis.spop('set', 5);
  await redis.spop('set', 40);
  await redis.hset('hash', 'f', '1', BIN, BIN);
  await redis.hincrbyfloat('hash', 'f', '1.5');
  await redis.zadd('zset', '1', 'a', '2', 'b', '3', 'c');
  await redis.zpopmin('zset');
  await redis.expire('hash', 2000);
  await redis.pexpire('list', 3_000_000);
  await redis.getex('s', 'EX', 4000);
  const served = waiter.blpop('queue', 0);
  await new Promise((resolve) => setTimeout(resolve, 20));
  await redis.rpush('queue', 'x', 'y');
  await served;
  await redis.multi().set('t1', '1').incr('t1').lpush('t2', 'x').exec();
  await redis.select(2);
  await redis.set('in2', 'two');
  await redis.select(0);
  await redis.move('float', 3);
  await new Promise((resolve) => setTimeout(resolve, 5));
  // The expired key is removed (lazily here), and that removal is logged.
  expect(await redis.get('gone')).to.equal(null);
}

describe('append-only file', () => {
  let dir: string;
  let server: Server;
  let redis: Redis;
  let waiter: Redis;

  async function start(args: string[] = []): Promise<void> {
    server = await startTestServer(['--dir', dir, '--appendonly', 'yes', ...args]);
    redis = connect(server, { protocol: 2 });
    waiter = connect(server, { protocol: 2 });
  }

  async function stop(): Promise<void> {
    redis.disconnect();
    waiter.disconnect();
    // Closes the append-only file too, as a stopping nodis-server does.
    await server.shutdown();
  }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nodis-aof-'));
  });

  afterEach(async () => {
    if (server !== undefined) await stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('logs every write deterministically; a restart replays it to the same dataset', async () => {
    await start();
    await until(() => existsSync(join(dir, 'appendonly.aof')));
    await writeEverything(redis, waiter);
    const before = await everything(redis);
    const info = String(await redis.info('persistence'));
    expect(info).to.include('aof_enabled:1\r\n').and.match(/aof_current_size:\d+\r\n/);
    const text = readFileSync(join(dir, 'appendonly.aof'), 'latin1');
    expect(text).to.include('PXAT').and.include('SREM').and.include('LPOP').and.include('MULTI').and.include('DEL');
    expect(text).to.not.include('BLPOP').and.not.include('SPOP').and.not.include('INCRBYFLOAT');
    await stop();
    // Every command and transaction of the file is well formed (an EXEC logged twice would not be).
    expect(spawnSync(process.execPath, [CHECK_AOF, join(dir, 'appendonly.aof')], { encoding: 'utf8' }).stdout).to.include('is valid');
    // A snapshot left in the directory is ignored: the append-only file wins, as in Redis.
    writeFileSync(join(dir, 'dump.rdb'), 'garbage');
    await start();
    expect(await everything(redis)).to.deep.equal(before);
  });

  it('CONFIG SET appendonly yes writes the file from the dataset first; no stops logging', async () => {
    server = await startTestServer(['--dir', dir]);
    redis = connect(server, { protocol: 2 });
    waiter = connect(server, { protocol: 2 });
    await redis.rpush('existing', 'a', 'b');
    await redis.config('SET', 'appendonly', 'yes');
    await redis.set('after', 'on');
    await until(() => server.persistence.aof?.rewriteStartedAt === null);
    const before = await everything(redis);
    await redis.config('SET', 'appendonly', 'no');
    await redis.set('not-logged', 'x');
    expect(String(await redis.info('persistence'))).to.include('aof_enabled:0\r\n');
    await stop();
    await start();
    expect(await everything(redis)).to.deep.equal(before);
  });

  it('BGREWRITEAOF compacts the file; writes during the rewrite are kept', async () => {
    await start();
    await until(() => existsSync(join(dir, 'appendonly.aof')));
    for (let i = 0; i < 2000; i++) await redis.set('counter', String(i));
    await redis.hset('big', ...Array.from({ length: 50_000 }, (_, i) => [`f${i}`, `v${i}`]).flat());
    const sizeBefore = statSync(join(dir, 'appendonly.aof')).size;
    const rewritesBefore = server.persistence.aof!.rewrites;
    // In one pipeline, so all of it runs while the rewrite has barely started.
    const replies = await redis.pipeline().bgrewriteaof().bgrewriteaof().bgsave().call('BGSAVE', 'SCHEDULE').select(2).set('during', 'rewrite')
      .select(0).hdel('big', 'f0').exec();
    expect(replies!.map(([error, reply]) => error?.message ?? reply)).to.deep.equal([
      'Background append only file rewriting started', 'ERR Background append only file rewriting already in progress',
      "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.",
      'Background saving scheduled', 'OK', 'OK', 'OK', 1,
    ]);
    await until(() => server.persistence.aof!.rewriteStartedAt === null);
    expect(String(await redis.info('persistence'))).to.include(`aof_rewrites:${rewritesBefore + 1}\r\n`).and.include('aof_last_bgrewrite_status:ok\r\n');
    await redis.set('after', 'rewrite');
    expect(statSync(join(dir, 'appendonly.aof')).size).to.be.below(sizeBefore);
    expect(readFileSync(join(dir, 'appendonly.aof')).subarray(0, 5).toString()).to.equal('REDIS');
    const before = await everything(redis);
    await stop();
    await start();
    expect(await everything(redis)).to.deep.equal(before);
  });

  it('the file is rewritten by itself once it doubled past auto-aof-rewrite-min-size', async () => {
    await start(['--auto-aof-rewrite-min-size', '10kb']);
    await until(() => existsSync(join(dir, 'appendonly.aof')));
    const rewritesBefore = server.persistence.aof!.rewrites;
    for (let i = 0; i < 500; i++) await redis.set('k', 'x'.repeat(100));
    await until(() => statSync(join(dir, 'appendonly.aof')).size < 10 * 1024);
    expect(server.persistence.aof!.rewrites).to.be.above(rewritesBefore);
    expect(await redis.get('k')).to.equal('x'.repeat(100));
  });

  it('a last command cut short is dropped (aof-load-truncated yes) or stops start-up (no)', async () => {
    await start();
    await until(() => existsSync(join(dir, 'appendonly.aof')));
    await redis.set('a', '1');
    await redis.set('b', '2');
    await stop();
    const path = join(dir, 'appendonly.aof');
    const whole = readFileSync(path);
    appendFileSync(path, '*3\r\n$3\r\nSET\r\n$1\r\nc\r\n$1');
    const logger = pino({ level: 'silent' });
    const failure = await startServer(['--port', '0', '--save', '', '--dir', dir, '--appendonly', 'yes', '--aof-load-truncated', 'no'], logger)
      .then(() => null, (error: Error) => error.message);
    expect(failure).to.match(new RegExp(`^Bad append only file .*appendonly\\.aof at byte ${whole.length}: .*nodis-check-aof --fix`));
    await start();
    expect(await redis.mget('a', 'b', 'c')).to.deep.equal(['1', '2', null]);
    expect(readFileSync(path).equals(whole)).to.equal(true);
  });

  it('damage inside the file stops start-up naming the offset; nodis-check-aof reports and --fix cuts it', async () => {
    await start();
    await until(() => existsSync(join(dir, 'appendonly.aof')));
    await redis.set('a', '1');
    await stop();
    const path = join(dir, 'appendonly.aof');
    const valid = readFileSync(path).length;
    appendFileSync(path, '*2\r\n$3\r\nDEL\r\n$1\r\na\r\n' + 'garbage\r\n*1\r\n$4\r\nPING\r\n');
    const logger = pino({ level: 'silent' });
    const failure = await startServer(['--port', '0', '--save', '', '--dir', dir, '--appendonly', 'yes'], logger).then(() => null, (error: Error) => error.message);
    expect(failure).to.match(/^Bad append only file .* at byte \d+: expected '\*'/);
    const check = spawnSync(process.execPath, [CHECK_AOF, path], { encoding: 'utf8' });
    expect(check.status).to.equal(1);
    expect(check.stdout).to.include('AOF is not valid. Use the --fix option to try fixing it.');
    const fixed = spawnSync(process.execPath, [CHECK_AOF, '--fix', path], { encoding: 'utf8' });
    expect(fixed.status).to.equal(0);
    expect(fixed.stdout).to.include('Successfully truncated AOF');
    expect(readFileSync(path).length).to.equal(valid + '*2\r\n$3\r\nDEL\r\n$1\r\na\r\n'.length);
    expect(spawnSync(process.execPath, [CHECK_AOF, path]).status).to.equal(0);
    await start();
    expect(await redis.exists('a')).to.equal(0);
  });

  it('with appendfsync always, every acknowledged write survives kill -9', async function () {
    this.timeout(60_000);
    const serverProcess = await startServerProcess(['--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always']);
    const client = connect(serverProcess, { protocol: 2 });
    let acknowledged = 0;
    try {
      for (let tries = 0; tries < 100 && !existsSync(join(dir, 'appendonly.aof')); tries++) await new Promise((r) => setTimeout(r, 20));
      // Batches of pipelined writes; the server is killed in the middle of one.
      let next = 0;
      for (let batch = 0; batch < 40 && serverProcess.child.exitCode === null && serverProcess.child.signalCode === null; batch++) {
        const writes: Promise<unknown>[] = [];
        for (let i = 0; i < 500; i++) writes.push(client.rpush('acked', String(next++)).then(() => acknowledged++));
        if (batch === 20) setTimeout(() => serverProcess.child.kill('SIGKILL'), 1);
        await Promise.allSettled(writes);
      }
    } finally {
      client.disconnect();
    }
    await new Promise((resolve) => (serverProcess.child.exitCode !== null || serverProcess.child.signalCode !== null ? resolve(null) : serverProcess.child.once('exit', resolve)));
    const again = await startServerProcess(['--dir', dir, '--appendonly', 'yes']);
    const check = connect(again, { protocol: 2 });
    try {
      for (let tries = 0; tries < 200 && (await check.ping().catch(() => 'LOADING')) !== 'PONG'; tries++) await new Promise((r) => setTimeout(r, 20));
      const length = await check.llen('acked');
      expect(acknowledged).to.be.above(0);
      expect(length).to.be.at.least(acknowledged);
      const values = await check.lrange('acked', 0, -1);
      expect(values.slice(0, acknowledged)).to.deep.equal(Array.from({ length: acknowledged }, (_, i) => String(i)));
    } finally {
      check.disconnect();
      await again.stop();
    }
  });
});
