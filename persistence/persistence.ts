import { existsSync, promises as fs, readFileSync, renameSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import cron, { type ScheduledTask } from 'node-cron';
import type { Server } from '../src/server.js';
import { REDIS_VERSION } from '../src/version.js';
import type { CollectionValue, DeferredCodec, DeferredValue } from '../src/keyspace/values.js';
import { decodeValue, RdbError, RdbReader, type LoadLimits, type RdbEntry } from './rdb-reader.js';
import type { RdbWriteOptions } from './rdb-writer.js';
import { AppendOnlyFile, type AppendOnlyContents } from './aof.js';
import { AofError } from './aof-format.js';
import { BrokerJournal, stateIn } from './broker-journal.js';
import { replayCommands } from './aof-loader.js';
import { fsyncDirectoryOf, removeQuietly } from './files.js';
import { LOAD_SLICE_MS, nextTurn } from './slices.js';
import { PointInTimeSnapshot } from './snapshot.js';

/** After a failed background save, save points wait this long before trying again (CONFIG_BGSAVE_RETRY_DELAY). */
const BGSAVE_RETRY_DELAY_MS = 5000;

/** A background save in progress. */
interface BackgroundSave {
  snapshot: PointInTimeSnapshot;
  tempPath: string;
  /** Changes counted before the save started: those are in the file. */
  dirtyAtStart: number;
  startedAt: number;
  /** Set by a shutdown that cannot wait: the save stops at its next slice and removes its file. */
  aborted: boolean;
}

/** Loading progress, for INFO. */
interface LoadingState {
  startedAt: number;
  totalBytes: number;
  loadedBytes: number;
}

/**
 * A server's persistence: SAVE, BGSAVE without fork (point in time, written in slices while
 * clients are served), save points and the `save-cron` schedule, the append-only file, loading
 * at start-up (the append-only file when on, else the snapshot), and the state INFO reports. Files are written to a temporary name, fsynced, renamed over the old
 * snapshot and the directory fsynced, so a crash leaves the old or the new file, whole.
 */
export class Persistence {
  /** Unix time in seconds of the last successful save (start-up time before any). */
  lastSave = Math.floor(Date.now() / 1000);
  lastBgsaveOk = true;
  lastBgsaveSeconds = -1;
  saves = 0;
  /** A background save is due as soon as none (nor an AOF rewrite) runs: BGSAVE in a transaction or during a rewrite, save-cron. */
  scheduled = false;
  loading: LoadingState | null = null;
  /** The append-only file while `appendonly` is on. */
  aof: AppendOnlyFile | null = null;
  private background: BackgroundSave | null = null;
  private lastBgsaveTry = 0;
  private cronTask: ScheduledTask | null = null;

  /** Decodes the collections loading left undecoded, under the encoding limits of the moment. */
  private readonly deferredCodec: DeferredCodec = {
    decode: (deferred: DeferredValue): CollectionValue | undefined => {
      try {
        return decodeValue(deferred.format, Buffer.from(deferred.bytes, 'latin1'), this.loadLimits()) as CollectionValue;
      } catch (error) {
        this.server.log.error(`A ${deferred.type} from the snapshot is corrupt and was dropped: ${(error as Error).message}`);
        return undefined;
      }
    },
  };

  /** The broker's durable changes, logged whatever `appendonly` says. */
  readonly brokerJournal: BrokerJournal;

  constructor(private readonly server: Server) {
    this.brokerJournal = new BrokerJournal(server, server.broker);
  }

  /** The snapshot file: `dbfilename` in `dir`. */
  get path(): string {
    return join(this.server.config.get('dir'), this.server.config.get('dbfilename'));
  }

  get backgroundSaveStartedAt(): number | null {
    return this.background?.startedAt ?? null;
  }

  /**
   * A background save or AOF rewrite runs: both watch every change to the keyspace through the
   * same hook, so only one runs at a time (Redis allows one child process at a time too).
   */
  get snapshotBusy(): boolean {
    return this.background !== null || (this.aof?.rewriteStartedAt ?? null) !== null;
  }

  /** As Redis's writeCommandsDeniedByDiskError: a failed background save stops writes (MISCONF). */
  get writesRefused(): boolean {
    const config = this.server.config;
    return !this.lastBgsaveOk && config.get('stop-writes-on-bgsave-error') && config.get('save') !== '';
  }

  private writeOptions(): RdbWriteOptions {
    return { compression: this.server.config.get('rdbcompression'), checksum: this.server.config.get('rdbchecksum') };
  }

  /** The dataset and the broker's durable state as of now, for SAVE and BGSAVE. */
  private snapshot(): PointInTimeSnapshot {
    const aux: [string, string][] = [
      ['redis-ver', REDIS_VERSION],
      ['redis-bits', '64'],
      ['ctime', String(Math.floor(Date.now() / 1000))],
      ['used-mem', String(process.memoryUsage().heapUsed)],
      ['aof-base', '0'],
    ];
    return new PointInTimeSnapshot(this.server.databases, aux, this.writeOptions(), this.brokerJournal.stateFields());
  }

  /** The encoding limits loaded values are settled under (RESTORE uses them too). */
  loadLimits(): LoadLimits {
    const config = this.server.config;
    return {
      hashMaxListpackEntries: config.get('hash-max-listpack-entries'),
      hashMaxListpackValue: config.get('hash-max-listpack-value'),
      setMaxIntsetEntries: config.get('set-max-intset-entries'),
      zsetMaxListpackEntries: config.get('zset-max-listpack-entries'),
      zsetMaxListpackValue: config.get('zset-max-listpack-value'),
    };
  }

  /** SAVE: writes the snapshot at once, blocking the server as Redis's SAVE does. Throws on failure. */
  save(): void {
    const server = this.server;
    // The same walk as BGSAVE's, unwatched: nothing can change while it runs.
    const snapshot = this.snapshot();
    const tempPath = join(server.config.get('dir'), `temp-${process.pid}.rdb`);
    try {
      snapshot.writeFileSync(tempPath);
      renameSync(tempPath, this.path);
      fsyncDirectoryOf(this.path);
    } catch (error) {
      removeQuietly(tempPath);
      server.log.warn({ err: error }, 'Failed saving the DB');
      throw error;
    }
    server.dirty = 0;
    this.saveSucceeded();
    server.log.info('DB saved on disk');
  }

  private saveSucceeded(): void {
    this.lastSave = Math.floor(Date.now() / 1000);
    this.lastBgsaveOk = true;
    this.saves++;
  }

  /** BGSAVE: false when a save or an AOF rewrite is already running. */
  startBackgroundSave(): boolean {
    if (this.snapshotBusy) return false;
    const server = this.server;
    this.lastBgsaveTry = Date.now();
    const save: BackgroundSave = {
      snapshot: this.snapshot(),
      tempPath: join(server.config.get('dir'), `temp-bg-${process.pid}.rdb`),
      dirtyAtStart: server.dirty,
      startedAt: Date.now(),
      aborted: false,
    };
    save.snapshot.attach();
    this.background = save;
    server.log.info('Background saving started');
    void this.runBackgroundSave(save);
    return true;
  }

  private async runBackgroundSave(save: BackgroundSave): Promise<void> {
    const server = this.server;
    try {
      if (!(await save.snapshot.writeFile(save.tempPath, () => save.aborted))) throw new Error('background save aborted');
      await fs.rename(save.tempPath, this.path);
      fsyncDirectoryOf(this.path);
      server.dirty -= save.dirtyAtStart;
      this.lastBgsaveSeconds = Math.round((Date.now() - save.startedAt) / 1000);
      this.saveSucceeded();
      server.log.info('Background saving terminated with success');
    } catch (error) {
      removeQuietly(save.tempPath);
      if (!save.aborted) {
        this.lastBgsaveOk = false;
        server.log.warn({ err: error }, 'Background saving error');
      }
    } finally {
      save.snapshot.detach();
      this.background = null;
    }
    if (this.scheduled && !save.aborted) {
      this.scheduled = false;
      this.startBackgroundSave();
    }
  }

  /** Stops a background save at once, dropping its file (a shutdown saves synchronously instead). */
  private abortBackgroundSave(): void {
    const save = this.background;
    if (save === null) return;
    save.aborted = true;
    save.snapshot.detach();
    this.background = null;
  }

  /**
   * The save points and BGSAVE SCHEDULE, checked by the server's cron as Redis's serverCron:
   * a point is due when it has seen enough changes for long enough since the last save, and a
   * failed save is retried only after a delay.
   */
  cron(): void {
    if (this.loading !== null) return;
    this.aof?.cron();
    this.brokerJournal.cron();
    if (this.snapshotBusy) return;
    if (this.scheduled) {
      this.scheduled = false;
      this.startBackgroundSave();
      return;
    }
    const server = this.server;
    const now = Date.now();
    if (!this.lastBgsaveOk && now - this.lastBgsaveTry <= BGSAVE_RETRY_DELAY_MS) return;
    const words = server.config.get('save').split(' ').filter(Boolean).map(Number);
    for (let i = 0; i < words.length; i += 2) {
      const [seconds, changes] = [words[i], words[i + 1]];
      if (server.dirty >= changes && now - this.lastSave * 1000 > seconds * 1000) {
        server.log.info(`${changes} changes in ${seconds} seconds. Saving...`);
        this.startBackgroundSave();
        return;
      }
    }
  }

  /** Follows `save-cron`: a background save at each time the cron expression names. */
  scheduleCron(): void {
    this.cronTask?.destroy();
    this.cronTask = null;
    const expression = this.server.config.get('save-cron');
    if (expression === '') return;
    this.cronTask = cron.schedule(expression, () => {
      if (this.loading === null && !this.startBackgroundSave()) this.scheduled = true;
    });
  }

  /**
   * Stops the schedule and any background save, and closes the append-only file, everything
   * acknowledged reaching the disk whatever appendfsync says (the server is stopping).
   */
  stop(): void {
    this.cronTask?.destroy();
    this.cronTask = null;
    this.abortBackgroundSave();
    this.aof?.close();
    this.aof = null;
    this.brokerJournal.close();
  }

  /** Writes what this turn logged (keyspace and broker), before any of its replies leave. */
  flushLogs(): void {
    this.aof?.flush();
    this.brokerJournal.flush();
  }

  /**
   * What a shutdown does first, as Redis's prepareForShutdown: stop, then save when save points
   * are set (or `save` is true), unless `nosave`. False when that save failed: the server must
   * not exit, and goes on as before.
   */
  prepareForShutdown(save: boolean, nosave: boolean): boolean {
    this.stop();
    if (nosave || (!save && this.server.config.get('save') === '') || this.loading !== null) return true;
    try {
      this.save();
      return true;
    } catch {
      this.server.log.warn("Error trying to save the DB, can't exit.");
      this.scheduleCron();
      this.followAppendOnly();
      this.brokerJournal.open();
      return false;
    }
  }

  /** Opens or closes the append-only file as `appendonly` says (start-up, CONFIG SET, a failed shutdown). */
  followAppendOnly(): void {
    const wanted = this.server.config.get('appendonly');
    if (wanted && this.aof === null) {
      this.aof = new AppendOnlyFile(this.server, this.keyspaceLog, existsSync(this.aofPath));
    } else if (!wanted && this.aof !== null) {
      this.aof.close();
      this.aof = null;
    }
  }

  /** What the `appendonly` file holds: the keyspace, rewritten from a point-in-time snapshot of it. */
  private readonly keyspaceLog: AppendOnlyContents = {
    name: 'append only file',
    path: () => this.aofPath,
    databases: () => this.server.databases,
    aux: () => [['aof-base', '1']],
    trailer: () => null,
    canSnapshot: () => !this.snapshotBusy,
    createAtOnce: false,
  };

  private get aofPath(): string {
    return join(this.server.config.get('dir'), this.server.config.get('appendfilename'));
  }

  /**
   * Loads the snapshot, if there is one, in slices between which clients are answered (with
   * -LOADING for most commands). Keys whose TTL passed are skipped, as a Redis master does.
   * A file that cannot be read rejects with the file and the byte offset.
   */
  async load(): Promise<void> {
    // From now until the data is in, clients get -LOADING (the file is not even read yet).
    this.loading = { startedAt: Date.now(), totalBytes: 0, loadedBytes: 0 };
    try {
      let brokerState: string[] = [];
      if (this.server.config.get('appendonly') && existsSync(this.aofPath)) await this.loadAppendOnlyFile(this.loading);
      else brokerState = await this.loadSnapshot(this.loading);
      await this.brokerJournal.load(brokerState);
    } finally {
      this.loading = null;
    }
    this.followAppendOnly();
    this.brokerJournal.open();
  }

  /**
   * Loads the append-only file: its RDB preamble, if it has one, then its commands. A file cut
   * short inside its last command is cut back to the last whole one when `aof-load-truncated`.
   */
  private async loadAppendOnlyFile(loading: LoadingState): Promise<void> {
    const path = this.aofPath;
    const data = await fs.readFile(path);
    const server = this.server;
    const started = performance.now();
    loading.totalBytes = data.length;
    const progress = (offset: number) => (loading.loadedBytes = offset);
    try {
      let start = 0;
      if (data.subarray(0, 5).toString('latin1') === 'REDIS') start = await this.loadEntries(this.reader(data), progress);
      const result = await replayCommands(server, data, start, progress, LOAD_SLICE_MS);
      if (result.truncatedAt !== null) {
        if (!server.config.get('aof-load-truncated')) {
          throw new AofError('the file ends in the middle of a command or transaction (aof-load-truncated is no)', result.truncatedAt, true);
        }
        server.log.warn({ offset: result.truncatedAt }, '!!! Warning: short read while loading the AOF file !!! Truncating the AOF at the last whole command');
        truncateSync(path, result.truncatedAt);
      }
      server.log.info({ commands: result.commands, seconds: ((performance.now() - started) / 1000).toFixed(3) }, 'DB loaded from append only file');
    } catch (error) {
      if (error instanceof AofError) throw new Error(`Bad append only file ${path} at byte ${error.offset}: ${error.message}. Run nodis-check-aof --fix ${path} to cut it there.`);
      throw new Error(describeLoadError(path, error));
    }
  }

  /** Loads a snapshot's keys in slices; returns the offset just after its checksum. Keys already expired are skipped. */
  private async loadEntries(reader: RdbReader, progress: (offset: number) => void): Promise<number> {
    const counts = { keys: 0, expired: 0, now: Date.now() };
    while (!this.loadKeys(reader, performance.now() + LOAD_SLICE_MS, counts)) {
      progress(reader.offset);
      await nextTurn();
    }
    progress(reader.offset);
    this.server.log.info({ keys: counts.keys, expired: counts.expired }, 'Snapshot keys loaded');
    return reader.offset;
  }

  /**
   * Stores keys from `reader` until `deadline` (performance.now() time; Infinity for all of
   * them); true once the file's keys are all read. Keys whose TTL passed by `counts.now` are
   * skipped, as a Redis master does.
   */
  private loadKeys(reader: RdbReader, deadline: number, counts: { keys: number; expired: number; now: number }): boolean {
    // The clock is read every 64 keys: reading it costs more than loading a small key.
    for (let i = 1; (i & 63) !== 0 || performance.now() < deadline; i++) {
      const entry = reader.next();
      if (entry === null) return true;
      if (entry.expireAt !== undefined && entry.expireAt <= counts.now) {
        counts.expired++;
      } else {
        this.store(entry, reader.offset);
        counts.keys++;
      }
    }
    return false;
  }

  /** Loads the snapshot's keys; returns the broker's state from its AUX fields. */
  private async loadSnapshot(loading: LoadingState): Promise<string[]> {
    const path = this.path;
    let data: Buffer;
    try {
      data = await fs.readFile(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new Error(`Can't read the snapshot ${path}: ${(error as Error).message}`);
    }
    const started = performance.now();
    loading.totalBytes = data.length;
    let reader: RdbReader;
    try {
      reader = this.reader(data);
      await this.loadEntries(reader, (offset) => (loading.loadedBytes = offset));
    } catch (error) {
      throw new Error(describeLoadError(path, error));
    }
    this.server.log.info({ seconds: ((performance.now() - started) / 1000).toFixed(3) }, 'DB loaded from disk');
    return stateIn(reader);
  }


  /** DEBUG RELOAD: saves, empties every database and loads the file again, all at once (expired keys dropped, as at start-up). */
  reload(): void {
    this.save();
    const data = readFileSync(this.path);
    for (const db of this.server.databases) db.flush();
    this.loadKeys(this.reader(data), Infinity, { keys: 0, expired: 0, now: Date.now() });
  }

  private reader(data: Buffer): RdbReader {
    const log = this.server.log;
    return new RdbReader(data, {
      checksum: this.server.config.get('rdbchecksum'),
      limits: this.loadLimits(),
      warn: (message) => log.warn(message),
      defer: this.deferredCodec,
    });
  }

  /** Puts a loaded key in place, straight into the maps: nothing watches or waits while loading. */
  private store(entry: RdbEntry, offset: number): void {
    const db = this.server.databases[entry.db];
    if (db === undefined) throw new RdbError(`the file uses database ${entry.db}, but 'databases' is ${this.server.databases.length}`, offset);
    db.load(entry.key, entry.value, entry.expireAt);
  }
}

function describeLoadError(path: string, error: unknown): string {
  if (error instanceof RdbError) return `Bad snapshot ${path} at byte ${error.offset}: ${error.message}. Fix or move the file, then start again.`;
  return `Can't load the snapshot ${path}: ${(error as Error).message}`;
}
