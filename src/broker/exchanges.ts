import { errors, type BrokerError } from './errors.js';
import { TopicRouter } from './topic.js';
import type { ExchangeInfo, Headers } from './types.js';

/**
 * Exchange types as RabbitMQ's behaviours: each validates binding arguments and builds the index
 * its routing needs. The broker only sees this interface, so a type is one entry in EXCHANGE_TYPES.
 */

/** A binding as routing sees it: where matching messages go, with the key and arguments it was made with. */
export interface Binding<Q> {
  readonly queue: Q;
  readonly key: string;
  readonly args: Headers;
}

/** One exchange's bindings, indexed the way its type routes. */
export interface Router<Q> {
  add(binding: Binding<Q>): void;
  delete(binding: Binding<Q>): void;
  /** Appends the queue of every matching binding to `out`; a queue bound twice may appear twice. */
  route(routingKey: string, headers: Headers | undefined, out: Q[]): void;
}

export interface ExchangeBehaviour {
  /** The error for binding arguments this type refuses. */
  validate(args: Headers): BrokerError | undefined;
  router<Q>(): Router<Q>;
}

export type ExchangeType = ExchangeInfo['type'];

/** Routes on the whole routing key: one map lookup. */
class DirectRouter<Q> implements Router<Q> {
  private readonly byKey = new Map<string, Set<Binding<Q>>>();

  add(binding: Binding<Q>): void {
    const bindings = this.byKey.get(binding.key);
    if (bindings === undefined) this.byKey.set(binding.key, new Set([binding]));
    else bindings.add(binding);
  }

  delete(binding: Binding<Q>): void {
    const bindings = this.byKey.get(binding.key);
    if (bindings !== undefined && bindings.delete(binding) && bindings.size === 0) this.byKey.delete(binding.key);
  }

  route(routingKey: string, _headers: Headers | undefined, out: Q[]): void {
    const bindings = this.byKey.get(routingKey);
    if (bindings !== undefined) for (const binding of bindings) out.push(binding.queue);
  }
}

class FanoutRouter<Q> implements Router<Q> {
  private readonly bindings = new Set<Binding<Q>>();

  add(binding: Binding<Q>): void {
    this.bindings.add(binding);
  }

  delete(binding: Binding<Q>): void {
    this.bindings.delete(binding);
  }

  route(_routingKey: string, _headers: Headers | undefined, out: Q[]): void {
    for (const binding of this.bindings) out.push(binding.queue);
  }
}

/** A headers binding compiled: x-match and the pairs that count (keys starting with `x-` do not). */
interface HeadersRule {
  readonly any: boolean;
  readonly pairs: Headers;
}

class HeadersRouter<Q> implements Router<Q> {
  private readonly rules = new Map<Binding<Q>, HeadersRule>();

  add(binding: Binding<Q>): void {
    let any = false;
    const pairs: Headers = [];
    for (const pair of binding.args) {
      if (pair[0] === X_MATCH) any = pair[1] === 'any';
      else if (!pair[0].startsWith('x-')) pairs.push(pair);
    }
    this.rules.set(binding, { any, pairs });
  }

  delete(binding: Binding<Q>): void {
    this.rules.delete(binding);
  }

  route(_routingKey: string, headers: Headers | undefined, out: Q[]): void {
    for (const [binding, rule] of this.rules) if (headersMatch(rule, headers ?? NO_HEADERS)) out.push(binding.queue);
  }
}

const X_MATCH = 'x-match';
const NO_HEADERS: Headers = [];

/** `all`: every pair is in the message (so no pairs match anything); `any`: at least one is. */
function headersMatch(rule: HeadersRule, headers: Headers): boolean {
  for (const [key, value] of rule.pairs) {
    if ((headerValue(headers, key) === value) === rule.any) return rule.any;
  }
  return !rule.any;
}

/** The value of a message header (the first, should a key repeat). */
function headerValue(headers: Headers, key: string): string | undefined {
  for (const pair of headers) if (pair[0] === key) return pair[1];
  return undefined;
}

function acceptAll(): undefined {
  return undefined;
}

function validateXMatch(args: Headers): BrokerError | undefined {
  for (const [key, value] of args) {
    if (key === X_MATCH && value !== 'all' && value !== 'any') return errors.invalidXMatch(value);
  }
  return undefined;
}

export const EXCHANGE_TYPES: ReadonlyMap<string, ExchangeBehaviour> = new Map<ExchangeType, ExchangeBehaviour>([
  ['direct', { validate: acceptAll, router: <Q>() => new DirectRouter<Q>() }],
  ['fanout', { validate: acceptAll, router: <Q>() => new FanoutRouter<Q>() }],
  ['topic', { validate: acceptAll, router: <Q>() => new TopicRouter<Q>() }],
  ['headers', { validate: validateXMatch, router: <Q>() => new HeadersRouter<Q>() }],
]);

export function isExchangeType(type: string): type is ExchangeType {
  return EXCHANGE_TYPES.has(type);
}
