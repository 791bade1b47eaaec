/**
 * A durable queue and persistent messages survive a restart of the server, as RabbitMQ's do
 * (durable=True, delivery_mode=2); transient messages do not.
 *
 *   npm start, then: node dist/examples/durable-queue.js send
 *   restart the server (Ctrl-C, npm start), then: node dist/examples/durable-queue.js receive
 */
import { connect, deliveries, isMain } from './lib.js';

const QUEUE = 'durable_tasks';

/** Declares the durable queue and publishes `count` persistent messages and one transient one. */
export async function send(port?: number, count = 3): Promise<void> {
  const redis = connect(port);
  await redis.call('MQ.QUEUE', 'DECLARE', QUEUE, 'DURABLE');
  for (let i = 1; i <= count; i++) await redis.call('MQ.PUBLISH', '', QUEUE, `persistent ${i}`, 'PERSISTENT');
  await redis.call('MQ.PUBLISH', '', QUEUE, 'transient, gone after a restart');
  redis.disconnect();
}

/** Takes and acks every message waiting in the queue; returns their bodies. */
export async function receive(port?: number): Promise<string[]> {
  const redis = connect(port);
  await redis.call('MQ.QUEUE', 'DECLARE', QUEUE, 'DURABLE');
  const bodies: string[] = [];
  for (;;) {
    const got = deliveries(await redis.call('MQ.GET', QUEUE, 'COUNT', '100'));
    if (got.length === 0) break;
    await redis.call('MQ.ACK', QUEUE, ...got.map((d) => d.tag));
    bodies.push(...got.map((d) => d.body));
  }
  redis.disconnect();
  return bodies;
}

if (isMain(import.meta.url)) {
  if (process.argv[2] === 'send') await send();
  else if (process.argv[2] === 'receive') console.log(await receive());
  else console.log('usage: durable-queue.js send|receive');
}
