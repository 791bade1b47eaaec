/**
 * RPC over the broker: the client publishes a request to `rpc_queue` with REPLYTO (its own
 * server-named exclusive queue) and a CORRELATIONID; the server computes and publishes the
 * answer to that queue with the same id; the client matches answers to requests by the id.
 *
 *   npm start, then: node dist/examples/rpc.js
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { connect, deliveries, isMain } from './lib.js';

const QUEUE = 'rpc_queue';

function fibonacci(n: number): number {
  let [a, b] = [0, 1];
  for (let i = 0; i < n; i++) [a, b] = [b, a + b];
  return a;
}

/** Serves requests until `stop()`; one request at a time, acked once answered. */
export function startRpcServer(port?: number): { stop: () => Promise<void> } {
  const redis = connect(port);
  let running = true;
  const loop = (async () => {
    await redis.call('MQ.QUEUE', 'DECLARE', QUEUE);
    await redis.call('MQ.QOS', '1');
    while (running) {
      for (const request of deliveries(await redis.call('MQ.GET', QUEUE, 'BLOCK', '100'))) {
        const answer = String(fibonacci(Number(request.body)));
        await redis.call('MQ.PUBLISH', '', request.replyTo!, answer, 'CORRELATIONID', request.correlationId!);
        await redis.call('MQ.ACK', QUEUE, request.tag);
      }
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      redis.disconnect();
    },
  };
}

/** A client with its own callback queue; `call` may be used for several requests at once. */
export class RpcClient {
  private readonly pending = new Map<string, (answer: string) => void>();
  private callbackQueue = '';
  private listening: Promise<void> | null = null;

  private constructor(private readonly redis: Redis, private readonly listener: Redis) {}

  static async open(port?: number): Promise<RpcClient> {
    const client = new RpcClient(connect(port), connect(port));
    // The callback queue is exclusive to the listening connection: it goes away with it.
    [client.callbackQueue] = (await client.listener.call('MQ.QUEUE', 'DECLARE', '', 'EXCLUSIVE')) as [string];
    await client.redis.call('MQ.QUEUE', 'DECLARE', QUEUE);
    return client;
  }

  async call(n: number): Promise<number> {
    const id = randomUUID();
    const answer = new Promise<string>((resolve) => this.pending.set(id, resolve));
    await this.redis.call('MQ.PUBLISH', '', QUEUE, String(n), 'REPLYTO', this.callbackQueue, 'CORRELATIONID', id);
    this.listening ??= this.listen();
    return Number(await answer);
  }

  private async listen(): Promise<void> {
    while (this.pending.size > 0) {
      for (const reply of deliveries(await this.listener.call('MQ.GET', this.callbackQueue, 'COUNT', '100', 'BLOCK', '0', 'NOACK'))) {
        // An answer nobody waits for (a caller that gave up) is dropped, as in RabbitMQ's tutorial.
        this.pending.get(reply.correlationId!)?.(reply.body);
        this.pending.delete(reply.correlationId!);
      }
    }
    this.listening = null;
  }

  close(): void {
    this.redis.disconnect();
    this.listener.disconnect();
  }
}

if (isMain(import.meta.url)) {
  const server = startRpcServer();
  const client = await RpcClient.open();
  const answers = await Promise.all([10, 20, 30].map((n) => client.call(n)));
  console.log(`fib(10), fib(20), fib(30) = ${answers.join(', ')}`);
  client.close();
  await server.stop();
}
