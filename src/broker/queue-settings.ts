import { errors, type BrokerError } from './errors.js';
import { decimal, malformed } from './records.js';
import type { Overflow, QueueArguments, QueueOptions } from './types.js';

/** A queue's declared properties with the defaults filled in: what a redeclaration must match. */
export interface QueueSettings extends QueueArguments {
  durable: boolean;
  exclusive: boolean;
  autoDelete: boolean;
  overflow: Overflow;
  ackTimeout: number;
}

/** RabbitMQ's default consumer timeout. */
export const DEFAULT_ACK_TIMEOUT = 1_800_000;

type ArgumentKind = 'count' | 'name' | 'overflow';

/**
 * Each argument once, under its RabbitMQ x-argument name: equivalence errors, QUEUE records and
 * QueueInfo.arguments all go through this table.
 */
const ARGUMENTS: readonly { key: keyof QueueArguments; name: string; kind: ArgumentKind; fallback?: string | number }[] = [
  { key: 'ttl', name: 'x-message-ttl', kind: 'count' },
  { key: 'maxLength', name: 'x-max-length', kind: 'count' },
  { key: 'overflow', name: 'x-overflow', kind: 'overflow', fallback: 'drop-head' },
  { key: 'deadLetterExchange', name: 'x-dead-letter-exchange', kind: 'name' },
  { key: 'deadLetterRoutingKey', name: 'x-dead-letter-routing-key', kind: 'name' },
  { key: 'deliveryLimit', name: 'x-delivery-limit', kind: 'count' },
  { key: 'ackTimeout', name: 'x-consumer-timeout', kind: 'count', fallback: DEFAULT_ACK_TIMEOUT },
];

const FLAGS = [
  { key: 'durable', name: 'durable' },
  { key: 'exclusive', name: 'exclusive' },
  { key: 'autoDelete', name: 'auto_delete' },
] as const;

export function settingsOf(options: QueueOptions): QueueSettings {
  return withArguments(options.durable === true, options.exclusive === true, options.autoDelete === true, options);
}

function withArguments(durable: boolean, exclusive: boolean, autoDelete: boolean, from: QueueArguments): QueueSettings {
  const settings = { durable, exclusive, autoDelete } as QueueSettings;
  const fields = settings as Record<keyof QueueArguments, unknown>;
  for (const argument of ARGUMENTS) fields[argument.key] = from[argument.key] ?? argument.fallback;
  return settings;
}

export function invalidArgument(queue: string, settings: QueueSettings): BrokerError | undefined {
  for (const argument of ARGUMENTS) {
    const value = settings[argument.key];
    if (value !== undefined && !valid(argument.kind, value)) return errors.invalidArg(argument.name, queue, String(value));
  }
  return undefined;
}

function valid(kind: ArgumentKind, value: string | number): boolean {
  switch (kind) {
    case 'count': return Number.isSafeInteger(value) && (value as number) >= 0;
    case 'name': return typeof value === 'string';
    case 'overflow': return value === 'drop-head' || value === 'reject-publish';
  }
}

/** The first property of `wanted` that differs from `current`, as RabbitMQ's inequivalent-arg error. */
export function inequivalence(queue: string, current: QueueSettings, wanted: QueueSettings): BrokerError | undefined {
  for (const flag of FLAGS) {
    if (current[flag.key] !== wanted[flag.key]) return errors.inequivalent(flag.name, 'queue', queue, String(wanted[flag.key]), String(current[flag.key]));
  }
  for (const argument of ARGUMENTS) {
    const have = current[argument.key];
    const want = wanted[argument.key];
    if (have !== want) return errors.inequivalent(argument.name, 'queue', queue, String(want ?? 'none'), String(have ?? 'none'));
  }
  return undefined;
}

/** The arguments that differ from the defaults, as [x-argument name, value]. */
export function argumentPairs(settings: QueueSettings): [string, string][] {
  const pairs: [string, string][] = [];
  for (const argument of ARGUMENTS) {
    const value = settings[argument.key];
    if (value !== undefined && value !== argument.fallback) pairs.push([argument.name, String(value)]);
  }
  return pairs;
}

/** Settings of a durable queue from a QUEUE record's fields: auto-delete flag, then argument pairs. */
export function settingsFromRecord(record: readonly string[], autoDelete: boolean, first: number): QueueSettings {
  if ((record.length - first) % 2 !== 0) throw malformed(record, 'an argument without a value');
  const given: Record<string, string | number> = {};
  for (let i = first; i < record.length; i += 2) {
    const argument = ARGUMENTS.find((candidate) => candidate.name === record[i]);
    if (argument === undefined) throw malformed(record, `unknown queue argument '${record[i]}'`);
    const value = argument.kind === 'count' ? decimal(record, i + 1) : record[i + 1];
    if (!valid(argument.kind, value)) throw malformed(record, `bad value for '${argument.name}'`);
    given[argument.key] = value;
  }
  return withArguments(true, false, autoDelete, given as QueueArguments);
}
