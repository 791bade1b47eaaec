/** The message broker's core: RabbitMQ's model in memory, without RESP (see broker.ts). */
export { Broker, Waiter, type BrokerOptions, type Journal } from './broker.js';
export { BrokerError, errors, type BrokerErrorCode } from './errors.js';
export type { ExchangeType } from './exchanges.js';
export { MESSAGE_OVERHEAD } from './message.js';
export { DEFAULT_ACK_TIMEOUT } from './queue-settings.js';
export type {
  BrokerStats, DeathReason, DeclaredQueue, Delivery, ExchangeInfo, ExchangeOptions, Headers, Message, Overflow, Owner, PublishProps,
  QueueArguments, QueueInfo, QueueOptions,
} from './types.js';
