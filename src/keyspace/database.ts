import { NOTIFY, type KeyspaceEvents } from './events.js';
import { stringBytes } from '../datatypes/heap-sizes.js';
import type { KeyAccess } from './key-access.js';
import { DeferredValue, EXPIRY_BYTES, isCollection, isString, keyBytes, storedBytes, type CollectionValue, type RedisValue, type StoredValue } from './values.js';

/** Something that watches keys for WATCH/EXEC: touching a watched key flags it. */
export interface KeyWatcher {
  watchedKeyTouched(db: Database, key: string): void;
}

/** What the keyspace needs from the server: the command clock, and the expiry side effects. */
export interface KeyspaceHost {
  /** Milliseconds since the epoch, frozen for the duration of one command (or one EXEC). */
  now(): number;
  /** A key was found expired and removed. */
  keyExpired(db: Database, key: string): void;
  /** Where keyspace notifications go. */
  readonly keyspaceEvents: KeyspaceEvents;
  /** The database has collections to count again once the running command ends (see `settle`). */
  settlementDue(db: Database): void;
}

/**
 * One of the numbered databases: keys to values, and keys to expiry times in ms, as Redis keeps
 * `dict` and `expires`. Expired keys are removed when met (lazy expiry) and by the keyspace's
 * active cycle. Knows nothing of commands or of the protocol.
 */
export class Database {
  dict = new Map<string, StoredValue>();
  expires = new Map<string, number>();
  private watchers: Map<string, Set<KeyWatcher>> | null = null;
  /** Persistent walk over `expires` for the active expiry cycle. */
  private expiryWalk: Iterator<[string, number]> | null = null;
  /** Persistent walk over `dict` for RANDOMKEY. */
  private randomWalk: Iterator<string> | null = null;
  /** Persistent walks over `dict` and `expires` for eviction's samples. */
  private sampleWalk: Iterator<string> | null = null;
  private volatileSampleWalk: Iterator<string> | null = null;
  /** Estimated average TTL in ms of the keys that have one, from the active expiry samples. */
  averageTtl = 0;
  keyspaceHits = 0;
  keyspaceMisses = 0;
  /**
   * Estimated heap bytes of the keys, values and TTLs, kept up to date by every change (a
   * collection changed in place is counted again by `settle` after the command).
   */
  bytes = 0;
  /** Key use for LRU/LFU eviction, while the maxmemory-policy needs it. */
  access: KeyAccess | null = null;
  /**
   * Collections the running command looked up or stored (see `mayChange`): most commands hold
   * one, kept in a slot of its own (emptying an array costs more than the rest of the count).
   */
  private changing: CollectionValue | null = null;
  private readonly alsoChanging: CollectionValue[] = [];
  /**
   * Called before a key's value, TTL or existence changes while a background save runs: it keeps
   * what the key held when the save started (point-in-time snapshots without fork).
   */
  beforeChange: ((db: Database, key: string) => void) | null = null;
  private readonly events: KeyspaceEvents;

  constructor(
    readonly id: number,
    private readonly host: KeyspaceHost,
  ) {
    this.events = host.keyspaceEvents;
  }

  get size(): number {
    return this.dict.size;
  }

  /**
   * The value at `key`, or undefined when missing or expired (an expired key is removed). It
   * counts as a use of the key for LRU/LFU unless `touch` is false (Redis's LOOKUP_NOTOUCH).
   */
  lookup(key: string, touch = true): RedisValue | undefined {
    const value = this.dict.get(key);
    if (value === undefined) return undefined;
    if (this.expires.size !== 0 && this.expireIfNeeded(key)) return undefined;
    if (touch && this.access !== null) this.access.touched(key, this.host.now());
    if (typeof value === 'string') return value;
    if (value instanceof DeferredValue) return this.decodeDeferred(key, value);
    if (!isString(value)) this.mayChange(value);
    return value;
  }

  /**
   * A collection the running command holds and may change in place: it is counted again when
   * the command ends. Strings, replaced whole through `set`, need none of this.
   */
  private mayChange(value: CollectionValue): void {
    if (this.changing === null) {
      this.changing = value;
      this.host.settlementDue(this);
    } else if (this.changing !== value) {
      this.alsoChanging.push(value);
    }
  }

  /** What a stored key costs as of now: its entry and name, its value, its TTL (MEMORY USAGE). */
  usage(key: string): number {
    const value = this.dict.get(key);
    if (value === undefined) return 0;
    return keyBytes(key) + storedBytes(value) + (this.expires.has(key) ? EXPIRY_BYTES : 0);
  }

  /** Counts again the collections the command that just ended may have changed in place. */
  settle(): void {
    if (this.changing === null) return;
    this.recount(this.changing);
    this.changing = null;
    if (this.alsoChanging.length === 0) return;
    for (const value of this.alsoChanging) this.recount(value);
    this.alsoChanging.length = 0;
  }

  private recount(value: CollectionValue): void {
    const bytes = value.bytes;
    this.bytes += bytes - value.accountedBytes;
    value.accountedBytes = bytes;
  }

  /** The bytes to count for a value being stored (a collection remembers them, for `settle`). */
  private counting(value: StoredValue): number {
    if (!isCollection(value)) return storedBytes(value);
    const bytes = (value.accountedBytes = value.bytes);
    this.mayChange(value);
    return bytes;
  }

  /** The bytes counted for a stored value; a collection is brought up to date first, as it leaves. */
  private counted(value: StoredValue): number {
    if (!isCollection(value)) return storedBytes(value);
    this.recount(value);
    return value.accountedBytes;
  }

  /** Stores a key read from a snapshot, straight in: nothing watches or waits while loading. */
  load(key: string, value: StoredValue, expireAt: number | undefined): void {
    this.dict.set(key, value);
    // Counted, not noted: nothing changes it until a command looks it up.
    if (isCollection(value)) value.accountedBytes = value.bytes;
    this.bytes += keyBytes(key) + storedBytes(value);
    if (expireAt !== undefined) {
      this.expires.set(key, expireAt);
      this.bytes += EXPIRY_BYTES;
    }
  }

  /** Decodes a collection loaded from a snapshot in its place; a corrupt one is dropped as if it never was. */
  private decodeDeferred(key: string, deferred: DeferredValue): RedisValue | undefined {
    const value = deferred.decode();
    this.bytes -= this.counted(deferred);
    if (value === undefined) {
      this.bytes -= keyBytes(key);
      this.dict.delete(key);
      if (this.expires.delete(key)) this.bytes -= EXPIRY_BYTES;
      this.access?.forget(key);
    } else {
      this.dict.set(key, value);
      this.bytes += this.counting(value);
    }
    return value;
  }

  /** `lookup` for commands that read: also counts keyspace hits and misses for INFO, and notifies misses. */
  lookupRead(key: string, touch = true): RedisValue | undefined {
    const value = this.lookup(key, touch);
    if (value === undefined) {
      this.keyspaceMisses++;
      this.events.notify('keymiss', key, this.id);
    } else {
      this.keyspaceHits++;
    }
    return value;
  }

  has(key: string): boolean {
    return this.lookup(key) !== undefined;
  }

  /**
   * Stores `value`; the key's TTL is cleared unless `keepTtl`. As Redis's setKey, a key whose
   * TTL has passed is removed first (an `expired` event), so it never lends its TTL to the value.
   */
  set(key: string, value: RedisValue, keepTtl = false): void {
    if (this.beforeChange !== null) this.beforeChange(this, key);
    if (this.expires.size !== 0) {
      this.expireIfNeeded(key);
      if (!keepTtl && this.expires.delete(key)) this.bytes -= EXPIRY_BYTES;
    }
    const old = this.dict.get(key);
    this.dict.set(key, value);
    // Strings replacing strings (most writes) are counted without the general checks.
    if (typeof value === 'string' && (old === undefined || typeof old === 'string')) {
      this.bytes += stringBytes(value.length) - (old === undefined ? -keyBytes(key) : stringBytes(old.length));
    } else {
      // Counted first: `counted` brings the running total up to date, which `+=` would have read before.
      const change = this.counting(value) - (old === undefined ? -keyBytes(key) : this.counted(old));
      this.bytes += change;
    }
    if (old !== undefined) return;
    this.access?.created(key, this.host.now());
    if ((this.events.flags & NOTIFY.new) !== 0) this.events.notify('new', key, this.id);
  }

  delete(key: string): boolean {
    if (this.beforeChange !== null) this.beforeChange(this, key);
    const old = this.dict.get(key);
    if (old === undefined) return false;
    this.forget(key, old);
    return true;
  }

  /** Takes out a key known to be there, with its TTL, its use and its bytes. */
  private forget(key: string, value: StoredValue): void {
    this.dict.delete(key);
    const bytes = keyBytes(key) + this.counted(value); // first: it updates the running total
    this.bytes -= bytes;
    if (this.expires.size !== 0 && this.expires.delete(key)) this.bytes -= EXPIRY_BYTES;
    this.access?.forget(key);
  }

  /** Expiry time in ms of a live key, or undefined when it has none. */
  expireAt(key: string): number | undefined {
    return this.expires.size === 0 ? undefined : this.expires.get(key);
  }

  setExpire(key: string, when: number): void {
    if (this.beforeChange !== null) this.beforeChange(this, key);
    if (!this.expires.has(key)) this.bytes += EXPIRY_BYTES;
    this.expires.set(key, when);
  }

  /** Removes the TTL of `key`; returns whether it had one. */
  persist(key: string): boolean {
    if (this.beforeChange !== null) this.beforeChange(this, key);
    if (!this.expires.delete(key)) return false;
    this.bytes -= EXPIRY_BYTES;
    return true;
  }

  /** True when `key` is still stored but its TTL has passed (Redis's keyIsExpired: nothing is removed). */
  isExpired(key: string): boolean {
    const when = this.expires.get(key);
    return when !== undefined && when <= this.host.now();
  }

  /** Removes `key` if its TTL has passed; returns whether it did. */
  expireIfNeeded(key: string): boolean {
    const when = this.expires.get(key);
    if (when === undefined || when > this.host.now()) return false;
    this.removeExpired(key);
    return true;
  }

  /** Empties the database; returns how many keys it held. */
  flush(): number {
    const removed = this.dict.size;
    this.touchWatchedIn(this.dict);
    this.dict = new Map();
    this.expires = new Map();
    this.bytes = 0;
    this.changing = null;
    this.alsoChanging.length = 0;
    this.access?.clear();
    this.expiryWalk = null;
    this.randomWalk = null;
    this.sampleWalk = this.volatileSampleWalk = null;
    this.averageTtl = 0;
    return removed;
  }

  /** Exchanges contents with `other` (SWAPDB); clients watching keys of either are flagged. */
  swapWith(other: Database): void {
    // Counted first: each total must leave with the collections it counts.
    this.settle();
    other.settle();
    this.touchWatchedIn(this.dict, other.dict);
    other.touchWatchedIn(this.dict, other.dict);
    [this.dict, other.dict] = [other.dict, this.dict];
    [this.expires, other.expires] = [other.expires, this.expires];
    [this.averageTtl, other.averageTtl] = [other.averageTtl, this.averageTtl];
    [this.bytes, other.bytes] = [other.bytes, this.bytes];
    [this.access, other.access] = [other.access, this.access];
    this.expiryWalk = other.expiryWalk = null;
    this.randomWalk = other.randomWalk = null;
    this.sampleWalk = other.sampleWalk = this.volatileSampleWalk = other.volatileSampleWalk = null;
  }

  /**
   * A live key picked pseudo-randomly in O(1) amortised: a persistent walk over the keys that
   * skips a random stretch each call (a Map offers no random access).
   */
  randomKey(): string | undefined {
    for (let attempts = 0; attempts < 100 && this.dict.size > 0; attempts++) {
      const skip = Math.floor(Math.random() * 16);
      let key: string | undefined;
      for (let i = 0; i <= skip; i++) key = this.nextRandomWalkKey();
      if (key !== undefined && !this.expireIfNeeded(key)) return key;
    }
    return undefined;
  }

  /**
   * Up to `count` keys (only keys with a TTL when `volatile`) for eviction to choose from: the
   * next ones of a persistent walk, which a Map's lack of random access makes the cheapest fair
   * sample (Redis's dictGetSomeKeys also takes neighbouring buckets).
   */
  sampleKeys(count: number, volatile: boolean): string[] {
    const source = volatile ? this.expires : this.dict;
    const keys: string[] = [];
    for (let wrapped = false; keys.length < count && keys.length < source.size;) {
      let step = (volatile ? this.volatileSampleWalk : this.sampleWalk)?.next();
      if (step === undefined || step.done === true) {
        if (wrapped) break;
        wrapped = true;
        const walk = source.keys();
        if (volatile) this.volatileSampleWalk = walk;
        else this.sampleWalk = walk;
        step = walk.next();
        if (step.done === true) break;
      }
      keys.push(step.value);
    }
    return keys;
  }

  private nextRandomWalkKey(): string | undefined {
    let step = this.randomWalk?.next();
    if (step === undefined || step.done) {
      this.randomWalk = this.dict.keys();
      step = this.randomWalk.next();
    }
    return step.done ? undefined : step.value;
  }

  /**
   * Checks up to `limit` keys with a TTL, continuing where the previous call stopped, and removes
   * the expired ones. Returns [checked, expired].
   */
  expireSome(limit: number): [number, number] {
    if (this.expires.size === 0) return [0, 0];
    const now = this.host.now();
    let checked = 0;
    let expired = 0;
    let ttlSum = 0;
    let wrapped = false;
    while (checked < limit) {
      let step = this.expiryWalk?.next();
      if (step === undefined || step.done) {
        if (wrapped) break;
        wrapped = true;
        this.expiryWalk = this.expires.entries();
        step = this.expiryWalk.next();
        if (step.done) break;
      }
      checked++;
      const [key, when] = step.value;
      if (when <= now && this.expires.get(key) === when) {
        this.removeExpired(key);
        expired++;
      } else {
        ttlSum += when - now;
      }
    }
    const live = checked - expired;
    if (live > 0) {
      // A moving average over the samples, as Redis keeps db->avg_ttl, so INFO stays O(1).
      const sampleAverage = ttlSum / live;
      this.averageTtl = this.averageTtl === 0 ? sampleAverage : (this.averageTtl / 50) * 49 + sampleAverage / 50;
    }
    return [checked, expired];
  }

  private removeExpired(key: string): void {
    if (this.beforeChange !== null) this.beforeChange(this, key);
    const value = this.dict.get(key);
    if (value !== undefined) this.forget(key, value);
    this.events.notify('expired', key, this.id);
    this.touch(key);
    this.host.keyExpired(this, key);
  }

  watch(key: string, watcher: KeyWatcher): void {
    this.watchers ??= new Map();
    let set = this.watchers.get(key);
    if (set === undefined) this.watchers.set(key, (set = new Set()));
    set.add(watcher);
  }

  unwatch(key: string, watcher: KeyWatcher): void {
    const set = this.watchers?.get(key);
    if (set === undefined) return;
    set.delete(watcher);
    if (set.size === 0) this.watchers!.delete(key);
  }

  /** Signals that `key` was modified: clients watching it will fail their EXEC. */
  touch(key: string): void {
    if (this.watchers === null) return;
    const set = this.watchers.get(key);
    if (set !== undefined) for (const watcher of set) watcher.watchedKeyTouched(this, key);
  }

  /** Touches the watched keys that exist in any of `dicts` (as Redis's touchAllWatchedKeysInDb). */
  private touchWatchedIn(...dicts: Map<string, StoredValue>[]): void {
    if (this.watchers === null) return;
    for (const key of this.watchers.keys()) if (dicts.some((dict) => dict.has(key))) this.touch(key);
  }
}
