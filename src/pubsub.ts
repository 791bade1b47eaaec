import { globMatch } from './glob.js';

/** What a client listens to: channels, patterns and shard channels (a namespace of their own). */
export class Subscriptions {
  readonly channels = new Set<string>();
  readonly patterns = new Set<string>();
  readonly shardChannels = new Set<string>();

  /** Redis's clientSubscriptionsCount: channels and patterns (shard channels count apart). */
  get count(): number {
    return this.channels.size + this.patterns.size;
  }

  get total(): number {
    return this.count + this.shardChannels.size;
  }

  /** The names of one kind. */
  of(kind: SubscriptionKind): Set<string> {
    return kind === 'channel' ? this.channels : kind === 'pattern' ? this.patterns : this.shardChannels;
  }
}

/** Anything that can subscribe: a client, as far as this registry needs to know. */
export interface Subscriber {
  subscriptions: Subscriptions | null;
}

/**
 * Who listens to what, as Redis's pubsub_channels / pubsub_patterns dicts: each channel,
 * pattern and shard channel maps to its subscribers in the order they subscribed, so delivery
 * follows that order. Knows nothing of RESP: PUBLISH's command encodes frames once and hands
 * them to the receivers found here.
 */
export class PubSub<S extends Subscriber> {
  readonly channels = new Map<string, Set<S>>();
  readonly patterns = new Map<string, Set<S>>();
  readonly shardChannels = new Map<string, Set<S>>();
  /** Clients subscribed to anything, for INFO's pubsub_clients. */
  subscribedClients = 0;

  /** Adds `name` to `client`'s channels (`kind` picks the namespace); returns whether it was new. */
  subscribe(client: S, kind: SubscriptionKind, name: string): boolean {
    if (client.subscriptions === null) {
      client.subscriptions = new Subscriptions();
      this.subscribedClients++;
    }
    const own = client.subscriptions.of(kind);
    if (own.has(name)) return false;
    own.add(name);
    const registry = this.registry(kind);
    const subscribers = registry.get(name);
    if (subscribers === undefined) registry.set(name, new Set([client]));
    else subscribers.add(client);
    return true;
  }

  /** Removes `name` from `client`'s channels; returns whether it was there. */
  unsubscribe(client: S, kind: SubscriptionKind, name: string): boolean {
    const subscriptions = client.subscriptions;
    if (subscriptions === null || !subscriptions.of(kind).delete(name)) return false;
    const registry = this.registry(kind);
    const subscribers = registry.get(name)!;
    subscribers.delete(client);
    if (subscribers.size === 0) registry.delete(name);
    if (subscriptions.total === 0) {
      client.subscriptions = null;
      this.subscribedClients--;
    }
    return true;
  }

  /** Forgets every subscription of a client that goes away or is RESET. */
  unsubscribeAll(client: S): void {
    const subscriptions = client.subscriptions;
    if (subscriptions === null) return;
    for (const kind of SUBSCRIPTION_KINDS) for (const name of [...subscriptions.of(kind)]) this.unsubscribe(client, kind, name);
  }

  /** The pattern subscriptions whose pattern matches `channel`, with their subscribers. */
  *matchingPatterns(channel: string): Iterable<[string, Set<S>]> {
    for (const entry of this.patterns) if (globMatch(entry[0], channel)) yield entry;
  }

  registry(kind: SubscriptionKind): Map<string, Set<S>> {
    return kind === 'channel' ? this.channels : kind === 'pattern' ? this.patterns : this.shardChannels;
  }
}

export type SubscriptionKind = 'channel' | 'pattern' | 'shard';
const SUBSCRIPTION_KINDS: readonly SubscriptionKind[] = ['channel', 'pattern', 'shard'];
