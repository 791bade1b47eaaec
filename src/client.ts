import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { BlockedState } from './blocking.js';
import type { Command } from './command.js';
import type { Database, KeyWatcher } from './keyspace/database.js';
import { RequestParser } from './protocol/request-parser.js';
import type { ReplySink, ReplyWriter } from './protocol/reply-writer.js';
import type { Server } from './server.js';
import type { Subscriber, Subscriptions } from './pubsub.js';

export interface QueuedCommand {
  command: Command;
  argv: string[];
}

export interface WatchedKey {
  db: Database;
  key: string;
  /** The key was already logically expired when watched, so expiring does not count as a change. */
  expiredWhenWatched: boolean;
}

/** One connection: its protocol state, selected database, transaction and identity. */
/** Chunks up to this size are gathered into one buffer when several wait for the same write. */
const GATHERED_CHUNK_MAX = 1024;
const GATHERING_SIZE = 16 * 1024;

export class Client implements ReplySink, KeyWatcher, Subscriber {
  resp: 2 | 3 = 2;
  db: Database;
  name = '';
  libName = '';
  libVersion = '';
  authenticated: boolean;
  /** Commands queued since MULTI, or null outside a transaction. */
  multi: QueuedCommand[] | null = null;
  /** A command was rejected while queueing: EXEC must abort. */
  multiFailed = false;
  watched: WatchedKey[] = [];
  /** A watched key was modified: EXEC must fail. */
  casDirty = false;
  /** CLIENT REPLY OFF: replies are dropped until CLIENT REPLY ON. */
  replyOff = false;
  /** CLIENT REPLY SKIP was sent: the next command's reply is dropped. */
  skipNextReply = false;
  /** The reply of the command being run is dropped. */
  skipReply = false;
  noEvict = false;
  noTouch = false;
  /** Close once pending replies are written (QUIT, protocol errors, CLIENT KILL of self). */
  closeAfterReply = false;
  /** Set while a blocking command waits (BLPOP & co.): no further input is read meanwhile. */
  blocked: BlockedState | null = null;
  /** Channels and patterns listened to; null until the first SUBSCRIBE. */
  subscriptions: Subscriptions | null = null;
  /**
   * What the running command logs to the append-only file instead of its own arguments, when
   * those would not replay the same (relative TTLs, random picks, served blocking pops); null
   * logs the command as it came.
   */
  propagation: string[][] | null = null;
  /** MONITOR was run: every command run by anyone is streamed to this connection. */
  monitoring = false;
  /** A parsed request held by CLIENT PAUSE, run before any further input. */
  pausedArgv: string[] | null = null;
  closed = false;
  readonly createdAt = Date.now();
  lastInteraction = Date.now();
  lastCommand = 'NULL';
  readonly parser: RequestParser;
  readonly address: string;
  readonly localAddress: string;
  readonly log: Logger;

  constructor(
    readonly id: number,
    readonly socket: Socket,
    readonly server: Server,
  ) {
    this.db = server.databases[0];
    this.authenticated = server.config.get('requirepass') === '';
    this.address = formatAddress(socket.remoteAddress, socket.remotePort);
    this.localAddress = formatAddress(socket.localAddress, socket.localPort);
    this.log = server.log.child({ client: id, addr: this.address });
    this.parser = new RequestParser({
      maxBulkLength: () => server.config.values['proto-max-bulk-len'],
      authRequired: () => !this.authenticated,
      queryBufferLimit: () => Math.min(server.config.values['client-query-buffer-limit'], server.heapGuard.clientCap),
    });
  }

  /** The writer that replies to this client while its commands run. */
  get reply(): ReplyWriter {
    return this.server.writer;
  }

  /**
   * Replies waiting for the end of the event-loop turn, when every pending write is made: the
   * first `pendingChunks` slots. The array is reused, never emptied: V8 frees an emptied array's
   * store and the next push allocates one again, 150 bytes a reply.
   */
  private readonly pendingOutput: (Buffer | null)[] = [];
  private pendingChunks = 0;

  /** Bytes in pendingOutput. */
  private pendingBytes = 0;
  /** When the output first stayed above its soft limit (Redis's obuf_soft_limit_reached_time); 0 when below. */
  private softLimitSince = 0;

  /**
   * Where small chunks (published messages, one per PUBLISH) are gathered, as Redis appends
   * them to a client's reply buffer: the last entry of pendingOutput while it is being filled.
   */
  private gathering: Buffer | null = null;
  private gathered = 0;
  /** What Node's socket still held after the last write: the rest of the output's size. */
  private socketBacklog = 0;

  send(chunk: Buffer): void {
    if (this.closed) return;
    this.server.stats.netOutputBytes += chunk.length;
    this.pendingBytes += chunk.length;
    if (this.pendingChunks === 0) {
      this.pendingOutput[this.pendingChunks++] = chunk;
      this.server.queueWrite(this);
    } else if (chunk.length <= GATHERED_CHUNK_MAX) {
      this.gather(chunk);
    } else {
      this.sealGathering();
      this.pendingOutput[this.pendingChunks++] = chunk;
    }
    this.enforceOutputLimit();
  }

  /** Appends a small chunk to the gathering buffer, starting one (with the last chunk if small) when needed. */
  private gather(chunk: Buffer): void {
    const pending = this.pendingOutput;
    if (this.gathering === null || this.gathered + chunk.length > GATHERING_SIZE) {
      this.sealGathering();
      const gathering = Buffer.allocUnsafe(GATHERING_SIZE);
      const last = pending[this.pendingChunks - 1]!;
      if (last.length <= GATHERED_CHUNK_MAX) {
        this.gathered = last.copy(gathering);
        pending[this.pendingChunks - 1] = gathering;
      } else {
        this.gathered = 0;
        pending[this.pendingChunks++] = gathering;
      }
      this.gathering = gathering;
    }
    this.gathered += chunk.copy(this.gathering, this.gathered);
  }

  /** Ends the gathering buffer at what it holds, so that later chunks go after it. */
  private sealGathering(): void {
    if (this.gathering === null) return;
    this.pendingOutput[this.pendingChunks - 1] = this.gathering.subarray(0, this.gathered);
    this.gathering = null;
  }

  /** Replies not yet taken by the kernel: ours still pending and those Node's socket buffers. */
  get outputBytes(): number {
    return this.pendingBytes + this.socket.writableLength;
  }

  /**
   * client-output-buffer-limit, as Redis's checkClientOutputBufferLimits: a client whose unsent
   * replies reach the hard limit of its class, or stay above the soft one for more than its
   * seconds, is dropped with what it has not received, so a client that stops reading cannot
   * make the server's memory grow without bound.
   */
  private enforceOutputLimit(): void {
    const used = this.pendingBytes + this.socketBacklog;
    // Below every limit of every class (the common case), there is nothing to check or reset.
    if (used < this.server.smallestOutputLimit && this.softLimitSince === 0) return;
    const limit = this.server.config.get('client-output-buffer-limit')[this.subscriptions === null ? 'normal' : 'pubsub'];
    // Whatever the limits say, one client's replies may not fill the heap.
    let overLimit = used >= this.server.heapGuard.clientCap || (limit.hard > 0 && used >= limit.hard);
    if (limit.soft > 0 && used >= limit.soft) {
      const now = Date.now();
      if (this.softLimitSince === 0) this.softLimitSince = now;
      else if (now - this.softLimitSince > limit.softSeconds * 1000) overLimit = true;
    } else {
      this.softLimitSince = 0;
    }
    if (overLimit) {
      this.log.warn({ outputBytes: used }, 'client closed for overcoming of output buffer limits');
      this.clearPending();
      this.gathering = null;
      this.pendingBytes = 0;
      this.server.dropClient(this);
    }
  }

  /** Forgets the pending chunks, keeping the array's store. */
  private clearPending(): void {
    const chunks = this.pendingOutput;
    for (let i = 0; i < this.pendingChunks; i++) chunks[i] = null;
    this.pendingChunks = 0;
  }

  /** Writes what `send` gathered: one write, or one writev when a large reply came in pieces. */
  writePending(): void {
    this.sealGathering();
    const chunks = this.pendingOutput;
    const count = this.pendingChunks;
    const socket = this.socket;
    if (count === 0 || socket.destroyed) {
      this.clearPending();
      return;
    }
    // Replies are slices of the writer's slabs, which hold other clients' replies too. Once
    // Node queues this client's output (it reads slower than it is answered), a queued slice
    // would keep its whole slab alive for a few bytes: it gets a copy of its own instead.
    const queued = socket.writableLength > 0;
    let flowing = true;
    if (count === 1) {
      flowing = socket.write(queued ? Buffer.from(chunks[0]!) : chunks[0]!);
    } else {
      socket.cork();
      for (let i = 0; i < count; i++) flowing = socket.write(queued ? Buffer.from(chunks[i]!) : chunks[i]!);
      socket.uncork();
    }
    this.clearPending();
    this.pendingBytes = 0;
    this.socketBacklog = socket.writableLength;
    if (!flowing && !socket.isPaused()) {
      // The peer reads slower than it sends: stop reading until it catches up.
      socket.pause();
      socket.once('drain', () => {
        this.socketBacklog = 0;
        socket.resume();
      });
    }
  }

  /**
   * As Redis's touchWatchedKey: a key that was already expired when watched only counts as
   * changed once it holds a live value again; its removal alone changes nothing logically.
   */
  watchedKeyTouched(db: Database, key: string): void {
    const watched = this.watched.find((w) => w.db === db && w.key === key);
    if (watched?.expiredWhenWatched) {
      if (!db.dict.has(key)) {
        watched.expiredWhenWatched = false;
        return;
      }
      if (db.isExpired(key)) return;
    }
    this.casDirty = true;
  }

  selectDatabase(index: number): void {
    this.db = this.server.databases[index];
  }

  /** Forgets every WATCHed key. */
  unwatchAll(): void {
    for (const { db, key } of this.watched) db.unwatch(key, this);
    this.watched = [];
    this.casDirty = false;
  }

  /** Leaves MULTI state, dropping queued commands. */
  discardTransaction(): void {
    this.multi = null;
    this.multiFailed = false;
    this.unwatchAll();
  }
}

function formatAddress(host: string | undefined, port: number | undefined): string {
  if (host === undefined) return '?:0';
  return host.includes(':') && !host.startsWith('::ffff:') ? `[${host}]:${port}` : `${host.replace(/^::ffff:/, '')}:${port}`;
}
