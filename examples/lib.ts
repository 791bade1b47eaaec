/**
 * What the examples share: a connection to a running nodis (`npm start`; NODIS_PORT or 6379)
 * and MQ.GET's reply read into objects.
 */
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';

export function connect(port = Number(process.env.NODIS_PORT ?? 6379)): Redis {
  // ioredis sets TCP_NODELAY by default, which request/reply patterns such as RPC need.
  return new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
}

export interface Delivery {
  tag: string;
  body: string;
  routingKey: string;
  redelivered: boolean;
  replyTo?: string;
  correlationId?: string;
}

/** MQ.GET's reply: nil, or an array of deliveries, each a flat field/value list. */
export function deliveries(reply: unknown): Delivery[] {
  if (reply === null) return [];
  return (reply as string[][]).map((flat) => {
    const fields = new Map<string, string>();
    for (let i = 0; i < flat.length; i += 2) fields.set(flat[i], flat[i + 1]);
    return {
      tag: String(fields.get('tag')),
      body: String(fields.get('body')),
      routingKey: String(fields.get('routing-key')),
      redelivered: String(fields.get('redelivered')) === '1',
      replyTo: fields.get('reply-to'),
      correlationId: fields.get('correlation-id'),
    };
  });
}

/**
 * Declares one server-named exclusive queue per receiver, bound to `exchange` with each of its
 * binding keys; returns the queues by receiver.
 */
export async function bindReceivers(redis: Redis, exchange: string, bindings: Record<string, string[]>): Promise<Map<string, string>> {
  const queues = new Map<string, string>();
  for (const [receiver, keys] of Object.entries(bindings)) {
    const [queue] = (await redis.call('MQ.QUEUE', 'DECLARE', '', 'EXCLUSIVE')) as [string];
    for (const key of keys) await redis.call('MQ.QUEUE', 'BIND', queue, exchange, key);
    queues.set(receiver, queue);
  }
  return queues;
}

/** Takes (without ack) what each receiver's queue holds. */
export async function drain(redis: Redis, queues: Map<string, string>): Promise<Map<string, Delivery[]>> {
  const received = new Map<string, Delivery[]>();
  for (const [receiver, queue] of queues) received.set(receiver, deliveries(await redis.call('MQ.GET', queue, 'COUNT', '100', 'NOACK')));
  return received;
}

/** True when the module is the script node was started with (not imported by a test). */
export function isMain(url: string): boolean {
  return process.argv[1] === fileURLToPath(url);
}
