import { existsSync, promises as fs, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { encodeBulkArray } from '../src/protocol/reply-writer.js';
import type { Server } from '../src/server.js';
import { AppendOnlyFile, type AppendOnlyContents } from './aof.js';
import { AofError, readCommands } from './aof-format.js';
import { RdbError, RdbReader } from './rdb-reader.js';

/** The AUX field holding the broker's durable state in snapshots (Redis skips fields it does not know). */
export const BROKER_AUX = 'nodis-broker';

/** What the journal needs of the broker: its durable state as records, and records applied back. */
export interface JournalledState {
  durableRecords(): Iterable<readonly string[]>;
  applyRecord(record: readonly string[]): void;
}

/**
 * The broker's durable changes (durable exchanges, queues and bindings, persistent messages in
 * durable queues), kept whatever `appendonly` says, through the same machinery as the append-only
 * file: records in RESP, written before the replies of their turn (a publisher's confirm) and
 * fsynced as `appendfsync` says; rewritten without stalls as an RDB preamble holding the state
 * in an AUX field, then the records that came meanwhile. Snapshots carry the same state in the
 * same AUX field, so a dump.rdb brought to another server brings its broker along.
 */
export class BrokerJournal {
  private file: AppendOnlyFile | null = null;
  /** Between open() and close(): the file is created by the first durable change when there is none. */
  private active = false;

  private readonly contents: AppendOnlyContents = {
    name: 'broker journal',
    path: () => this.path,
    databases: () => [],
    aux: () => [['aof-base', '1'], [BROKER_AUX, encodeState(this.state)]],
    canSnapshot: () => true,
    createAtOnce: true,
  };

  constructor(
    private readonly server: Server,
    private readonly state: JournalledState,
  ) {}

  get path(): string {
    return join(this.server.config.get('dir'), this.server.config.get('mq-journal-filename'));
  }

  get size(): number {
    return this.file?.size ?? 0;
  }

  /** The AUX field for a snapshot, or null when there is nothing durable (the file stays as Redis writes it). */
  snapshotField(): [string, string] | null {
    const encoded = encodeState(this.state);
    return encoded === '' ? null : [BROKER_AUX, encoded];
  }

  /**
   * Start-up: the state from the journal when there is one, else from the snapshot's AUX field
   * (`fromSnapshot`, a dump.rdb brought from elsewhere). A journal cut short in its last record
   * is cut back when `aof-load-truncated`, as the append-only file is.
   */
  async load(fromSnapshot: string | undefined): Promise<void> {
    const path = this.path;
    if (!existsSync(path)) {
      if (fromSnapshot !== undefined) applyState(this.state, fromSnapshot);
      return;
    }
    const data = await fs.readFile(path);
    let records = 0;
    try {
      let start = 0;
      if (data.latin1Slice(0, 5) === 'REDIS') {
        const reader = new RdbReader(data, { checksum: true, limits: this.server.persistence.loadLimits() });
        if (reader.next() !== null) throw new RdbError('the preamble holds keys', reader.offset);
        start = reader.offset;
        const state = reader.aux.get(BROKER_AUX);
        if (state !== undefined) applyState(this.state, state);
      }
      for (const { argv } of readCommands(data, start)) {
        this.state.applyRecord(argv);
        records++;
      }
    } catch (error) {
      if (error instanceof AofError && error.truncated && this.server.config.get('aof-load-truncated')) {
        this.server.log.warn({ offset: error.offset }, 'The broker journal ends in the middle of a record: cutting it there');
        truncateSync(path, error.offset);
      } else {
        const offset = error instanceof AofError || error instanceof RdbError ? error.offset : 0;
        throw new Error(`Bad broker journal ${path} at byte ${offset}: ${(error as Error).message}`);
      }
    }
    this.server.log.info({ records }, 'Broker state loaded from its journal');
  }

  /** Opens the journal to append to it, once loaded; without durable state there is no file yet. */
  open(): void {
    this.active = true;
    if (this.file === null && existsSync(this.path)) this.file = new AppendOnlyFile(this.server, this.contents, true);
  }

  /**
   * A durable change, from the broker, which has made it already. The first one creates the file
   * from the whole state, this change included, before the change's confirm can leave.
   */
  record(record: readonly string[]): void {
    if (!this.active) return;
    if (this.file !== null) {
      this.file.record(record);
      return;
    }
    try {
      this.file = new AppendOnlyFile(this.server, this.contents, false);
    } catch (error) {
      // Tried again at the next durable change; the log says durability is lost meanwhile.
      this.server.log.error({ err: error }, `Can't create the broker journal ${this.path}: durable changes are not saved`);
    }
  }

  flush(): void {
    this.file?.flush();
  }

  cron(): void {
    this.file?.cron();
  }

  /** Starts a rewrite now (it also happens by itself, as auto-aof-rewrite-* say); false when one runs. */
  rewrite(): boolean {
    return this.file?.startRewrite() ?? false;
  }

  get rewriting(): boolean {
    return (this.file?.rewriteStartedAt ?? null) !== null;
  }

  close(): void {
    this.active = false;
    this.file?.close();
    this.file = null;
  }
}

/** The state's records in RESP, one latin1 char a byte: the journal's own format, in one string. */
function encodeState(state: JournalledState): string {
  const parts: Buffer[] = [];
  for (const record of state.durableRecords()) parts.push(encodeBulkArray(record));
  return Buffer.concat(parts).toString('latin1');
}

function applyState(state: JournalledState, encoded: string): void {
  for (const { argv } of readCommands(Buffer.from(encoded, 'latin1'), 0)) state.applyRecord(argv);
}
