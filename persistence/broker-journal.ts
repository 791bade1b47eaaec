import { existsSync, promises as fs, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { encodeBulkArray } from '../src/protocol/reply-writer.js';
import type { Server } from '../src/server.js';
import { AppendOnlyFile, type AppendOnlyContents } from './aof.js';
import { AofError, readCommands, type FileCommand } from './aof-format.js';
import { RdbError, RdbReader } from './rdb-reader.js';
import { LOAD_SLICE_MS, nextTurn } from './slices.js';

/**
 * The AUX field holding the broker's durable state in snapshots, repeated as often as needed
 * after the keys (Redis skips fields it does not know).
 */
export const BROKER_AUX = 'nodis-broker';
/** Bytes of records per AUX field: encoding one takes a fraction of a millisecond. */
const FIELD_BYTES = 64 * 1024;

/** What the journal needs of the broker: its durable state as records, and records applied back. */
export interface JournalledState {
  /** As of the call, made as they are read. */
  durableRecords(): Iterator<readonly string[]>;
  applyRecord(record: readonly string[]): void;
}

/**
 * The broker's durable changes (durable exchanges, queues and bindings, persistent messages in
 * durable queues), kept whatever `appendonly` says, through the same machinery as the append-only
 * file: records in RESP, written before the replies of their turn (a publisher's confirm) and
 * fsynced as `appendfsync` says; rewritten without stalls as an RDB preamble holding the state
 * in AUX fields, then the records that came meanwhile. Snapshots carry the same state in the
 * same AUX fields, so a dump.rdb brought to another server brings its broker along.
 */
export class BrokerJournal {
  private file: AppendOnlyFile | null = null;
  /** Between open() and close(): the file is created by the first durable change when there is none. */
  private active = false;
  /** Start-up took the state from a snapshot: the journal is written from it at once, not at the first change. */
  private loadedFromSnapshot = false;

  private readonly contents: AppendOnlyContents = {
    name: 'broker journal',
    path: () => this.path,
    databases: () => [],
    aux: () => [['aof-base', '1']],
    trailer: () => this.stateFields(),
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

  /**
   * The state as of now, as AUX fields for a snapshot's trailer, each encoded when it is written;
   * none when there is nothing durable (the file stays as Redis writes it).
   */
  stateFields(): Iterator<[string, string]> {
    return fieldsOf(this.state.durableRecords());
  }

  /**
   * Start-up: the state from the journal when there is one, else from the snapshot's AUX fields
   * (`fromSnapshot`, a dump.rdb brought from elsewhere), in slices between which clients are
   * answered (-LOADING). A journal cut short in its last record is cut back when
   * `aof-load-truncated`, as the append-only file is.
   */
  async load(fromSnapshot: readonly string[]): Promise<void> {
    const path = this.path;
    if (!existsSync(path)) {
      for (const field of fromSnapshot) await this.apply(readCommands(Buffer.from(field, 'latin1'), 0));
      this.loadedFromSnapshot = fromSnapshot.length > 0;
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
        for (const field of stateIn(reader)) await this.apply(readCommands(Buffer.from(field, 'latin1'), 0));
      }
      records = await this.apply(readCommands(data, start));
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

  /** Applies records, yielding to the event loop every few milliseconds; returns how many. */
  private async apply(records: Iterable<FileCommand>): Promise<number> {
    let count = 0;
    let deadline = performance.now() + LOAD_SLICE_MS;
    for (const { argv } of records) {
      this.state.applyRecord(argv);
      // The clock is read every 64 records: reading it costs more than applying a small one.
      if ((++count & 63) === 0 && performance.now() >= deadline) {
        await nextTurn();
        deadline = performance.now() + LOAD_SLICE_MS;
      }
    }
    return count;
  }

  /**
   * Opens the journal to append to it, once loaded; without durable state there is no file yet.
   * State brought by a snapshot is written now, while starting, rather than by the first change.
   */
  open(): void {
    this.active = true;
    if (this.file !== null) return;
    const exists = existsSync(this.path);
    if (exists || this.loadedFromSnapshot) this.file = new AppendOnlyFile(this.server, this.contents, exists);
    this.loadedFromSnapshot = false;
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

/** The broker's AUX fields of a snapshot `reader` has read to its end. */
export function stateIn(reader: RdbReader): string[] {
  return reader.auxFields.filter(([name]) => name === BROKER_AUX).map(([, value]) => value);
}

/** Records as AUX fields of about FIELD_BYTES each, in the journal's own format (RESP), made as they are read. */
function* fieldsOf(records: Iterator<readonly string[]>): Generator<[string, string]> {
  let parts: Buffer[] = [];
  let size = 0;
  for (let record = records.next(); record.done !== true; record = records.next()) {
    const encoded = encodeBulkArray(record.value);
    parts.push(encoded);
    size += encoded.length;
    if (size < FIELD_BYTES) continue;
    yield [BROKER_AUX, Buffer.concat(parts, size).toString('latin1')];
    parts = [];
    size = 0;
  }
  if (size > 0) yield [BROKER_AUX, Buffer.concat(parts, size).toString('latin1')];
}
