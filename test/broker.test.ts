import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { ALL_BYTES, arityError, connect, errorOf, expectBytes, RawClient, startServerProcess, startTestServer, switchToResp3, until } from './helpers.js';
import type { Server } from '../src/index.js';
import { requireBinary } from './external.js';

const BIN = ALL_BYTES.toString('latin1');

/** A delivery of MQ.GET's reply, as a field -> value map (values as ioredis gives them). */
type Delivery = Map<string, unknown>;

/** Bulk strings as latin1 text (every byte one char), lists of them likewise, integers as numbers. */
function latin1Of(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return value.toString('latin1');
  return Array.isArray(value) ? value.map(latin1Of) : value;
}

function deliveriesOf(reply: unknown): Delivery[] {
  if (reply === null) return [];
  return (reply as unknown[][]).map((flat) => {
    const fields = new Map<string, unknown>();
    for (let i = 0; i < flat.length; i += 2) fields.set(String(latin1Of(flat[i])), latin1Of(flat[i + 1]));
    return fields;
  });
}

/** MQ.GET, its bodies and fields read byte for byte. */
async function get(redis: Redis, queue: string, ...options: string[]): Promise<Delivery[]> {
  return deliveriesOf(await redis.callBuffer('MQ.GET', queue, ...options));
}

const bodies = (deliveries: Delivery[]) => deliveries.map((d) => d.get('body'));
const tags = (deliveries: Delivery[]) => deliveries.map((d) => String(d.get('tag')));

describe('broker: MQ.* commands', () => {
  let server: Server;
  let redis: Redis;
  const opened: Redis[] = [];

  /** Another connection (a worker, a consumer), closed after the test. */
  function client(): Redis {
    const c = connect(server, { protocol: 2 });
    opened.push(c);
    return c;
  }

  beforeEach(async () => {
    server = await startTestServer();
    redis = client();
  });

  afterEach(async () => {
    for (const c of opened.splice(0)) c.disconnect();
    await server.shutdown();
  });

  describe('topology', () => {
    it('MQ.EXCHANGE DECLARE, LIST and DELETE; the default and amq.* exchanges exist', async () => {
      expect(await redis.call('MQ.EXCHANGE', 'DECLARE', 'logs', 'fanout')).to.equal('OK');
      expect(await redis.call('MQ.EXCHANGE', 'declare', 'jobs', 'TOPIC', 'durable', 'autodelete')).to.equal('OK');
      // Redeclaring with the same properties is a no-op.
      expect(await redis.call('MQ.EXCHANGE', 'DECLARE', 'logs', 'fanout')).to.equal('OK');
      const list = (await redis.call('MQ.EXCHANGE', 'LIST')) as unknown[][];
      expect(list).to.deep.include.members([
        ['', 'direct', 1, 0], ['amq.direct', 'direct', 1, 0], ['amq.fanout', 'fanout', 1, 0], ['amq.topic', 'topic', 1, 0],
        ['amq.headers', 'headers', 1, 0], ['logs', 'fanout', 0, 0], ['jobs', 'topic', 1, 1],
      ]);
      expect(await redis.call('MQ.EXCHANGE', 'DELETE', 'logs')).to.equal(1);
      expect(await redis.call('MQ.EXCHANGE', 'DELETE', 'logs')).to.equal(0);
    });

    it('MQ.EXCHANGE errors: arity, type, options, redeclaration, reserved names, IFUNUSED', async () => {
      expect(await errorOf(redis.call('MQ.EXCHANGE', 'DECLARE', 'x'))).to.equal(arityError('mq.exchange|declare'));
      expect(await errorOf(redis.call('MQ.EXCHANGE', 'DECLARE', 'x', 'fanoutt'))).to.equal("ERR unknown exchange type 'fanoutt'");
      expect(await errorOf(redis.call('MQ.EXCHANGE', 'DECLARE', 'x', 'direct', 'LASTING'))).to.equal('ERR syntax error');
      expect(await errorOf(redis.call('MQ.EXCHANGE', 'NOPE'))).to.match(/^ERR unknown subcommand 'NOPE'\. Try MQ\.EXCHANGE HELP\./);
      await redis.call('MQ.EXCHANGE', 'DECLARE', 'x', 'direct');
      expect(await errorOf(redis.call('MQ.EXCHANGE', 'DECLARE', 'x', 'topic'))).to.match(/^PRECONDITION inequivalent arg 'type' for exchange 'x'/);
      expect(await errorOf(redis.call('MQ.EXCHANGE', 'DECLARE', 'x', 'direct', 'DURABLE'))).to.match(/^PRECONDITION inequivalent arg 'durable' for exchange 'x'/);
      expect(await errorOf(redis.call('MQ.EXCHANGE', 'DECLARE', 'amq.mine', 'direct'))).to.match(/^PRECONDITION access refused/);
      expect(await errorOf(redis.call('MQ.EXCHANGE', 'DELETE', ''))).to.match(/^PRECONDITION access refused/);
      await redis.call('MQ.QUEUE', 'DECLARE', 'q');
      await redis.call('MQ.QUEUE', 'BIND', 'q', 'x', 'k');
      expect(await errorOf(redis.call('MQ.EXCHANGE', 'DELETE', 'x', 'IFUNUSED'))).to.match(/^PRECONDITION exchange 'x' in use/);
      expect(await redis.call('MQ.EXCHANGE', 'DELETE', 'x')).to.equal(1);
      expect(await redis.call('MQ.QUEUE', 'INFO', 'q')).to.satisfy((info: unknown[]) => JSON.stringify(info).includes('"bindings",[["","q"]]'));
    });

    it('MQ.QUEUE DECLARE answers [name, ready, consumers]; "" gives a server-named queue; PASSIVE checks', async () => {
      expect(await redis.call('MQ.QUEUE', 'DECLARE', 'q')).to.deep.equal(['q', 0, 0]);
      await redis.call('MQ.PUBLISH', '', 'q', 'm');
      expect(await redis.call('MQ.QUEUE', 'DECLARE', 'q')).to.deep.equal(['q', 1, 0]);
      expect(await redis.call('MQ.QUEUE', 'DECLARE', 'q', 'PASSIVE')).to.deep.equal(['q', 1, 0]);
      const [name] = (await redis.call('MQ.QUEUE', 'DECLARE', '')) as [string];
      expect(name).to.match(/^amq\.gen-[A-Za-z0-9_-]{22}$/);
      expect(await errorOf(redis.call('MQ.QUEUE', 'DECLARE', 'missing', 'PASSIVE'))).to.equal("NOTFOUND no queue 'missing'");
      expect(await errorOf(redis.call('MQ.QUEUE', 'DECLARE', 'q', 'DURABLE'))).to.match(/^PRECONDITION inequivalent arg 'durable' for queue 'q'/);
      expect(await errorOf(redis.call('MQ.QUEUE', 'DECLARE', 'q', 'TTL', '5'))).to.match(/^PRECONDITION inequivalent arg/);
      expect(await errorOf(redis.call('MQ.QUEUE', 'DECLARE', 'amq.x'))).to.match(/^PRECONDITION access refused/);
    });

    it('MQ.QUEUE DECLARE option errors', async () => {
      expect(await errorOf(redis.call('MQ.QUEUE', 'DECLARE'))).to.equal(arityError('mq.queue|declare'));
      expect(await errorOf(redis.call('MQ.QUEUE', 'DECLARE', 'q', 'TTL'))).to.equal('ERR syntax error');
      expect(await errorOf(redis.call('MQ.QUEUE', 'DECLARE', 'q', 'TTL', 'soon'))).to.equal('ERR value is not an integer or out of range');
      expect(await errorOf(redis.call('MQ.QUEUE', 'DECLARE', 'q', 'TTL', '-1'))).to.equal('ERR value is not an integer or out of range');
      expect(await errorOf(redis.call('MQ.QUEUE', 'DECLARE', 'q', 'MAXLEN', '1.5'))).to.equal('ERR value is not an integer or out of range');
      expect(await errorOf(redis.call('MQ.QUEUE', 'DECLARE', 'q', 'OVERFLOW', 'drop-tail'))).to.equal('ERR syntax error');
      expect(await errorOf(redis.call('MQ.QUEUE', 'DECLARE', 'q', 'SPEEDY'))).to.equal('ERR syntax error');
      expect(await errorOf(redis.call('MQ.QUEUE', 'DECLARE', 'q', 'DEADLETTER'))).to.equal('ERR syntax error');
      expect(await errorOf(redis.call('MQ.QUEUE', 'DECLARE', 'q', 'DELIVERYLIMIT', '0'))).to.equal('ERR value is not an integer or out of range');
      expect(await redis.call('MQ.QUEUE', 'LIST')).to.deep.equal([]);
    });

    it('BIND, UNBIND, DELETE (IFUNUSED, IFEMPTY), PURGE, INFO and LIST', async () => {
      await redis.call('MQ.EXCHANGE', 'DECLARE', 'e', 'direct');
      await redis.call('MQ.QUEUE', 'DECLARE', 'q', 'DURABLE');
      expect(await redis.call('MQ.QUEUE', 'BIND', 'q', 'e', 'k')).to.equal('OK');
      expect(await redis.call('MQ.QUEUE', 'BIND', 'q', 'e', 'k')).to.equal('OK');
      expect(await redis.call('MQ.PUBLISH', 'e', 'k', 'one')).to.equal(1);
      expect(await redis.call('MQ.PUBLISH', 'e', 'k', 'two')).to.equal(1);
      const info = (await redis.call('MQ.QUEUE', 'INFO', 'q')) as unknown[];
      const fields = new Map<string, unknown>();
      for (let i = 0; i < info.length; i += 2) fields.set(String(info[i]), info[i + 1]);
      expect([...fields.keys()]).to.deep.equal(['durable', 'exclusive', 'autodelete', 'ready', 'unacked', 'consumers', 'published', 'delivered', 'acked', 'redelivered', 'dead-lettered', 'bindings']);
      expect(fields.get('durable')).to.equal(1);
      expect(fields.get('ready')).to.equal(2);
      expect(fields.get('published')).to.equal(2);
      expect(fields.get('bindings')).to.deep.equal([['', 'q'], ['e', 'k']]);
      expect(await errorOf(redis.call('MQ.QUEUE', 'DELETE', 'q', 'IFEMPTY'))).to.match(/^PRECONDITION queue 'q' not empty/);
      expect(await redis.call('MQ.QUEUE', 'PURGE', 'q')).to.equal(2);
      expect(await redis.call('MQ.QUEUE', 'UNBIND', 'q', 'e', 'k')).to.equal('OK');
      expect(await redis.call('MQ.PUBLISH', 'e', 'k', 'three')).to.equal(0);
      await redis.call('MQ.QUEUE', 'DECLARE', 'other');
      expect(((await redis.call('MQ.QUEUE', 'LIST')) as string[]).sort()).to.deep.equal(['other', 'q']);
      expect(await redis.call('MQ.QUEUE', 'LIST', 'o*')).to.deep.equal(['other']);
      const waiter = client();
      const waiting = waiter.call('MQ.GET', 'q', 'BLOCK', '0');
      await until(() => server.blocking.blockedClients === 1);
      expect(await errorOf(redis.call('MQ.QUEUE', 'DELETE', 'q', 'IFUNUSED'))).to.match(/^PRECONDITION queue 'q' in use/);
      expect(await redis.call('MQ.PUBLISH', '', 'q', 'x')).to.equal(1);
      expect(deliveriesOf(await waiting)).to.have.length(1);
      // Its one message, unacked by the waiter, goes with it.
      expect(await redis.call('MQ.QUEUE', 'DELETE', 'q')).to.equal(1);
      expect(await redis.call('MQ.QUEUE', 'DELETE', 'q')).to.equal(0);
      expect(await errorOf(redis.call('MQ.QUEUE', 'INFO', 'q'))).to.equal("NOTFOUND no queue 'q'");
      expect(await errorOf(redis.call('MQ.QUEUE', 'PURGE', 'q'))).to.equal("NOTFOUND no queue 'q'");
      expect(await errorOf(redis.call('MQ.QUEUE', 'BIND', 'q', 'e', 'k'))).to.equal("NOTFOUND no queue 'q'");
      expect(await errorOf(redis.call('MQ.QUEUE', 'BIND', 'other', 'nope', 'k'))).to.equal("NOTFOUND no exchange 'nope'");
      expect(await errorOf(redis.call('MQ.QUEUE', 'BIND', 'other', '', 'k'))).to.match(/^PRECONDITION access refused/);
      expect(await errorOf(redis.call('MQ.QUEUE', 'BIND', 'other', 'e', 'k', 'HEADERS', '2', 'a'))).to.equal('ERR syntax error');
    });

    it('every command and subcommand refuses a wrong number of arguments', async () => {
      const cases: [string[], string][] = [
        [['MQ.EXCHANGE'], 'mq.exchange'], [['MQ.EXCHANGE', 'LIST', 'x'], 'mq.exchange|list'], [['MQ.EXCHANGE', 'DELETE'], 'mq.exchange|delete'],
        [['MQ.EXCHANGE', 'HELP', 'x'], 'mq.exchange|help'], [['MQ.QUEUE'], 'mq.queue'], [['MQ.QUEUE', 'BIND', 'q'], 'mq.queue|bind'],
        [['MQ.QUEUE', 'UNBIND', 'q'], 'mq.queue|unbind'], [['MQ.QUEUE', 'DELETE'], 'mq.queue|delete'], [['MQ.QUEUE', 'PURGE'], 'mq.queue|purge'],
        [['MQ.QUEUE', 'PURGE', 'a', 'b'], 'mq.queue|purge'], [['MQ.QUEUE', 'INFO'], 'mq.queue|info'], [['MQ.QUEUE', 'INFO', 'a', 'b'], 'mq.queue|info'],
        [['MQ.NACK', 'q'], 'mq.nack'], [['MQ.QOS', '1', '2'], 'mq.qos'],
      ];
      for (const [args, name] of cases) expect(await errorOf(redis.call(args[0], ...args.slice(1))), args.join(' ')).to.equal(arityError(name));
      expect(await errorOf(redis.call('MQ.QUEUE', 'LIST', 'a', 'b'))).to.equal('ERR syntax error');
      expect(await errorOf(redis.call('MQ.QUEUE', 'DELETE', 'q', 'NOW'))).to.equal('ERR syntax error');
      expect(await errorOf(redis.call('MQ.EXCHANGE', 'DELETE', 'e', 'NOW'))).to.equal('ERR syntax error');
    });

    it('names are binary safe, __proto__ included', async () => {
      for (const name of [BIN, '__proto__', 'constructor']) {
        await redis.call('MQ.EXCHANGE', 'DECLARE', Buffer.from(name, 'latin1'), 'direct');
        await redis.call('MQ.QUEUE', 'DECLARE', Buffer.from(name, 'latin1'));
        await redis.call('MQ.QUEUE', 'BIND', Buffer.from(name, 'latin1'), Buffer.from(name, 'latin1'), Buffer.from(name, 'latin1'));
        expect(await redis.call('MQ.PUBLISH', Buffer.from(name, 'latin1'), Buffer.from(name, 'latin1'), Buffer.from(BIN, 'latin1'))).to.equal(1);
        const reply = (await redis.callBuffer('MQ.GET', Buffer.from(name, 'latin1'), 'NOACK')) as Buffer[][];
        const fields = new Map<string, Buffer>();
        for (let i = 0; i < reply[0].length; i += 2) fields.set(reply[0][i].toString(), reply[0][i + 1]);
        expect(fields.get('body')!.equals(ALL_BYTES)).to.equal(true);
        expect(fields.get('exchange')!.toString('latin1')).to.equal(name);
        expect(fields.get('routing-key')!.toString('latin1')).to.equal(name);
      }
    });

    it('HELP, and the commands are in COMMAND with group module and no keys', async () => {
      expect(((await redis.call('MQ.QUEUE', 'HELP')) as string[])[0]).to.match(/^MQ\.QUEUE <subcommand>/);
      expect(((await redis.call('MQ.EXCHANGE', 'HELP')) as string[])[0]).to.match(/^MQ\.EXCHANGE <subcommand>/);
      const [publish] = (await redis.call('COMMAND', 'INFO', 'mq.publish')) as unknown[][];
      expect(publish[0]).to.equal('mq.publish');
      expect(publish[1]).to.equal(-4);
      expect(publish.slice(3, 6)).to.deep.equal([0, 0, 0]);
      const docs = (await redis.call('COMMAND', 'DOCS', 'mq.get')) as unknown[];
      expect(JSON.stringify(docs)).to.include('"group","module"');
    });
  });

  describe('publishing and getting', () => {
    it('MQ.PUBLISH with every property; MQ.GET gives each field, absent ones left out', async () => {
      await redis.call('MQ.QUEUE', 'DECLARE', 'q');
      const before = Date.now();
      expect(await redis.call('MQ.PUBLISH', '', 'q', 'hello', 'PERSISTENT', 'REPLYTO', 'answers', 'CORRELATIONID', 'c1', 'MESSAGEID', 'm1', 'EXPIRATION', '60000', 'PRIORITY', '3', 'HEADERS', '2', 'h1', 'v1', 'h2', 'v2', 'MANDATORY')).to.equal(1);
      await redis.call('MQ.PUBLISH', '', 'q', 'plain');
      const [full, plain] = await get(redis, 'q', 'COUNT', '5');
      expect([...full.keys()]).to.deep.equal(['tag', 'body', 'exchange', 'routing-key', 'redelivered', 'delivery-count', 'persistent', 'reply-to', 'correlation-id', 'message-id', 'timestamp', 'headers']);
      expect(full.get('tag')).to.equal(1);
      expect(full.get('body')).to.equal('hello');
      expect(full.get('exchange')).to.equal('');
      expect(full.get('routing-key')).to.equal('q');
      expect(full.get('redelivered')).to.equal(0);
      expect(full.get('delivery-count')).to.equal(1);
      expect(full.get('persistent')).to.equal(1);
      expect(full.get('reply-to')).to.equal('answers');
      expect(full.get('correlation-id')).to.equal('c1');
      expect(full.get('message-id')).to.equal('m1');
      expect(full.get('timestamp') as number).to.be.within(before, Date.now());
      expect(full.get('headers')).to.deep.equal(['h1', 'v1', 'h2', 'v2']);
      expect([...plain.keys()]).to.deep.equal(['tag', 'body', 'exchange', 'routing-key', 'redelivered', 'delivery-count', 'persistent', 'timestamp']);
      expect(plain.get('tag')).to.equal(2);
      expect(plain.get('persistent')).to.equal(0);
    });

    it('under RESP3 each delivery is a map, its headers too', async () => {
      await redis.call('MQ.QUEUE', 'DECLARE', 'q');
      await redis.call('MQ.PUBLISH', '', 'q', 'm', 'HEADERS', '1', 'k', 'v');
      const raw = await RawClient.connect(server);
      try {
        await switchToResp3(raw);
        raw.command('MQ.GET', 'q', 'NOACK');
        await expectBytes(raw, '*1\r\n%9\r\n$3\r\ntag\r\n:1\r\n$4\r\nbody\r\n$1\r\nm\r\n$8\r\nexchange\r\n$0\r\n\r\n$11\r\nrouting-key\r\n$1\r\nq\r\n'
          + '$11\r\nredelivered\r\n:0\r\n$14\r\ndelivery-count\r\n:1\r\n$10\r\npersistent\r\n:0\r\n$9\r\ntimestamp\r\n');
        expect((await raw.readLines(1))[0]).to.match(/^:\d{13}$/);
        await expectBytes(raw, '$7\r\nheaders\r\n%1\r\n$1\r\nk\r\n$1\r\nv\r\n');
        raw.command('MQ.GET', 'q');
        await expectBytes(raw, '_\r\n');
      } finally {
        raw.close();
      }
    });

    it('MQ.PUBLISH errors: unknown exchange, MANDATORY without a route, options', async () => {
      expect(await errorOf(redis.call('MQ.PUBLISH', 'nope', 'k', 'body'))).to.equal("NOTFOUND no exchange 'nope'");
      expect(await redis.call('MQ.PUBLISH', '', 'no-such-queue', 'body')).to.equal(0);
      expect(await errorOf(redis.call('MQ.PUBLISH', '', 'no-such-queue', 'body', 'MANDATORY'))).to.match(/^NOROUTE /);
      expect(await errorOf(redis.call('MQ.PUBLISH', '', 'q'))).to.equal(arityError('mq.publish'));
      expect(await errorOf(redis.call('MQ.PUBLISH', '', 'q', 'b', 'REPLYTO'))).to.equal('ERR syntax error');
      expect(await errorOf(redis.call('MQ.PUBLISH', '', 'q', 'b', 'EXPIRATION', '-5'))).to.equal('ERR value is not an integer or out of range');
      expect(await errorOf(redis.call('MQ.PUBLISH', '', 'q', 'b', 'PRIORITY', '256'))).to.equal('ERR value is not an integer or out of range');
      expect(await errorOf(redis.call('MQ.PUBLISH', '', 'q', 'b', 'HEADERS', '3', 'a', 'b'))).to.equal('ERR syntax error');
      expect(await errorOf(redis.call('MQ.PUBLISH', '', 'q', 'b', 'HEADERS', '-1'))).to.equal('ERR value is not an integer or out of range');
      expect(await errorOf(redis.call('MQ.PUBLISH', '', 'q', 'b', 'LOUD'))).to.equal('ERR syntax error');
    });

    it('MQ.GET errors and nil when nothing is there', async () => {
      await redis.call('MQ.QUEUE', 'DECLARE', 'q');
      expect(await redis.call('MQ.GET', 'q')).to.equal(null);
      expect(await errorOf(redis.call('MQ.GET', 'missing'))).to.equal("NOTFOUND no queue 'missing'");
      expect(await errorOf(redis.call('MQ.GET', 'q', 'COUNT', '0'))).to.equal('ERR value is not an integer or out of range');
      expect(await errorOf(redis.call('MQ.GET', 'q', 'BLOCK', '-1'))).to.equal('ERR value is not an integer or out of range');
      expect(await errorOf(redis.call('MQ.GET', 'q', 'COUNT'))).to.equal('ERR syntax error');
      expect(await errorOf(redis.call('MQ.GET', 'q', 'FAST'))).to.equal('ERR syntax error');
      expect(await errorOf(redis.call('MQ.GET'))).to.equal(arityError('mq.get'));
      const started = Date.now();
      expect(await redis.call('MQ.GET', 'q', 'BLOCK', '50')).to.equal(null);
      expect(Date.now() - started).to.be.at.least(45);
      // Inside MULTI a blocking get answers at once, as BLPOP does.
      expect(await redis.multi().call('MQ.GET', 'q', 'BLOCK', '0').exec()).to.deep.equal([[null, null]]);
    });

    it('FIFO per queue; COUNT takes several; NOACK settles at once', async () => {
      await redis.call('MQ.QUEUE', 'DECLARE', 'q');
      for (let i = 0; i < 5; i++) await redis.call('MQ.PUBLISH', '', 'q', `m${i}`);
      expect(bodies(await get(redis, 'q', 'COUNT', '2'))).to.deep.equal(['m0', 'm1']);
      expect(bodies(await get(redis, 'q', 'COUNT', '2', 'NOACK'))).to.deep.equal(['m2', 'm3']);
      const info = (await redis.call('MQ.QUEUE', 'INFO', 'q')) as unknown[];
      expect(info.slice(6, 10)).to.deep.equal(['ready', 1, 'unacked', 2]);
    });

    it('MQ.ACK and MQ.NACK: counts, unknown tags, foreign connections, requeue to the original position', async () => {
      await redis.call('MQ.QUEUE', 'DECLARE', 'q');
      for (let i = 0; i < 4; i++) await redis.call('MQ.PUBLISH', '', 'q', `m${i}`);
      const taken = await get(redis, 'q', 'COUNT', '3');
      const other = client();
      expect(await errorOf(other.call('MQ.ACK', 'q', tags(taken)[0]))).to.equal(`ERR unknown delivery tag ${tags(taken)[0]}`);
      expect(await errorOf(redis.call('MQ.ACK', 'q', tags(taken)[0], '99'))).to.equal('ERR unknown delivery tag 99');
      expect(await errorOf(redis.call('MQ.ACK', 'q', 'x'))).to.equal('ERR value is not an integer or out of range');
      // Nothing was acked by the refused calls.
      expect(await redis.call('MQ.ACK', 'q', tags(taken)[0])).to.equal(1);
      expect(await errorOf(redis.call('MQ.ACK', 'q', tags(taken)[0]))).to.equal(`ERR unknown delivery tag ${tags(taken)[0]}`);
      expect(await redis.call('MQ.NACK', 'q', tags(taken)[1], tags(taken)[2])).to.equal(2);
      const again = await get(redis, 'q', 'COUNT', '10');
      expect(bodies(again)).to.deep.equal(['m1', 'm2', 'm3']);
      expect(again.map((d) => d.get('redelivered'))).to.deep.equal([1, 1, 0]);
      expect(again.map((d) => d.get('delivery-count'))).to.deep.equal([2, 2, 1]);
      expect(await errorOf(redis.call('MQ.NACK', 'q', tags(again)[0], 'FORGET'))).to.equal('ERR value is not an integer or out of range');
      expect(await errorOf(redis.call('MQ.NACK', 'q', 'REQUEUE'))).to.equal(arityError('mq.nack'));
      expect(await errorOf(redis.call('MQ.ACK', 'q'))).to.equal(arityError('mq.ack'));
    });

    it('MQ.QOS limits unacked deliveries per connection; a settled delivery frees room for a waiting get', async () => {
      await redis.call('MQ.QUEUE', 'DECLARE', 'q');
      for (let i = 0; i < 5; i++) await redis.call('MQ.PUBLISH', '', 'q', `m${i}`);
      const worker = client();
      expect(await worker.call('MQ.QOS', '2')).to.equal('OK');
      const first = await get(worker, 'q', 'COUNT', '5');
      expect(bodies(first)).to.deep.equal(['m0', 'm1']);
      expect(await worker.call('MQ.GET', 'q')).to.equal(null);
      // NOACK deliveries are not counted against the limit.
      expect(bodies(await get(worker, 'q', 'NOACK'))).to.deep.equal(['m2']);
      expect(await worker.call('MQ.ACK', 'q', tags(first)[0])).to.equal(1);
      expect(bodies(await get(worker, 'q', 'COUNT', '5'))).to.deep.equal(['m3']);
      // At the limit, a blocking get waits, and is served once a delivery is settled elsewhere:
      // here the ack timeout of the queue is what frees it.
      expect(await errorOf(worker.call('MQ.QOS', '-1'))).to.equal('ERR value is not an integer or out of range');
      expect(await errorOf(worker.call('MQ.QOS'))).to.equal(arityError('mq.qos'));
      expect(await worker.call('MQ.QOS', '0')).to.equal('OK');
      expect(bodies(await get(worker, 'q', 'COUNT', '5'))).to.deep.equal(['m4']);
    });

    it('a waiting get limited by prefetch is served when its connection\'s deliveries come back', async () => {
      await redis.call('MQ.QUEUE', 'DECLARE', 'q', 'ACKTIMEOUT', '100');
      const worker = client();
      await worker.call('MQ.QOS', '1');
      await redis.call('MQ.PUBLISH', '', 'q', 'a');
      await redis.call('MQ.PUBLISH', '', 'q', 'b');
      expect(bodies(await get(worker, 'q'))).to.deep.equal(['a']);
      // The unacked 'a' times out, goes back first, and the waiting get (now under its limit) takes it again.
      const again = await get(worker, 'q', 'BLOCK', '5000');
      expect(bodies(again)).to.deep.equal(['a']);
      expect(again[0].get('redelivered')).to.equal(1);
    });
  });

  describe('work queues', () => {
    it('waiting workers take turns, first come first served', async () => {
      await redis.call('MQ.QUEUE', 'DECLARE', 'tasks');
      const workers = [client(), client(), client(), client()];
      const got: Promise<Delivery[]>[] = [];
      for (const worker of workers) {
        got.push(get(worker, 'tasks', 'BLOCK', '0'));
        await until(() => server.blocking.blockedClients === got.length);
      }
      for (let i = 0; i < 4; i++) await redis.call('MQ.PUBLISH', '', 'tasks', `t${i}`);
      expect((await Promise.all(got)).map(bodies)).to.deep.equal([['t0'], ['t1'], ['t2'], ['t3']]);
      const info = (await redis.call('MQ.QUEUE', 'INFO', 'tasks')) as unknown[];
      expect(info.slice(8, 12)).to.deep.equal(['unacked', 4, 'consumers', 4]);
    });

    it('unacked deliveries of a worker that goes away return to the next worker, flagged, in order', async () => {
      await redis.call('MQ.QUEUE', 'DECLARE', 'tasks');
      for (let i = 0; i < 5; i++) await redis.call('MQ.PUBLISH', '', 'tasks', `t${i}`);
      const dying = client();
      const taken = await get(dying, 'tasks', 'COUNT', '3');
      expect(bodies(taken)).to.deep.equal(['t0', 't1', 't2']);
      await dying.call('MQ.ACK', 'tasks', tags(taken)[1]);
      const survivor = client();
      expect(bodies(await get(survivor, 'tasks', 'COUNT', '2'))).to.deep.equal(['t3', 't4']);
      const waiting = get(survivor, 'tasks', 'COUNT', '10', 'BLOCK', '0');
      await until(() => server.blocking.blockedClients === 1);
      dying.disconnect();
      const back = await waiting;
      expect(bodies(back)).to.deep.equal(['t0', 't2']);
      expect(back.map((d) => d.get('redelivered'))).to.deep.equal([1, 1]);
      expect(back.map((d) => d.get('delivery-count'))).to.deep.equal([2, 2]);
    });

    it('DELIVERYLIMIT: a message back unacked after its last delivery is dead-lettered', async () => {
      await redis.call('MQ.EXCHANGE', 'DECLARE', 'dlx', 'fanout');
      await redis.call('MQ.QUEUE', 'DECLARE', 'dead');
      await redis.call('MQ.QUEUE', 'BIND', 'dead', 'dlx');
      await redis.call('MQ.QUEUE', 'DECLARE', 'q', 'DELIVERYLIMIT', '2', 'DEADLETTER', 'dlx');
      await redis.call('MQ.PUBLISH', '', 'q', 'poison');
      for (let i = 0; i < 2; i++) {
        const [d] = await get(redis, 'q');
        expect(d.get('delivery-count')).to.equal(i + 1);
        await redis.call('MQ.NACK', 'q', String(d.get('tag')));
      }
      expect(await redis.call('MQ.GET', 'q')).to.equal(null);
      const [dead] = await get(redis, 'dead');
      expect(dead.get('body')).to.equal('poison');
      expect(dead.get('headers')).to.deep.equal(['x-death-queue', 'q', 'x-death-reason', 'delivery_limit', 'x-death-count', '1', 'x-death-exchange', '']);
    });

    it('dead-lettering on reject (NACK DEADLETTER), TTL and MAXLEN drop-head, with a routing key', async () => {
      await redis.call('MQ.EXCHANGE', 'DECLARE', 'dlx', 'direct');
      await redis.call('MQ.QUEUE', 'DECLARE', 'dead');
      await redis.call('MQ.QUEUE', 'BIND', 'dead', 'dlx', 'gone');
      await redis.call('MQ.QUEUE', 'DECLARE', 'q', 'TTL', '50', 'MAXLEN', '2', 'DEADLETTER', 'dlx', 'gone');
      await redis.call('MQ.PUBLISH', '', 'q', 'rejected');
      const [d] = await get(redis, 'q');
      expect(await redis.call('MQ.NACK', 'q', String(d.get('tag')), 'DEADLETTER')).to.equal(1);
      for (const body of ['one', 'two', 'three']) await redis.call('MQ.PUBLISH', '', 'q', body);
      // 'one' was dropped from the head when 'three' came; the other two expire.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const dead = await get(redis, 'dead', 'COUNT', '10', 'NOACK');
      const reasons = dead.map((x) => [x.get('body'), (x.get('headers') as string[])[3]]);
      expect(reasons).to.deep.equal([['rejected', 'rejected'], ['one', 'maxlen'], ['two', 'expired'], ['three', 'expired']]);
      const info = (await redis.call('MQ.QUEUE', 'INFO', 'q')) as unknown[];
      expect(info.slice(20, 22)).to.deep.equal(['dead-lettered', 4]);
    });

    it('MAXLEN with OVERFLOW reject-publish refuses the publish; EXPIRATION expires one message', async () => {
      await redis.call('MQ.QUEUE', 'DECLARE', 'q', 'MAXLEN', '1', 'OVERFLOW', 'reject-publish');
      expect(await redis.call('MQ.PUBLISH', '', 'q', 'a', 'EXPIRATION', '30')).to.equal(1);
      expect(await errorOf(redis.call('MQ.PUBLISH', '', 'q', 'b'))).to.equal("OOM queue 'q' is full");
      await new Promise((resolve) => setTimeout(resolve, 250));
      expect(await redis.call('MQ.PUBLISH', '', 'q', 'c')).to.equal(1);
      expect(bodies(await get(redis, 'q', 'COUNT', '5'))).to.deep.equal(['c']);
    });

    it('mq-max-memory refuses publishes with -OOM', async () => {
      await redis.call('MQ.QUEUE', 'DECLARE', 'q');
      await redis.config('SET', 'mq-max-memory', '10kb');
      let refused = '';
      for (let i = 0; i < 100 && refused === ''; i++) refused = await redis.call('MQ.PUBLISH', '', 'q', 'x'.repeat(1000)).then(() => '', (e: Error) => e.message);
      expect(refused).to.match(/^OOM /);
      await redis.call('MQ.QUEUE', 'PURGE', 'q');
      expect(await redis.call('MQ.PUBLISH', '', 'q', 'small')).to.equal(1);
      expect(String(await redis.info('broker'))).to.match(/# Broker\r\nmq_queues:1\r\n/);
    });
  });

  describe('exchanges and queues', () => {
    it('a topic exchange routes by binding key: * one word, # zero or more', async () => {
      await redis.call('MQ.EXCHANGE', 'DECLARE', 't', 'topic');
      const bindings: Record<string, string[]> = {
        star: ['*.critical'], hash: ['#'], kern: ['kern.#'], middle: ['a.#.b'], exact: ['kern.info'], twice: ['kern.*', '*.critical'], empty: [''],
      };
      for (const [queue, keys] of Object.entries(bindings)) {
        await redis.call('MQ.QUEUE', 'DECLARE', queue);
        for (const key of keys) await redis.call('MQ.QUEUE', 'BIND', queue, 't', key);
      }
      const table: [string, string[]][] = [
        ['kern.critical', ['star', 'hash', 'kern', 'twice']],
        ['kern.info', ['hash', 'kern', 'exact', 'twice']],
        ['kern', ['hash', 'kern']],
        ['a.b', ['hash', 'middle']],
        ['a.x.y.b', ['hash', 'middle']],
        ['critical', ['hash']],
        ['', ['hash', 'empty']],
        ['x.kern.critical', ['hash']],
      ];
      for (const [key, expected] of table) {
        expect(await redis.call('MQ.PUBLISH', 't', key, key), key).to.equal(expected.length);
        for (const queue of Object.keys(bindings)) {
          const got = bodies(await get(redis, queue, 'COUNT', '5', 'NOACK'));
          expect(got, `${key} -> ${queue}`).to.deep.equal(expected.includes(queue) ? [key] : []);
        }
      }
    });

    it('fanout copies to every bound queue; direct matches the key exactly; headers match all or any', async () => {
      await redis.call('MQ.EXCHANGE', 'DECLARE', 'f', 'fanout');
      await redis.call('MQ.EXCHANGE', 'DECLARE', 'd', 'direct');
      await redis.call('MQ.EXCHANGE', 'DECLARE', 'h', 'headers');
      for (const q of ['q1', 'q2', 'q3']) await redis.call('MQ.QUEUE', 'DECLARE', q);
      await redis.call('MQ.QUEUE', 'BIND', 'q1', 'f', 'ignored');
      await redis.call('MQ.QUEUE', 'BIND', 'q2', 'f');
      expect(await redis.call('MQ.PUBLISH', 'f', 'whatever', 'x')).to.equal(2);
      await redis.call('MQ.QUEUE', 'BIND', 'q3', 'd', 'error');
      expect(await redis.call('MQ.PUBLISH', 'd', 'error', 'x')).to.equal(1);
      expect(await redis.call('MQ.PUBLISH', 'd', 'errors', 'x')).to.equal(0);
      await redis.call('MQ.QUEUE', 'BIND', 'q1', 'h', '', 'HEADERS', '3', 'x-match', 'all', 'format', 'pdf', 'type', 'report');
      await redis.call('MQ.QUEUE', 'BIND', 'q2', 'h', '', 'HEADERS', '3', 'x-match', 'any', 'format', 'pdf', 'type', 'log');
      expect(await redis.call('MQ.PUBLISH', 'h', '', 'x', 'HEADERS', '2', 'format', 'pdf', 'type', 'report')).to.equal(2);
      expect(await redis.call('MQ.PUBLISH', 'h', '', 'x', 'HEADERS', '1', 'type', 'log')).to.equal(1);
      expect(await redis.call('MQ.PUBLISH', 'h', '', 'x', 'HEADERS', '1', 'format', 'zip')).to.equal(0);
      expect(await errorOf(redis.call('MQ.QUEUE', 'BIND', 'q3', 'h', '', 'HEADERS', '1', 'x-match', 'some'))).to.match(/^PRECONDITION invalid x-match field value 'some'/);
    });

    it('an exclusive queue belongs to its connection and goes away with it', async () => {
      const owner = client();
      const [name] = (await owner.call('MQ.QUEUE', 'DECLARE', '', 'EXCLUSIVE')) as [string];
      await owner.call('MQ.PUBLISH', '', name, 'x');
      for (const args of [['DECLARE', name], ['PURGE', name], ['INFO', name], ['DELETE', name], ['BIND', name, 'amq.direct', 'k']]) {
        expect(await errorOf(redis.call('MQ.QUEUE', ...args)), args.join(' ')).to.equal(`LOCKED cannot obtain exclusive access to locked queue '${name}'`);
      }
      expect(await errorOf(redis.call('MQ.GET', name))).to.match(/^LOCKED /);
      owner.disconnect();
      await until(() => !server.broker.list().includes(name));
      expect(await errorOf(redis.call('MQ.QUEUE', 'INFO', name))).to.equal(`NOTFOUND no queue '${name}'`);
    });

    it('an AUTODELETE queue goes when its last consumer goes; an AUTODELETE exchange with its last binding', async () => {
      await redis.call('MQ.EXCHANGE', 'DECLARE', 'e', 'fanout', 'AUTODELETE');
      await redis.call('MQ.QUEUE', 'DECLARE', 'q', 'AUTODELETE');
      await redis.call('MQ.QUEUE', 'BIND', 'q', 'e');
      const consumer = client();
      expect(await consumer.call('MQ.GET', 'q')).to.equal(null);
      consumer.disconnect();
      await until(() => !server.broker.list().includes('q'));
      expect(await errorOf(redis.call('MQ.PUBLISH', 'e', '', 'x'))).to.equal("NOTFOUND no exchange 'e'");
    });
  });

  describe('examples/', () => {
    it('work-queue: every task done once, by workers taking turns', async () => {
      const { runWorkQueue } = await import('../examples/work-queue.js');
      const doneBy = await runWorkQueue(server.port, 12, 3);
      const all = [...doneBy.values()].flat();
      expect(all.sort()).to.deep.equal(Array.from({ length: 12 }, (_, i) => `task ${i + 1} ${'.'.repeat(1 + ((i + 1) % 3))}`).sort());
      for (const tasks of doneBy.values()) expect(tasks.length).to.be.at.least(2);
    });

    it('fanout-logs, direct-routing and topic-routing deliver what the notes say', async () => {
      const { runFanoutLogs } = await import('../examples/fanout-logs.js');
      const lines = ['info: started', 'warning: disk 80% full', 'error: disk full'];
      expect(await runFanoutLogs(server.port)).to.deep.equal([lines, lines]);
      const { runDirectRouting } = await import('../examples/direct-routing.js');
      expect(Object.fromEntries(await runDirectRouting(server.port))).to.deep.equal({
        'errors to disk': ['error: payment failed'],
        'everything to screen': ['info: user logged in', 'error: payment failed', 'warning: slow query'],
      });
      const { runTopicRouting } = await import('../examples/topic-routing.js');
      expect(Object.fromEntries(await runTopicRouting(server.port))).to.deep.equal({
        'kern.*': ['kern.critical', 'kern.info'],
        '*.critical': ['kern.critical', 'auth.critical'],
        'kern.# and *.critical': ['kern.critical', 'kern.info', 'auth.critical', 'kern'],
        '#': ['kern.critical', 'kern.info', 'auth.critical', 'auth.info.detail', 'kern'],
      });
      // Their exclusive queues went with their connections.
      await until(() => server.broker.stats().queues === 0);
    });

    it('rpc: concurrent callers each get the answer to their own request', async () => {
      const { RpcClient, startRpcServer } = await import('../examples/rpc.js');
      const rpcServer = startRpcServer(server.port);
      const callers = await Promise.all([RpcClient.open(server.port), RpcClient.open(server.port)]);
      try {
        const inputs = [10, 20, 1, 30, 5, 25, 2, 15];
        const answers = await Promise.all(inputs.map((n, i) => callers[i % 2].call(n)));
        const fibonacci = (n: number): number => (n < 2 ? n : fibonacci(n - 1) + fibonacci(n - 2));
        expect(answers).to.deep.equal(inputs.map(fibonacci));
      } finally {
        for (const caller of callers) caller.close();
        await rpcServer.stop();
      }
    });
  });
});

describe('broker: durability', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nodis-broker-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  /** A server on `dir`, a client, and what to do with them; the server is shut down after. */
  async function withServer<T>(use: (redis: Redis, server: Server) => Promise<T>, args: string[] = []): Promise<T> {
    const server = await startTestServer(['--dir', dir, ...args]);
    const redis = connect(server, { protocol: 2 });
    try {
      return await use(redis, server);
    } finally {
      redis.disconnect();
      await server.shutdown();
    }
  }

  /** Durable and transient things of every kind, one persistent message left unacked. */
  async function fill(redis: Redis): Promise<void> {
    await redis.call('MQ.EXCHANGE', 'DECLARE', 'dx', 'topic', 'DURABLE');
    await redis.call('MQ.EXCHANGE', 'DECLARE', 'tx', 'fanout');
    await redis.call('MQ.QUEUE', 'DECLARE', 'dq', 'DURABLE', 'TTL', '3600000', 'DEADLETTER', 'dx', 'dead');
    await redis.call('MQ.QUEUE', 'DECLARE', 'tq');
    await redis.call('MQ.QUEUE', 'BIND', 'dq', 'dx', 'a.#');
    await redis.call('MQ.QUEUE', 'BIND', 'tq', 'dx', '#');
    await redis.call('MQ.PUBLISH', 'dx', 'a.1', 'first', 'PERSISTENT', 'CORRELATIONID', 'c1', 'HEADERS', '1', 'h', Buffer.from(BIN, 'latin1'));
    await redis.call('MQ.PUBLISH', 'dx', 'a.2', 'transient');
    await redis.call('MQ.PUBLISH', 'dx', 'a.3', Buffer.from(BIN, 'latin1'), 'PERSISTENT');
    await redis.call('MQ.PUBLISH', 'dx', 'a.4', 'acked', 'PERSISTENT');
    await redis.call('MQ.PUBLISH', 'dx', 'a.5', 'last', 'PERSISTENT');
    const taken = await get(redis, 'dq', 'COUNT', '4');
    expect(bodies(taken)).to.deep.equal(['first', 'transient', BIN, 'acked']);
    await redis.call('MQ.ACK', 'dq', tags(taken)[3]);
    await redis.call('MQ.NACK', 'dq', tags(taken)[1]);
  }

  /** What a restarted server must hold after `fill`. */
  async function expectFilled(redis: Redis): Promise<void> {
    const exchanges = (await redis.call('MQ.EXCHANGE', 'LIST')) as unknown[][];
    expect(exchanges.map((e) => e[0])).to.include('dx').and.not.include('tx');
    expect(await redis.call('MQ.QUEUE', 'LIST')).to.include('dq').and.not.include('tq');
    const info = (await redis.call('MQ.QUEUE', 'INFO', 'dq')) as unknown[];
    expect(info[info.length - 1]).to.deep.equal([['', 'dq'], ['dx', 'a.#']]);
    const back = await get(redis, 'dq', 'COUNT', '10');
    // The unacked ones come back first (their original places), flagged; the transient one is gone.
    expect(bodies(back)).to.deep.equal(['first', BIN, 'last']);
    expect(back.map((d) => d.get('redelivered'))).to.deep.equal([1, 1, 0]);
    expect(back[0].get('correlation-id')).to.equal('c1');
    expect(back[0].get('headers')).to.deep.equal(['h', BIN]);
    expect(back[0].get('persistent')).to.equal(1);
    // Settings came back too: the dead-letter exchange and the binding route a rejected message.
    await redis.call('MQ.QUEUE', 'BIND', 'dq', 'dx', 'dead');
    await redis.call('MQ.NACK', 'dq', tags(back)[2], 'DEADLETTER');
    expect(bodies(await get(redis, 'dq', 'COUNT', '10'))).to.deep.equal(['last']);
  }

  it('durable exchanges, queues, bindings and persistent messages survive a restart; transient ones do not', async () => {
    await withServer(fill);
    await withServer(expectFilled);
  });

  it('a snapshot carries the broker in an AUX field: a dump.rdb alone brings it back; redis-check-rdb accepts it', async function () {
    await withServer(async (redis, server) => {
      await fill(redis);
      expect(await redis.call('SAVE')).to.equal('OK');
      server.persistence.brokerJournal.close();
    });
    rmSync(join(dir, 'mq-journal.aof'));
    await withServer(async (redis) => {
      // The state the snapshot brought is journalled at start-up, before any change.
      expect(existsSync(join(dir, 'mq-journal.aof'))).to.equal(true);
      await expectFilled(redis);
    });
    requireBinary(this, 'redis-check-rdb');
    const result = spawnSync('redis-check-rdb', [join(dir, 'dump.rdb')], { encoding: 'latin1' });
    expect(`${result.stdout}${result.stderr}`).to.match(/RDB looks OK/);
  });

  it('a rewrite compacts the journal to the state; the new journal loads back the same', async () => {
    await withServer(async (redis, server) => {
      await fill(redis);
      // Churn: persistent messages published and consumed leave records a rewrite drops.
      await redis.call('MQ.QUEUE', 'DECLARE', 'churn', 'DURABLE');
      for (let i = 0; i < 300; i++) {
        await redis.call('MQ.PUBLISH', '', 'churn', 'x'.repeat(100), 'PERSISTENT');
        await redis.call('MQ.GET', 'churn', 'NOACK');
      }
      const journal = server.persistence.brokerJournal;
      const before = journal.size;
      expect(journal.rewrite()).to.equal(true);
      // Changes made while it runs land after the rewritten state.
      await redis.call('MQ.PUBLISH', '', 'churn', 'during', 'PERSISTENT');
      await until(() => !journal.rewriting);
      expect(journal.size).to.be.below(before / 4);
    });
    await withServer(async (redis) => {
      expect(bodies(await get(redis, 'churn', 'COUNT', '10', 'NOACK'))).to.deep.equal(['during']);
      await expectFilled(redis);
    });
  });

  it('examples/durable-queue: persistent messages sent before a restart are received after it', async () => {
    const { send, receive } = await import('../examples/durable-queue.js');
    await withServer((_, server) => send(server.port, 3));
    expect(await withServer((_, server) => receive(server.port))).to.deep.equal(['persistent 1', 'persistent 2', 'persistent 3']);
  });

  it('with appendfsync always, every confirmed persistent publish survives kill -9', async function () {
    this.timeout(60_000);
    const serverProcess = await startServerProcess(['--dir', dir, '--appendfsync', 'always']);
    const client = connect(serverProcess, { protocol: 2 });
    let confirmed = 0;
    try {
      await client.call('MQ.QUEUE', 'DECLARE', 'jobs', 'DURABLE');
      let next = 0;
      for (let batch = 0; batch < 40 && serverProcess.child.exitCode === null && serverProcess.child.signalCode === null; batch++) {
        const publishes: Promise<unknown>[] = [];
        for (let i = 0; i < 200; i++) publishes.push(client.call('MQ.PUBLISH', '', 'jobs', String(next++), 'PERSISTENT').then(() => confirmed++));
        if (batch === 20) setTimeout(() => serverProcess.child.kill('SIGKILL'), 1);
        await Promise.allSettled(publishes);
      }
    } finally {
      client.disconnect();
    }
    await new Promise((resolve) => (serverProcess.child.exitCode !== null || serverProcess.child.signalCode !== null ? resolve(null) : serverProcess.child.once('exit', resolve)));
    const again = await startServerProcess(['--dir', dir]);
    const check = connect(again, { protocol: 2 });
    try {
      for (let tries = 0; tries < 200 && (await check.ping().catch(() => 'LOADING')) !== 'PONG'; tries++) await new Promise((r) => setTimeout(r, 20));
      const [, ready] = (await check.call('MQ.QUEUE', 'DECLARE', 'jobs', 'DURABLE')) as [string, number];
      expect(confirmed).to.be.above(0);
      expect(ready).to.be.at.least(confirmed);
      const got = bodies(await get(check, 'jobs', 'COUNT', String(confirmed), 'NOACK'));
      expect(got).to.deep.equal(Array.from({ length: confirmed }, (_, i) => String(i)));
    } finally {
      check.disconnect();
      await again.stop();
    }
  });
});
