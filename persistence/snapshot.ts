import { closeSync, fsyncSync, openSync, promises as fs, writeSync } from 'node:fs';
import type { Database } from '../src/keyspace/database.js';
import { DeferredValue, type StoredValue } from '../src/keyspace/values.js';
import { encodeValue, RdbWriter, type EncodedValue, type RdbWriteOptions } from './rdb-writer.js';
import { nextTurn } from './slices.js';

/** What a key held when the save started, kept because it changed before the save reached it. */
interface Preimage {
  value: string | DeferredValue | EncodedValue;
  expireAt: number | undefined;
}

/** Longest slice of snapshot work between two turns of the event loop. */
const SLICE_MS = 1;
/** Bytes gathered before they are handed to the file. */
const CHUNK_BYTES = 1024 * 1024;

/** Marks a key the save had already written when it first changed: nothing to keep. */
const ALREADY_WRITTEN = null;

/** Latin1 strings and collections not decoded since loading never change: they are kept by reference. */
function isImmutable(value: StoredValue): value is string | DeferredValue {
  return typeof value === 'string' || value instanceof DeferredValue;
}

/**
 * One database as it was when the save started. `dict` and `expires` are the Maps of that moment:
 * FLUSHDB and SWAPDB replace a database's Maps rather than change them, so these stay as they
 * were; the keys are copied once (a few milliseconds per million keys) so the walk visits exactly
 * the keys of that moment, each once.
 */
class DatabaseView {
  readonly keys: string[];
  readonly expiresAtStart: number;
  readonly preimages = new Map<string, Preimage | typeof ALREADY_WRITTEN>();
  /** Next index in `keys` to write. */
  position = 0;

  constructor(
    readonly index: number,
    readonly dict: Map<string, StoredValue>,
    readonly expires: Map<string, number>,
  ) {
    this.keys = Array.from(dict.keys());
    this.expiresAtStart = expires.size;
  }
}

/**
 * A point-in-time snapshot taken without fork, as Redis's BGSAVE child would see the dataset:
 * the key list of every database is frozen when the save starts, and before any key changes
 * (value, TTL or existence) the database calls `beforeChange`, which keeps what the key held if
 * the walk has not written it yet: by reference for immutable strings and undecoded collections,
 * encoded at once for collections and Buffers, which change in place. Keys created during the save are not in the
 * frozen lists; keys deleted during the save are written from what was kept.
 */
export class PointInTimeSnapshot {
  private readonly views: DatabaseView[] = [];
  /** The same views by the Map each was taken from, which follows it through SWAPDB. */
  private readonly byDict = new Map<Map<string, StoredValue>, DatabaseView>();
  /** Mutable values (collections, Buffers) already written: a change to them needs no copy. */
  private readonly written = new WeakSet<object>();
  private viewIndex = 0;
  private headerDone = false;
  readonly writer: RdbWriter;

  constructor(
    private readonly databases: readonly Database[],
    private readonly aux: readonly (readonly [string, string])[],
    private readonly options: RdbWriteOptions,
    /**
     * AUX fields written after the keys, made as they are written (the broker's state, in
     * chunks, so that a large one does not stall the server in one go).
     */
    private readonly trailer: Iterator<readonly [string, string]> | null = null,
  ) {
    this.writer = new RdbWriter(options);
    for (const db of databases) {
      if (db.size === 0) continue;
      const view = new DatabaseView(db.id, db.dict, db.expires);
      this.views.push(view);
      this.byDict.set(db.dict, view);
    }
  }

  /**
   * Starts watching changes, for a snapshot written while clients run (BGSAVE, AOF rewrite).
   * SAVE, which writes at once, needs no watching.
   */
  attach(): void {
    for (const db of this.databases) db.beforeChange = this.beforeChange;
  }

  /** Stops watching changes (the save ended, or failed). */
  detach(): void {
    for (const db of this.databases) if (db.beforeChange === this.beforeChange) db.beforeChange = null;
  }

  private readonly beforeChange = (db: Database, key: string): void => {
    const view = this.byDict.get(db.dict);
    if (view === undefined || view.preimages.has(key)) return;
    const value = view.dict.get(key);
    // Absent now and never kept: it did not exist when the save started.
    if (value === undefined) return;
    if (typeof value !== 'string' && this.written.has(value)) {
      view.preimages.set(key, ALREADY_WRITTEN);
      return;
    }
    const kept = isImmutable(value) ? value : encodeValue(value, this.options.compression);
    view.preimages.set(key, { value: kept, expireAt: view.expires.get(key) });
  };

  /**
   * Writes the whole file to `path` in slices, clients being served between them, and fsyncs
   * it. False when `aborted()` became true first (the caller removes the file).
   */
  async writeFile(path: string, aborted: () => boolean): Promise<boolean> {
    const file = await fs.open(path, 'w');
    try {
      let done = false;
      while (!done) {
        if (aborted()) return false;
        done = this.step(SLICE_MS, CHUNK_BYTES);
        const chunk = this.writer.take();
        // Writing hands the bytes to the thread pool: clients are served meanwhile.
        if (chunk.length > 0) await file.write(chunk);
        else await nextTurn();
      }
      await file.sync();
      return true;
    } finally {
      await file.close();
    }
  }

  /** Writes the whole file to `path` at once, blocking (SAVE, a journal's creation), and fsyncs it. */
  writeFileSync(path: string): void {
    const fd = openSync(path, 'w');
    try {
      while (!this.step(Infinity, CHUNK_BYTES)) writeSync(fd, this.writer.take());
      writeSync(fd, this.writer.take());
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  /**
   * Writes keys until `budgetMs` has passed (Infinity: no limit) or `maxBytes` are pending, then
   * returns; true once the whole file (EOF and checksum included) has been produced. Take the
   * bytes with writer.take().
   */
  step(budgetMs: number, maxBytes: number): boolean {
    const writer = this.writer;
    if (!this.headerDone) {
      writer.header(this.aux);
      this.headerDone = true;
    }
    const deadline = performance.now() + budgetMs;
    let sinceClockRead = 0;
    while (this.viewIndex < this.views.length) {
      const view = this.views[this.viewIndex];
      if (view.position === 0) writer.selectDb(view.index, view.keys.length, view.expiresAtStart);
      const keys = view.keys;
      while (view.position < keys.length) {
        this.writeKey(view, keys[view.position++]);
        // Reading the clock costs more than writing a small key: look every 32 keys.
        if (++sinceClockRead === 32) {
          sinceClockRead = 0;
          if (performance.now() >= deadline || writer.pendingBytes >= maxBytes) return false;
        }
      }
      this.viewIndex++;
    }
    if (this.trailer !== null) {
      for (let field = this.trailer.next(); field.done !== true; field = this.trailer.next()) {
        writer.aux(field.value[0], field.value[1]);
        if (performance.now() >= deadline || writer.pendingBytes >= maxBytes) return false;
      }
    }
    writer.end();
    return true;
  }

  private writeKey(view: DatabaseView, key: string): void {
    const kept = view.preimages.get(key);
    if (kept !== undefined && kept !== ALREADY_WRITTEN) {
      this.writer.entry(key, kept.value, kept.expireAt);
      return;
    }
    const value = view.dict.get(key);
    // Every change before this point was kept, so a missing key cannot happen; skip it if it does.
    if (value === undefined) return;
    this.writer.entry(key, value, view.expires.get(key));
    if (typeof value !== 'string') this.written.add(value);
  }
}
