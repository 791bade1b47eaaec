import type { MaxmemoryPolicy } from './config.js';
import type { Database } from './keyspace/database.js';
import { KeyAccess, type AccessMode } from './keyspace/key-access.js';
import type { Server } from './server.js';

/** What Redis's used_memory counts before any data: here a fixed share, as its startup.allocated. */
export const STARTUP_BYTES = 1024 * 1024;
/** EVPOOL_SIZE: the best candidates kept between evictions. */
const POOL_SIZE = 16;
/** Keys evicted between two looks at the clock. */
const KEYS_PER_CLOCK_READ = 16;

interface Candidate {
  /** Higher is better to evict: idle time (LRU), 255 - frequency (LFU), nearness of expiry (TTL). */
  score: number;
  db: Database;
  key: string;
}

/**
 * maxmemory, as Redis's evict.c. Before each command, while the estimated used memory is over
 * `maxmemory`, keys chosen by `maxmemory-policy` are deleted (an `evicted` event, a DEL in the
 * append-only file); LRU, LFU and TTL choose the best of `maxmemory-samples` keys per database
 * through a pool of the 16 best candidates seen, as Redis approximates them. One command spends
 * at most the time maxmemory-eviction-tenacity allows; the rest goes on between commands. When
 * nothing can be evicted (noeviction, or no key the policy may take), commands flagged denyoom
 * get -OOM.
 */
export class Eviction {
  evictedKeys = 0;
  /** Bytes of client buffers, as of the clients cron (summing them per command would cost O(clients)). */
  clientBytes = 0;
  private readonly pool: Candidate[] = [];
  private continuing = false;
  /** The database the random policies take from next, round robin as Redis's. */
  private nextDb = 0;

  constructor(private readonly server: Server) {}

  /** used_memory: a fixed start-up share, the databases' estimates, client buffers and the broker's messages. */
  usedMemory(): number {
    return STARTUP_BYTES + this.clientBytes + this.server.broker.memoryUsed + this.datasetBytes();
  }

  datasetBytes(): number {
    let bytes = 0;
    for (const db of this.server.databases) bytes += db.bytes;
    return bytes;
  }

  /**
   * performEvictions: true when memory is within maxmemory (or getting there between commands),
   * false when it is over and nothing more can be evicted.
   */
  perform(): boolean {
    const config = this.server.config;
    const max = config.get('maxmemory');
    // As Redis's isSafeToPerformEvictions: not while the dataset is being loaded.
    if (max === 0 || this.continuing || this.server.persistence.loading !== null) return true;
    let used = this.usedMemory();
    if (used <= max) return true;
    const policy = config.get('maxmemory-policy');
    if (policy === 'noeviction') return false;
    const deadline = performance.now() + timeLimitMs(config.get('maxmemory-eviction-tenacity'));
    for (let evicted = 1; used > max; evicted++) {
      const victim = this.choose(policy);
      if (victim === null) return false;
      this.evict(victim.db, victim.key);
      used = this.usedMemory();
      if (evicted % KEYS_PER_CLOCK_READ === 0 && used > max && performance.now() > deadline) {
        this.continueLater();
        return true;
      }
    }
    return true;
  }

  /** Starts or stops tracking key use as the policy needs (CONFIG SET maxmemory-policy, start-up). */
  policyChanged(): void {
    const policy = this.server.config.get('maxmemory-policy');
    const mode: AccessMode | null = policy.endsWith('-lru') ? 'lru' : policy.endsWith('-lfu') ? 'lfu' : null;
    const config = this.server.config;
    const lfu = { logFactor: () => config.get('lfu-log-factor'), decayMinutes: () => config.get('lfu-decay-time') };
    for (const db of this.server.databases) {
      if (mode === null) db.access = null;
      else if (db.access?.mode !== mode) db.access = new KeyAccess(mode, Date.now(), lfu);
    }
    this.pool.length = 0;
  }

  /** The rest of an eviction that ran out of time, as Redis's evictionTimeProc: a slice per turn of the loop. */
  private continueLater(): void {
    this.continuing = true;
    setImmediate(() => {
      this.continuing = false;
      this.perform();
    });
  }

  private choose(policy: Exclude<MaxmemoryPolicy, 'noeviction'>): Candidate | null {
    const volatile = policy.startsWith('volatile-');
    if (policy.endsWith('-random')) return this.randomCandidate(volatile);
    const now = this.server.now();
    const samples = this.server.config.get('maxmemory-samples');
    for (;;) {
      let sampled = false;
      for (const db of this.server.databases) {
        for (const key of db.sampleKeys(samples, volatile)) {
          sampled = true;
          this.consider({ score: this.score(policy, db, key, now), db, key });
        }
      }
      if (!sampled) return null;
      // The best first; candidates deleted or changed since they were pooled are skipped.
      while (this.pool.length > 0) {
        const best = this.pool.pop()!;
        if (best.db.dict.has(best.key) && (!volatile || best.db.expires.has(best.key))) return best;
      }
    }
  }

  private score(policy: MaxmemoryPolicy, db: Database, key: string, now: number): number {
    if (policy === 'volatile-ttl') return Number.MAX_SAFE_INTEGER - (db.expires.get(key) ?? Number.MAX_SAFE_INTEGER);
    return db.access?.evictionScore(key, now) ?? 0;
  }

  /** evictionPoolPopulate: keeps the POOL_SIZE best candidates in ascending order of score. */
  private consider(candidate: Candidate): void {
    const pool = this.pool;
    if (pool.some((c) => c.key === candidate.key && c.db === candidate.db)) return;
    let at = 0;
    while (at < pool.length && pool[at].score < candidate.score) at++;
    if (pool.length < POOL_SIZE) {
      pool.splice(at, 0, candidate);
    } else if (at > 0) {
      // Full: the worst goes to make room.
      pool.splice(at, 0, candidate);
      pool.shift();
    }
  }

  private randomCandidate(volatile: boolean): Candidate | null {
    const databases = this.server.databases;
    for (let tried = 0; tried < databases.length; tried++) {
      const db = databases[this.nextDb];
      this.nextDb = (this.nextDb + 1) % databases.length;
      const [key] = db.sampleKeys(1 + Math.floor(Math.random() * 8), volatile).slice(-1);
      if (key !== undefined) return { score: 0, db, key };
    }
    return null;
  }

  /** deleteEvictedKeyAndPropagate: the key goes as a DEL would, with an `evicted` event. */
  private evict(db: Database, key: string): void {
    const server = this.server;
    db.delete(key);
    db.touch(key);
    server.keyspaceEvents.notify('evicted', key, db.id);
    server.persistence.aof?.feed(db.id, ['DEL', key]);
    this.evictedKeys++;
  }
}

/** evictionTimeLimitUs, in ms: tenacity 10 gives 0.5 ms, then 15% more per step, 100 no limit. */
function timeLimitMs(tenacity: number): number {
  if (tenacity <= 10) return 0.05 * tenacity;
  if (tenacity < 100) return 0.5 * 1.15 ** (tenacity - 10);
  return Infinity;
}
