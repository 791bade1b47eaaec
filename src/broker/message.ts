import { decimal, field, malformed } from './records.js';
import type { DeathReason, Headers, Message, PublishProps } from './types.js';

/** Bytes charged per queued copy on top of its strings: the object, its slot, the maps that hold it. */
export const MESSAGE_OVERHEAD = 200;

export function createMessage(
  seq: number, body: string, exchange: string, routingKey: string, props: PublishProps, timestamp: number,
  deathPath?: readonly string[],
): Message {
  return {
    seq, body, exchange, routingKey,
    persistent: props.persistent === true,
    replyTo: props.replyTo,
    correlationId: props.correlationId,
    messageId: props.messageId,
    timestamp,
    expiration: props.expiration,
    priority: props.priority,
    headers: props.headers,
    deathPath,
    size: MESSAGE_OVERHEAD + body.length + exchange.length + routingKey.length + propsLength(props),
    deliveryCount: 0,
    redelivered: false,
    expiresAt: 0,
  };
}

function propsLength(props: PublishProps): number {
  let length = (props.replyTo?.length ?? 0) + (props.correlationId?.length ?? 0) + (props.messageId?.length ?? 0);
  if (props.headers !== undefined) for (const [key, value] of props.headers) length += key.length + value.length;
  return length;
}

/**
 * The copy republished to a dead-letter exchange, as RabbitMQ makes it: x-death headers for its
 * last death (the count counting them all), no expiration left, stamped now.
 */
export function deadLetterCopy(
  message: Message, seq: number, exchange: string, routingKey: string, queue: string, reason: DeathReason, now: number,
): Message {
  const headers: Headers = [];
  let deaths = 0;
  if (message.headers !== undefined) {
    for (const pair of message.headers) {
      if (pair[0] === 'x-death-count') deaths = Number(pair[1]) || 0;
      if (!DEATH_HEADERS.has(pair[0])) headers.push(pair);
    }
  }
  headers.push(['x-death-queue', queue], ['x-death-reason', reason], ['x-death-count', String(deaths + 1)], ['x-death-exchange', message.exchange]);
  // A rejection breaks a cycle (RabbitMQ drops only cycles no consumer took part in).
  const deathPath = reason === 'rejected' ? [] : [...(message.deathPath ?? []), queue];
  return createMessage(seq, message.body, exchange, routingKey, { ...message, expiration: undefined, headers }, now, deathPath);
}

const DEATH_HEADERS = new Set(['x-death-queue', 'x-death-reason', 'x-death-count', 'x-death-exchange']);

const HEADER_PREFIX = 'header:';
const QUEUES = 'QUEUES';

/**
 * ['PUBLISH', seq, body, exchange, routingKey, timestamp, ...name/value pairs, 'QUEUES', ...queues]:
 * pairs only for the properties set, a `header:`-prefixed name per header, a `death` pair per
 * dead-lettering queue on its cycle path, and `delivery-count` when it was delivered.
 */
export function publishRecord(message: Message, queues: readonly string[], deliveryCount = message.deliveryCount): string[] {
  const record = ['PUBLISH', String(message.seq), message.body, message.exchange, message.routingKey, String(message.timestamp)];
  if (message.replyTo !== undefined) record.push('reply-to', message.replyTo);
  if (message.correlationId !== undefined) record.push('correlation-id', message.correlationId);
  if (message.messageId !== undefined) record.push('message-id', message.messageId);
  if (message.expiration !== undefined) record.push('expiration', String(message.expiration));
  if (message.priority !== undefined) record.push('priority', String(message.priority));
  if (message.headers !== undefined) for (const [key, value] of message.headers) record.push(HEADER_PREFIX + key, value);
  if (message.deathPath !== undefined) for (const queue of message.deathPath) record.push('death', queue);
  if (deliveryCount > 0) record.push('delivery-count', String(deliveryCount));
  record.push(QUEUES, ...queues);
  return record;
}

/** A PUBLISH record's message (persistent) and the queues it was stored in; throws if malformed. */
export function parsePublish(record: readonly string[]): { message: Message; queues: string[] } {
  const seq = decimal(record, 1);
  const [body, exchange, routingKey] = [field(record, 2), field(record, 3), field(record, 4)];
  const timestamp = decimal(record, 5);
  const props: PublishProps = { persistent: true };
  const deathPath: string[] = [];
  let deliveryCount = 0;
  let i = 6;
  for (; field(record, i) !== QUEUES; i += 2) {
    const name = record[i];
    const value = field(record, i + 1);
    if (name.startsWith(HEADER_PREFIX)) (props.headers ??= []).push([name.slice(HEADER_PREFIX.length), value]);
    else if (name === 'reply-to') props.replyTo = value;
    else if (name === 'correlation-id') props.correlationId = value;
    else if (name === 'message-id') props.messageId = value;
    else if (name === 'expiration') props.expiration = decimal(record, i + 1);
    else if (name === 'priority') props.priority = decimal(record, i + 1);
    else if (name === 'death') deathPath.push(value);
    else if (name === 'delivery-count') deliveryCount = decimal(record, i + 1);
    else throw malformed(record, `unknown property '${name}'`);
  }
  const queues = record.slice(i + 1);
  if (queues.length === 0) throw malformed(record, 'no queues');
  const message = createMessage(seq, body, exchange, routingKey, props, timestamp, deathPath.length > 0 ? deathPath : undefined);
  message.deliveryCount = deliveryCount;
  message.redelivered = deliveryCount > 0;
  return { message, queues };
}
