/**
 * Cursors for SCAN-style iteration over a Map (the keyspace, later hashes, sets and sorted sets).
 *
 * JavaScript Map iterators are live: an entry present for the whole iteration is visited exactly
 * once however the map changes meanwhile, which is the SCAN guarantee. A cursor therefore names a
 * suspended iterator kept here. The cursor also encodes how many entries were already visited, so
 * a cursor whose iterator was dropped (too many open scans, or a restart) still resumes close to
 * where it was, by skipping that many entries of a fresh iterator.
 */
const SLOT_BITS = 2 ** 20;
const MAX_OPEN = 4096;

interface OpenScan {
  map: ReadonlyMap<unknown, unknown>;
  iterator: Iterator<[unknown, unknown]>;
  position: number;
}

export class ScanCursors {
  private readonly open = new Map<number, OpenScan>();
  private nextSlot = 1;

  /**
   * Visits about `count` entries of `map` from `cursor` (0 = start) and returns the cursor that
   * continues the scan, 0 once it is complete.
   */
  scan<K, V>(map: ReadonlyMap<K, V>, cursor: number, count: number, visit: (key: K, value: V) => void): number {
    const scan = this.resume(map, cursor);
    for (let visited = 0; visited < count; visited++) {
      const step = scan.iterator.next();
      if (step.done) return 0;
      scan.position++;
      visit(step.value[0] as K, step.value[1] as V);
    }
    return this.suspend(scan);
  }

  private resume(map: ReadonlyMap<unknown, unknown>, cursor: number): OpenScan {
    const found = this.open.get(cursor);
    if (found !== undefined) {
      this.open.delete(cursor);
      if (found.map === map) return found;
    }
    const scan: OpenScan = { map, iterator: map.entries(), position: 0 };
    const skip = Math.floor(cursor / SLOT_BITS);
    while (scan.position < skip && !scan.iterator.next().done) scan.position++;
    return scan;
  }

  private suspend(scan: OpenScan): number {
    const slot = this.nextSlot;
    this.nextSlot = slot + 1 === SLOT_BITS ? 1 : slot + 1;
    const cursor = scan.position * SLOT_BITS + slot;
    if (this.open.size >= MAX_OPEN) this.open.delete(this.open.keys().next().value!);
    this.open.set(cursor, scan);
    return cursor;
  }
}
