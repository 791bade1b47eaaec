import { grownArrayBytes, mapBytes, stringBytes } from './heap-sizes.js';

/**
 * Uniformly random picks over the keys of a Map its owner keeps (a set's members, a hashtable
 * hash's fields): O(1) per pick on average, as Redis's dictGetFairRandomKey, without changing
 * the Map, so lookups cost what they did (a hash's values stay in its Map entries), and an add
 * or a delete only appends to an array (plus an O(n) rebuild now and then, amortized O(1)).
 *
 * `packed` holds a slot for every key added since it was last rebuilt from the Map; a delete
 * leaves the key's slot behind, stale, and logs the key. So a key has one stale slot per logged
 * delete, plus one live slot while it is in the Map. A pick counts the log (when a pick comes),
 * then draws slots and keeps a live key with probability 1 / its number of slots: every live key
 * is equally likely. `packed` is rebuilt from the Map when a delete leaves more stale slots than
 * live ones (bounding memory), and when a pick finds more than an eighth of them stale (so a pick
 * takes under 1.2 draws on average): O(n) once per at least n / 8 deletes.
 */
export class RandomKeys<Live extends ReadonlyMap<string, unknown> = ReadonlyMap<string, unknown>> {
  private packed: string[];
  /** Keys deleted since the last rebuild, not yet counted in `stale`. */
  private deletes: string[] | null = null;
  /** How many stale slots each key has, for deletes already counted. */
  private stale: Map<string, number> | null = null;
  /** Heap bytes of the deleted keys' strings that stale slots keep alive until a rebuild. */
  private staleBytes = 0;

  constructor(protected readonly live: Live) {
    this.packed = [...live.keys()];
  }

  /** Records that `key`, absent before, was just added to the Map. */
  added(key: string): void {
    this.packed.push(key);
  }

  /** Records that `key` was just deleted from the Map. */
  deleted(key: string): void {
    (this.deletes ??= []).push(key);
    this.staleBytes += stringBytes(key.length);
    if (this.packed.length > 2 * this.live.size) this.rebuild();
  }

  /** Heap bytes of the picking structures (not of this object, nor of the Map), in O(1). */
  get indexBytes(): number {
    const { deletes, stale } = this;
    return grownArrayBytes(this.packed.length) + this.staleBytes + (deletes === null ? 0 : grownArrayBytes(deletes.length)) + (stale === null ? 0 : mapBytes(stale.size));
  }

  /** A uniformly random key of a non-empty Map. */
  random(): string {
    const slot = this.randomSlot(); // first: it may rebuild `packed`
    return this.packed[slot];
  }

  /**
   * Removes the slot of a uniformly random key of a non-empty Map and returns the key, which the
   * caller then deletes from the Map without calling `deleted` (SPOP): a key's slots still number
   * its stale ones, plus one while it is in the Map, and no stale slot is left behind.
   */
  takeRandom(): string {
    const slot = this.randomSlot();
    const packed = this.packed;
    const key = packed[slot];
    const last = packed.pop()!;
    if (slot < packed.length) packed[slot] = last;
    return key;
  }

  /** `count` (< the Map's size) distinct random keys in random order (see pickDistinct). */
  randomDistinct(count: number): string[] {
    return pickDistinct(count, this.live.size, () => this.all(), () => this.random());
  }

  /** Every key once (rebuilt first if there are stale slots): the live array, valid until the next write. */
  all(): readonly string[] {
    if (this.packed.length > this.live.size) this.rebuild();
    return this.packed;
  }

  /** A slot holding a uniformly random live key: one whose key has stale slots too is kept with probability 1 / its slots. */
  private randomSlot(): number {
    this.countDeletes();
    const { packed, stale, live } = this;
    for (;;) {
      const slot = Math.floor(Math.random() * packed.length);
      const staleSlots = stale?.get(packed[slot]);
      if (staleSlots === undefined || (live.has(packed[slot]) && Math.random() * (staleSlots + 1) < 1)) return slot;
    }
  }

  /**
   * Rebuilds once stale slots pass an eighth of the live ones, so that draws seldom miss (O(n)
   * once per n / 8 deletes), else counts the logged deletes into `stale`.
   */
  private countDeletes(): void {
    const live = this.live.size;
    if (this.packed.length - live > live / 8) this.rebuild();
    const deletes = this.deletes;
    if (deletes === null) return;
    const stale = (this.stale ??= new Map());
    for (const key of deletes) stale.set(key, (stale.get(key) ?? 0) + 1);
    this.deletes = null;
  }

  private rebuild(): void {
    this.packed = [...this.live.keys()];
    this.deletes = null;
    this.stale = null;
    this.staleBytes = 0;
  }
}

/** Above this size-to-count ratio, distinct picks are drawn instead of shuffled (Redis's SRANDMEMBER_SUB_STRATEGY_MUL). */
export const RANDOM_COPY_RATIO = 3;

/**
 * `count` (< `size`) distinct random members of a collection in random order, as Redis's
 * SRANDMEMBER and HRANDFIELD strategies: when `count` is near the size, all members (`all`, not
 * changed) are partly shuffled; otherwise `random` picks are drawn until enough differ (few
 * repeats while count <= size / 3). O(count) either way.
 */
export function pickDistinct(count: number, size: number, all: () => readonly string[], random: () => string): string[] {
  if (count * RANDOM_COPY_RATIO > size) {
    const members = all().slice();
    for (let i = 0; i < count; i++) {
      const j = i + Math.floor(Math.random() * (members.length - i));
      const picked = members[j];
      members[j] = members[i];
      members[i] = picked;
    }
    members.length = count;
    return members;
  }
  const picked = new Set<string>();
  while (picked.size < count) picked.add(random());
  return [...picked];
}
