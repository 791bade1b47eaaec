import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { connect, startTestServer } from './helpers.js';
import type { Server } from '../src/index.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('key expiry', () => {
  let server: Server;
  let redis: Redis;
  const db = () => server.databases[0];

  before(async () => {
    server = await startTestServer();
    redis = connect(server);
  });

  after(async () => {
    redis.disconnect();
    await server.shutdown();
  });

  beforeEach(() => {
    for (const database of server.databases) database.flush();
  });

  it('PEXPIRE has millisecond precision', async () => {
    db().set('x', 'v');
    expect(await redis.call('PEXPIRE', 'x', '150')).to.equal(1);
    const pttl = (await redis.call('PTTL', 'x')) as number;
    expect(pttl).to.be.within(1, 150);
    expect(await redis.call('TTL', 'x')).to.be.within(0, 1);
    await sleep(200);
    expect(await redis.call('EXISTS', 'x')).to.equal(0);
  });

  it('PEXPIREAT sets the exact millisecond', async () => {
    db().set('x', 'v');
    const at = Date.now() + 123456;
    expect(await redis.call('PEXPIREAT', 'x', String(at))).to.equal(1);
    expect(db().expireAt('x')).to.equal(at);
    expect(await redis.call('PEXPIRETIME', 'x')).to.equal(at);
  });

  it('Redis should lazy expire keys on access', async () => {
    db().set('a', '1');
    db().set('b', '2');
    db().setExpire('a', Date.now() + 30);
    db().setExpire('b', Date.now() + 100000);
    await sleep(60);
    expect(await redis.call('TYPE', 'a')).to.equal('none');
    expect(db().dict.has('a')).to.equal(false);
    expect(await redis.call('TYPE', 'b')).to.equal('string');
  });

  it('commands treat an expired key as missing', async () => {
    for (const command of [['TTL'], ['PTTL'], ['EXPIRETIME'], ['PEXPIRETIME']]) {
      db().set('k', 'v');
      db().setExpire('k', Date.now() - 1);
      expect(await redis.call(command[0], 'k'), command[0]).to.equal(-2);
    }
    db().set('k', 'v');
    db().setExpire('k', Date.now() - 1);
    expect(await redis.call('PERSIST', 'k')).to.equal(0);
    db().set('k', 'v');
    db().setExpire('k', Date.now() - 1);
    expect(await redis.call('EXPIRE', 'k', '100')).to.equal(0);
    db().set('k', 'v');
    db().setExpire('k', Date.now() - 1);
    expect(await redis.call('OBJECT', 'ENCODING', 'k')).to.equal(null);
  });

  it('TTL and PTTL values', async () => {
    db().set('k', 'v');
    db().setExpire('k', Date.now() + 10000);
    expect(await redis.call('TTL', 'k')).to.be.within(9, 10);
    expect(await redis.call('PTTL', 'k')).to.be.within(9000, 10000);
    expect(await redis.call('EXPIRE', 'k', '200')).to.equal(1);
    expect(await redis.call('TTL', 'k')).to.be.within(199, 200);
  });

  it('Redis should actively expire keys incrementally', async () => {
    const dict = db();
    const when = Date.now() + 50;
    for (let i = 0; i < 50000; i++) {
      dict.set(`key:${i}`, 'v');
      dict.setExpire(`key:${i}`, when);
    }
    dict.set('keeper', 'v');
    const deadline = Date.now() + 5000;
    let pings = 0;
    while (dict.dict.size > 1 && Date.now() < deadline) {
      expect(await redis.ping()).to.equal('PONG');
      pings++;
      await sleep(10);
    }
    expect(dict.dict.size).to.equal(1);
    expect(dict.expires.size).to.equal(0);
    expect(pings).to.be.greaterThan(0);
    expect(server.stats.expiredKeys).to.be.at.least(50000);
  });

  it('keys with a TTL in other databases are expired too', async () => {
    const other = server.databases[5];
    for (let i = 0; i < 1000; i++) {
      other.set(`key:${i}`, 'v');
      other.setExpire(`key:${i}`, Date.now() + 20);
    }
    const deadline = Date.now() + 5000;
    while (other.dict.size > 0 && Date.now() < deadline) await sleep(20);
    expect(other.dict.size).to.equal(0);
  });
});
