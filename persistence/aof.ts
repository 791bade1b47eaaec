import { closeSync, fstatSync, fsync, fsyncSync, openSync, renameSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Database } from '../src/keyspace/database.js';
import type { Server } from '../src/server.js';
import { encodeBulkArray } from '../src/protocol/reply-writer.js';
import { fsyncDirectoryOf, removeQuietly } from './files.js';
import { PointInTimeSnapshot } from './snapshot.js';

/** Wait between attempts to create the file when one failed. */
const REWRITE_RETRY_DELAY_MS = 5000;

/**
 * What an append-only file holds: the keyspace (the `appendonly` file), or the broker's durable
 * state alone (its journal, kept whatever `appendonly` says).
 */
export interface AppendOnlyContents {
  /** As log lines name it: "append only file", "broker journal". */
  readonly name: string;
  path(): string;
  /** The databases a rewrite writes (none for the broker's journal). */
  databases(): readonly Database[];
  /** The AUX fields a rewrite's RDB preamble starts with. */
  aux(): [string, string][];
  /** AUX fields after the keys, made as they are written (see PointInTimeSnapshot). */
  trailer(): Iterator<readonly [string, string]> | null;
  /** False while a background save holds the keyspace's change hook: a rewrite must wait. */
  canSnapshot(): boolean;
  /**
   * Written at once when missing, rather than by a background rewrite: for the broker's journal,
   * whose records must be on disk from the first confirm on (its state is small next to a keyspace).
   */
  readonly createAtOnce: boolean;
}

/** A rewrite in progress: the snapshot being written, and the commands fed since it started. */
interface Rewrite {
  snapshot: PointInTimeSnapshot;
  tempPath: string;
  /** What changed since the rewrite started, appended to the new file once the snapshot is in. */
  tail: Buffer[];
  startedAt: number;
  aborted: boolean;
}

/**
 * The append-only file, as Redis's (single-file form, an RDB preamble then commands): every
 * write that changed the dataset is appended in RESP once it ran, in its deterministic form
 * (see `propagateAs` in commands/access.ts), then written out before the replies of the same
 * turn leave, and fsynced as
 * `appendfsync` says: `always` before those replies, `everysec` once a second off the main
 * thread, `no` never. BGREWRITEAOF compacts it without fork: a point-in-time snapshot in RDB form,
 * then the commands that ran meanwhile, renamed over the old file.
 */
export class AppendOnlyFile {
  /** -1 until the first rewrite has created the file. */
  private fd: number;
  /** Commands of this turn not yet written. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** The database the file's last command ran in (a SELECT precedes a change of database). */
  private selectedDb = -1;
  /** Bytes written since the last fsync (everysec fsyncs only when there are some). */
  private unsynced = false;
  private fsyncInFlight = false;
  private readonly timer: NodeJS.Timeout;
  private rewriteState: Rewrite | null = null;
  /** Size after the last rewrite (or at open), for auto-aof-rewrite-percentage. */
  baseSize: number;
  lastRewriteOk = true;
  lastWriteOk = true;
  lastRewriteSeconds = -1;
  rewrites = 0;
  /** A rewrite is due once no background save runs (BGREWRITEAOF during one), as Redis's aof_rewrite_scheduled. */
  rewriteScheduled = false;
  /** Open transactions being fed (MULTI ... EXEC around the commands of one EXEC). */
  private transactionDepth = 0;
  private transactionFed = false;
  private lastRewriteTry = 0;

  /**
   * Opens the file to append to it, or, when there is none yet (start-up without one, or
   * CONFIG SET appendonly yes), writes it first from the dataset by a rewrite: until that is
   * done the file does not exist, so a crash meanwhile never leaves a partial one to be loaded.
   */
  constructor(
    private readonly server: Server,
    private readonly contents: AppendOnlyContents,
    existing: boolean,
  ) {
    this.fd = existing ? openSync(this.path, 'a') : -1;
    this.baseSize = existing ? fstatSync(this.fd).size : 0;
    this.timer = setInterval(() => this.everySecond(), 1000);
    this.timer.unref();
    if (existing) return;
    if (contents.createAtOnce) this.create();
    else this.startRewrite();
  }

  /** Writes the file from the contents, blocking, as a rewrite would. */
  private create(): void {
    const tempPath = this.tempPath();
    const snapshot = this.snapshot();
    try {
      snapshot.writeFileSync(tempPath);
      renameSync(tempPath, this.path);
    } catch (error) {
      removeQuietly(tempPath);
      throw error;
    }
    fsyncDirectoryOf(this.path);
    this.fd = openSync(this.path, 'a');
    this.baseSize = fstatSync(this.fd).size;
  }

  /** The contents as of now, for a rewrite (or the file's creation). */
  private snapshot(): PointInTimeSnapshot {
    const contents = this.contents;
    return new PointInTimeSnapshot(contents.databases(), contents.aux(), { compression: this.server.config.get('rdbcompression'), checksum: true }, contents.trailer());
  }

  private tempPath(): string {
    return join(dirname(this.path), `temp-rewrite-${process.pid}-${basename(this.path)}`);
  }

  get path(): string {
    return this.contents.path();
  }

  get size(): number {
    return (this.fd === -1 ? 0 : fstatSync(this.fd).size) + this.pendingBytes;
  }

  get rewriteStartedAt(): number | null {
    return this.rewriteState?.startedAt ?? null;
  }

  /** Appends a command that changed database `db`; written out with the turn's replies. */
  feed(db: number, argv: readonly string[]): void {
    if (this.transactionDepth > 0 && !this.transactionFed) {
      this.transactionFed = true;
      this.append(db, ['MULTI']);
    }
    this.append(db, argv);
  }

  /** EXEC: its commands are logged between MULTI and EXEC, so loading applies all or none. */
  beginTransaction(): void {
    this.transactionDepth++;
  }

  endTransaction(db: number): void {
    if (--this.transactionDepth > 0) return;
    if (this.transactionFed) this.append(db, ['EXEC']);
    this.transactionFed = false;
  }

  /** Appends a record of the broker's journal (no database). */
  record(argv: readonly string[]): void {
    this.push(encodeBulkArray(argv));
  }

  private append(db: number, argv: readonly string[]): void {
    if (db !== this.selectedDb && argv[0] !== 'MULTI' && argv[0] !== 'EXEC') {
      this.push(encodeBulkArray(['SELECT', String(db)]));
      this.selectedDb = db;
    }
    this.push(encodeBulkArray(argv));
  }

  private push(bytes: Buffer): void {
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    this.rewriteState?.tail.push(bytes);
  }

  /**
   * Writes what this turn fed, before any reply of the turn is sent; with `appendfsync always`
   * also fsyncs, so every acknowledged write is on disk. Many writes share one write and fsync.
   */
  flush(): void {
    if (this.pendingBytes === 0) return;
    if (this.fd === -1) {
      // The file is being created: what was fed waits in the rewrite's tail.
      this.pending = [];
      this.pendingBytes = 0;
      return;
    }
    const bytes = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    try {
      writeSync(this.fd, bytes);
      this.lastWriteOk = true;
    } catch (error) {
      // As Redis, a failed write is fatal: acknowledging writes that are not logged would lie.
      this.lastWriteOk = false;
      this.server.log.fatal({ err: error }, `Can't write to the ${this.contents.name}, exiting`);
      process.exit(1);
    }
    if (this.server.config.get('appendfsync') === 'always') fsyncSync(this.fd);
    else this.unsynced = true;
  }

  private everySecond(): void {
    this.flush();
    if (this.fd === -1 || this.server.config.get('appendfsync') !== 'everysec' || !this.unsynced || this.fsyncInFlight) return;
    this.unsynced = false;
    this.fsyncInFlight = true;
    fsync(this.fd, () => (this.fsyncInFlight = false));
  }

  /**
   * Checked by the server's cron: a scheduled rewrite, the file's creation if it failed (retried
   * every few seconds, as Redis retries while it waits for its first rewrite), then
   * auto-aof-rewrite-percentage and auto-aof-rewrite-min-size.
   */
  cron(): void {
    if (this.rewriteState !== null || !this.contents.canSnapshot()) return;
    if (this.rewriteScheduled || (this.fd === -1 && Date.now() - this.lastRewriteTry > REWRITE_RETRY_DELAY_MS)) {
      this.rewriteScheduled = false;
      this.startRewrite();
      return;
    }
    const config = this.server.config;
    const percentage = config.get('auto-aof-rewrite-percentage');
    if (percentage === 0) return;
    const size = this.size;
    const base = this.baseSize === 0 ? 1 : this.baseSize;
    if (size >= config.get('auto-aof-rewrite-min-size') && ((size - base) * 100) / base >= percentage) {
      this.server.log.info({ growth: Math.round(((size - base) * 100) / base) }, `Starting automatic rewriting of the ${this.contents.name}`);
      this.startRewrite();
    }
  }

  /** BGREWRITEAOF: false when one is already running; scheduled while a background save runs. */
  startRewrite(): boolean {
    if (this.rewriteState !== null) return false;
    if (!this.contents.canSnapshot()) {
      this.rewriteScheduled = true;
      return true;
    }
    const server = this.server;
    this.lastRewriteTry = Date.now();
    const rewrite: Rewrite = {
      snapshot: this.snapshot(),
      tempPath: this.tempPath(),
      tail: [],
      startedAt: Date.now(),
      aborted: false,
    };
    rewrite.snapshot.attach();
    this.rewriteState = rewrite;
    // The tail is replayed after the snapshot, from database 0: its first command must select.
    this.selectedDb = -1;
    server.log.info(`Background ${this.contents.name} rewriting started`);
    void this.runRewrite(rewrite);
    return true;
  }

  private async runRewrite(rewrite: Rewrite): Promise<void> {
    const server = this.server;
    try {
      if (!(await rewrite.snapshot.writeFile(rewrite.tempPath, () => rewrite.aborted))) throw new Error('rewrite aborted');
      // The commands fed meanwhile, then the switch, all in this turn: no command can fall between.
      this.flush();
      const fd = openSync(rewrite.tempPath, 'a');
      try {
        const tail = Buffer.concat(rewrite.tail);
        if (tail.length > 0) writeSync(fd, tail);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(rewrite.tempPath, this.path);
      if (this.fd !== -1) closeSync(this.fd);
      this.fd = openSync(this.path, 'a');
      this.rewriteState = null;
      fsyncDirectoryOf(this.path);
      this.baseSize = statSync(this.path).size;
      this.lastRewriteOk = true;
      this.lastRewriteSeconds = Math.round((Date.now() - rewrite.startedAt) / 1000);
      this.rewrites++;
      server.log.info(`Background ${this.contents.name} rewrite finished successfully`);
    } catch (error) {
      removeQuietly(rewrite.tempPath);
      if (!rewrite.aborted) {
        this.lastRewriteOk = false;
        server.log.warn({ err: error }, `Background ${this.contents.name} rewrite failed`);
      }
    } finally {
      rewrite.snapshot.detach();
      if (this.rewriteState === rewrite) this.rewriteState = null;
    }
  }

  /** Writes what is pending, fsyncs, stops the timer and any rewrite, and closes the file. */
  close(): void {
    clearInterval(this.timer);
    if (this.rewriteState !== null) {
      this.rewriteState.aborted = true;
      this.rewriteState.snapshot.detach();
      this.rewriteState = null;
    }
    this.flush();
    if (this.fd === -1) return;
    fsyncSync(this.fd);
    closeSync(this.fd);
  }
}
