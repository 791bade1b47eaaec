/**
 * Routing with a topic exchange: routing keys are words separated by dots (`<facility>.<severity>`);
 * in a binding key `*` stands for exactly one word and `#` for zero or more.
 *
 *   npm start, then: node dist/examples/topic-routing.js
 */
import { bindReceivers, connect, drain, isMain } from './lib.js';

const BINDINGS: Record<string, string[]> = {
  'kern.*': ['kern.*'],
  '*.critical': ['*.critical'],
  'kern.# and *.critical': ['kern.#', '*.critical'],
  '#': ['#'],
};

/** Returns the routing keys each binding set received. */
export async function runTopicRouting(port?: number): Promise<Map<string, string[]>> {
  const redis = connect(port);
  await redis.call('MQ.EXCHANGE', 'DECLARE', 'topic_logs', 'topic');
  const queues = await bindReceivers(redis, 'topic_logs', BINDINGS);
  for (const key of ['kern.critical', 'kern.info', 'auth.critical', 'auth.info.detail', 'kern']) {
    await redis.call('MQ.PUBLISH', 'topic_logs', key, `a message about ${key}`);
  }
  const received = new Map([...(await drain(redis, queues))].map(([name, got]) => [name, got.map((d) => d.routingKey)]));
  redis.disconnect();
  return received;
}

if (isMain(import.meta.url)) {
  for (const [name, keys] of await runTopicRouting()) console.log(`${name}: ${keys.join(', ')}`);
}
