/**
 * The broker beside RabbitMQ 3.10's figures (../shared/MEASURED.md, same kind of machine), with
 * ioredis clients as applications use them (TCP_NODELAY on):
 *   (a) work queue: 1 producer, 4 workers with prefetch 50, transient 100-byte messages, each acked;
 *   (b) the same on a durable queue with persistent messages (appendfsync everysec);
 *   (c) fanout to 4 queues, one consumer each;
 *   (d) topic exchange with 10 bindings over 4 queues;
 *   (e) sequential RPC round trips, with p50 and p99;
 *   (f) RSS per queued 100-byte message with 1,000,000 queued.
 *
 *   npm run bench:broker [-- --messages N --rpc-calls N --queued N]   (also run by npm run bench)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { deliveries } from '../examples/lib.js';
import { formatCount, freePort, integerOption, markdownTable, rssBytes, sleep, startNodis, stopServer, type RunningServer } from './lib.js';

const BODY = 'x'.repeat(100);
const WORKERS = 4;
const PREFETCH = 50;
/** Publishes in flight at once from the producer. */
const PUBLISH_WINDOW = 1000;

/** RabbitMQ 3.10.8, amqplib, same kind of machine (MEASURED.md). */
const RABBITMQ = {
  workQueue: 8_500,
  durable: 5_800,
  fanout: 8_600,
  topic: 11_700,
  rpc: 2_200,
  bytesPerMessage: 2_600,
};

function connect(port: number, autoPipelining = false): Redis {
  return new Redis({ port, host: '127.0.0.1', enableAutoPipelining: autoPipelining, maxRetriesPerRequest: 0 });
}

/** Tags of MQ.GET's reply: each delivery is a flat field/value list starting with `tag`. */
function tagsOf(reply: unknown): string[] {
  return reply === null ? [] : (reply as unknown[][]).map((fields) => String(fields[1]));
}

/** Publishes `count` messages through `publish(i)`, PUBLISH_WINDOW at a time. */
async function produce(count: number, publish: (i: number) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < count; i += PUBLISH_WINDOW) {
    const flight: Promise<unknown>[] = [];
    for (let j = i; j < Math.min(count, i + PUBLISH_WINDOW); j++) flight.push(publish(j));
    await Promise.all(flight);
  }
}

/** A consumer taking from `queue` with prefetch 50 and acking each delivery, until `done()`. */
async function consume(port: number, queue: string, done: () => boolean, delivered: () => void): Promise<void> {
  const worker = connect(port, true);
  await worker.call('MQ.QOS', String(PREFETCH));
  while (!done()) {
    const tags = tagsOf(await worker.call('MQ.GET', queue, 'COUNT', String(PREFETCH), 'BLOCK', '50'));
    await Promise.all(tags.map((tag) => worker.call('MQ.ACK', queue, tag)));
    for (let i = 0; i < tags.length; i++) delivered();
  }
  worker.disconnect();
}

/**
 * Deliveries per second, from the first publish to the last ack: `queues` queues with one
 * consumer each (WORKERS consumers on one queue when there is one), fed by `publish`.
 */
async function deliveryRate(port: number, queues: string[], expected: number, messages: number, publish: (producer: Redis, i: number) => Promise<unknown>): Promise<number> {
  const producer = connect(port, true);
  let delivered = 0;
  const started = performance.now();
  const consumers = (queues.length === 1 ? Array.from({ length: WORKERS }, () => queues[0]) : queues).map((queue) =>
    consume(port, queue, () => delivered >= expected, () => delivered++),
  );
  await produce(messages, (i) => publish(producer, i));
  await Promise.all(consumers);
  const seconds = (performance.now() - started) / 1000;
  producer.disconnect();
  return expected / seconds;
}

async function workQueue(port: number, messages: number, durable: boolean): Promise<number> {
  const admin = connect(port);
  const queue = durable ? 'bench.durable' : 'bench.work';
  await admin.call('MQ.QUEUE', 'DECLARE', queue, ...(durable ? ['DURABLE'] : []));
  admin.disconnect();
  const persistent = durable ? ['PERSISTENT'] : [];
  return deliveryRate(port, [queue], messages, messages, (producer) => producer.call('MQ.PUBLISH', '', queue, BODY, ...persistent));
}

async function fanout(port: number, messages: number): Promise<number> {
  const admin = connect(port);
  await admin.call('MQ.EXCHANGE', 'DECLARE', 'bench.fanout', 'fanout');
  const queues = Array.from({ length: 4 }, (_, i) => `bench.fanout.${i}`);
  for (const queue of queues) {
    await admin.call('MQ.QUEUE', 'DECLARE', queue);
    await admin.call('MQ.QUEUE', 'BIND', queue, 'bench.fanout');
  }
  admin.disconnect();
  return deliveryRate(port, queues, messages * queues.length, messages, (producer) => producer.call('MQ.PUBLISH', 'bench.fanout', '', BODY));
}

async function topic(port: number, messages: number): Promise<number> {
  const admin = connect(port);
  await admin.call('MQ.EXCHANGE', 'DECLARE', 'bench.topic', 'topic');
  const queues = Array.from({ length: 4 }, (_, i) => `bench.topic.${i}`);
  for (const queue of queues) await admin.call('MQ.QUEUE', 'DECLARE', queue);
  // Ten bindings, each matching one of ten kinds of key: every message goes to one queue.
  for (let kind = 0; kind < 10; kind++) await admin.call('MQ.QUEUE', 'BIND', queues[kind % 4], 'bench.topic', kind % 2 === 0 ? `app.kind${kind}.#` : `*.kind${kind}.*`);
  admin.disconnect();
  return deliveryRate(port, queues, messages, messages, (producer, i) => producer.call('MQ.PUBLISH', 'bench.topic', `app.kind${i % 10}.event`, BODY));
}

/** Sequential RPC calls: [calls/s, p50 ms, p99 ms]. */
async function rpc(port: number, calls: number): Promise<[number, number, number]> {
  const server = connect(port);
  const client = connect(port);
  await server.call('MQ.QUEUE', 'DECLARE', 'bench.rpc');
  const [callback] = (await client.call('MQ.QUEUE', 'DECLARE', '', 'EXCLUSIVE')) as [string];
  let running = true;
  const serving = (async () => {
    while (running) {
      for (const request of deliveries(await server.call('MQ.GET', 'bench.rpc', 'BLOCK', '50', 'NOACK'))) {
        await server.call('MQ.PUBLISH', '', request.replyTo!, request.body, 'CORRELATIONID', request.correlationId!);
      }
    }
  })();
  const latencies: number[] = [];
  const started = performance.now();
  for (let i = 0; i < calls; i++) {
    const sent = performance.now();
    await client.call('MQ.PUBLISH', '', 'bench.rpc', String(i), 'REPLYTO', callback, 'CORRELATIONID', String(i));
    await client.call('MQ.GET', callback, 'BLOCK', '0', 'NOACK');
    latencies.push(performance.now() - sent);
  }
  const seconds = (performance.now() - started) / 1000;
  running = false;
  await serving;
  server.disconnect();
  client.disconnect();
  latencies.sort((a, b) => a - b);
  return [calls / seconds, latencies[Math.floor(calls * 0.5)], latencies[Math.floor(calls * 0.99)]];
}

/** RSS growth per message with `count` transient 100-byte messages queued. */
async function bytesPerQueuedMessage(server: RunningServer, count: number): Promise<number> {
  const producer = connect(server.port, true);
  await producer.call('MQ.QUEUE', 'DECLARE', 'bench.memory');
  await sleep(200);
  const before = rssBytes(server.pid);
  await produce(count, () => producer.call('MQ.PUBLISH', '', 'bench.memory', BODY));
  await sleep(500);
  const after = rssBytes(server.pid);
  producer.disconnect();
  return (after - before) / count;
}

/** Runs `measure` on a fresh nodis (own directory, so durable state starts empty). */
async function onFreshServer<T>(measure: (server: RunningServer) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'nodis-bench-broker-'));
  const server = await startNodis(await freePort(), ['--dir', dir]);
  try {
    return await measure(server);
  } finally {
    await stopServer(server);
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function reportBroker(messages: number, rpcCalls: number, queued: number): Promise<void> {
  const rates = {
    workQueue: await onFreshServer((s) => workQueue(s.port, messages, false)),
    durable: await onFreshServer((s) => workQueue(s.port, messages, true)),
    fanout: await onFreshServer((s) => fanout(s.port, messages)),
    topic: await onFreshServer((s) => topic(s.port, messages)),
  };
  const [rpcRate, p50, p99] = await onFreshServer((s) => rpc(s.port, rpcCalls));
  const perMessage = await onFreshServer((s) => bytesPerQueuedMessage(s, queued));
  const row = (name: string, nodis: number, rabbit: number, unit: string, higherIsBetter = true) => [
    name, `${formatCount(nodis)} ${unit}`, `${formatCount(rabbit)} ${unit}`, (higherIsBetter ? nodis / rabbit : rabbit / nodis).toFixed(2),
  ];
  console.log(markdownTable(['test', 'nodis', 'RabbitMQ 3.10', 'nodis advantage'], [
    row('(a) work queue, 4 workers, prefetch 50', rates.workQueue, RABBITMQ.workQueue, 'msg/s'),
    row('(b) durable queue, persistent messages', rates.durable, RABBITMQ.durable, 'msg/s'),
    row('(c) fanout to 4 queues', rates.fanout, RABBITMQ.fanout, 'deliveries/s'),
    row('(d) topic, 10 bindings', rates.topic, RABBITMQ.topic, 'msg/s'),
    [`(e) sequential RPC (p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms)`, `${formatCount(rpcRate)} calls/s`, `${formatCount(RABBITMQ.rpc)} calls/s (p50 0.41 ms)`, (rpcRate / RABBITMQ.rpc).toFixed(2)],
    row(`(f) RSS per queued message (${formatCount(queued)} queued)`, perMessage, RABBITMQ.bytesPerMessage, 'B', false),
  ]));
  console.log();
  console.log(`${formatCount(messages)} 100-byte messages per delivery test, ${formatCount(rpcCalls)} RPC calls. "nodis advantage" is nodis/RabbitMQ for rates, RabbitMQ/nodis for bytes: above 1 beats RabbitMQ.`);
}

const invokedDirectly = process.argv[1]?.endsWith('broker.js') === true;
if (invokedDirectly) {
  await reportBroker(integerOption('messages', 100_000), integerOption('rpc-calls', 5_000), integerOption('queued', 1_000_000));
  process.exit(0);
}
