/**
 * Every error the broker returns, in one place. The command layer renders them as `-CODE message`;
 * texts follow RabbitMQ's wording. User errors are returned, never thrown.
 */
export type BrokerErrorCode = 'NOTFOUND' | 'PRECONDITION' | 'LOCKED' | 'NOROUTE' | 'OOM' | 'ERR';

export class BrokerError {
  constructor(readonly code: BrokerErrorCode, readonly message: string) {}
}

export const errors = {
  noQueue: (name: string) => new BrokerError('NOTFOUND', `no queue '${name}'`),
  noExchange: (name: string) => new BrokerError('NOTFOUND', `no exchange '${name}'`),
  inequivalent: (arg: string, kind: 'queue' | 'exchange', name: string, received: string, current: string) =>
    new BrokerError('PRECONDITION', `inequivalent arg '${arg}' for ${kind} '${name}': received '${received}' but current is '${current}'`),
  invalidArg: (arg: string, queue: string, value: string) =>
    new BrokerError('PRECONDITION', `invalid arg '${arg}' for queue '${queue}': '${value}'`),
  locked: (queue: string) => new BrokerError('LOCKED', `cannot obtain exclusive access to locked queue '${queue}'`),
  noRoute: new BrokerError('NOROUTE', 'message could not be routed'),
  memory: new BrokerError('OOM', 'broker memory limit reached'),
  queueFull: (queue: string) => new BrokerError('OOM', `queue '${queue}' is full`),
  queueInUse: (queue: string) => new BrokerError('PRECONDITION', `queue '${queue}' in use`),
  queueNotEmpty: (queue: string) => new BrokerError('PRECONDITION', `queue '${queue}' not empty`),
  exchangeInUse: (exchange: string) => new BrokerError('PRECONDITION', `exchange '${exchange}' in use`),
  unknownTag: (tag: number) => new BrokerError('ERR', `unknown delivery tag ${tag}`),
  unknownExchangeType: (type: string) => new BrokerError('ERR', `unknown exchange type '${type}'`),
  defaultExchange: new BrokerError('PRECONDITION', 'access refused: operation not permitted on the default exchange'),
  reservedExchange: new BrokerError('PRECONDITION', "access refused: exchange names starting with 'amq.' are reserved"),
  reservedQueue: (queue: string) =>
    new BrokerError('PRECONDITION', `access refused: queue name '${queue}' contains reserved prefix amq.*`),
  invalidXMatch: (value: string) =>
    new BrokerError('PRECONDITION', `invalid x-match field value '${value}'; expected all or any`),
} as const;
