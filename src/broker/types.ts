/**
 * The broker's public data. Every string (names, bodies, header keys and values) is a latin1
 * string, one char per byte, so it is binary safe.
 */

/** An AMQP headers table, as pairs in the order given. */
export type Headers = [string, string][];

/** Identifies a connection: its deliveries, prefetch, consumed and exclusive queues. */
export type Owner = object;

export type Overflow = 'drop-head' | 'reject-publish';

/** Why a message left its queue for the dead-letter exchange (its x-death-reason). */
export type DeathReason = 'expired' | 'maxlen' | 'rejected' | 'delivery_limit';

export interface PublishProps {
  persistent?: boolean;
  replyTo?: string;
  correlationId?: string;
  messageId?: string;
  /** Per-message TTL in ms. */
  expiration?: number;
  priority?: number;
  headers?: Headers;
}

/** One queued copy of a published message; copies in other queues share the strings, not this object. */
export interface Message {
  /** Broker-wide, increasing: orders a queue, and names the message in journal records. */
  readonly seq: number;
  readonly body: string;
  readonly exchange: string;
  readonly routingKey: string;
  readonly persistent: boolean;
  readonly replyTo?: string;
  readonly correlationId?: string;
  readonly messageId?: string;
  /** ms since the epoch when published (or dead-lettered). */
  readonly timestamp: number;
  readonly expiration?: number;
  readonly priority?: number;
  readonly headers?: Headers;
  /** Queues it was dead-lettered from since it was last rejected: routing it back to one is a cycle. */
  readonly deathPath?: readonly string[];
  /** Its share of the broker's memory estimate. */
  readonly size: number;
  /** Below: this copy's state, kept by the broker. */
  deliveryCount: number;
  redelivered: boolean;
  /** When it expires in its queue (ms), 0 for never. */
  expiresAt: number;
}

export interface Delivery {
  /** Unique per owner, from 1, as a channel's delivery tags. */
  readonly tag: number;
  readonly queue: string;
  readonly message: Message;
  readonly redelivered: boolean;
  /** Including this delivery: 1 the first time. */
  readonly deliveryCount: number;
}

export interface QueueArguments {
  /** Message TTL in ms (x-message-ttl). */
  ttl?: number;
  /** Most ready messages (x-max-length). */
  maxLength?: number;
  /** What a full queue does with a new message; drop-head by default. */
  overflow?: Overflow;
  deadLetterExchange?: string;
  /** Replaces the routing key of dead-lettered messages; their own key by default. */
  deadLetterRoutingKey?: string;
  /** Deliveries after which a requeued message is dead-lettered instead. */
  deliveryLimit?: number;
  /** ms an unacked delivery may stay out before it is requeued; 30 minutes by default. */
  ackTimeout?: number;
}

export interface QueueOptions extends QueueArguments {
  /** Only check that the queue exists (and may be used); the other options are ignored. */
  passive?: boolean;
  durable?: boolean;
  exclusive?: boolean;
  autoDelete?: boolean;
}

export interface ExchangeOptions {
  passive?: boolean;
  durable?: boolean;
  autoDelete?: boolean;
}

export interface ExchangeInfo {
  name: string;
  type: 'direct' | 'fanout' | 'topic' | 'headers';
  durable: boolean;
  autoDelete: boolean;
}

export interface DeclaredQueue {
  name: string;
  ready: number;
  consumers: number;
}

export interface QueueInfo {
  durable: boolean;
  exclusive: boolean;
  autoDelete: boolean;
  /** The arguments that differ from the defaults, by their x-argument names. */
  arguments: [string, string][];
  ready: number;
  unacked: number;
  consumers: number;
  /** Counters since the queue was created (or since start-up, for a restored durable queue). */
  published: number;
  delivered: number;
  acked: number;
  redelivered: number;
  deadLettered: number;
  /** Its implicit binding to the default exchange first, then the others in the order made. */
  bindings: { exchange: string; key: string; headers?: Headers }[];
}

export interface BrokerStats {
  queues: number;
  exchanges: number;
  /** Explicit bindings: the implicit default-exchange ones are not counted. */
  bindings: number;
  messagesReady: number;
  messagesUnacked: number;
  published: number;
  delivered: number;
  acked: number;
  /** The estimate that maxMemory limits, in bytes. */
  memory: number;
}
