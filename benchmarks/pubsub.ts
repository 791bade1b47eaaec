/**
 * Pub/sub delivery rate: one publisher pipelines PUBLISH commands with 64-byte messages to one
 * channel, N raw-socket subscribers count the bytes of the frames they receive, and the rate is
 * messages delivered (messages x N) per second from the first publish to the last byte received.
 */
import net from 'node:net';
import { BenchClient, encodeCommand } from './lib.js';

const CHANNEL = 'bench';
const MESSAGE = 'm'.repeat(64);
const PUBLISHES_PER_FLIGHT = 100;
/** A message frame as a RESP2 subscriber receives it. */
const FRAME_BYTES = encodeCommand(['message', CHANNEL, MESSAGE]).length;
const CONFIRMATION_BYTES = `*3\r\n$9\r\nsubscribe\r\n$${CHANNEL.length}\r\n${CHANNEL}\r\n:1\r\n`.length;

/** A subscriber that only counts bytes, resolving once `expected` have arrived. */
class CountingSubscriber {
  private received = 0;
  private expected = Infinity;
  private done: (() => void) | null = null;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.received += chunk.length;
      if (this.received >= this.expected) this.done?.();
    });
  }

  static async subscribe(port: number): Promise<CountingSubscriber> {
    const socket = net.createConnection({ port, host: '127.0.0.1', noDelay: true });
    await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const subscriber = new CountingSubscriber(socket);
    const confirmed = subscriber.until(CONFIRMATION_BYTES);
    socket.write(encodeCommand(['SUBSCRIBE', CHANNEL]));
    await confirmed;
    return subscriber;
  }

  /** Resolves once `bytes` in all have arrived since the connection opened. */
  until(bytes: number): Promise<void> {
    this.expected = bytes;
    if (this.received >= bytes) return Promise.resolve();
    return new Promise((resolve) => (this.done = resolve));
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Delivered messages per second to `subscribers` subscribers of one channel on the server at `port`. */
export async function pubsubDeliveryRate(port: number, subscribers: number, deliveries: number): Promise<number> {
  const listeners: CountingSubscriber[] = [];
  for (let i = 0; i < subscribers; i++) listeners.push(await CountingSubscriber.subscribe(port));
  const publisher = await BenchClient.connect(port);
  const messages = Math.ceil(deliveries / subscribers / PUBLISHES_PER_FLIGHT) * PUBLISHES_PER_FLIGHT;
  const flight = Buffer.concat(Array.from({ length: PUBLISHES_PER_FLIGHT }, () => encodeCommand(['PUBLISH', CHANNEL, MESSAGE])));
  try {
    const received = Promise.all(listeners.map((listener) => listener.until(CONFIRMATION_BYTES + messages * FRAME_BYTES)));
    const started = performance.now();
    for (let sent = 0; sent < messages; sent += PUBLISHES_PER_FLIGHT) await publisher.pipeline(flight, PUBLISHES_PER_FLIGHT);
    await received;
    return (messages * subscribers) / ((performance.now() - started) / 1000);
  } finally {
    publisher.close();
    for (const listener of listeners) listener.close();
  }
}
