import { expect } from 'chai';
import { Redis } from 'ioredis';
import { ALL_BYTES, connect, encodeCommand, errorOf, expectBytes, RawClients, startTestServer, until } from './helpers.js';
import { replyOrError, useRealRedis } from './external.js';
import type { Server } from '../src/index.js';

/** One published message as a subscriber of `__key*__:*` sees it: [channel, message]. */
type Event = [string, string];

/**
 * Listens to every keyspace notification of one server and cuts them into the groups that
 * follow each command: after a command, `settle` publishes a marker and waits for it, so the
 * events received before the marker are the command's.
 */
class EventLog {
  private events: Event[] = [];
  private markers = 0;

  private constructor(private readonly subscriber: Redis, private readonly publisher: Redis) {}

  static async open(port: number, publisher: Redis): Promise<EventLog> {
    const subscriber = new Redis({ port, host: '127.0.0.1', protocol: 2 });
    const log = new EventLog(subscriber, publisher);
    subscriber.on('pmessageBuffer', (_pattern: Buffer, channel: Buffer, message: Buffer) => {
      log.events.push([channel.toString('latin1'), message.toString('latin1')]);
    });
    subscriber.on('message', () => log.markers++);
    await subscriber.psubscribe('__key*__:*');
    await subscriber.subscribe('marker');
    return log;
  }

  /** The events since the previous call, once the publisher's marker came back. */
  async settle(): Promise<Event[]> {
    const expected = this.markers + 1;
    await this.publisher.publish('marker', 'm');
    await until(() => this.markers >= expected);
    const events = this.events;
    this.events = [];
    return events;
  }

  close(): void {
    this.subscriber.disconnect();
  }
}

/**
 * Commands covering every event of every command family, with their edge cases (no-ops that
 * emit nothing, collections emptied, overwrites, expiry). ['SLEEP', ms] waits between steps; a
 * command starting with '~' has a random reply, which is not compared.
 */
const SCRIPT: string[][] = [
  // Strings
  ['SET', 's', 'v'], ['SET', 's', 'v2', 'EX', '100'], ['SET', 's', 'v3', 'KEEPTTL'], ['SET', 's', 'x', 'NX'],
  ['SET', 's', 'v5', 'XX', 'GET'], ['SETNX', 's', 'x'], ['SETNX', 's2', 'x'], ['SETEX', 's3', '100', 'v'],
  ['PSETEX', 's4', '100000', 'v'], ['GETSET', 's2', 'y'], ['GETDEL', 's2'], ['GETDEL', 'missing'],
  ['GETEX', 's3', 'PERSIST'], ['GETEX', 's3', 'PERSIST'], ['GETEX', 's3', 'EX', '50'], ['GETEX', 's3', 'PXAT', '1'], ['GETEX', 's4'],
  ['MSET', 'a', '1', 'b', '2'], ['MSETNX', 'c', '1', 'd', '2'], ['MSETNX', 'c', '1', 'e', '2'],
  ['INCR', 'n'], ['DECR', 'n'], ['INCRBY', 'n', '5'], ['DECRBY', 'n', '2'], ['INCRBYFLOAT', 'n', '1.5'], ['INCR', 's'],
  ['APPEND', 'ap', 'x'], ['APPEND', 'ap', 'y'], ['SETRANGE', 'sr', '5', 'x'], ['SETRANGE', 'sr', '0', ''], ['SETRANGE', 'none', '0', ''],
  ['SETBIT', 'bm', '7', '1'], ['SETBIT', 'bm', '7', '1'], ['BITOP', 'AND', 'dest', 'a', 'b'], ['BITOP', 'OR', 'dest', 'nokey1', 'nokey2'],
  ['BITOP', 'OR', 'dest', 'nokey1'], ['BITFIELD', 'bf', 'SET', 'u8', '0', '255'], ['BITFIELD', 'bf', 'GET', 'u8', '0'],
  ['BITFIELD', 'bf', 'INCRBY', 'u8', '0', '1', 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', '0', '300'],
  ['GET', 'nothing'], ['MGET', 'a', 'nothing'], ['STRLEN', 'nothing'], ['EXISTS', 'nothing'], ['TYPE', 'nothing'], ['TTL', 'nothing'],
  // Generic keys
  ['DEL', 'a', 'b', 'nokey'], ['UNLINK', 'c'], ['EXPIRE', 'd', '100'], ['PEXPIRE', 'd', '100000'], ['EXPIRE', 'd', '100', 'NX'],
  ['EXPIREAT', 'd', '1'], ['EXPIRE', 'nokey', '10'], ['SET', 'p', '1', 'EX', '100'], ['PERSIST', 'p'], ['PERSIST', 'p'],
  ['PEXPIREAT', 'p', '1'], ['SET', 'r', '1', 'EX', '100'], ['RENAME', 'r', 'r2'], ['RENAME', 'r2', 'r2'], ['SET', 'r3', 'x'],
  ['RENAME', 'r2', 'r3'], ['RENAMENX', 'r3', 'ap'], ['RENAMENX', 'r3', 'r4'], ['COPY', 'r4', 'r5'], ['COPY', 'r4', 'r5'],
  ['COPY', 'r4', 'r5', 'REPLACE'], ['COPY', 'r4', 'r6', 'DB', '1'], ['MOVE', 'r4', '2'], ['MOVE', 'r5', '1'], ['SWAPDB', '0', '3'],
  ['SWAPDB', '0', '3'], ['FLUSHDB'],
  // Lists
  ['LPUSH', 'l', 'a', 'b'], ['RPUSH', 'l', 'c'], ['LPUSHX', 'nol', 'a'], ['RPUSHX', 'l', 'd'], ['LINSERT', 'l', 'BEFORE', 'a', 'z'],
  ['LINSERT', 'l', 'BEFORE', 'nope', 'z'], ['LSET', 'l', '0', 'q'], ['LREM', 'l', '0', 'q'], ['LREM', 'l', '0', 'nope'],
  ['LTRIM', 'l', '0', '2'], ['LTRIM', 'l', '0', '-1'], ['LPOP', 'l'], ['RPOP', 'l'], ['RPUSH', 'l', '1', '2', '3', '4', '5'],
  ['LPOP', 'l', '2'], ['LMOVE', 'l', 'l2', 'LEFT', 'RIGHT'], ['LMOVE', 'l', 'l', 'LEFT', 'LEFT'], ['RPOPLPUSH', 'l', 'l2'],
  ['LMPOP', '1', 'l', 'LEFT', 'COUNT', '10'], ['LMPOP', '1', 'l', 'LEFT'], ['BLPOP', 'l2', '0.01'], ['BRPOP', 'l2', 'l', '0.01'],
  ['BLMOVE', 'l2', 'l3', 'RIGHT', 'LEFT', '0.01'], ['BRPOPLPUSH', 'l3', 'l4', '0.01'], ['BLMPOP', '0.01', '2', 'nol', 'l4', 'RIGHT'],
  ['RPUSH', 'lt', 'a', 'b'], ['LTRIM', 'lt', '5', '10'], ['LPOP', 'nol'], ['LRANGE', 'nol', '0', '-1'],
  ['RPUSH', 'one', 'x'], ['LMOVE', 'one', 'other', 'RIGHT', 'LEFT'], ['LREM', 'other', '0', 'x'], ['RPUSH', 'one', 'x'], ['LSET', 'one', '5', 'y'],
  // Sets
  ['SADD', 'st', 'a', 'b'], ['SADD', 'st', 'a'], ['SREM', 'st', 'a'], ['SREM', 'st', 'zz'], ['SPOP', 'st'], ['SPOP', 'st'],
  ['SADD', 'st', 'a', 'b', 'c'], ['SPOP', 'st', '0'], ['~SPOP', 'st', '2'], ['DEL', 'st'], ['SADD', 'st', 'a'], ['SMOVE', 'st', 'st2', 'nope'],
  ['SADD', 'st', 'b'], ['SMOVE', 'st', 'st', 'b'], ['SMOVE', 'st', 'st2', 'b'], ['SADD', 'st', '1', '2'], ['SADD', 'st2', '2'],
  ['SINTERSTORE', 'si', 'st', 'st2'], ['SUNIONSTORE', 'su', 'st', 'st2'], ['SDIFFSTORE', 'sd', 'st', 'st2'],
  ['SDIFFSTORE', 'sd', 'st', 'st'], ['SINTERSTORE', 'sx', 'st', 'nokey'], ['~SPOP', 'st', '10'], ['SMEMBERS', 'nokey'],
  ['SADD', 'single', 'x'], ['SMOVE', 'single', 'st2', 'x'], ['SREM', 'st2', '2', 'x', 'b'], ['SADD', 'single', 'x'], ['SMOVE', 'single', 'fresh', 'x'],
  // Hashes
  ['HSET', 'h', 'f', 'v'], ['HSET', 'h', 'f', 'v2'], ['HSETNX', 'h', 'f', 'v'], ['HSETNX', 'h', 'g', 'v'], ['HMSET', 'h', 'x', '1'],
  ['HDEL', 'h', 'f'], ['HDEL', 'h', 'zz'], ['HINCRBY', 'h', 'n', '1'], ['HINCRBYFLOAT', 'h', 'x', '1.5'], ['HINCRBY', 'h', 'g', '1'],
  ['HDEL', 'h', 'g', 'n', 'x'], ['HGET', 'h', 'f'], ['HGETALL', 'nokey'],
  // Sorted sets
  ['ZADD', 'z', '1', 'a', '2', 'b', '3', 'c', '4', 'd'], ['ZADD', 'z', '1', 'a'], ['ZADD', 'z', 'INCR', '5', 'a'], ['ZINCRBY', 'z', '1', 'b'],
  ['ZADD', 'z', 'NX', '1', 'a'], ['ZADD', 'z', 'CH', '9', 'a'], ['ZREM', 'z', 'a'], ['ZREM', 'z', 'nope'], ['ZREMRANGEBYSCORE', 'z', '0', '3'],
  ['ZREMRANGEBYSCORE', 'z', '100', '200'], ['ZADD', 'z', '0', 'm', '0', 'n', '0', 'o', '0', 'p'], ['ZREMRANGEBYRANK', 'z', '0', '0'],
  ['ZREMRANGEBYLEX', 'z', '[n', '[n'], ['ZPOPMIN', 'z'], ['ZPOPMAX', 'z', '2'], ['ZPOPMIN', 'nokey'], ['ZADD', 'z', '1', 'a', '2', 'b'],
  ['ZMPOP', '1', 'z', 'MIN'], ['BZPOPMIN', 'z', '0.01'], ['ZADD', 'z', '1', 'a', '2', 'b'], ['BZPOPMAX', 'z', '0.01'], ['BZMPOP', '0.01', '1', 'z', 'MAX'],
  ['ZADD', 'z1', '1', 'a', '2', 'b'], ['ZADD', 'z2', '1', 'b'], ['ZUNIONSTORE', 'zu', '2', 'z1', 'z2'], ['ZINTERSTORE', 'zi', '2', 'z1', 'z2'],
  ['ZDIFFSTORE', 'zd', '2', 'z1', 'z2'], ['ZDIFFSTORE', 'zd', '2', 'z1', 'z1'], ['ZRANGESTORE', 'zr', 'z1', '0', '-1'],
  ['ZRANGESTORE', 'zr', 'z1', '5', '10'], ['ZINTERSTORE', 'zx', '2', 'z1', 'nokey'], ['ZSCORE', 'nokey', 'a'],
  ['ZREM', 'z1', 'a', 'b', 'c'], ['ZADD', 'z1', 'XX', '1', 'a'], ['ZADD', 'z1', 'GT', 'CH', '1', 'a'], ['ZINCRBY', 'z1', '1', 'a'],
  ['ZUNIONSTORE', 'z2', '1', 'z2'], ['ZDIFFSTORE', 'z2', '1', 'z2'], ['ZINTERSTORE', 'z1', '2', 'z1', 'z2'],
  // Expiry, lazily and on overwrite
  ['SET', 'e', 'v', 'PX', '1'], ['SET', 'e2', 'v', 'PX', '1'], ['SET', 'e3', 'v', 'PX', '1'], ['SLEEP', '20'], ['GET', 'e'],
  ['SET', 'e2', 'new'], ['SET', 'e3', 'new', 'KEEPTTL'], ['TTL', 'e3'],
  // PEXPIRE of 5 ms, not 1: Redis reads its clock twice, and a TTL of 1 ms can pass between the reads (it then deletes at once).
  ['SET', 'e4', 'v', 'PX', '1'], ['LPUSH', 'e5', 'v'], ['PEXPIRE', 'e5', '5'], ['HSET', 'e6', 'f', 'v'], ['PEXPIRE', 'e6', '5'],
  ['SET', 'e7', 'v', 'PX', '1'], ['SLEEP', '20'], ['LPUSH', 'e5', 'w'], ['HGET', 'e6', 'f'], ['RENAME', 'e4', 'x'], ['EXISTS', 'e7'],
  // Transactions
  ['MULTI'], ['SET', 't', '1'], ['INCR', 't'], ['LPUSH', 't', 'x'], ['DEL', 't'], ['EXEC'],
  // Wrong types and errors emit nothing
  ['SET', 'w', 'x'], ['LPUSH', 'w', 'a'], ['HSET', 'w', 'a', 'b'], ['INCR', 'w'], ['ZADD', 'w', 'x', 'a'], ['SADD', 'w'],
];

/** A reply with its Buffers as latin1 strings, for one-line comparisons. */
function readable(reply: unknown): unknown {
  if (Buffer.isBuffer(reply)) return reply.toString('latin1');
  return Array.isArray(reply) ? reply.map(readable) : reply;
}

describe('keyspace notifications', () => {
  let server: Server;
  let redis: Redis;

  before(async () => {
    server = await startTestServer();
    redis = connect(server, { protocol: 2 });
  });

  after(async () => {
    redis.disconnect();
    await server.shutdown();
  });

  /** Events published while `run` runs, once a marker shows they all arrived. */
  async function eventsOf(flags: string, run: () => Promise<unknown>): Promise<string[]> {
    await redis.config('SET', 'notify-keyspace-events', flags);
    const log = await EventLog.open(server.port, redis);
    try {
      await run();
      return (await log.settle()).map(([channel, message]) => `${channel} ${message}`);
    } finally {
      log.close();
      await redis.config('SET', 'notify-keyspace-events', '');
    }
  }

  it('is off by default; CONFIG SET takes the class letters and CONFIG GET shows them as Redis does', async () => {
    expect(await redis.config('GET', 'notify-keyspace-events')).to.deep.equal(['notify-keyspace-events', '']);
    expect(await eventsOf('', () => redis.set('k', 'v'))).to.deep.equal([]);
    for (const [given, shown] of [['KEA', 'AKE'], ['KEAnm', 'AKEm'], ['gE', 'gE'], ['E$lshzetdng', 'g$lshzetdnE'], ['Ex$lshzetdng', 'AE'], ['EK', 'KE'], ['x', 'x'], ['', '']]) {
      await redis.config('SET', 'notify-keyspace-events', given);
      expect(await redis.config('GET', 'notify-keyspace-events')).to.deep.equal(['notify-keyspace-events', shown]);
    }
    expect(await errorOf(redis.config('SET', 'notify-keyspace-events', 'KEq'))).to.equal(
      "ERR CONFIG SET failed (possibly related to argument 'notify-keyspace-events') - Invalid event class character. Use 'Ag$lshzxeKEtmdn'.",
    );
    expect(await redis.config('GET', 'notify-keyspace-events')).to.deep.equal(['notify-keyspace-events', '']);
  });

  it('a class without K or E publishes nothing; K and E pick the channels', async () => {
    expect(await eventsOf('A', () => redis.set('k', 'v'))).to.deep.equal([]);
    expect(await eventsOf('K$', () => redis.set('k', 'v', 'EX', '100'))).to.deep.equal(['__keyspace@0__:k set']);
    expect(await eventsOf('Eg', () => redis.set('k', 'v', 'EX', '100'))).to.deep.equal(['__keyevent@0__:expire k']);
  });

  it('emits the events of each write, with a del when a collection is emptied, in the database written', async () => {
    const events = await eventsOf('KEA', async () => {
      await redis.set('s', '1', 'EX', '100');
      await redis.rpush('l', 'a');
      await redis.lpop('l');
      await redis.rename('s', 't');
      await redis.select(5);
      await redis.hset('h', 'f', 'v');
      await redis.select(0);
    });
    expect(events).to.deep.equal([
      '__keyspace@0__:s set', '__keyevent@0__:set s', '__keyspace@0__:s expire', '__keyevent@0__:expire s',
      '__keyspace@0__:l rpush', '__keyevent@0__:rpush l', '__keyspace@0__:l lpop', '__keyevent@0__:lpop l',
      '__keyspace@0__:l del', '__keyevent@0__:del l', '__keyspace@0__:s rename_from', '__keyevent@0__:rename_from s',
      '__keyspace@0__:t rename_to', '__keyevent@0__:rename_to t', '__keyspace@5__:h hset', '__keyevent@5__:hset h',
    ]);
    await redis.flushall();
  });

  it('keys and events are binary safe in channels and messages', async () => {
    const key = ALL_BYTES.toString('latin1');
    const events = await eventsOf('KEn$', () => redis.set(Buffer.from(key, 'latin1'), 'v'));
    expect(events).to.deep.equal([`__keyspace@0__:${key} new`, `__keyevent@0__:new ${key}`, `__keyspace@0__:${key} set`, `__keyevent@0__:set ${key}`]);
    await redis.flushall();
  });

  it('a blocked client served by a push emits its pop after the push', async () => {
    const waiter = connect(server, { protocol: 2 });
    try {
      const events = await eventsOf('El', async () => {
        const popped = waiter.blpop('q', 0);
        await until(() => server.blocking.blockedClients > 0);
        await redis.rpush('q', 'x');
        expect(await popped).to.deep.equal(['q', 'x']);
      });
      expect(events).to.deep.equal(['__keyevent@0__:rpush q', '__keyevent@0__:lpop q']);
    } finally {
      waiter.disconnect();
    }
  });

  it('the active expiry cycle emits expired for keys nobody reads', async () => {
    const events = await eventsOf('Ex', async () => {
      await redis.set('gone', 'v', 'PX', '5');
      await until(() => server.databases[0].size === 0);
    });
    expect(events).to.deep.equal(['__keyevent@0__:expired gone']);
  });

  it('a RESP3 client listening to its own keys gets the push before the reply', async () => {
    const raws = new RawClients(() => server);
    try {
      await redis.config('SET', 'notify-keyspace-events', 'K$');
      const raw = await raws.open(true);
      raw.command('SUBSCRIBE', '__keyspace@0__:mine');
      await expectBytes(raw, '>3\r\n$9\r\nsubscribe\r\n$19\r\n__keyspace@0__:mine\r\n:1\r\n');
      raw.send(Buffer.concat([encodeCommand(['SET', 'mine', 'v']), encodeCommand(['GET', 'mine'])]));
      await expectBytes(raw, '>3\r\n$7\r\nmessage\r\n$19\r\n__keyspace@0__:mine\r\n$3\r\nset\r\n+OK\r\n$1\r\nv\r\n');
    } finally {
      raws.closeAll();
      await redis.config('SET', 'notify-keyspace-events', '');
      await redis.del('mine');
    }
  });

  describe('differential test against redis-server', () => {
    const real = useRealRedis(Number(process.env.NODIS_EVENTS_REDIS_PORT ?? 6435));

    /** Runs SCRIPT on one server with `flags`: per step, one line with the command, its reply and its events. */
    async function run(client: Redis, port: number, flags: string): Promise<string[]> {
      await client.flushall();
      // Keys expire only when met, so that expiry events come at reproducible steps.
      await client.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
      await client.config('SET', 'notify-keyspace-events', flags);
      const log = await EventLog.open(port, client);
      const steps: string[] = [];
      let queueing = false;
      try {
        for (let args of SCRIPT) {
          if (args[0] === 'SLEEP') {
            await new Promise((resolve) => setTimeout(resolve, Number(args[1])));
            continue;
          }
          const random = args[0].startsWith('~');
          if (random) args = [args[0].slice(1), ...args.slice(1)];
          const reply = await replyOrError(client, args);
          // Inside MULTI the marker would be queued too: the transaction's events come after EXEC.
          queueing = args[0] === 'MULTI' || (queueing && args[0] !== 'EXEC');
          const events = queueing ? [] : await log.settle();
          steps.push(`${args.join(' ')} -> ${random ? '(random)' : JSON.stringify(readable(reply))} | ${events.map(([channel, message]) => `${channel} ${message}`).join(', ')}`);
        }
      } finally {
        log.close();
        await client.config('SET', 'notify-keyspace-events', '');
        await client.call('DEBUG', 'SET-ACTIVE-EXPIRE', '1');
      }
      return steps;
    }

    for (const flags of ['KEA', 'KEAnm', 'Elx', 'K$g']) {
      it(`emits what Redis emits for every command family with '${flags}'`, async () => {
        const theirs = await run(real.client, Number(process.env.NODIS_EVENTS_REDIS_PORT ?? 6435), flags);
        const ours = await run(redis, server.port, flags);
        if (process.env.NODIS_DUMP_EVENTS) console.log(theirs.join('\n'));
        // Only the steps that differ, so that a failure shows them all.
        expect(ours.filter((line, i) => line !== theirs[i])).to.deep.equal(theirs.filter((line, i) => line !== ours[i]));
      });
    }
  });
});
