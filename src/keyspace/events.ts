/**
 * Keyspace notifications, as Redis's notify.c: each change to a key is an event of a class;
 * the classes enabled by `notify-keyspace-events` are published on `__keyspace@<db>__:<key>`
 * (the event name as message) and `__keyevent@<db>__:<event>` (the key as message).
 */

/** Redis's NOTIFY_* class bits. */
export const NOTIFY = {
  keyspace: 1 << 0,
  keyevent: 1 << 1,
  generic: 1 << 2,
  string: 1 << 3,
  list: 1 << 4,
  set: 1 << 5,
  hash: 1 << 6,
  zset: 1 << 7,
  expired: 1 << 8,
  evicted: 1 << 9,
  stream: 1 << 10,
  keyMiss: 1 << 11,
  module: 1 << 13,
  new: 1 << 14,
} as const;

/** `A`: every class but key misses and new keys, as Redis's NOTIFY_ALL. */
const NOTIFY_ALL = NOTIFY.generic | NOTIFY.string | NOTIFY.list | NOTIFY.set | NOTIFY.hash | NOTIFY.zset
  | NOTIFY.expired | NOTIFY.evicted | NOTIFY.stream | NOTIFY.module;

/** The flag letters, in the order keyspaceEventsFlagsToString writes the type classes. */
const CLASS_LETTERS: readonly [string, number][] = [
  ['g', NOTIFY.generic], ['$', NOTIFY.string], ['l', NOTIFY.list], ['s', NOTIFY.set], ['h', NOTIFY.hash],
  ['z', NOTIFY.zset], ['x', NOTIFY.expired], ['e', NOTIFY.evicted], ['t', NOTIFY.stream], ['d', NOTIFY.module],
  ['n', NOTIFY.new],
];
const LETTERS = new Map<string, number>([...CLASS_LETTERS, ['A', NOTIFY_ALL], ['K', NOTIFY.keyspace], ['E', NOTIFY.keyevent], ['m', NOTIFY.keyMiss]]);

/** Flags from `notify-keyspace-events` letters; undefined when a letter names no class. */
export function parseEventFlags(text: string): number | undefined {
  let flags = 0;
  for (const letter of text) {
    const bits = LETTERS.get(letter);
    if (bits === undefined) return undefined;
    flags |= bits;
  }
  return flags;
}

/** The letters CONFIG GET shows, as keyspaceEventsFlagsToString (`A` hides `n`, as in Redis). */
export function formatEventFlags(flags: number): string {
  let text = '';
  if ((flags & NOTIFY_ALL) === NOTIFY_ALL) text = 'A';
  else for (const [letter, bits] of CLASS_LETTERS) if (flags & bits) text += letter;
  if (flags & NOTIFY.keyspace) text += 'K';
  if (flags & NOTIFY.keyevent) text += 'E';
  if (flags & NOTIFY.keyMiss) text += 'm';
  return text;
}

/** Every event Redis emits for the commands nodis has, with its class. */
const EVENT_CLASSES = {
  del: NOTIFY.generic, expire: NOTIFY.generic, persist: NOTIFY.generic, rename_from: NOTIFY.generic,
  rename_to: NOTIFY.generic, copy_to: NOTIFY.generic, move_from: NOTIFY.generic, move_to: NOTIFY.generic,
  restore: NOTIFY.generic,
  set: NOTIFY.string, setrange: NOTIFY.string, incrby: NOTIFY.string, incrbyfloat: NOTIFY.string,
  append: NOTIFY.string, setbit: NOTIFY.string,
  lpush: NOTIFY.list, rpush: NOTIFY.list, lpop: NOTIFY.list, rpop: NOTIFY.list, linsert: NOTIFY.list,
  lset: NOTIFY.list, lrem: NOTIFY.list, ltrim: NOTIFY.list,
  sadd: NOTIFY.set, srem: NOTIFY.set, spop: NOTIFY.set, sinterstore: NOTIFY.set, sunionstore: NOTIFY.set,
  sdiffstore: NOTIFY.set,
  hset: NOTIFY.hash, hdel: NOTIFY.hash, hincrby: NOTIFY.hash, hincrbyfloat: NOTIFY.hash,
  zadd: NOTIFY.zset, zincr: NOTIFY.zset, zrem: NOTIFY.zset, zremrangebyscore: NOTIFY.zset,
  zremrangebyrank: NOTIFY.zset, zremrangebylex: NOTIFY.zset, zpopmin: NOTIFY.zset, zpopmax: NOTIFY.zset,
  zinterstore: NOTIFY.zset, zunionstore: NOTIFY.zset, zdiffstore: NOTIFY.zset, zrangestore: NOTIFY.zset,
  expired: NOTIFY.expired, evicted: NOTIFY.evicted, keymiss: NOTIFY.keyMiss, new: NOTIFY.new,
} as const;

export type KeyEvent = keyof typeof EVENT_CLASSES;

/** Where notifications go: PUBLISH's delivery, which knows the clients and the protocol. */
export type Publish = (channel: string, message: string) => void;

export class KeyspaceEvents {
  /** The enabled classes, from `notify-keyspace-events`; 0 when off (the default). */
  flags = 0;

  constructor(private readonly publish: Publish) {}

  /** Publishes `event` on `key` of database `db` if its class is enabled. */
  notify(event: KeyEvent, key: string, db: number): void {
    const flags = this.flags;
    if (flags === 0 || (flags & EVENT_CLASSES[event]) === 0) return;
    if (flags & NOTIFY.keyspace) this.publish(`__keyspace@${db}__:${key}`, event);
    if (flags & NOTIFY.keyevent) this.publish(`__keyevent@${db}__:${event}`, key);
  }
}
