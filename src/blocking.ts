import type { Client } from './client.js';
import type { Command } from './command.js';
import { call } from './dispatcher.js';
import type { Database } from './keyspace/database.js';
import { isString, type CollectionValue } from './keyspace/values.js';
import type { ReplyWriter } from './protocol/reply-writer.js';
import type { Server } from './server.js';

const MAX_TIMER_MS = 2 ** 31 - 1;

/** What a client parked by a blocking command waits for. */
export interface BlockedState {
  db: Database;
  keys: readonly string[];
  /** The type a key must hold to serve the client: a list for BLPOP, a zset for BZPOPMIN. */
  type: CollectionValue['type'] | null;
  command: Command;
  argv: string[];
  timer: NodeJS.Timeout | null;
  /** For a wait outside the keyspace (see park): withdraws it when it ends unserved. */
  cancel: (() => void) | null;
}

/**
 * Blocking commands, as Redis's blocked.c, knowing no data type. A blocking command that finds
 * nothing to serve parks its client on its keys. Every write signals its key; after each
 * top-level command (a whole EXEC included), the clients parked on signalled keys are served
 * first come, first served, by running their command again, for as long as the key holds a
 * value of the type they wait for. Serving can signal further keys (BLMOVE chains): the loop
 * goes on until no signalled key is left.
 */
export class BlockingEngine {
  private readonly waiting = new Map<Database, Map<string, Client[]>>();
  private ready: [Database, string][] = [];
  private readonly readySet = new Map<Database, Set<string>>();
  /** Clients currently parked, for INFO's blocked_clients. */
  blockedClients = 0;

  constructor(private readonly server: Server) {}

  /**
   * Parks `client` until one of `keys` holds a value of `type`, then runs `argv` again; after
   * `timeoutMs` (0 = never) it gets the null reply instead. The command must not have replied.
   */
  block(client: Client, argv: string[], keys: readonly string[], type: CollectionValue['type'], timeoutMs: number): void {
    const db = client.db;
    this.enter(client, argv, keys, type, timeoutMs, null);
    let byKey = this.waiting.get(db);
    if (byKey === undefined) this.waiting.set(db, (byKey = new Map()));
    for (const key of new Set(keys)) {
      const queue = byKey.get(key);
      if (queue === undefined) byKey.set(key, [client]);
      else queue.push(client);
    }
  }

  /**
   * Parks `client` on something outside the keyspace (a broker queue), which serves it through
   * `wake`; `cancel` withdraws its wait there when the wait ends otherwise (timeout, CLIENT
   * UNBLOCK, disconnection).
   */
  park(client: Client, argv: string[], timeoutMs: number, cancel: () => void): void {
    this.enter(client, argv, [], null, timeoutMs, cancel);
  }

  /** Serves a client parked by `park`, `write` giving its reply. */
  wake(client: Client, write: (writer: ReplyWriter) => void): void {
    if (client.blocked === null) return;
    this.release(client);
    this.server.replyTo(client, write);
    this.server.resumeInput(client);
  }

  private enter(client: Client, argv: string[], keys: readonly string[], type: CollectionValue['type'] | null, timeoutMs: number, cancel: (() => void) | null): BlockedState {
    const state: BlockedState = { db: client.db, keys, type, command: this.server.table.resolve(argv)!, argv, timer: null, cancel };
    if (timeoutMs > 0) this.armTimer(client, state, Date.now() + timeoutMs);
    client.blocked = state;
    this.blockedClients++;
    return state;
  }

  /** A write to `key`: clients parked on it will be looked at after the current command. */
  signal(db: Database, key: string): void {
    if (this.waiting.size === 0) return;
    if (this.waiting.get(db)?.has(key) !== true) return;
    let keys = this.readySet.get(db);
    if (keys === undefined) this.readySet.set(db, (keys = new Set()));
    if (keys.has(key)) return;
    keys.add(key);
    this.ready.push([db, key]);
  }

  /** Every key clients wait on in `db` may hold something new (SWAPDB): look at them all after the command. */
  signalWaitedKeys(db: Database): void {
    const byKey = this.waiting.get(db);
    if (byKey !== undefined) for (const key of byKey.keys()) this.signal(db, key);
  }

  get hasReadyKeys(): boolean {
    return this.ready.length > 0;
  }

  /** Serves the clients parked on signalled keys, in the order they blocked. */
  serveReadyKeys(): void {
    while (this.ready.length > 0) {
      const batch = this.ready;
      this.ready = [];
      this.readySet.clear();
      for (const [db, key] of batch) {
        const queue = this.waiting.get(db)?.get(key);
        if (queue === undefined) continue;
        for (const client of [...queue]) {
          const state = client.blocked;
          if (state === null) continue;
          const value = db.lookup(key);
          // A key emptied by an earlier waiter, or now of another type, serves nobody more.
          if (value === undefined || isString(value) || value.type !== state.type) break;
          this.release(client);
          this.server.replyTo(client, () => call(client, state.command, state.argv));
          this.server.resumeInput(client);
        }
      }
    }
  }

  /**
   * Ends a client's wait without serving it: `timeout` replies the null array, as Redis does for
   * every blocking command; `error` replies UNBLOCKED (CLIENT UNBLOCK ... ERROR); `disconnect`
   * only forgets it. Returns false when the client was not blocked.
   */
  unblock(client: Client, reason: 'timeout' | 'error' | 'disconnect'): boolean {
    const state = client.blocked;
    if (state === null) return false;
    this.release(client);
    state.cancel?.();
    if (reason === 'disconnect') return true;
    this.server.replyTo(client, (reply) => {
      if (reason === 'timeout') reply.nullArray();
      else reply.error('UNBLOCKED client unblocked via CLIENT UNBLOCK');
    });
    this.server.resumeInput(client);
    return true;
  }

  /** Node's timers stop at about 24.8 days: longer waits re-arm until the deadline. */
  private armTimer(client: Client, state: BlockedState, deadline: number): void {
    const wait = Math.min(deadline - Date.now(), MAX_TIMER_MS);
    state.timer = setTimeout(() => {
      if (Date.now() < deadline) this.armTimer(client, state, deadline);
      else this.unblock(client, 'timeout');
    }, Math.max(wait, 0));
  }

  private release(client: Client): void {
    const state = client.blocked!;
    client.blocked = null;
    this.blockedClients--;
    if (state.timer !== null) clearTimeout(state.timer);
    const byKey = this.waiting.get(state.db);
    if (byKey === undefined) return;
    for (const key of state.keys) {
      const queue = byKey.get(key);
      if (queue === undefined) continue;
      const at = queue.indexOf(client);
      if (at !== -1) queue.splice(at, 1);
      if (queue.length === 0) byKey.delete(key);
    }
    if (byKey.size === 0) this.waiting.delete(state.db);
  }
}
