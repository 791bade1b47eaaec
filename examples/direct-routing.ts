/**
 * Routing with a direct exchange: a queue gets the messages whose routing key equals one of its
 * binding keys. One receiver keeps only errors (to write them to disk), the other prints all
 * severities.
 *
 *   npm start, then: node dist/examples/direct-routing.js
 */
import { bindReceivers, connect, drain, isMain } from './lib.js';

const BINDINGS: Record<string, string[]> = {
  'errors to disk': ['error'],
  'everything to screen': ['info', 'warning', 'error'],
};

/** Returns what each receiver got, by name. */
export async function runDirectRouting(port?: number): Promise<Map<string, string[]>> {
  const redis = connect(port);
  await redis.call('MQ.EXCHANGE', 'DECLARE', 'direct_logs', 'direct');
  const queues = await bindReceivers(redis, 'direct_logs', BINDINGS);
  for (const [severity, text] of [['info', 'user logged in'], ['error', 'payment failed'], ['warning', 'slow query'], ['debug', 'nobody listens']]) {
    await redis.call('MQ.PUBLISH', 'direct_logs', severity, `${severity}: ${text}`);
  }
  const received = new Map([...(await drain(redis, queues))].map(([receiver, got]) => [receiver, got.map((d) => d.body)]));
  redis.disconnect();
  return received;
}

if (isMain(import.meta.url)) {
  for (const [receiver, lines] of await runDirectRouting()) console.log(`${receiver}: ${lines.join(' | ')}`);
}
