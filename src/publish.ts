import type { Client } from './client.js';
import { encodeBulkArray } from './protocol/reply-writer.js';
import type { Server } from './server.js';

/**
 * A message frame encoded once per protocol and shared by every receiver speaking it, so a
 * publish to many subscribers writes one Buffer many times instead of building many copies.
 */
class Frame {
  private readonly encoded: (Buffer | null)[] = [null, null];

  constructor(private readonly items: readonly string[]) {}

  for(resp: 2 | 3): Buffer {
    return (this.encoded[resp - 2] ??= encodeBulkArray(this.items, resp === 2 ? '*' : '>'));
  }
}

/** Hands `frame` to each of `receivers`, the publishing client included when it listens (RESP3). */
function deliver(server: Server, receivers: Iterable<Client>, frame: Frame): number {
  let count = 0;
  for (const receiver of receivers) {
    server.sendAside(receiver, frame.for(receiver.resp));
    count++;
  }
  return count;
}

/** PUBLISH: to the channel's subscribers, then to each matching pattern's; returns the receivers. */
export function publishMessage(server: Server, channel: string, message: string): number {
  const pubsub = server.pubsub;
  let receivers = 0;
  const subscribers = pubsub.channels.get(channel);
  if (subscribers !== undefined) receivers += deliver(server, subscribers, new Frame(['message', channel, message]));
  if (pubsub.patterns.size > 0) {
    for (const [pattern, patternSubscribers] of pubsub.matchingPatterns(channel)) {
      receivers += deliver(server, patternSubscribers, new Frame(['pmessage', pattern, channel, message]));
    }
  }
  return receivers;
}

/** SPUBLISH: to the shard channel's subscribers; returns how many. */
export function publishShardMessage(server: Server, channel: string, message: string): number {
  const subscribers = server.pubsub.shardChannels.get(channel);
  return subscribers === undefined ? 0 : deliver(server, subscribers, new Frame(['smessage', channel, message]));
}
