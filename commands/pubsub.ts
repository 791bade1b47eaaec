import type { Client } from '../src/client.js';
import type { CommandSpec } from '../src/command.js';
import { globMatch } from '../src/glob.js';
import { publishMessage, publishShardMessage } from '../src/publish.js';
import type { SubscriptionKind } from '../src/pubsub.js';
import { replyHelp } from './help.js';

/** The confirmation and message names Redis uses for each kind of subscription. */
const NAMES = {
  channel: { subscribe: 'subscribe', unsubscribe: 'unsubscribe', message: 'message' },
  pattern: { subscribe: 'psubscribe', unsubscribe: 'punsubscribe', message: 'pmessage' },
  shard: { subscribe: 'ssubscribe', unsubscribe: 'sunsubscribe', message: 'smessage' },
} as const;

/** The running count a confirmation carries: channels and patterns together, shard channels apart. */
function subscriptionCount(client: Client, kind: SubscriptionKind): number {
  const subscriptions = client.subscriptions;
  if (subscriptions === null) return 0;
  return kind === 'shard' ? subscriptions.shardChannels.size : subscriptions.count;
}

/** One confirmation: [subscribe|unsubscribe..., channel or nil, count], a push frame in RESP3. */
function confirm(client: Client, action: string, name: string | null, count: number): void {
  const reply = client.reply;
  reply.pushHeader(3);
  reply.bulk(action);
  reply.bulkOrNull(name);
  reply.integer(count);
}

/** SUBSCRIBE, PSUBSCRIBE, SSUBSCRIBE: one confirmation per name, subscribed or not before. */
function subscribeGeneric(client: Client, argv: string[], kind: SubscriptionKind): void {
  const pubsub = client.server.pubsub;
  for (let i = 1; i < argv.length; i++) {
    pubsub.subscribe(client, kind, argv[i]);
    confirm(client, NAMES[kind].subscribe, argv[i], subscriptionCount(client, kind));
  }
}

/**
 * UNSUBSCRIBE, PUNSUBSCRIBE, SUNSUBSCRIBE: one confirmation per name given, or per name
 * subscribed when none is given, or a single one with a nil name when there is none at all.
 */
function unsubscribeGeneric(client: Client, argv: string[], kind: SubscriptionKind): void {
  const pubsub = client.server.pubsub;
  const action = NAMES[kind].unsubscribe;
  let names = argv.slice(1);
  if (names.length === 0) {
    const subscriptions = client.subscriptions;
    names = subscriptions === null ? [] : [...subscriptions.of(kind)];
    if (names.length === 0) {
      confirm(client, action, null, subscriptionCount(client, kind));
      return;
    }
  }
  for (const name of names) {
    pubsub.unsubscribe(client, kind, name);
    confirm(client, action, name, subscriptionCount(client, kind));
  }
}

/** SUBSCRIBE channel [channel ...] */
function subscribe(client: Client, argv: string[]): void {
  subscribeGeneric(client, argv, 'channel');
}

/** UNSUBSCRIBE [channel ...] */
function unsubscribe(client: Client, argv: string[]): void {
  unsubscribeGeneric(client, argv, 'channel');
}

/** PSUBSCRIBE pattern [pattern ...] */
function psubscribe(client: Client, argv: string[]): void {
  subscribeGeneric(client, argv, 'pattern');
}

/** PUNSUBSCRIBE [pattern ...] */
function punsubscribe(client: Client, argv: string[]): void {
  unsubscribeGeneric(client, argv, 'pattern');
}

/** SSUBSCRIBE shardchannel [shardchannel ...] */
function ssubscribe(client: Client, argv: string[]): void {
  subscribeGeneric(client, argv, 'shard');
}

/** SUNSUBSCRIBE [shardchannel ...] */
function sunsubscribe(client: Client, argv: string[]): void {
  unsubscribeGeneric(client, argv, 'shard');
}

/** PUBLISH channel message */
function publish(client: Client, argv: string[]): void {
  client.reply.integer(publishMessage(client.server, argv[1], argv[2]));
}

/** SPUBLISH shardchannel message */
function spublish(client: Client, argv: string[]): void {
  client.reply.integer(publishShardMessage(client.server, argv[1], argv[2]));
}

/** PUBSUB CHANNELS and SHARDCHANNELS [pattern]: the names with subscribers, matching the pattern. */
function activeChannels(client: Client, argv: string[], kind: SubscriptionKind): void {
  const pattern = argv.length > 2 ? argv[2] : null;
  const found: string[] = [];
  for (const name of client.server.pubsub.registry(kind).keys()) if (pattern === null || globMatch(pattern, name)) found.push(name);
  client.reply.bulkArray(found);
}

/** PUBSUB NUMSUB and SHARDNUMSUB [channel ...]: each name and its subscriber count, flat. */
function subscriberCounts(client: Client, argv: string[], kind: SubscriptionKind): void {
  const registry = client.server.pubsub.registry(kind);
  const reply = client.reply;
  reply.arrayHeader((argv.length - 2) * 2);
  for (let i = 2; i < argv.length; i++) {
    reply.bulk(argv[i]);
    reply.integer(registry.get(argv[i])?.size ?? 0);
  }
}

/** PUBSUB HELP */
function pubsubHelp(client: Client): void {
  replyHelp(client, 'pubsub', [
    'CHANNELS [<pattern>]',
    "    Return the currently active channels matching a <pattern> (default: '*').",
    'NUMPAT',
    '    Return number of subscriptions to patterns.',
    'NUMSUB [<channel> ...]',
    '    Return the number of subscribers for the specified channels, excluding',
    '    pattern subscriptions(default: no channels).',
    'SHARDCHANNELS [<pattern>]',
    "    Return the currently active shard level channels matching a <pattern> (default: '*').",
    'SHARDNUMSUB [<shardchannel> ...]',
    '    Return the number of subscribers for the specified shard level channel(s)',
  ]);
}

const pubsubCommand = { group: 'pubsub' } as const;
const unsubscribing = { ...pubsubCommand, flags: ['pubsub', 'noscript', 'loading', 'stale'] } as const;
const subscribing = { ...pubsubCommand, flags: ['pubsub', 'noscript', 'loading', 'stale', 'denyoom'] } as const;
const publishing = { ...pubsubCommand, arity: 3, flags: ['pubsub', 'loading', 'stale', 'fast'] } as const;
const introspection = { ...pubsubCommand, flags: ['pubsub', 'loading', 'stale'] } as const;

export const pubsubCommands: CommandSpec[] = [
  { ...subscribing, name: 'subscribe', arity: -2, since: '2.0.0', summary: 'Listens for messages published to channels.', complexity: 'O(N) where N is the number of channels to subscribe to.', handler: subscribe },
  { ...unsubscribing, name: 'unsubscribe', arity: -1, since: '2.0.0', summary: 'Stops listening to messages posted to channels.', complexity: 'O(N) where N is the number of channels to unsubscribe.', handler: unsubscribe },
  { ...subscribing, name: 'psubscribe', arity: -2, since: '2.0.0', summary: 'Listens for messages published to channels that match one or more patterns.', complexity: 'O(N) where N is the number of patterns to subscribe to.', handler: psubscribe },
  { ...unsubscribing, name: 'punsubscribe', arity: -1, since: '2.0.0', summary: 'Stops listening to messages published to channels that match one or more patterns.', complexity: 'O(N) where N is the number of patterns to unsubscribe.', handler: punsubscribe },
  { ...subscribing, name: 'ssubscribe', arity: -2, keys: [1, -1, 1], since: '7.0.0', summary: 'Listens for messages published to shard channels.', complexity: 'O(N) where N is the number of shard channels to subscribe to.', handler: ssubscribe },
  { ...unsubscribing, name: 'sunsubscribe', arity: -1, keys: [1, -1, 1], since: '7.0.0', summary: 'Stops listening to messages posted to shard channels.', complexity: 'O(N) where N is the number of shard channels to unsubscribe.', handler: sunsubscribe },
  { ...publishing, name: 'publish', since: '2.0.0', summary: 'Posts a message to a channel.', complexity: 'O(N+M) where N is the number of clients subscribed to the receiving channel and M is the total number of subscribed patterns (by any client).', handler: publish },
  { ...publishing, name: 'spublish', keys: [1, 1, 1], since: '7.0.0', summary: 'Post a message to a shard channel', complexity: 'O(N) where N is the number of clients subscribed to the receiving shard channel.', handler: spublish },
  {
    ...pubsubCommand, name: 'pubsub', arity: -2, flags: [], since: '2.8.0', summary: 'A container for Pub/Sub commands.', complexity: 'Depends on subcommand.',
    subcommands: [
      { ...introspection, name: 'channels', arity: -2, since: '2.8.0', summary: 'Returns the active channels.', complexity: 'O(N) where N is the number of active channels, and assuming constant time pattern matching (relatively short channels and patterns)', handler: (client, argv) => activeChannels(client, argv, 'channel') },
      { ...introspection, name: 'numsub', arity: -2, since: '2.8.0', summary: 'Returns a count of subscribers to channels.', complexity: 'O(N) for the NUMSUB subcommand, where N is the number of requested channels', handler: (client, argv) => subscriberCounts(client, argv, 'channel') },
      { ...introspection, name: 'numpat', arity: 2, since: '2.8.0', summary: 'Returns a count of unique pattern subscriptions.', complexity: 'O(1)', handler: (client) => client.reply.integer(client.server.pubsub.patterns.size) },
      { ...introspection, name: 'shardchannels', arity: -2, since: '7.0.0', summary: 'Returns the active shard channels.', complexity: 'O(N) where N is the number of active shard channels, and assuming constant time pattern matching (relatively short shard channels).', handler: (client, argv) => activeChannels(client, argv, 'shard') },
      { ...introspection, name: 'shardnumsub', arity: -2, since: '7.0.0', summary: 'Returns the count of subscribers of shard channels.', complexity: 'O(N) for the SHARDNUMSUB subcommand, where N is the number of requested shard channels', handler: (client, argv) => subscriberCounts(client, argv, 'shard') },
      { ...pubsubCommand, name: 'help', arity: 2, flags: ['loading', 'stale'], since: '6.2.0', summary: 'Returns helpful text about the different subcommands.', complexity: 'O(1)', handler: pubsubHelp },
    ],
  },
];
