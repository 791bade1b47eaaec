import net from 'node:net';
import type { Logger } from 'pino';
import { BlockingEngine } from './blocking.js';
import { Eviction } from './eviction.js';
import { HeapGuard } from './heap-guard.js';
import { Broker } from './broker/index.js';
import { Client } from './client.js';
import { CommandTable, type CommandSpec } from './command.js';
import type { Config } from './config.js';
import { dispatch, startBurst } from './dispatcher.js';
import { Database, type KeyspaceHost } from './keyspace/database.js';
import { KeyspaceEvents } from './keyspace/events.js';
import { ScanCursors } from './keyspace/scan-cursors.js';
import { Err } from './errors.js';
import { ReplyWriter } from './protocol/reply-writer.js';
import { publishMessage } from './publish.js';
import { PubSub } from './pubsub.js';
import { Persistence } from '../persistence/persistence.js';
import { RecentPeaks } from './recent-peaks.js';
import { readWithSharedBuffer, SHARED_READ_MEMORY } from './shared-reads.js';
import { VERSION } from './version.js';

export interface ServerStats {
  connectionsReceived: number;
  rejectedConnections: number;
  commandsProcessed: number;
  expiredKeys: number;
  netInputBytes: number;
  netOutputBytes: number;
}

/** A difference between wall and monotonic clocks beyond this is a step of the wall clock. */
const CLOCK_STEP_MS = 100;
/** Share of each cron period the active expiry cycle may use (Redis: 25%). */
const EXPIRE_DUTY = 0.25;
/** Longest single slice of expiry work before yielding to I/O. */
const EXPIRE_SLICE_MS = 1;
/** Keys checked per database per round, and the expired share that justifies another round. */
const EXPIRE_KEYS_PER_ROUND = 20;
const EXPIRE_ACCEPTABLE_STALE = 0.1;
/** Longest stretch of broker expiry work per cron run. */
const BROKER_SLICE_MS = 2;

/**
 * The server: listens, owns the databases and the connected clients, runs each request burst
 * through the dispatcher and flushes its replies with one write, and runs the periodic jobs.
 */
export class Server implements KeyspaceHost {
  readonly databases: Database[];
  readonly clients = new Map<number, Client>();
  readonly writer = new ReplyWriter();
  readonly table: CommandTable;
  readonly scanCursors = new ScanCursors();
  readonly blocking = new BlockingEngine(this);
  readonly heapGuard: HeapGuard;
  readonly eviction = new Eviction(this);
  /** The message broker; its durable changes go to the persistence layer's journal. */
  readonly broker = new Broker({ journal: (record) => this.persistence.brokerJournal.record(record) });
  readonly persistence = new Persistence(this);
  readonly pubsub = new PubSub<Client>();
  /** Largest client buffers of the last seconds, for INFO. */
  readonly clientPeaks = new RecentPeaks();
  /** Clients that ran MONITOR, in the order they did. */
  readonly monitors = new Set<Client>();
  readonly keyspaceEvents = new KeyspaceEvents((channel, message) => void publishMessage(this, channel, message));
  readonly stats: ServerStats = {
    connectionsReceived: 0,
    rejectedConnections: 0,
    commandsProcessed: 0,
    expiredKeys: 0,
    netInputBytes: 0,
    netOutputBytes: 0,
  };
  readonly startedAt = Date.now();
  /** The time commands see: frozen while one command (or one EXEC) runs. */
  commandTime = Date.now();
  /**
   * Wall-clock time of performance.now()'s zero: the dispatcher reads the monotonic clock once
   * per command and derives both the wall-clock time and the command's duration from it.
   */
  wallClockOffset = performance.timeOrigin;
  /** The smallest non-zero client-output-buffer-limit of any class, or the heap guard's cap per client: output below it needs no check. */
  smallestOutputLimit = Infinity;
  /** DEBUG SET-ACTIVE-EXPIRE 0 turns the active expiry cycle off: keys then expire only when met. */
  activeExpireEnabled = true;
  /** Writes since the last save, for INFO and save points. */
  dirty = 0;
  /** Bound TCP port (differs from the `port` setting when that is 0). */
  port = 0;
  /** SHUTDOWN calls this; bin/nodis-server.ts makes it exit the process, tests keep the default. */
  onShutdownRequest: () => void = () => void this.shutdown();
  /** CLIENT PAUSE: end time in ms (0 = not paused), and whether only writes are held. */
  pausedUntil = 0;
  pauseWritesOnly = false;
  private pauseTimer: NodeJS.Timeout | null = null;
  private readonly tcp: net.Server;
  private nextClientId = 1;
  private cron: NodeJS.Timeout | null = null;
  private expireResume: NodeJS.Immediate | null = null;
  private expireDb = 0;
  private stopping: Promise<void> | null = null;

  constructor(
    readonly config: Config,
    readonly log: Logger,
    commands: readonly CommandSpec[],
  ) {
    this.table = new CommandTable(commands);
    this.heapGuard = new HeapGuard(log);
    this.keyspaceEvents.flags = config.get('notify-keyspace-events');
    this.outputLimitsChanged();
    this.databases = Array.from({ length: config.get('databases') }, (_, i) => new Database(i, this));
    this.eviction.policyChanged();
    // Paused until accept() moves the connection to the shared read buffer.
    this.tcp = net.createServer({ noDelay: true, pauseOnConnect: true }, (socket) => this.accept(socket));
    this.tcp.on('error', (error) => this.log.error({ err: error }, 'listener error'));
  }

  now(): number {
    return this.commandTime;
  }

  /** A database whose collections the running command may have changed in place, and any others (rare: MOVE, COPY). */
  private unsettled: Database | null = null;
  private readonly alsoUnsettled: Database[] = [];

  settlementDue(db: Database): void {
    if (this.unsettled === null) this.unsettled = db;
    else this.alsoUnsettled.push(db);
  }

  /** After each command: used_memory counts the collections it changed in place. */
  settleMemory(): void {
    if (this.unsettled === null) return;
    this.unsettled.settle();
    this.unsettled = null;
    if (this.alsoUnsettled.length === 0) return;
    for (const db of this.alsoUnsettled) db.settle();
    this.alsoUnsettled.length = 0;
  }

  keyExpired(db: Database, key: string): void {
    this.stats.expiredKeys++;
    // As Redis's deleteExpiredKeyAndPropagate: the removal is logged, so replaying the file
    // does not depend on when it runs.
    this.persistence.aof?.feed(db.id, ['DEL', key]);
  }

  /** Starts listening on the configured addresses; resolves with the bound port. */
  async listen(): Promise<number> {
    const [host] = this.config.get('bind');
    await new Promise<void>((resolve, reject) => {
      this.tcp.once('error', reject);
      this.tcp.listen({ port: this.config.get('port'), host: host === '*' ? undefined : host, backlog: this.config.get('tcp-backlog') }, () => {
        this.tcp.off('error', reject);
        resolve();
      });
    });
    this.port = (this.tcp.address() as net.AddressInfo).port;
    this.scheduleCron();
    this.log.info({ version: VERSION, port: this.port, pid: process.pid, config: this.config.file || null }, 'Listening');
    return this.port;
  }

  /** Takes a new client-output-buffer-limit into account. */
  outputLimitsChanged(): void {
    const limits = Object.values(this.config.get('client-output-buffer-limit')).flatMap((limit) => [limit.hard, limit.soft]);
    this.smallestOutputLimit = Math.min(this.heapGuard.clientCap, ...limits.filter((bytes) => bytes > 0));
  }

  /** Restarts the periodic jobs at the current `hz`. */
  scheduleCron(): void {
    if (this.cron !== null) clearInterval(this.cron);
    this.cron = setInterval(() => this.serverCron(), 1000 / this.config.get('hz'));
  }

  /** Stops accepting, closes every client and the periodic jobs. */
  shutdown(): Promise<void> {
    this.stopping ??= new Promise<void>((resolve) => {
      this.log.info('Shutting down');
      if (this.cron !== null) clearInterval(this.cron);
      if (this.expireResume !== null) clearImmediate(this.expireResume);
      if (this.pauseTimer !== null) clearTimeout(this.pauseTimer);
      this.persistence.stop();
      for (const client of this.clients.values()) {
        this.closeClient(client);
        // A client that does not read would keep the listener from closing: what the kernel
        // has not taken is dropped, as Redis's exit drops it.
        if (client.socket.writableLength > 0) client.socket.destroy();
      }
      this.tcp.close(() => resolve());
    });
    return this.stopping;
  }

  /**
   * Schedules a client's pending replies to be written once the event loop has read every
   * socket that was ready, as Redis's handleClientsWithPendingWrites before it sleeps.
   */
  queueWrite(client: Client): void {
    this.pendingWrites[this.pendingWriteCount++] = client;
    if (this.pendingWriteCount === 1) setImmediate(this.writeAllPending);
  }

  /** Clients with replies to write this turn: the first pendingWriteCount slots, the array reused (see Client's pendingOutput). */
  private readonly pendingWrites: (Client | null)[] = [];
  private pendingWriteCount = 0;
  private readonly writeAllPending = (): void => {
    // The append-only file gets this turn's writes before any reply acknowledges them.
    this.persistence.flushLogs();
    const clients = this.pendingWrites;
    // Newest first, as Redis's clients_pending_write: a publisher, queued when its burst ended, is
    // answered before the subscribers it fed, so its next requests arrive while they are written.
    for (let i = this.pendingWriteCount - 1; i >= 0; i--) {
      clients[i]!.writePending();
      clients[i] = null;
    }
    this.pendingWriteCount = 0;
  };

  /** Disconnects a client once what was written to it has been sent. */
  closeClient(client: Client): void {
    if (!this.forget(client)) return;
    client.writePending();
    client.socket.end();
    client.socket.destroySoon();
  }

  /** MONITOR: `client` sees every command run from now on. */
  startMonitoring(client: Client): void {
    client.monitoring = true;
    this.monitors.add(client);
  }

  /** Ends MONITOR for `client` (RESET, disconnection). */
  stopMonitoring(client: Client): void {
    client.monitoring = false;
    this.monitors.delete(client);
  }

  /** Disconnects a client at once, dropping what it has not received (output buffer limits). */
  dropClient(client: Client): void {
    if (this.forget(client)) client.socket.destroy();
  }

  /** Ends everything a client takes part in; false when it was already closed. */
  private forget(client: Client): boolean {
    if (client.closed) return false;
    client.closed = true;
    this.clients.delete(client.id);
    this.blocking.unblock(client, 'disconnect');
    this.pubsub.unsubscribeAll(client);
    // Its unacked deliveries go back to their queues, its exclusive queues away.
    this.broker.connectionClosed(client);
    this.stopMonitoring(client);
    client.discardTransaction();
    return true;
  }

  private accept(accepted: net.Socket): void {
    this.stats.connectionsReceived++;
    const refusal = this.refusal(accepted);
    if (refusal !== null) {
      this.stats.rejectedConnections++;
      accepted.resume();
      accepted.end(`-${refusal}\r\n`);
      return;
    }
    const socket = readWithSharedBuffer(accepted, this.tcp, (chunk, length) => this.onData(client, chunk, length));
    const client = new Client(this.nextClientId++, socket, this);
    this.clients.set(client.id, client);
    const keepAlive = this.config.get('tcp-keepalive');
    if (keepAlive > 0) socket.setKeepAlive(true, keepAlive * 1000);
    socket.on('error', (error) => client.log.debug({ err: error }, 'connection error'));
    socket.on('close', () => this.closeClient(client));
  }

  /** Why a new connection is turned away, as Redis's acceptCommonHandler: null to accept it. */
  private refusal(socket: net.Socket): string | null {
    if (this.clients.size >= this.config.get('maxclients')) return Err.maxClients;
    if (this.config.get('protected-mode') && this.config.get('requirepass') === '' && !isLoopback(socket.remoteAddress)) {
      return Err.protectedMode;
    }
    return null;
  }

  private onData(client: Client, chunk: Buffer, length: number): void {
    if (client.closed) return;
    this.stats.netInputBytes += length;
    client.parser.feed(chunk, length);
    this.processInput(client);
    client.parser.detach(SHARED_READ_MEMORY);
  }

  /**
   * Sends replies to `client` from outside its own input processing (a blocked client being
   * served or timing out), then goes back to the client whose replies were being written.
   */
  replyTo(client: Client, write: (writer: ReplyWriter) => void): void {
    const writer = this.writer;
    const previous = writer.target;
    writer.begin(client);
    // Under CLIENT REPLY OFF, a blocked command's late reply is dropped as any other.
    const previousDrop = writer.dropAfter(client.replyOff ? writer.mark() : -1);
    write(writer);
    writer.flush();
    if (previous !== null) writer.begin(previous);
    writer.dropAfter(previousDrop);
  }

  /**
   * Sends out-of-band bytes (a published message, a MONITOR line) to `client`, after the replies
   * the writer still holds for it, so that a client receiving its own messages sees them in order.
   */
  sendAside(client: Client, bytes: Buffer): void {
    if (client === this.writer.target) this.writer.flush();
    client.send(bytes);
  }

  /** Goes on with a client's pipelined input once it is no longer blocked, after the current command. */
  resumeInput(client: Client): void {
    setImmediate(() => {
      if (!client.closed && client.blocked === null) this.processInput(client);
    });
  }

  /** Runs the client's parsed requests until its input runs out or a CLIENT PAUSE holds one. */
  private processInput(client: Client): void {
    const parser = client.parser;
    const writer = this.writer;
    writer.begin(client);
    client.lastInteraction = startBurst(client);
    let argv: string[] | null = client.pausedArgv;
    client.pausedArgv = null;
    while (!client.closeAfterReply && client.blocked === null && (argv ??= parser.next()) !== null) {
      if (this.pausedUntil !== 0 && this.mustWait(client, argv)) {
        client.pausedArgv = argv;
        break;
      }
      dispatch(client, argv);
      argv = null;
    }
    if (parser.overflowed) {
      client.log.warn('closing client that reached max query buffer length');
      client.closeAfterReply = true;
    } else if (parser.error !== null) {
      client.log.warn({ error: parser.error }, 'protocol error, closing connection');
      writer.error(parser.error);
      client.closeAfterReply = true;
    }
    writer.flush();
    if (client.closeAfterReply) this.closeClient(client);
  }

  /**
   * CLIENT PAUSE: holds every client's commands (`writesOnly` false) or only those that may
   * write, for `ms` milliseconds. As Redis, a new pause never shortens nor narrows the current one.
   */
  pauseClients(ms: number, writesOnly: boolean): void {
    const until = Date.now() + ms;
    this.pauseWritesOnly = this.pausedUntil === 0 ? writesOnly : this.pauseWritesOnly && writesOnly;
    if (until <= this.pausedUntil) return;
    this.pausedUntil = until;
    if (this.pauseTimer !== null) clearTimeout(this.pauseTimer);
    this.pauseTimer = setTimeout(() => this.unpauseClients(), ms);
  }

  /** Ends a CLIENT PAUSE; the held commands run in arrival order once the current one is done. */
  unpauseClients(): void {
    if (this.pauseTimer !== null) clearTimeout(this.pauseTimer);
    this.pauseTimer = null;
    this.pausedUntil = 0;
    setImmediate(() => {
      for (const client of this.clients.values()) {
        if (client.pausedArgv !== null && !client.closed) this.processInput(client);
      }
    });
  }

  /** As Redis's processCommand: while paused, everything waits, or what may write (EXEC included). */
  private mustWait(client: Client, argv: string[]): boolean {
    if (!this.pauseWritesOnly) return true;
    const command = this.table.resolve(argv);
    if (command === undefined) return false;
    if (command.isWrite || command.spec.flags.includes('may_replicate')) return true;
    return command.name === 'exec' && client.multi !== null && client.multi.some((queued) => queued.command.isWrite);
  }

  private serverCron(): void {
    this.followClockSteps();
    this.clientsCron();
    this.persistence.cron();
    if (this.persistence.loading === null) this.brokerCycle(performance.now() + BROKER_SLICE_MS);
    if (this.activeExpireEnabled && this.persistence.loading === null) this.activeExpireCycle(performance.now() + (1000 / this.config.get('hz')) * EXPIRE_DUTY);
  }

  /** Expired messages and timed-out deliveries, in the broker's bounded batches, until `deadline`. */
  private brokerCycle(deadline: number): void {
    while (this.broker.tick() && performance.now() < deadline);
  }

  /**
   * The monotonic clock never jumps, the wall clock can be set: follow a step of the wall clock,
   * but not the sub-millisecond jitter of Date.now(), which would make command time run backwards.
   */
  private followClockSteps(): void {
    const drift = Date.now() - (performance.now() + this.wallClockOffset);
    if (Math.abs(drift) > CLOCK_STEP_MS) this.wallClockOffset += drift;
  }

  /** As Redis's clientsCron: notes each client's buffer sizes, closes the idle ones. */
  private clientsCron(): void {
    const now = Date.now();
    const timeout = this.config.get('timeout');
    const deadline = timeout === 0 ? 0 : now - timeout * 1000;
    let clientBytes = 0;
    for (const client of this.clients.values()) {
      this.clientPeaks.record(now, client.parser.bufferedBytes, client.outputBytes);
      clientBytes += client.parser.bufferedBytes + client.outputBytes;
      // As Redis, a client waiting in a blocking command or inside MULTI is not idle.
      if (client.lastInteraction < deadline && client.multi === null && client.blocked === null) {
        client.log.info('closing idle client');
        this.closeClient(client);
      }
    }
    this.eviction.clientBytes = clientBytes;
  }

  /**
   * Removes expired keys nobody reads, as Redis's activeExpireCycle: sample keys with a TTL in
   * each database, keep going while many of them turn out expired. Work is cut into 1 ms slices
   * separated by I/O, up to a quarter of the cron period.
   */
  private activeExpireCycle(deadline: number): void {
    this.expireResume = null;
    const sliceEnd = Math.min(deadline, performance.now() + EXPIRE_SLICE_MS);
    const dbs = this.databases;
    let busy = false;
    this.commandTime = Math.floor(performance.now() + this.wallClockOffset);
    for (let visited = 0; visited < dbs.length; visited++) {
      const db = dbs[this.expireDb];
      let checked: number;
      let expired: number;
      do {
        [checked, expired] = db.expireSome(EXPIRE_KEYS_PER_ROUND);
        if (performance.now() >= sliceEnd) break;
      } while (checked > 0 && expired > checked * EXPIRE_ACCEPTABLE_STALE);
      if (checked > 0 && expired > checked * EXPIRE_ACCEPTABLE_STALE) {
        busy = true;
        break;
      }
      this.expireDb = (this.expireDb + 1) % dbs.length;
    }
    if (busy && performance.now() < deadline) {
      this.expireResume = setImmediate(() => this.activeExpireCycle(deadline));
    }
  }
}

/** True for addresses of the loopback interface (IPv4, IPv6, IPv4-mapped IPv6). */
export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return v4.startsWith('127.') || address === '::1';
}
