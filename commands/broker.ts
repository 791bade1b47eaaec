import type { Client } from '../src/client.js';
import type { CommandSpec } from '../src/command.js';
import { Err, fail } from '../src/errors.js';
import { globMatch } from '../src/glob.js';
import type { ReplyWriter } from '../src/protocol/reply-writer.js';
import { BrokerError } from '../src/broker/errors.js';
import type { Delivery, Headers, PublishProps, QueueOptions, Waiter } from '../src/broker/index.js';
import { integerArg, isOption } from './arguments.js';
import { replyHelp } from './help.js';

/**
 * The broker's commands: a thin layer that parses arguments, calls the broker (src/broker/,
 * which knows nothing of RESP) and writes its answers. Connections are the broker's owners.
 */

/** A broker result, or its error as `-CODE message`. */
function check<T>(result: T | BrokerError): T {
  if (result instanceof BrokerError) fail(`${result.code} ${result.message}`);
  return result;
}

/** A count argument: a non-negative integer (positive when `min` is 1). */
function countArg(text: string, min = 0): number {
  const value = integerArg(text);
  if (value < min) fail(Err.notInteger);
  return value;
}

/** The value after an option, or a syntax error when there is none. */
function valueAfter(argv: readonly string[], i: number): string {
  if (i + 1 >= argv.length) fail(Err.syntax);
  return argv[i + 1];
}

/** HEADERS n k v ...: the pairs, and the index after them. */
function headersArg(argv: readonly string[], i: number): [Headers, number] {
  const count = countArg(valueAfter(argv, i));
  if (i + 2 + count * 2 > argv.length) fail(Err.syntax);
  const headers: Headers = [];
  for (let j = 0; j < count; j++) headers.push([argv[i + 2 + j * 2], argv[i + 3 + j * 2]]);
  return [headers, i + 2 + count * 2];
}

/** MQ.EXCHANGE DECLARE name direct|fanout|topic|headers [DURABLE] [AUTODELETE] */
function exchangeDeclare(client: Client, argv: string[]): void {
  let durable = false;
  let autoDelete = false;
  for (let i = 4; i < argv.length; i++) {
    if (isOption(argv[i], 'DURABLE')) durable = true;
    else if (isOption(argv[i], 'AUTODELETE')) autoDelete = true;
    else fail(Err.syntax);
  }
  check(client.server.broker.declareExchange(argv[2], argv[3].toLowerCase(), { durable, autoDelete }));
  client.reply.ok();
}

/** MQ.EXCHANGE DELETE name [IFUNUSED] */
function exchangeDelete(client: Client, argv: string[]): void {
  let ifUnused = false;
  for (let i = 3; i < argv.length; i++) {
    if (isOption(argv[i], 'IFUNUSED')) ifUnused = true;
    else fail(Err.syntax);
  }
  client.reply.integer(check(client.server.broker.deleteExchange(argv[2], ifUnused)));
}

/** MQ.EXCHANGE LIST: [name, type, durable, autodelete] each. */
function exchangeList(client: Client): void {
  const exchanges = client.server.broker.listExchanges();
  const reply = client.reply;
  reply.arrayHeader(exchanges.length);
  for (const exchange of exchanges) {
    reply.arrayHeader(4);
    reply.bulk(exchange.name);
    reply.bulk(exchange.type);
    reply.integer(exchange.durable ? 1 : 0);
    reply.integer(exchange.autoDelete ? 1 : 0);
  }
}

/**
 * MQ.QUEUE DECLARE name|"" [DURABLE] [EXCLUSIVE] [AUTODELETE] [PASSIVE] [TTL ms] [MAXLEN n]
 *   [OVERFLOW drop-head|reject-publish] [DEADLETTER exchange [routing-key]] [DELIVERYLIMIT n] [ACKTIMEOUT ms]
 */
function queueDeclare(client: Client, argv: string[]): void {
  const options: QueueOptions = {};
  for (let i = 3; i < argv.length; i++) {
    const option = argv[i].toUpperCase();
    if (option === 'DURABLE') options.durable = true;
    else if (option === 'EXCLUSIVE') options.exclusive = true;
    else if (option === 'AUTODELETE') options.autoDelete = true;
    else if (option === 'PASSIVE') options.passive = true;
    else if (option === 'TTL') options.ttl = countArg(valueAfter(argv, i++));
    else if (option === 'MAXLEN') options.maxLength = countArg(valueAfter(argv, i++));
    else if (option === 'DELIVERYLIMIT') options.deliveryLimit = countArg(valueAfter(argv, i++), 1);
    else if (option === 'ACKTIMEOUT') options.ackTimeout = countArg(valueAfter(argv, i++), 1);
    else if (option === 'OVERFLOW') {
      const overflow = valueAfter(argv, i++).toLowerCase();
      if (overflow !== 'drop-head' && overflow !== 'reject-publish') fail(Err.syntax);
      options.overflow = overflow;
    } else if (option === 'DEADLETTER') {
      options.deadLetterExchange = valueAfter(argv, i++);
      // An optional routing key: the next argument unless it is one of the options.
      if (i + 1 < argv.length && !QUEUE_OPTIONS.has(argv[i + 1].toUpperCase())) options.deadLetterRoutingKey = argv[++i];
    } else {
      fail(Err.syntax);
    }
  }
  const declared = check(client.server.broker.declareQueue(client, argv[2], options));
  const reply = client.reply;
  reply.arrayHeader(3);
  reply.bulk(declared.name);
  reply.integer(declared.ready);
  reply.integer(declared.consumers);
}

const QUEUE_OPTIONS = new Set(['DURABLE', 'EXCLUSIVE', 'AUTODELETE', 'PASSIVE', 'TTL', 'MAXLEN', 'OVERFLOW', 'DEADLETTER', 'DELIVERYLIMIT', 'ACKTIMEOUT']);

/** MQ.QUEUE BIND|UNBIND queue exchange [binding-key] [HEADERS n k v ...] */
function queueBinding(client: Client, argv: string[], bind: boolean): void {
  let key = '';
  let headers: Headers | undefined;
  let i = 4;
  if (i < argv.length && !isOption(argv[i], 'HEADERS')) key = argv[i++];
  if (i < argv.length) {
    if (!isOption(argv[i], 'HEADERS')) fail(Err.syntax);
    [headers, i] = headersArg(argv, i);
    if (i !== argv.length) fail(Err.syntax);
  }
  const broker = client.server.broker;
  check(bind ? broker.bind(client, argv[2], argv[3], key, headers) : broker.unbind(client, argv[2], argv[3], key, headers));
  client.reply.ok();
}

/** MQ.QUEUE DELETE name [IFUNUSED] [IFEMPTY] */
function queueDelete(client: Client, argv: string[]): void {
  let ifUnused = false;
  let ifEmpty = false;
  for (let i = 3; i < argv.length; i++) {
    if (isOption(argv[i], 'IFUNUSED')) ifUnused = true;
    else if (isOption(argv[i], 'IFEMPTY')) ifEmpty = true;
    else fail(Err.syntax);
  }
  client.reply.integer(check(client.server.broker.deleteQueue(client, argv[2], ifUnused, ifEmpty)));
}

/** MQ.QUEUE PURGE name */
function queuePurge(client: Client, argv: string[]): void {
  client.reply.integer(check(client.server.broker.purge(client, argv[2])));
}

/** MQ.QUEUE INFO name: a map of its settings, counts and bindings. */
function queueInfo(client: Client, argv: string[]): void {
  const info = check(client.server.broker.info(client, argv[2]));
  const reply = client.reply;
  const flags: [string, boolean][] = [['durable', info.durable], ['exclusive', info.exclusive], ['autodelete', info.autoDelete]];
  const counts: [string, number][] = [
    ['ready', info.ready], ['unacked', info.unacked], ['consumers', info.consumers], ['published', info.published],
    ['delivered', info.delivered], ['acked', info.acked], ['redelivered', info.redelivered], ['dead-lettered', info.deadLettered],
  ];
  reply.mapHeader(flags.length + counts.length + 1);
  for (const [name, on] of flags) {
    reply.bulk(name);
    reply.integer(on ? 1 : 0);
  }
  for (const [name, count] of counts) {
    reply.bulk(name);
    reply.integer(count);
  }
  reply.bulk('bindings');
  reply.arrayHeader(info.bindings.length);
  for (const binding of info.bindings) {
    const headers = binding.headers ?? [];
    reply.arrayHeader(headers.length === 0 ? 2 : 3);
    reply.bulk(binding.exchange);
    reply.bulk(binding.key);
    if (headers.length > 0) writeHeaders(reply, headers);
  }
}

/** MQ.QUEUE LIST [pattern] */
function queueList(client: Client, argv: string[]): void {
  if (argv.length > 3) fail(Err.syntax);
  const pattern = argv.length > 2 ? argv[2] : null;
  const names = client.server.broker.list().filter((name) => pattern === null || globMatch(pattern, name));
  client.reply.bulkArray(names);
}

/**
 * MQ.PUBLISH exchange routing-key body [PERSISTENT] [REPLYTO queue] [CORRELATIONID id] [MESSAGEID id]
 *   [EXPIRATION ms] [PRIORITY n] [HEADERS n k v ...] [MANDATORY]
 * The reply is the publisher's confirm: it leaves after the journal has the message (and, with
 * appendfsync always, after the fsync), since the journal is written before the turn's replies.
 */
function publish(client: Client, argv: string[]): void {
  const props: PublishProps = {};
  let mandatory = false;
  for (let i = 4; i < argv.length; i++) {
    const option = argv[i].toUpperCase();
    if (option === 'PERSISTENT') props.persistent = true;
    else if (option === 'MANDATORY') mandatory = true;
    else if (option === 'REPLYTO') props.replyTo = valueAfter(argv, i++);
    else if (option === 'CORRELATIONID') props.correlationId = valueAfter(argv, i++);
    else if (option === 'MESSAGEID') props.messageId = valueAfter(argv, i++);
    else if (option === 'EXPIRATION') props.expiration = countArg(valueAfter(argv, i++));
    else if (option === 'PRIORITY') {
      props.priority = countArg(valueAfter(argv, i++));
      // AMQP's priority is an octet.
      if (props.priority > 255) fail(Err.notInteger);
    } else if (option === 'HEADERS') {
      [props.headers, i] = headersArg(argv, i);
      i--;
    } else {
      fail(Err.syntax);
    }
  }
  const broker = client.server.broker;
  broker.maxMemory = client.server.config.get('mq-max-memory');
  client.reply.integer(check(broker.publish(argv[1], argv[2], argv[3], props, mandatory)));
}

/** Deliveries as MQ.GET answers them: each a field/value list (a map in RESP3), unset fields left out. */
function writeDeliveries(reply: ReplyWriter, deliveries: readonly Delivery[]): void {
  reply.arrayHeader(deliveries.length);
  for (const delivery of deliveries) {
    const message = delivery.message;
    const optional = (message.replyTo !== undefined ? 1 : 0) + (message.correlationId !== undefined ? 1 : 0)
      + (message.messageId !== undefined ? 1 : 0) + (message.headers !== undefined && message.headers.length > 0 ? 1 : 0);
    reply.mapHeader(8 + optional);
    reply.bulk('tag');
    reply.integer(delivery.tag);
    reply.bulk('body');
    reply.bulk(message.body);
    reply.bulk('exchange');
    reply.bulk(message.exchange);
    reply.bulk('routing-key');
    reply.bulk(message.routingKey);
    reply.bulk('redelivered');
    reply.integer(delivery.redelivered ? 1 : 0);
    reply.bulk('delivery-count');
    reply.integer(delivery.deliveryCount);
    reply.bulk('persistent');
    reply.integer(message.persistent ? 1 : 0);
    if (message.replyTo !== undefined) {
      reply.bulk('reply-to');
      reply.bulk(message.replyTo);
    }
    if (message.correlationId !== undefined) {
      reply.bulk('correlation-id');
      reply.bulk(message.correlationId);
    }
    if (message.messageId !== undefined) {
      reply.bulk('message-id');
      reply.bulk(message.messageId);
    }
    reply.bulk('timestamp');
    reply.integer(message.timestamp);
    if (message.headers !== undefined && message.headers.length > 0) {
      reply.bulk('headers');
      writeHeaders(reply, message.headers);
    }
  }
}

function writeHeaders(reply: ReplyWriter, headers: Headers): void {
  reply.mapHeader(headers.length);
  for (const [key, value] of headers) {
    reply.bulk(key);
    reply.bulk(value);
  }
}

/**
 * MQ.GET queue [COUNT n] [BLOCK ms] [NOACK]: what is ready (up to COUNT, within the connection's
 * prefetch), else nil, or with BLOCK a wait (0 = forever) served first come, first served.
 */
function get(client: Client, argv: string[]): void {
  let count = 1;
  let blockMs = -1;
  let noAck = false;
  for (let i = 2; i < argv.length; i++) {
    const option = argv[i].toUpperCase();
    if (option === 'COUNT') count = countArg(valueAfter(argv, i++), 1);
    else if (option === 'BLOCK') blockMs = countArg(valueAfter(argv, i++));
    else if (option === 'NOACK') noAck = true;
    else fail(Err.syntax);
  }
  const server = client.server;
  const broker = server.broker;
  const deliveries = check(broker.get(client, argv[1], count, noAck));
  if (deliveries.length > 0) {
    writeDeliveries(client.reply, deliveries);
    return;
  }
  // Inside MULTI (or EXEC) a blocking command answers at once, as Redis's do.
  if (blockMs < 0 || client.multi !== null) {
    client.reply.nullArray();
    return;
  }
  // Parked first: the broker may serve the waiter at once (a prefetch slot freed meanwhile).
  let waiter: Waiter | null = null;
  server.blocking.park(client, argv, blockMs, () => waiter !== null && broker.cancel(waiter));
  const served = (deliveries: Delivery[]) => server.blocking.wake(client, (reply) => {
    // None: the queue was deleted under the waiter.
    if (deliveries.length === 0) reply.nullArray();
    else writeDeliveries(reply, deliveries);
  });
  // The get above found the queue there and open to this client, and nothing ran since.
  waiter = broker.wait(client, argv[1], count, noAck, served) as Waiter;
}

/** MQ.ACK queue tag [tag ...] */
function ack(client: Client, argv: string[]): void {
  const tags = argv.slice(2).map((tag) => integerArg(tag));
  client.reply.integer(check(client.server.broker.ack(client, argv[1], tags)));
}

/** MQ.NACK queue tag [tag ...] [REQUEUE|DEADLETTER] */
function nack(client: Client, argv: string[]): void {
  let end = argv.length;
  let mode: 'requeue' | 'deadletter' = 'requeue';
  const last = argv[end - 1].toUpperCase();
  if (last === 'REQUEUE' || last === 'DEADLETTER') {
    mode = last === 'REQUEUE' ? 'requeue' : 'deadletter';
    end--;
  }
  if (end < 3) fail(Err.wrongArity('mq.nack'));
  const tags = argv.slice(2, end).map((tag) => integerArg(tag));
  client.reply.integer(check(client.server.broker.nack(client, argv[1], tags, mode)));
}

/** MQ.QOS prefetch (0 = unlimited) */
function qos(client: Client, argv: string[]): void {
  client.server.broker.setPrefetch(client, countArg(argv[1]));
  client.reply.ok();
}

function exchangeHelp(client: Client): void {
  replyHelp(client, 'mq.exchange', [
    'DECLARE <name> direct|fanout|topic|headers [DURABLE] [AUTODELETE]',
    '    Create an exchange, or check that it exists with these properties.',
    'DELETE <name> [IFUNUSED]',
    '    Delete an exchange (only when no queue is bound to it, with IFUNUSED).',
    'LIST',
    '    Return [name, type, durable, autodelete] of every exchange.',
  ]);
}

function queueHelp(client: Client): void {
  replyHelp(client, 'mq.queue', [
    'DECLARE <name>|"" [DURABLE] [EXCLUSIVE] [AUTODELETE] [PASSIVE] [TTL <ms>] [MAXLEN <n>]',
    '        [OVERFLOW drop-head|reject-publish] [DEADLETTER <exchange> [<routing-key>]]',
    '        [DELIVERYLIMIT <n>] [ACKTIMEOUT <ms>]',
    '    Create a queue ("" names it), or check it; return [name, ready, consumers].',
    'BIND <queue> <exchange> [<binding-key>] [HEADERS <n> <key> <value> ...]',
    '    Route messages of the exchange that match the binding to the queue.',
    'UNBIND <queue> <exchange> [<binding-key>] [HEADERS <n> <key> <value> ...]',
    '    Remove a binding.',
    'DELETE <name> [IFUNUSED] [IFEMPTY]',
    '    Delete a queue; return how many messages went with it.',
    'PURGE <name>',
    '    Remove the ready messages of a queue; return how many.',
    'INFO <name>',
    '    Return the settings, counters and bindings of a queue.',
    'LIST [<pattern>]',
    '    Return the names of the queues (matching the pattern).',
  ]);
}

const mq = { group: 'module', since: '0.1.0' } as const;
const topology = { ...mq, flags: ['noscript'] } as const;

export const brokerCommands: CommandSpec[] = [
  {
    ...mq, name: 'mq.exchange', arity: -2, flags: [], summary: 'A container for broker exchange commands.', complexity: 'Depends on subcommand.',
    subcommands: [
      { ...topology, name: 'declare', arity: -4, summary: 'Creates an exchange or checks its properties.', complexity: 'O(1)', handler: exchangeDeclare },
      { ...topology, name: 'delete', arity: -3, summary: 'Deletes an exchange and its bindings.', complexity: 'O(N) where N is the number of bindings of the exchange.', handler: exchangeDelete },
      { ...topology, name: 'list', arity: 2, summary: 'Returns every exchange.', complexity: 'O(N) where N is the number of exchanges.', handler: exchangeList },
      { ...mq, name: 'help', arity: 2, flags: ['loading', 'stale'], summary: 'Returns helpful text about the different subcommands.', complexity: 'O(1)', handler: exchangeHelp },
    ],
  },
  {
    ...mq, name: 'mq.queue', arity: -2, flags: [], summary: 'A container for broker queue commands.', complexity: 'Depends on subcommand.',
    subcommands: [
      { ...topology, name: 'declare', arity: -3, summary: 'Creates a queue or checks its properties.', complexity: 'O(1)', handler: queueDeclare },
      { ...topology, name: 'bind', arity: -4, summary: 'Binds a queue to an exchange.', complexity: 'O(1)', handler: (client, argv) => queueBinding(client, argv, true) },
      { ...topology, name: 'unbind', arity: -4, summary: 'Removes a binding of a queue.', complexity: 'O(1)', handler: (client, argv) => queueBinding(client, argv, false) },
      { ...topology, name: 'delete', arity: -3, summary: 'Deletes a queue and its messages.', complexity: 'O(N) where N is the number of messages in the queue.', handler: queueDelete },
      { ...topology, name: 'purge', arity: 3, summary: 'Removes the ready messages of a queue.', complexity: 'O(N) where N is the number of ready messages.', handler: queuePurge },
      { ...topology, name: 'info', arity: 3, summary: 'Returns the settings, counters and bindings of a queue.', complexity: 'O(N) where N is the number of bindings of the queue.', handler: queueInfo },
      { ...topology, name: 'list', arity: -2, summary: 'Returns the names of the queues.', complexity: 'O(N) where N is the number of queues.', handler: queueList },
      { ...mq, name: 'help', arity: 2, flags: ['loading', 'stale'], summary: 'Returns helpful text about the different subcommands.', complexity: 'O(1)', handler: queueHelp },
    ],
  },
  { ...mq, name: 'mq.publish', arity: -4, flags: ['denyoom', 'fast'], summary: 'Publishes a message to an exchange; returns the number of queues it reached.', complexity: 'O(N) where N is the number of bindings the exchange checks.', handler: publish },
  { ...mq, name: 'mq.get', arity: -2, flags: ['blocking'], summary: 'Takes messages from a queue, waiting for them with BLOCK.', complexity: 'O(N) where N is the number of messages taken.', handler: get },
  { ...mq, name: 'mq.ack', arity: -3, flags: ['fast'], summary: 'Acknowledges deliveries: their messages leave the queue.', complexity: 'O(N) where N is the number of tags.', handler: ack },
  { ...mq, name: 'mq.nack', arity: -3, flags: ['fast'], summary: 'Rejects deliveries: requeued, or dead-lettered.', complexity: 'O(N) where N is the number of tags.', handler: nack },
  { ...mq, name: 'mq.qos', arity: 2, flags: ['fast'], summary: 'Limits the unacknowledged deliveries of the connection.', complexity: 'O(1)', handler: qos },
];
