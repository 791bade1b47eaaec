/**
 * Publish/subscribe with a fanout exchange: every receiver declares a server-named exclusive
 * queue (MQ.QUEUE DECLARE "" EXCLUSIVE), binds it to the `logs` exchange, and gets a copy of
 * every log line. The queues go away with their connections.
 *
 *   npm start, then: node dist/examples/fanout-logs.js
 */
import { connect, deliveries, isMain } from './lib.js';

/** Two receivers, then three log lines; returns what each receiver got. */
export async function runFanoutLogs(port?: number): Promise<string[][]> {
  const emitter = connect(port);
  await emitter.call('MQ.EXCHANGE', 'DECLARE', 'logs', 'fanout');
  const receivers = [connect(port), connect(port)];
  const queues: string[] = [];
  for (const receiver of receivers) {
    const [queue] = (await receiver.call('MQ.QUEUE', 'DECLARE', '', 'EXCLUSIVE')) as [string];
    await receiver.call('MQ.QUEUE', 'BIND', queue, 'logs');
    queues.push(queue);
  }
  for (const line of ['info: started', 'warning: disk 80% full', 'error: disk full']) await emitter.call('MQ.PUBLISH', 'logs', '', line);
  const received = await Promise.all(
    receivers.map(async (receiver, i) => deliveries(await receiver.call('MQ.GET', queues[i], 'COUNT', '10', 'NOACK')).map((d) => d.body)),
  );
  for (const client of [emitter, ...receivers]) client.disconnect();
  return received;
}

if (isMain(import.meta.url)) {
  (await runFanoutLogs()).forEach((lines, i) => console.log(`receiver ${i + 1}: ${lines.join(' | ')}`));
}
