import { expect } from 'chai';
import { Redis } from 'ioredis';
import { ALL_BYTES, connect, startTestServer } from './helpers.js';
import { replyOrError, seededRandom, useRealRedis } from './external.js';
import type { Server } from '../src/index.js';

const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';

describe('set commands', () => {
  let server: Server;
  let redis: Redis;
  let resp2: Redis;

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
    await redis.config('SET', 'set-max-intset-entries', '512');
  });

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
    await redis.call('SADD', 's', 'a', 'b');
    expect(await redis.call('SREM', 's', 'a', 'x')).to.equal(1);
    expect(await redis.call('SREM', 's', 'b')).to.equal(1);
    expect(await redis.exists('s')).to.equal(0);
    expect(await redis.call('SREM', 's', 'b')).to.equal(0);
  });

  it('SMEMBERS of an intset is sorted numerically, in both protocols', async () => {
    await redis.call('SADD', 's', '10', '-3', '2');
    expect(await redis.object('ENCODING', 's')).to.equal('intset');
    expect(await redis.call('SMEMBERS', 's')).to.deep.equal(['-3', '2', '10']);
    expect(await resp2.call('SMEMBERS', 's')).to.deep.equal(['-3', '2', '10']);
    expect(await redis.call('SMEMBERS', 'missing')).to.deep.equal([]);
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
    for (const args of [['SADD', 'str', 'a'], ['SREM', 'str', 'a'], ['SCARD', 'str'], ['SISMEMBER', 'str', 'a'], ['SMEMBERS', 'str'], ['SMISMEMBER', 'str', 'a']]) {
      let message = '';
      try { await redis.call(args[0], ...args.slice(1)); } catch (e) { message = (e as Error).message; }
      expect(message).to.equal(WRONGTYPE);
    }
    let arity = '';
    try { await redis.call('SADD', 's'); } catch (e) { arity = (e as Error).message; }
    expect(arity).to.equal("ERR wrong number of arguments for 'sadd' command");
  });

  describe('differential test against redis-server', () => {
    const real = useRealRedis(Number(process.env.NODIS_SET_REDIS_PORT ?? 6432));
    let theirs: Redis;
    let ours: Redis;

    before(() => {
      theirs = real.client;
      ours = connect(server, { protocol: 2 });
    });

    after(() => ours?.disconnect());

    it('a seeded random sequence of set commands replies as Redis does', async () => {
      const random = seededRandom(4242);
      const members = ['1', '-5', '17', '0', '9223372036854775807', '-9223372036854775808', '01', 'a', '', '__proto__', ALL_BYTES.toString('latin1').slice(0, 30)];
      const member = () => members[random(members.length)];
      const key = () => ['s1', 's2', 'str'][random(3)];
      await theirs.flushall();
      await theirs.config('SET', 'set-max-intset-entries', '4');
      await redis.config('SET', 'set-max-intset-entries', '4');
      await theirs.set('str', 'x');
      await ours.set('str', 'x');
      const makers: (() => string[])[] = [
        () => ['SADD', key(), member(), member()],
        () => ['SADD', key(), String(random(20))],
        () => ['SREM', key(), member(), member()],
        () => ['SCARD', key()],
        () => ['SISMEMBER', key(), member()],
        () => ['SMEMBERS', key()],
        () => ['SMISMEMBER', key(), member(), member()],
        () => ['OBJECT', 'ENCODING', key()],
        () => ['DEL', key()],
      ];
      const outcome = async (client: Redis, args: string[], hashtable: boolean): Promise<unknown> => {
        const reply = await replyOrError(client, args);
        if (typeof reply === 'string') return reply;
        // A hashtable's order is Redis's dict order; an intset's numeric order must match exactly.
        if (args[0] === 'SMEMBERS' && hashtable) return (reply as Buffer[]).map((b) => b.toString('latin1')).sort();
        return reply;
      };
      for (let i = 0; i < 400; i++) {
        const args = makers[random(makers.length)]();
        const hashtable = args[0] === 'SMEMBERS' && String(await theirs.call('OBJECT', 'ENCODING', args[1])) === 'hashtable';
        const expected = await outcome(theirs, args, hashtable);
        const got = await outcome(ours, args, hashtable);
        expect(got, `${i}: ${JSON.stringify(args)}`).to.deep.equal(expected);
      }
    });
  });
});
