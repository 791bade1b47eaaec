/**
 * Work queue: one producer, several workers taking turns. Each worker takes one task at a time
 * (MQ.QOS 1, RabbitMQ's basic_qos(prefetch_count=1)) and acks it when done, so a busy worker is
 * passed over and a task whose worker dies unacked goes to another one. Each dot in a task is
 * 10 ms of work.
 *
 *   npm start, then: node dist/examples/work-queue.js
 */
import { connect, deliveries, isMain } from './lib.js';

const QUEUE = 'task_queue';

/** Publishes `tasks` tasks and runs `workers` workers until all are done; returns who did what. */
export async function runWorkQueue(port?: number, tasks = 12, workers = 3): Promise<Map<string, string[]>> {
  const producer = connect(port);
  await producer.call('MQ.QUEUE', 'DECLARE', QUEUE, 'DURABLE');
  for (let i = 1; i <= tasks; i++) {
    await producer.call('MQ.PUBLISH', '', QUEUE, `task ${i} ${'.'.repeat(1 + (i % 3))}`, 'PERSISTENT');
  }
  let done = 0;
  const doneBy = new Map<string, string[]>();
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      const name = `worker ${w + 1}`;
      const worker = connect(port);
      const mine: string[] = [];
      doneBy.set(name, mine);
      await worker.call('MQ.QOS', '1');
      while (done < tasks) {
        // A short BLOCK so that a worker notices when the others finished the last tasks.
        for (const task of deliveries(await worker.call('MQ.GET', QUEUE, 'BLOCK', '100'))) {
          await new Promise((resolve) => setTimeout(resolve, 10 * (task.body.split('.').length - 1)));
          await worker.call('MQ.ACK', QUEUE, task.tag);
          mine.push(task.body);
          done++;
        }
      }
      worker.disconnect();
    }),
  );
  producer.disconnect();
  return doneBy;
}

if (isMain(import.meta.url)) {
  for (const [worker, tasks] of await runWorkQueue()) console.log(`${worker}: ${tasks.join(', ')}`);
}
