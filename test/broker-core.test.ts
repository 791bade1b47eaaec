import { expect } from 'chai';
import {
  Broker, BrokerError, MESSAGE_OVERHEAD, type Delivery, type Headers, type Message,
} from '../src/broker/index.js';
import { SeqDeque } from '../src/broker/seq-deque.js';
import { TopicRouter } from '../src/broker/topic.js';

/** Every byte value once, as a latin1 string. */
const ALL_BYTES = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join('');

/** A clock the tests move by hand; it starts far from 0 as real time does. */
class Clock {
  time = 1_000_000;
  readonly now = () => this.time;
}

function ok<T>(result: T | BrokerError): T {
  if (result instanceof BrokerError) throw new Error(`unexpected ${result.code} ${result.message}`);
  return result;
}

/** The error as the command layer renders it, without the '-'. */
function failure(result: unknown): string {
  expect(result).to.be.instanceOf(BrokerError);
  const error = result as BrokerError;
  return `${error.code} ${error.message}`;
}

const bodies = (deliveries: readonly Delivery[]) => deliveries.map((delivery) => delivery.message.body);
const header = (message: Message, key: string) => message.headers?.find((pair) => pair[0] === key)?.[1];

describe('broker core', () => {
  let clock: Clock;
  let broker: Broker;
  const alice = { name: 'alice' };
  const bob = { name: 'bob' };

  beforeEach(() => {
    clock = new Clock();
    broker = new Broker({ now: clock.now });
  });

  /** Takes everything ready in `queue` without ack. */
  const drain = (queue: string, owner: object = alice) => ok(broker.get(owner, queue, 1_000_000, true));

  const declare = (name: string, options = {}, owner: object = alice) => ok(broker.declareQueue(owner, name, options)).name;

  const publish = (exchange: string, key: string, ...messages: string[]) => {
    for (const body of messages) ok(broker.publish(exchange, key, body));
  };

  describe('topic matching', () => {
    /** [binding key, routing key, matches] */
    const CASES: [string, string, boolean][] = [
      ['#', '', true],
      ['#', 'a', true],
      ['#', 'a.b.c', true],
      ['#.#', '', true],
      ['*', '', false],
      ['*', 'a', true],
      ['*', 'a.b', false],
      ['*.*', '.', true], // two empty words
      ['a.*', 'a', false],
      ['a.*', 'a.b', true],
      ['a.*', 'a.b.c', false],
      ['a.#', 'a', true],
      ['a.#', 'a.b.c', true],
      ['a.#', 'b', false],
      ['#.b', 'b', true],
      ['#.b', 'a.a.b', true],
      ['#.b', 'b.a', false],
      ['a.#.b', 'a.b', true],
      ['a.#.b', 'a.x.y.b', true],
      ['a.#.b', 'a.b.c', false],
      ['a.#.#.b', 'a.b', true],
      ['*.#.*', 'a', false],
      ['*.#.*', 'a.b', true],
      ['a.*.#', 'a', false],
      ['a.*.#', 'a.b', true],
      ['', '', true],
      ['', 'a', false],
      ['a', '', false],
      ['a..b', 'a..b', true],
      ['a.*.b', 'a..b', true],
      ['a.b', 'a..b', false],
      ['a.', 'a.', true],
      ['a.', 'a', false],
      ['a.b', 'a.*', false], // a '*' in a routing key is a literal word
      ['a.*', 'a.*', true],
      ['stock.usd.nyse', 'stock.usd.nyse', true],
      ['stock.*.nyse', 'stock.eur.nyse', true],
    ];

    it('follows RabbitMQ: * is one word, # zero or more, empty key has no words', () => {
      for (const [pattern, key, expected] of CASES) {
        const router = new TopicRouter<string>();
        router.add({ queue: pattern, key: pattern, args: [] });
        const out: string[] = [];
        router.route(key, undefined, out);
        expect(out.length > 0, `${JSON.stringify(pattern)} ~ ${JSON.stringify(key)}`).to.equal(expected);
      }
    });

    it('routes through one trie to every matching binding, and forgets deleted ones', () => {
      const router = new TopicRouter<string>();
      const bindings = ['a.*', 'a.#', '#', 'b.*', 'a.b'].map((key) => ({ queue: key, key, args: [] }));
      for (const binding of bindings) router.add(binding);
      const route = (key: string) => {
        const out: string[] = [];
        router.route(key, undefined, out);
        return out.sort();
      };
      expect(route('a.b')).to.deep.equal(['#', 'a.#', 'a.*', 'a.b']);
      expect(route('b.c')).to.deep.equal(['#', 'b.*']);
      for (const binding of bindings.slice(0, 3)) router.delete(binding);
      expect(route('a.b')).to.deep.equal(['a.b']);
      router.delete(bindings[4]);
      router.delete(bindings[4]); // absent: a no-op
      expect(route('a.b')).to.deep.equal([]);
      expect(route('b.x')).to.deep.equal(['b.*']);
    });

    it('#.#.#.#.#.#.#.#.#.x against a long non-matching key finishes fast', () => {
      const router = new TopicRouter<string>();
      router.add({ queue: 'q', key: '#.#.#.#.#.#.#.#.#.x', args: [] });
      router.add({ queue: 'r', key: 'a.#.a.#.a.#.a.#.b', args: [] });
      const key = `${'a.'.repeat(3000)}y`;
      const started = performance.now();
      const out: string[] = [];
      router.route(key, undefined, out);
      expect(out).to.deep.equal([]);
      expect(performance.now() - started).to.be.below(1000);
      router.route(`${'a.'.repeat(3000)}x`, undefined, out);
      expect(out).to.deep.equal(['q']);
    });

    it('a topic exchange delivers by pattern', () => {
      ok(broker.declareExchange('stocks', 'topic'));
      declare('usd');
      declare('nyse');
      ok(broker.bind(alice, 'usd', 'stocks', '*.usd.#'));
      ok(broker.bind(alice, 'nyse', 'stocks', '#.nyse'));
      expect(broker.publish('stocks', 'ibm.usd.nyse', 'a')).to.equal(2);
      expect(broker.publish('stocks', 'sap.eur.xetra', 'b')).to.equal(0);
      expect(broker.publish('stocks', 'ibm.usd', 'c')).to.equal(1);
      expect(bodies(drain('usd'))).to.deep.equal(['a', 'c']);
      expect(bodies(drain('nyse'))).to.deep.equal(['a']);
    });
  });

  describe('exchanges', () => {
    it('direct routes on the whole key', () => {
      ok(broker.declareExchange('logs', 'direct'));
      declare('errors');
      declare('all');
      ok(broker.bind(alice, 'errors', 'logs', 'error'));
      for (const level of ['error', 'info']) ok(broker.bind(alice, 'all', 'logs', level));
      expect(broker.publish('logs', 'error', 'e')).to.equal(2);
      expect(broker.publish('logs', 'info', 'i')).to.equal(1);
      expect(broker.publish('logs', 'err', 'x')).to.equal(0);
      expect(bodies(drain('errors'))).to.deep.equal(['e']);
      expect(bodies(drain('all'))).to.deep.equal(['e', 'i']);
    });

    it('fanout ignores the key', () => {
      ok(broker.declareExchange('news', 'fanout'));
      for (const name of ['a', 'b', 'c']) {
        declare(name);
        ok(broker.bind(alice, name, 'news', name === 'a' ? 'ignored' : ''));
      }
      expect(broker.publish('news', 'whatever', 'hello')).to.equal(3);
      for (const name of ['a', 'b', 'c']) expect(bodies(drain(name))).to.deep.equal(['hello']);
    });

    it('headers: x-match all (default) and any; x- keys do not count', () => {
      ok(broker.declareExchange('h', 'headers'));
      for (const name of ['all', 'any', 'default', 'empty']) declare(name);
      ok(broker.bind(alice, 'all', 'h', '', [['x-match', 'all'], ['format', 'pdf'], ['type', 'report'], ['x-extra', 'ignored']]));
      ok(broker.bind(alice, 'any', 'h', '', [['x-match', 'any'], ['format', 'pdf'], ['type', 'report']]));
      ok(broker.bind(alice, 'default', 'h', 'key ignored', [['format', 'pdf']]));
      ok(broker.bind(alice, 'empty', 'h', '', [])); // all of nothing: matches everything
      const route = (headers: Headers) => ok(broker.publish('h', '', 'm', { headers }));
      expect(route([['format', 'pdf'], ['type', 'report']])).to.equal(4);
      expect(route([['type', 'report'], ['format', 'pdf'], ['more', 'x']])).to.equal(4);
      expect(route([['format', 'pdf']])).to.equal(3); // any, default, empty
      expect(route([['type', 'report']])).to.equal(2); // any, empty
      expect(route([['format', 'zip']])).to.equal(1);
      expect(route([])).to.equal(1);
      expect(ok(broker.publish('h', '', 'm'))).to.equal(1);
      expect(drain('all')).to.have.length(2);
      expect(drain('any')).to.have.length(4);
      expect(drain('default')).to.have.length(3);
    });

    it('headers: a bad x-match is refused', () => {
      ok(broker.declareExchange('h', 'headers'));
      declare('q');
      expect(failure(broker.bind(alice, 'q', 'h', '', [['x-match', 'some']])))
        .to.equal("PRECONDITION invalid x-match field value 'some'; expected all or any");
      // Other types do not interpret arguments.
      expect(ok(broker.bind(alice, 'q', 'amq.direct', 'k', [['x-match', 'some']]))).to.equal(true);
    });

    it('the default exchange routes to the queue named by the key; it cannot be bound, deleted or declared', () => {
      declare('jobs');
      expect(broker.publish('', 'jobs', 'j')).to.equal(1);
      expect(broker.publish('', 'nobody', 'j')).to.equal(0);
      expect(bodies(drain('jobs'))).to.deep.equal(['j']);
      const refused = 'PRECONDITION access refused: operation not permitted on the default exchange';
      expect(failure(broker.bind(alice, 'jobs', '', 'x'))).to.equal(refused);
      expect(failure(broker.unbind(alice, 'jobs', '', 'jobs'))).to.equal(refused);
      expect(failure(broker.deleteExchange(''))).to.equal(refused);
      expect(failure(broker.declareExchange('', 'direct', { durable: true }))).to.equal(refused);
      expect(ok(broker.declareExchange('', 'direct', { passive: true }))).to.equal(false);
      expect(ok(broker.info(alice, 'jobs')).bindings).to.deep.equal([{ exchange: '', key: 'jobs' }]);
    });

    it('amq.* exchanges are predeclared and reserved, as in RabbitMQ', () => {
      expect(broker.listExchanges()).to.deep.equal([
        { name: '', type: 'direct', durable: true, autoDelete: false },
        { name: 'amq.direct', type: 'direct', durable: true, autoDelete: false },
        { name: 'amq.fanout', type: 'fanout', durable: true, autoDelete: false },
        { name: 'amq.topic', type: 'topic', durable: true, autoDelete: false },
        { name: 'amq.headers', type: 'headers', durable: true, autoDelete: false },
      ]);
      const reserved = "PRECONDITION access refused: exchange names starting with 'amq.' are reserved";
      expect(failure(broker.declareExchange('amq.mine', 'direct'))).to.equal(reserved);
      expect(ok(broker.declareExchange('amq.topic', 'topic', { durable: true }))).to.equal(false);
      expect(failure(broker.declareExchange('amq.topic', 'topic')))
        .to.equal("PRECONDITION inequivalent arg 'durable' for exchange 'amq.topic': received 'false' but current is 'true'");
      expect(failure(broker.deleteExchange('amq.direct'))).to.equal(reserved);
    });

    it('a queue matched by two bindings of an exchange gets one copy', () => {
      ok(broker.declareExchange('d', 'direct'));
      ok(broker.declareExchange('t', 'topic'));
      declare('q');
      declare('r');
      expect(ok(broker.bind(alice, 'q', 'd', 'k'))).to.equal(true);
      expect(ok(broker.bind(alice, 'q', 'd', 'k'))).to.equal(false); // same binding: a no-op
      expect(ok(broker.bind(alice, 'q', 'd', 'k', [['arg', '1']]))).to.equal(true);
      ok(broker.bind(alice, 'r', 'd', 'k'));
      for (const key of ['a.*', '#', 'a.b']) ok(broker.bind(alice, 'q', 't', key));
      expect(broker.stats().bindings).to.equal(6);
      expect(broker.publish('d', 'k', 'one')).to.equal(2);
      expect(broker.publish('t', 'a.b', 'two')).to.equal(1);
      expect(bodies(drain('q'))).to.deep.equal(['one', 'two']);
      expect(bodies(drain('r'))).to.deep.equal(['one']);
    });

    it('unbinding a missing binding is fine; missing ends are not', () => {
      ok(broker.declareExchange('d', 'direct'));
      declare('q');
      ok(broker.bind(alice, 'q', 'd', 'k', [['a', '1'], ['b', '2']]));
      expect(ok(broker.unbind(alice, 'q', 'd', 'other'))).to.equal(false);
      // Arguments are a table: their order does not matter.
      expect(ok(broker.unbind(alice, 'q', 'd', 'k', [['b', '2'], ['a', '1']]))).to.equal(true);
      expect(broker.publish('d', 'k', 'm')).to.equal(0);
      expect(failure(broker.unbind(alice, 'q', 'nope', 'k'))).to.equal("NOTFOUND no exchange 'nope'");
      expect(failure(broker.bind(alice, 'nope', 'd', 'k'))).to.equal("NOTFOUND no queue 'nope'");
    });

    it('declaring checks the type and properties; unknown types are refused', () => {
      expect(ok(broker.declareExchange('e', 'direct', { durable: true }))).to.equal(true);
      expect(ok(broker.declareExchange('e', 'direct', { durable: true }))).to.equal(false);
      expect(failure(broker.declareExchange('e', 'topic', { durable: true })))
        .to.equal("PRECONDITION inequivalent arg 'type' for exchange 'e': received 'topic' but current is 'direct'");
      expect(failure(broker.declareExchange('e', 'direct')))
        .to.equal("PRECONDITION inequivalent arg 'durable' for exchange 'e': received 'false' but current is 'true'");
      expect(failure(broker.declareExchange('e', 'direct', { durable: true, autoDelete: true })))
        .to.equal("PRECONDITION inequivalent arg 'auto_delete' for exchange 'e': received 'true' but current is 'false'");
      expect(failure(broker.declareExchange('f', 'x-delayed'))).to.equal("ERR unknown exchange type 'x-delayed'");
      expect(failure(broker.declareExchange('f', 'direct', { passive: true }))).to.equal("NOTFOUND no exchange 'f'");
    });

    it('DELETE refuses an exchange in use when asked; deletes its bindings otherwise', () => {
      ok(broker.declareExchange('e', 'fanout'));
      declare('q');
      ok(broker.bind(alice, 'q', 'e', ''));
      expect(failure(broker.deleteExchange('e', true))).to.equal("PRECONDITION exchange 'e' in use");
      expect(broker.deleteExchange('e')).to.equal(1);
      expect(broker.deleteExchange('e')).to.equal(0);
      expect(ok(broker.info(alice, 'q')).bindings).to.deep.equal([{ exchange: '', key: 'q' }]);
      expect(broker.stats().bindings).to.equal(0);
      expect(failure(broker.publish('e', '', 'm'))).to.equal("NOTFOUND no exchange 'e'");
    });

    it('an auto-delete exchange goes with its last binding, by unbind or queue deletion', () => {
      ok(broker.declareExchange('ax', 'fanout', { autoDelete: true }));
      declare('a');
      declare('b');
      ok(broker.bind(alice, 'a', 'ax', ''));
      ok(broker.bind(alice, 'b', 'ax', ''));
      ok(broker.unbind(alice, 'a', 'ax', ''));
      expect(ok(broker.declareExchange('ax', 'fanout', { passive: true }))).to.equal(false);
      ok(broker.deleteQueue(alice, 'b'));
      expect(failure(broker.declareExchange('ax', 'fanout', { passive: true }))).to.equal("NOTFOUND no exchange 'ax'");
    });
  });

  describe('publishing', () => {
    it('MANDATORY with no queue is refused and stores nothing', () => {
      ok(broker.declareExchange('e', 'direct'));
      expect(failure(broker.publish('e', 'k', 'm', {}, true))).to.equal('NOROUTE message could not be routed');
      expect(broker.publish('e', 'k', 'm')).to.equal(0);
      expect(failure(broker.publish('missing', 'k', 'm'))).to.equal("NOTFOUND no exchange 'missing'");
      expect(broker.stats()).to.include({ messagesReady: 0, memory: 0, published: 1 });
    });

    it('keeps the properties and stamps the time', () => {
      declare('q');
      const props = {
        persistent: true, replyTo: 'replies', correlationId: 'c1', messageId: 'm1', expiration: 60_000, priority: 3,
        headers: [['k', 'v']] as Headers,
      };
      ok(broker.publish('', 'q', 'body', props));
      const [delivery] = ok(broker.get(alice, 'q', 1, false));
      expect(delivery).to.include({ tag: 1, queue: 'q', redelivered: false, deliveryCount: 1 });
      expect(delivery.message).to.include({
        body: 'body', exchange: '', routingKey: 'q', persistent: true, replyTo: 'replies', correlationId: 'c1',
        messageId: 'm1', expiration: 60_000, priority: 3, timestamp: clock.time, expiresAt: clock.time + 60_000,
      });
      expect(delivery.message.headers).to.deep.equal([['k', 'v']]);
    });

    it('maxMemory refuses a publish whose copies would pass it; acks give memory back', () => {
      ok(broker.declareExchange('e', 'fanout'));
      declare('a');
      declare('b');
      ok(broker.bind(alice, 'a', 'e', ''));
      ok(broker.bind(alice, 'b', 'e', ''));
      const size = MESSAGE_OVERHEAD + 'e'.length + 'k'.length + 'body'.length;
      broker.maxMemory = size * 3;
      expect(broker.publish('e', 'k', 'body')).to.equal(2);
      expect(broker.stats().memory).to.equal(size * 2);
      expect(failure(broker.publish('e', 'k', 'body'))).to.equal('OOM broker memory limit reached');
      expect(broker.stats()).to.include({ messagesReady: 2, memory: size * 2 });
      const [delivery] = ok(broker.get(alice, 'a', 1, false));
      expect(broker.stats().memory).to.equal(size * 2); // unacked still counts
      ok(broker.ack(alice, 'a', [delivery.tag]));
      drain('b');
      expect(broker.stats().memory).to.equal(0);
      expect(broker.publish('e', 'k', 'body')).to.equal(2);
      broker.maxMemory = 0;
      for (let i = 0; i < 10; i++) ok(broker.publish('e', 'k', 'body'));
    });

    it('reject-publish: a full queue refuses, and nothing is stored anywhere', () => {
      ok(broker.declareExchange('e', 'fanout'));
      declare('roomy');
      declare('small', { maxLength: 1, overflow: 'reject-publish' });
      ok(broker.bind(alice, 'roomy', 'e', ''));
      ok(broker.bind(alice, 'small', 'e', ''));
      expect(broker.publish('e', '', 'first')).to.equal(2);
      expect(failure(broker.publish('e', '', 'second'))).to.equal("OOM queue 'small' is full");
      expect(bodies(drain('roomy'))).to.deep.equal(['first']);
      expect(bodies(drain('small'))).to.deep.equal(['first']);
      expect(broker.publish('e', '', 'third')).to.equal(2);
    });
  });

  describe('consuming', () => {
    it('get takes in FIFO order and counts deliveries; noAck settles at once', () => {
      declare('q');
      publish('', 'q', 'a', 'b', 'c');
      const first = ok(broker.get(alice, 'q', 2, false));
      expect(first.map((d) => [d.tag, d.message.body])).to.deep.equal([[1, 'a'], [2, 'b']]);
      expect(bodies(ok(broker.get(alice, 'q', 5, true)))).to.deep.equal(['c']);
      expect(ok(broker.get(alice, 'q', 5, false))).to.deep.equal([]);
      expect(ok(broker.ack(alice, 'q', [1, 2]))).to.equal(2);
      expect(ok(broker.info(alice, 'q'))).to.include({ ready: 0, unacked: 0, consumers: 1, published: 3, delivered: 3, acked: 2 });
      expect(broker.stats()).to.include({ published: 3, delivered: 3, acked: 2, memory: 0 });
    });

    it('round-robin among 4 waiters, first come first served', () => {
      declare('work');
      const workers = [{ id: 1 }, { id: 2 }, { id: 3 }, { id: 4 }];
      const served: string[] = [];
      const park = (worker: { id: number }) =>
        ok(broker.wait(worker, 'work', 1, true, (deliveries) => served.push(`${worker.id}:${bodies(deliveries).join()}`)));
      for (const worker of workers) park(worker);
      expect(ok(broker.info(alice, 'work')).consumers).to.equal(4);
      for (let i = 0; i < 8; i++) {
        publish('', 'work', `m${i}`);
        // The served worker comes back to the end of the line.
        park(workers[i % 4]);
      }
      expect(served).to.deep.equal(['1:m0', '2:m1', '3:m2', '4:m3', '1:m4', '2:m5', '3:m6', '4:m7']);
    });

    it('a waiter gets up to its count, at once if messages are ready; cancel stops it', () => {
      declare('q');
      publish('', 'q', 'a', 'b', 'c');
      let got: string[] = [];
      const waiter = ok(broker.wait(alice, 'q', 2, true, (deliveries) => { got = bodies(deliveries); }));
      expect(got).to.deep.equal(['a', 'b']);
      expect(broker.cancel(waiter)).to.equal(false); // served already
      ok(broker.wait(alice, 'q', 5, true, (deliveries) => { got = bodies(deliveries); }));
      expect(got).to.deep.equal(['c']);
      const parked = ok(broker.wait(bob, 'q', 5, true, () => expect.fail('cancelled')));
      expect(broker.cancel(parked)).to.equal(true);
      expect(broker.cancel(parked)).to.equal(false);
      publish('', 'q', 'd');
      expect(bodies(drain('q'))).to.deep.equal(['d']);
    });

    it('prefetch limits unacked deliveries; an ack releases a waiting owner', () => {
      declare('q');
      publish('', 'q', 'a', 'b', 'c', 'd', 'e');
      broker.setPrefetch(alice, 2);
      expect(bodies(ok(broker.get(alice, 'q', 10, false)))).to.deep.equal(['a', 'b']);
      expect(ok(broker.get(alice, 'q', 10, false))).to.deep.equal([]);
      expect(bodies(ok(broker.get(alice, 'q', 1, true)))).to.deep.equal(['c']); // noAck ignores prefetch
      const served: string[][] = [];
      ok(broker.wait(alice, 'q', 10, false, (deliveries) => served.push(bodies(deliveries))));
      expect(served).to.deep.equal([]);
      ok(broker.ack(alice, 'q', [1]));
      expect(served).to.deep.equal([['d']]);
      ok(broker.wait(alice, 'q', 10, false, (deliveries) => served.push(bodies(deliveries))));
      broker.setPrefetch(alice, 0);
      expect(served).to.deep.equal([['d'], ['e']]);
    });

    it('a waiter held back by prefetch is skipped, and keeps its place', () => {
      declare('q');
      broker.setPrefetch(alice, 1);
      publish('', 'q', 'first');
      const [held] = ok(broker.get(alice, 'q', 1, false));
      const served: string[] = [];
      ok(broker.wait(alice, 'q', 1, false, (deliveries) => served.push(`alice:${bodies(deliveries)}`)));
      ok(broker.wait(bob, 'q', 1, false, (deliveries) => served.push(`bob:${bodies(deliveries)}`)));
      publish('', 'q', 'second');
      expect(served).to.deep.equal(['bob:second']);
      ok(broker.ack(alice, 'q', [held.tag]));
      ok(broker.wait(bob, 'q', 1, false, (deliveries) => served.push(`bob:${bodies(deliveries)}`)));
      publish('', 'q', 'third');
      expect(served).to.deep.equal(['bob:second', 'alice:third']);
    });

    it("an ack of another owner's tag is refused and nothing is acked", () => {
      declare('q');
      declare('other');
      publish('', 'q', 'a', 'b');
      publish('', 'other', 'x');
      const [a, b] = ok(broker.get(alice, 'q', 2, false));
      const [x] = ok(broker.get(bob, 'other', 1, false));
      expect(x.tag).to.equal(1); // tags count per owner
      expect(failure(broker.ack(bob, 'q', [a.tag]))).to.equal('ERR unknown delivery tag 1');
      expect(failure(broker.ack(alice, 'q', [a.tag, 99]))).to.equal('ERR unknown delivery tag 99');
      expect(failure(broker.ack(alice, 'q', [a.tag, a.tag]))).to.equal('ERR unknown delivery tag 1');
      expect(failure(broker.ack(alice, 'other', [a.tag]))).to.equal('ERR unknown delivery tag 1');
      expect(failure(broker.nack(bob, 'q', [b.tag], 'requeue'))).to.equal('ERR unknown delivery tag 2');
      expect(ok(broker.info(alice, 'q'))).to.include({ unacked: 2, acked: 0, ready: 0 });
      expect(ok(broker.ack(alice, 'q', [b.tag, a.tag]))).to.equal(2);
      expect(failure(broker.ack(alice, 'q', [a.tag]))).to.equal('ERR unknown delivery tag 1');
      expect(ok(broker.ack(alice, 'q', []))).to.equal(0);
    });

    it('a closed connection\'s deliveries go to the next waiter, flagged, in their original order', () => {
      declare('q');
      publish('', 'q', 'm1', 'm2', 'm3', 'm4');
      expect(bodies(ok(broker.get(alice, 'q', 3, false)))).to.deep.equal(['m1', 'm2', 'm3']);
      ok(broker.get(bob, 'q', 1, false)); // m4, bob keeps it
      let served: Delivery[] = [];
      const carol = {};
      ok(broker.wait(carol, 'q', 10, false, (deliveries) => { served = deliveries; }));
      broker.connectionClosed(alice);
      expect(served.map((d) => [d.tag, d.message.body, d.redelivered, d.deliveryCount])).to.deep.equal([
        [1, 'm1', true, 2], [2, 'm2', true, 2], [3, 'm3', true, 2],
      ]);
      expect(ok(broker.info(bob, 'q'))).to.include({ unacked: 4, redelivered: 3, consumers: 2 });
      broker.connectionClosed(bob);
      expect(drain('q', carol).map((d) => [d.message.body, d.redelivered])).to.deep.equal([['m4', true]]);
    });

    it('requeue puts a message back at its original position', () => {
      declare('q');
      publish('', 'q', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6');
      const [m1, m2, m3] = ok(broker.get(alice, 'q', 3, false));
      const [m4] = ok(broker.get(bob, 'q', 1, false));
      ok(broker.nack(alice, 'q', [m2.tag], 'requeue'));
      ok(broker.nack(bob, 'q', [m4.tag], 'requeue'));
      ok(broker.nack(alice, 'q', [m1.tag], 'requeue'));
      expect(drain('q').map((d) => `${d.message.body}${d.redelivered ? '*' : ''}`)).to.deep.equal(['m1*', 'm2*', 'm4*', 'm5', 'm6']);
      expect(ok(broker.ack(alice, 'q', [m3.tag]))).to.equal(1);
    });

    it('SeqDeque keeps seq order through pushes, takes, requeues and removals', () => {
      const deque = new SeqDeque<{ seq: number }>();
      const model: number[] = [];
      let seq = 0;
      let random = 42;
      const next = () => (random = (random * 1103515245 + 12345) % 2147483648) / 2147483648;
      const taken: number[] = [];
      for (let step = 0; step < 20_000; step++) {
        const r = next();
        if (r < 0.45) {
          deque.insert({ seq: ++seq });
          model.push(seq);
        } else if (r < 0.75) {
          const item = deque.shift();
          expect(item?.seq).to.equal(model.shift());
          if (item !== undefined) taken.push(item.seq);
        } else if (r < 0.95 && taken.length > 0) {
          const back = taken.splice(Math.floor(next() * taken.length), 1)[0];
          deque.insert({ seq: back });
          model.splice(model.findIndex((s) => s > back) === -1 ? model.length : model.findIndex((s) => s > back), 0, back);
        } else if (model.length > 0) {
          const gone = model.splice(Math.floor(next() * model.length), 1)[0];
          expect(deque.remove(gone)?.seq).to.equal(gone);
          expect(deque.find(gone)).to.equal(undefined);
        }
        expect(deque.size).to.equal(model.length);
      }
      expect([...deque].map((item) => item.seq)).to.deep.equal(model);
    });
  });

  describe('dead-lettering and time', () => {
    beforeEach(() => {
      ok(broker.declareExchange('dlx', 'fanout'));
      declare('dead');
      ok(broker.bind(alice, 'dead', 'dlx', ''));
    });

    it('TTL expiry via tick dead-letters with x-death headers', () => {
      declare('work', { ttl: 1000, deadLetterExchange: 'dlx' });
      ok(broker.publish('', 'work', 'late', { headers: [['keep', 'me']] }));
      expect(broker.nextDeadline()).to.equal(clock.time + 1000);
      clock.time += 999;
      expect(broker.tick()).to.equal(false);
      expect(ok(broker.info(alice, 'work')).ready).to.equal(1);
      clock.time += 1;
      broker.tick();
      expect(broker.nextDeadline()).to.equal(undefined);
      const [dead] = drain('dead');
      expect(dead.message).to.include({ body: 'late', exchange: 'dlx', routingKey: 'work', timestamp: clock.time });
      expect(dead.message.headers).to.deep.equal([
        ['keep', 'me'], ['x-death-queue', 'work'], ['x-death-reason', 'expired'], ['x-death-count', '1'], ['x-death-exchange', ''],
      ]);
      expect(ok(broker.info(alice, 'work'))).to.include({ ready: 0, deadLettered: 1 });
    });

    it('per-message expiration: the earlier of it and the queue TTL; get skips expired messages', () => {
      declare('q', { ttl: 1000, deadLetterExchange: 'dlx', deadLetterRoutingKey: 'expired' });
      ok(broker.publish('', 'q', 'short', { expiration: 200 }));
      ok(broker.publish('', 'q', 'long', { expiration: 5000 }));
      ok(broker.publish('', 'q', 'plain'));
      expect(broker.nextDeadline()).to.equal(clock.time + 200);
      clock.time += 200;
      expect(bodies(ok(broker.get(alice, 'q', 1, true)))).to.deep.equal(['long']);
      const [dead] = drain('dead');
      expect(dead.message).to.include({ body: 'short', routingKey: 'expired', expiration: undefined });
      clock.time += 800;
      expect(broker.tick()).to.equal(false);
      expect(bodies(drain('dead'))).to.deep.equal(['plain']);
    });

    it('tick works in slices of its budget', () => {
      declare('q', { ttl: 10 });
      publish('', 'q', 'a', 'b', 'c', 'd', 'e');
      clock.time += 10;
      expect(broker.tick(2)).to.equal(true);
      expect(ok(broker.info(alice, 'q')).ready).to.equal(3);
      expect(broker.nextDeadline()).to.be.at.most(clock.time);
      expect(broker.tick(10)).to.equal(false);
      expect(ok(broker.info(alice, 'q')).ready).to.equal(0);
    });

    it('delivery limit: a requeue past it dead-letters', () => {
      declare('q', { deliveryLimit: 2, deadLetterExchange: 'dlx' });
      publish('', 'q', 'poison');
      for (let attempt = 1; attempt <= 2; attempt++) {
        const [delivery] = ok(broker.get(alice, 'q', 1, false));
        expect(delivery.deliveryCount).to.equal(attempt);
        ok(broker.nack(alice, 'q', [delivery.tag], 'requeue'));
      }
      expect(ok(broker.info(alice, 'q')).ready).to.equal(0);
      const [dead] = drain('dead');
      expect(header(dead.message, 'x-death-reason')).to.equal('delivery_limit');
      expect(dead.message).to.include({ deliveryCount: 1, redelivered: false }); // counted from the new queue
    });

    it('nack deadletter rejects; a rejection cycle is allowed and counts deaths', () => {
      declare('retry', { deadLetterExchange: '' }); // back to itself through the default exchange
      publish('', 'retry', 'again');
      for (let deaths = 0; deaths < 3; deaths++) {
        const [delivery] = ok(broker.get(alice, 'retry', 1, false));
        expect(header(delivery.message, 'x-death-count')).to.equal(deaths === 0 ? undefined : String(deaths));
        ok(broker.nack(alice, 'retry', [delivery.tag], 'deadletter'));
      }
      const [back] = drain('retry');
      expect([header(back.message, 'x-death-reason'), header(back.message, 'x-death-count')]).to.deep.equal(['rejected', '3']);
      expect(ok(broker.info(alice, 'retry')).deadLettered).to.equal(3);
    });

    it('dead-letter cycles without rejection are dropped', () => {
      declare('self', { ttl: 10, deadLetterExchange: '' });
      publish('', 'self', 'loop');
      clock.time += 10;
      broker.tick();
      expect(ok(broker.info(alice, 'self'))).to.include({ ready: 0, deadLettered: 1 });
      // Two full queues that dead-letter into each other end at once.
      declare('ping', { maxLength: 0, deadLetterExchange: '', deadLetterRoutingKey: 'pong' });
      declare('pong', { maxLength: 0, deadLetterExchange: '', deadLetterRoutingKey: 'ping' });
      expect(broker.publish('', 'ping', 'ball')).to.equal(1);
      expect(ok(broker.info(alice, 'ping'))).to.include({ ready: 0, deadLettered: 1 });
      expect(ok(broker.info(alice, 'pong'))).to.include({ ready: 0, deadLettered: 1 });
    });

    it('maxLength drop-head dead-letters the oldest as maxlen', () => {
      declare('q', { maxLength: 2, deadLetterExchange: 'dlx' });
      publish('', 'q', 'a', 'b', 'c', 'd');
      expect(bodies(drain('q'))).to.deep.equal(['c', 'd']);
      const dead = drain('dead');
      expect(bodies(dead)).to.deep.equal(['a', 'b']);
      expect(header(dead[0].message, 'x-death-reason')).to.equal('maxlen');
    });

    it('a missing dead-letter exchange discards silently', () => {
      declare('q', { ttl: 5, deadLetterExchange: 'gone' });
      publish('', 'q', 'a');
      clock.time += 5;
      broker.tick();
      expect(broker.stats()).to.include({ messagesReady: 0, memory: 0 });
      expect(ok(broker.info(alice, 'q')).deadLettered).to.equal(0);
    });

    it('unacked deliveries past the ack timeout are requeued by tick', () => {
      declare('q', { ackTimeout: 1000 });
      publish('', 'q', 'slow');
      const [delivery] = ok(broker.get(alice, 'q', 1, false));
      expect(broker.nextDeadline()).to.equal(clock.time + 1000);
      clock.time += 1000;
      let served: Delivery[] = [];
      ok(broker.wait(bob, 'q', 1, false, (deliveries) => { served = deliveries; }));
      broker.tick();
      expect(served.map((d) => [d.message.body, d.redelivered, d.deliveryCount])).to.deep.equal([['slow', true, 2]]);
      expect(failure(broker.ack(alice, 'q', [delivery.tag]))).to.equal('ERR unknown delivery tag 1');
      expect(ok(broker.ack(bob, 'q', [served[0].tag]))).to.equal(1);
    });
  });

  describe('queues', () => {
    it('passive declare only checks existence', () => {
      expect(failure(broker.declareQueue(alice, 'nope', { passive: true }))).to.equal("NOTFOUND no queue 'nope'");
      declare('q', { durable: true });
      publish('', 'q', 'a', 'b');
      ok(broker.get(bob, 'q', 0, false));
      expect(ok(broker.declareQueue(alice, 'q', { passive: true, ttl: 5 }))).to.deep.equal({ name: 'q', ready: 2, consumers: 1 });
    });

    it('redeclaring must match: the first different property is named', () => {
      declare('q', { durable: true, ttl: 1000 });
      expect(ok(broker.declareQueue(bob, 'q', { durable: true, ttl: 1000 }))).to.deep.equal({ name: 'q', ready: 0, consumers: 0 });
      const mismatch = (options: object) => failure(broker.declareQueue(alice, 'q', options));
      expect(mismatch({ ttl: 1000 })).to.equal("PRECONDITION inequivalent arg 'durable' for queue 'q': received 'false' but current is 'true'");
      expect(mismatch({ durable: true, ttl: 1000, exclusive: true }))
        .to.equal("PRECONDITION inequivalent arg 'exclusive' for queue 'q': received 'true' but current is 'false'");
      expect(mismatch({ durable: true, ttl: 2000 }))
        .to.equal("PRECONDITION inequivalent arg 'x-message-ttl' for queue 'q': received '2000' but current is '1000'");
      expect(mismatch({ durable: true })).to.equal("PRECONDITION inequivalent arg 'x-message-ttl' for queue 'q': received 'none' but current is '1000'");
      expect(mismatch({ durable: true, ttl: 1000, overflow: 'reject-publish' }))
        .to.equal("PRECONDITION inequivalent arg 'x-overflow' for queue 'q': received 'reject-publish' but current is 'drop-head'");
      // Defaults spelled out are the defaults.
      ok(broker.declareQueue(alice, 'q', { durable: true, ttl: 1000, overflow: 'drop-head', ackTimeout: 1_800_000 }));
      expect(failure(broker.declareQueue(alice, 'bad', { maxLength: -1 }))).to.equal("PRECONDITION invalid arg 'x-max-length' for queue 'bad': '-1'");
      expect(failure(broker.declareQueue(alice, 'bad', { overflow: 'drop-tail' as 'drop-head' })))
        .to.equal("PRECONDITION invalid arg 'x-overflow' for queue 'bad': 'drop-tail'");
      expect(failure(broker.declareQueue(alice, 'amq.mine', {}))).to.equal("PRECONDITION access refused: queue name 'amq.mine' contains reserved prefix amq.*");
    });

    it('server-named queues: amq.gen- and 22 URL-safe base64 chars', () => {
      const first = ok(broker.declareQueue(alice, '', { exclusive: true })).name;
      const second = ok(broker.declareQueue(alice, '', {})).name;
      expect(first).to.match(/^amq\.gen-[A-Za-z0-9_-]{22}$/);
      expect(second).to.match(/^amq\.gen-[A-Za-z0-9_-]{22}$/);
      expect(first).to.not.equal(second);
      expect(ok(broker.declareQueue(alice, first, { exclusive: true })).name).to.equal(first); // an existing amq. name
    });

    it('an exclusive queue is LOCKED to others and goes with its owner', () => {
      declare('mine', { exclusive: true });
      publish('', 'mine', 'a');
      const locked = "LOCKED cannot obtain exclusive access to locked queue 'mine'";
      expect(failure(broker.declareQueue(bob, 'mine', { exclusive: true }))).to.equal(locked);
      expect(failure(broker.declareQueue(bob, 'mine', { passive: true }))).to.equal(locked);
      expect(failure(broker.get(bob, 'mine', 1, true))).to.equal(locked);
      expect(failure(broker.wait(bob, 'mine', 1, true, () => undefined))).to.equal(locked);
      expect(failure(broker.bind(bob, 'mine', 'amq.fanout', ''))).to.equal(locked);
      expect(failure(broker.unbind(bob, 'mine', 'amq.fanout', ''))).to.equal(locked);
      expect(failure(broker.deleteQueue(bob, 'mine'))).to.equal(locked);
      expect(failure(broker.purge(bob, 'mine'))).to.equal(locked);
      expect(failure(broker.info(bob, 'mine'))).to.equal(locked);
      expect(ok(broker.info(alice, 'mine'))).to.include({ exclusive: true, ready: 1 });
      broker.connectionClosed(bob);
      expect(broker.list()).to.include('mine');
      ok(broker.get(alice, 'mine', 1, false));
      broker.connectionClosed(alice);
      expect(broker.list()).to.not.include('mine');
      expect(broker.stats()).to.include({ queues: 0, memory: 0, messagesUnacked: 0 });
    });

    it('an auto-delete queue goes when its last consumer disconnects', () => {
      declare('ad', { autoDelete: true });
      declare('idle', { autoDelete: true });
      publish('', 'ad', 'x');
      ok(broker.get(alice, 'ad', 1, false));
      ok(broker.wait(bob, 'ad', 1, false, () => undefined));
      expect(ok(broker.info(alice, 'ad')).consumers).to.equal(2);
      broker.connectionClosed(alice);
      expect(ok(broker.info(bob, 'ad')).consumers).to.equal(1);
      broker.connectionClosed(bob);
      expect(broker.list()).to.deep.equal(['idle']); // never consumed: stays
      expect(broker.stats().memory).to.equal(0);
    });

    it('delete: ifUnused, ifEmpty, counts ready and unacked, idempotent', () => {
      declare('q');
      publish('', 'q', 'a', 'b', 'c');
      const [delivery] = ok(broker.get(alice, 'q', 1, false));
      expect(failure(broker.deleteQueue(bob, 'q', true))).to.equal("PRECONDITION queue 'q' in use");
      expect(failure(broker.deleteQueue(bob, 'q', false, true))).to.equal("PRECONDITION queue 'q' not empty");
      const woken: Delivery[][] = [];
      ok(broker.wait(bob, 'q', 1, false, () => undefined));
      declare('empty');
      ok(broker.wait(bob, 'empty', 1, false, (deliveries) => woken.push(deliveries)));
      expect(broker.deleteQueue(bob, 'q')).to.equal(3);
      expect(broker.deleteQueue(bob, 'q')).to.equal(0);
      expect(failure(broker.ack(alice, 'q', [delivery.tag]))).to.equal('ERR unknown delivery tag 1');
      expect(broker.deleteQueue(alice, 'empty', false, true)).to.equal(0);
      expect(woken).to.deep.equal([[]]); // its waiter learns at once
      expect(broker.stats()).to.include({ queues: 0, memory: 0 });
      declare('q');
      expect(ok(broker.info(alice, 'q'))).to.include({ ready: 0, published: 0 });
    });

    it('purge drops ready messages; unacked ones stay', () => {
      declare('q');
      publish('', 'q', 'a', 'b', 'c');
      const [delivery] = ok(broker.get(alice, 'q', 1, false));
      expect(broker.purge(alice, 'q')).to.equal(2);
      expect(ok(broker.info(alice, 'q'))).to.include({ ready: 0, unacked: 1 });
      ok(broker.nack(alice, 'q', [delivery.tag], 'requeue'));
      expect(bodies(drain('q'))).to.deep.equal(['a']);
      expect(failure(broker.purge(alice, 'nope'))).to.equal("NOTFOUND no queue 'nope'");
    });

    it('info lists arguments, counters and bindings', () => {
      ok(broker.declareExchange('h', 'headers'));
      declare('q', { durable: true, maxLength: 10, deadLetterExchange: 'h', ackTimeout: 5000 });
      ok(broker.bind(alice, 'q', 'h', '', [['x-match', 'any'], ['a', '1']]));
      ok(broker.bind(alice, 'q', 'amq.topic', 'a.#'));
      expect(ok(broker.info(alice, 'q'))).to.deep.equal({
        durable: true, exclusive: false, autoDelete: false,
        arguments: [['x-max-length', '10'], ['x-dead-letter-exchange', 'h'], ['x-consumer-timeout', '5000']],
        ready: 0, unacked: 0, consumers: 0, published: 0, delivered: 0, acked: 0, redelivered: 0, deadLettered: 0,
        bindings: [
          { exchange: '', key: 'q' },
          { exchange: 'h', key: '', headers: [['x-match', 'any'], ['a', '1']] },
          { exchange: 'amq.topic', key: 'a.#' },
        ],
      });
      expect(failure(broker.info(alice, 'nope'))).to.equal("NOTFOUND no queue 'nope'");
    });

    it('binary names, bodies and headers with every byte, and __proto__', () => {
      const names = [ALL_BYTES, '__proto__', 'constructor', '\x00', ''.padEnd(3, '\xff')];
      ok(broker.declareExchange(ALL_BYTES, 'topic'));
      for (const name of names) {
        expect(declare(name)).to.equal(name);
        ok(broker.bind(alice, name, ALL_BYTES, name.replaceAll('.', '')));
        ok(broker.publish('', name, ALL_BYTES, { headers: [[ALL_BYTES, ALL_BYTES]] }));
      }
      expect(broker.list()).to.deep.equal(names);
      expect(broker.publish(ALL_BYTES, '__proto__', 'p')).to.equal(1);
      const got = drain('__proto__');
      expect(bodies(got)).to.deep.equal([ALL_BYTES, 'p']);
      expect(got[0].message.headers).to.deep.equal([[ALL_BYTES, ALL_BYTES]]);
      expect(failure(broker.get(alice, 'toString', 1, true))).to.equal("NOTFOUND no queue 'toString'");
      expect(ok(broker.info(alice, ALL_BYTES)).bindings[1]).to.deep.equal({ exchange: ALL_BYTES, key: ALL_BYTES.replaceAll('.', '') });
    });

    it('stats count queues, exchanges, bindings, messages and memory', () => {
      declare('a');
      declare('b');
      ok(broker.bind(alice, 'a', 'amq.fanout', ''));
      publish('amq.fanout', '', 'x', 'y');
      publish('', 'b', 'z');
      ok(broker.get(alice, 'a', 1, false));
      expect(broker.stats()).to.deep.equal({
        queues: 2, exchanges: 5, bindings: 1, messagesReady: 2, messagesUnacked: 1, published: 3, delivered: 1, acked: 0,
        memory: 2 * (MESSAGE_OVERHEAD + 'amq.fanout'.length + 1) + (MESSAGE_OVERHEAD + 1 + 1 + 0),
      });
    });
  });

  describe('durability', () => {
    let records: string[][];

    beforeEach(() => {
      records = [];
      broker = new Broker({ now: clock.now, journal: (record) => records.push(record) });
    });

    /** Replays records into a fresh broker. */
    const replayed = (from: Iterable<string[]>) => {
      const fresh = new Broker({ now: clock.now, journal: () => expect.fail('replay must not journal') });
      for (const record of from) fresh.applyRecord(record);
      fresh.journal = undefined;
      return fresh;
    };

    /** What must survive: durable queues with their bindings and messages (taken, so call it last). */
    const durableState = (subject: Broker) => {
      const owner = {};
      const durable = new Set(subject.listExchanges().filter((exchange) => exchange.durable).map((exchange) => exchange.name));
      return subject.list().map((name) => {
        const info = ok(subject.info(owner, name));
        const bindings = info.bindings.filter((binding) => durable.has(binding.exchange));
        const messages = ok(subject.get(owner, name, 1000, true))
          .filter((delivery) => delivery.message.persistent)
          .map(({ message, redelivered, deliveryCount }) => ({
            seq: message.seq, body: message.body, redelivered, deliveryCount, headers: message.headers, replyTo: message.replyTo,
          }));
        return { name, durable: info.durable, autoDelete: info.autoDelete, arguments: info.arguments, bindings, messages };
      }).filter((queue) => queue.durable);
    };

    /** A workout touching every kind of record, durable and not. */
    const workout = () => {
      ok(broker.declareExchange('events', 'topic', { durable: true }));
      ok(broker.declareExchange('scratch', 'fanout')); // transient
      ok(broker.declareExchange('gone', 'direct', { durable: true }));
      ok(broker.declareExchange('auto', 'fanout', { durable: true, autoDelete: true }));
      declare('orders', { durable: true, maxLength: 100, deliveryLimit: 5 });
      declare('audit', { durable: true });
      declare('dead', { durable: true, autoDelete: true });
      declare('expiring', { durable: true, ttl: 60_000, deadLetterExchange: '', deadLetterRoutingKey: 'dead' });
      declare('temp'); // transient
      declare('private', { durable: true, exclusive: true }); // dies with its connection: never journalled
      declare('dropped', { durable: true });
      declare(ALL_BYTES, { durable: true });
      ok(broker.bind(alice, 'orders', 'events', 'order.*'));
      ok(broker.bind(alice, 'audit', 'events', '#', [['note', ALL_BYTES]]));
      ok(broker.bind(alice, 'temp', 'events', '#'));
      ok(broker.bind(alice, 'orders', 'scratch', ''));
      ok(broker.bind(alice, 'audit', 'gone', 'x'));
      ok(broker.bind(alice, 'audit', 'auto', ''));
      ok(broker.bind(alice, 'dropped', 'events', 'drop.#'));
      ok(broker.bind(alice, 'orders', 'amq.direct', 'o'));
      for (let i = 1; i <= 6; i++) ok(broker.publish('events', 'order.new', `order ${i}`, { persistent: true, replyTo: 'r', headers: [['n', String(i)]] }));
      ok(broker.publish('events', 'order.new', 'transient order'));
      ok(broker.publish('events', 'drop.it', 'to be dropped', { persistent: true }));
      ok(broker.publish('', 'expiring', 'will expire', { persistent: true }));
      ok(broker.publish('', ALL_BYTES, ALL_BYTES, { persistent: true, headers: [[ALL_BYTES, ALL_BYTES]] }));
      ok(broker.publish('', 'private', 'secret', { persistent: true }));
      // orders: 1 acked; 2 requeued twice, then taken without ack; 3 and 4 left unacked; 5 and 6 never delivered
      const [o1, o2] = ok(broker.get(alice, 'orders', 2, false));
      ok(broker.ack(alice, 'orders', [o1.tag]));
      ok(broker.nack(alice, 'orders', [o2.tag], 'requeue'));
      const [again] = ok(broker.get(alice, 'orders', 1, false));
      ok(broker.nack(alice, 'orders', [again.tag], 'requeue'));
      ok(broker.get(bob, 'orders', 1, true));
      ok(broker.get(alice, 'orders', 2, false));
      // audit: purge with one unacked that must survive
      const [kept] = ok(broker.get(bob, 'audit', 1, false));
      expect(kept.message.body).to.equal('order 1');
      expect(broker.purge(alice, 'audit')).to.equal(7);
      // expiry dead-letters into 'dead' through the default exchange
      clock.time += 60_000;
      broker.tick();
      ok(broker.unbind(alice, 'audit', 'auto', '')); // auto-deletes 'auto'
      expect(broker.deleteExchange('gone')).to.equal(1);
      expect(broker.deleteQueue(alice, 'dropped')).to.equal(1);
      ok(broker.unbind(alice, 'orders', 'amq.direct', 'o'));
    };

    it('a journal replayed into a fresh broker gives the same durable state; transient things are absent', () => {
      workout();
      expect(records.every((record) => !record.includes('temp') && !record.includes('scratch') && !record.includes('private'))).to.equal(true);
      expect(records.some((record) => record.includes('transient order'))).to.equal(false);
      const restored = replayed(records);
      expect(restored.list()).to.deep.equal(['orders', 'audit', 'dead', 'expiring', ALL_BYTES]);
      expect(restored.listExchanges().map((exchange) => exchange.name)).to.deep.equal(['', 'amq.direct', 'amq.fanout', 'amq.topic', 'amq.headers', 'events']);
      // A dead server's unacked deliveries come back: close the connections to compare like with like.
      broker.connectionClosed(alice);
      broker.connectionClosed(bob);
      const expected = durableState(broker);
      const actual = durableState(restored);
      expect(actual).to.deep.equal(expected);
      const orders = actual[0].messages.map((m) => [m.body, m.redelivered, m.deliveryCount]);
      expect(orders).to.deep.equal([['order 3', true, 2], ['order 4', true, 2], ['order 5', false, 1], ['order 6', false, 1]]);
      expect(actual[1].messages.map((m) => m.body)).to.deep.equal(['order 1']);
      expect(actual[2].messages.map((m) => m.body)).to.deep.equal(['will expire']);
      expect(actual[4].messages[0]).to.deep.include({ body: ALL_BYTES, headers: [[ALL_BYTES, ALL_BYTES]] });
      expect(actual[1].bindings).to.deep.equal([{ exchange: '', key: 'audit' }, { exchange: 'events', key: '#', headers: [['note', ALL_BYTES]] }]);
    });

    it('replayed brokers number new messages after the highest seq seen and keep expiry', () => {
      declare('q', { durable: true, ttl: 1000 });
      publish('', 'q', 'a');
      ok(broker.publish('', 'q', 'b', { persistent: true }));
      const restored = replayed(records);
      expect(restored.nextDeadline()).to.equal(clock.time + 1000);
      ok(restored.publish('', 'q', 'c', { persistent: true }));
      expect(drain('q').map((d) => d.message.seq)).to.deep.equal([1, 2]);
      expect(ok(restored.get(alice, 'q', 10, true)).map((d) => [d.message.body, d.message.seq])).to.deep.equal([['b', 2], ['c', 3]]);
    });

    it('durableRecords() rebuilds the same state, and is a fixed point', () => {
      workout();
      const snapshot = [...broker.durableRecords()];
      const restored = replayed(snapshot);
      const again = replayed(restored.durableRecords());
      expect([...again.durableRecords()]).to.deep.equal([...restored.durableRecords()]);
      broker.connectionClosed(alice);
      broker.connectionClosed(bob);
      const expected = durableState(broker);
      expect(durableState(restored)).to.deep.equal(expected);
      expect(durableState(again)).to.deep.equal(expected);
    });

    it('record formats', () => {
      ok(broker.declareExchange('e', 'headers', { durable: true, autoDelete: true }));
      declare('q', { durable: true, ttl: 5, overflow: 'reject-publish', maxLength: 3 });
      ok(broker.bind(alice, 'q', 'e', '', [['x-match', 'any']]));
      ok(broker.publish('', 'q', 'body', { persistent: true, messageId: 'id', headers: [['k', 'v']] }));
      const [delivery] = ok(broker.get(alice, 'q', 1, false));
      ok(broker.ack(alice, 'q', [delivery.tag]));
      ok(broker.deleteQueue(alice, 'q'));
      expect(records).to.deep.equal([
        ['EXCHANGE', 'e', 'headers', '1'],
        ['QUEUE', 'q', '0', 'x-message-ttl', '5', 'x-max-length', '3', 'x-overflow', 'reject-publish'],
        ['BIND', 'q', 'e', '', 'x-match', 'any'],
        ['PUBLISH', '1', 'body', '', 'q', String(clock.time), 'message-id', 'id', 'header:k', 'v', 'QUEUES', 'q'],
        ['DELIVER', 'q', '1'],
        ['SETTLE', 'q', '1'],
        ['QUEUE-DELETE', 'q'],
        ['EXCHANGE-DELETE', 'e'], // auto-deleted with its last binding
      ]);
    });

    it('applyRecord rejects malformed records with a clear Error', () => {
      const fresh = new Broker();
      fresh.applyRecord(['QUEUE', 'q', '0']);
      const bad: string[][] = [
        [],
        ['NOPE'],
        ['QUEUE'],
        ['QUEUE', 'q', '0'],
        ['QUEUE', 'r', 'yes'],
        ['QUEUE', 'r', '0', 'x-unknown', '1'],
        ['QUEUE', 'r', '0', 'x-message-ttl', '-1'],
        ['QUEUE', 'r', '0', 'x-message-ttl'],
        ['EXCHANGE', 'e', 'bogus', '0'],
        ['EXCHANGE', 'e', 'direct'],
        ['BIND', 'q', 'missing', 'k'],
        ['BIND', 'missing', 'amq.direct', 'k'],
        ['BIND', 'q', 'amq.direct', 'k', 'lonely'],
        ['PUBLISH', 'x'],
        ['PUBLISH', '1', 'body', '', 'q', '0'],
        ['PUBLISH', '1', 'body', '', 'q', '0', 'QUEUES'],
        ['PUBLISH', '1', 'body', '', 'q', '0', 'color', 'red', 'QUEUES', 'q'],
        ['PUBLISH', '1', 'body', '', 'q', '0', 'QUEUES', 'missing'],
        ['SETTLE', 'q', '7'],
        ['DELIVER', 'q', 'seven'],
      ];
      for (const record of bad) expect(() => fresh.applyRecord(record), JSON.stringify(record)).to.throw(Error, /malformed broker record/);
      fresh.applyRecord(['QUEUE-DELETE', 'never-was']); // deletes are idempotent, as live
      fresh.applyRecord(['UNBIND', 'q', 'amq.direct', 'k']);
      expect(fresh.list()).to.deep.equal(['q']);
    });
  });
});
