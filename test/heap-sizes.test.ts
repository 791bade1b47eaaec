import { expect } from 'chai';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { appendBytes } from '../src/datatypes/byte-string.js';
import { HashValue } from '../src/datatypes/hash.js';
import { countEntries, packedLength } from '../src/datatypes/packed.js';
import {
  grownArrayBytes, HASH_VALUE_BYTES, LIST_CHUNK_BYTES, LIST_VALUE_BYTES, mapBytes, MEMBER_TABLE_BYTES, RANDOM_KEYS_BYTES, SET_VALUE_BYTES,
  skipListBytes, skipListNodeBytes, stringBytes, stringValueBytes, ZSET_SKIPLIST_BYTES, ZSET_VALUE_BYTES,
} from '../src/datatypes/heap-sizes.js';
import { intsetWidth } from '../src/datatypes/intset.js';
import { ListValue } from '../src/datatypes/list.js';
import type { RandomKeys } from '../src/datatypes/random-keys.js';
import { SetValue } from '../src/datatypes/set.js';
import { LEX_MAX, LEX_MIN, type LexBound, type SkipList, type SkipListNode } from '../src/datatypes/skiplist.js';
import { ZADD_GT, ZADD_INCR, ZADD_LT, ZADD_NX, ZADD_XX, ZSetValue } from '../src/datatypes/zset.js';
import { seededRandom } from './external.js';

// A full collection on demand, the only exact measure of live data (the flag exposes `gc` to new contexts).
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Collects twice: the second collection finishes sweeping the first's garbage, which heapUsed would count. */
function collectGarbage(): void {
  gc();
  gc();
}

type Random = (n: number) => number;

const scratch = Buffer.alloc(256);

/**
 * A new string holding `text`, made as the request parser makes arguments (Buffer#latin1Slice):
 * a sequential string of its own, never a rope or a slice sharing another string's chars.
 */
function fresh(text: string): string {
  scratch.latin1Write(text, 0);
  return scratch.latin1Slice(0, text.length);
}

/** A new string of `length` random lowercase letters. */
function randomString(random: Random, length: number): string {
  for (let i = 0; i < length; i++) scratch[i] = 97 + random(26);
  return scratch.latin1Slice(0, length);
}

let serial = 0;

/** A new string of `length` chars no other call returns: a serial number padded with letters. */
function uniqueString(random: Random, length: number): string {
  const id = (serial++).toString(36);
  scratch.latin1Write(id, 0);
  for (let i = id.length; i < length; i++) scratch[i] = 97 + random(26);
  return scratch.latin1Slice(0, Math.max(id.length, length));
}

/** 8 to 16 chars: the small members and values the estimates are calibrated with. */
function smallLength(random: Random): number {
  return 8 + random(9);
}

// From-scratch recounts: every string walked again, and the structures' sizes read directly,
// private ones through casts, to check the estimates kept up to date write by write.

interface RandomKeysInternals {
  packed: string[];
  deletes: string[] | null;
  stale: Map<string, number> | null;
  live: ReadonlyMap<string, unknown>;
}

/** Stale slots keep deleted keys' strings alive: all slots' strings minus one per live key. */
function indexBytesRecounted(keys: RandomKeys): number {
  const { packed, deletes, stale, live } = keys as unknown as RandomKeysInternals;
  let staleBytes = 0;
  for (const key of packed) staleBytes += stringBytes(key.length);
  for (const key of live.keys()) staleBytes -= stringBytes(key.length);
  return grownArrayBytes(packed.length) + staleBytes + (deletes === null ? 0 : grownArrayBytes(deletes.length)) + (stale === null ? 0 : mapBytes(stale.size));
}

function hashBytesRecounted(hash: HashValue): number {
  const entries = [...hash.entries()];
  if (hash.isListpack) return HASH_VALUE_BYTES + stringBytes(entries.reduce((sum, [field, value]) => sum + packedLength(field) + packedLength(value), 0));
  let bytes = HASH_VALUE_BYTES + mapBytes(hash.size);
  for (const [field, value] of entries) bytes += stringBytes(field.length) + stringBytes(value.length);
  const picks = (hash as unknown as { picks: RandomKeys | null }).picks;
  return picks ? bytes + RANDOM_KEYS_BYTES + indexBytesRecounted(picks) : bytes;
}

interface ListChunk {
  pack: string;
  count: number;
  next: ListChunk | null;
}

interface ListInternals {
  head: string[];
  tail: string[];
  first: ListChunk | null;
}

function listBytesRecounted(list: ListValue): number {
  const { head, tail, first } = list as unknown as ListInternals;
  let bytes = LIST_VALUE_BYTES + grownArrayBytes(head.length) + grownArrayBytes(tail.length);
  for (const element of [...head, ...tail]) bytes += stringBytes(element.length);
  let packed = 0;
  for (let chunk = first; chunk !== null; chunk = chunk.next) {
    expect(countEntries(chunk.pack)).to.equal(chunk.count);
    bytes += LIST_CHUNK_BYTES + stringBytes(chunk.pack.length);
    packed += chunk.count;
  }
  expect(head.length + packed + tail.length).to.equal(list.size);
  return bytes;
}

function setBytesRecounted(set: SetValue): number {
  const intset = set.intsetForm;
  if (intset !== undefined) return SET_VALUE_BYTES + stringBytes(1 + set.size * intsetWidth(intset));
  const table = set.hashtable!;
  let bytes = SET_VALUE_BYTES + MEMBER_TABLE_BYTES + mapBytes(table.size);
  for (const member of table.keys()) bytes += stringBytes(member.length);
  const picks = (table as unknown as { picks: RandomKeys | null }).picks;
  return picks === null ? bytes : bytes + RANDOM_KEYS_BYTES + indexBytesRecounted(picks);
}

interface ZSetInternals {
  pack: string;
  packedSize: number;
  skiplist: (Map<string, SkipListNode> & { list: SkipList }) | null;
}

function zsetBytesRecounted(zset: ZSetValue): number {
  const { pack, packedSize, skiplist } = zset as unknown as ZSetInternals;
  if (skiplist === null) {
    expect(countEntries(pack)).to.equal(2 * packedSize);
    return ZSET_VALUE_BYTES + stringBytes(pack.length);
  }
  expect(pack).to.equal('');
  expect(skiplist.list.length).to.equal(skiplist.size);
  let bytes = ZSET_VALUE_BYTES + ZSET_SKIPLIST_BYTES + mapBytes(zset.size) + skipListBytes(skiplist.list.length);
  for (let node = skiplist.list.first; node !== null; node = node.next) bytes += stringBytes(node.member.length);
  return bytes;
}

/** The member of the lowest score, or of the highest when `reverse`. */
function endMember(zset: ZSetValue, reverse: boolean): string {
  const walk = zset.walkFromRank(0, reverse);
  walk.next();
  return walk.member;
}

describe('heap size estimates', () => {
  describe('building blocks', () => {
    it('strings: header and chars rounded to 8, shared empty and one-char strings free', () => {
      expect([0, 1, 2, 8, 9, 16, 17].map(stringBytes)).to.deep.equal([0, 0, 24, 24, 32, 32, 40]);
      expect(stringValueBytes('abcdefghij')).to.equal(stringBytes(10));
    });

    it('Buffers: their whole store, spare room included, but only their own bytes of the shared pool', () => {
      const pooled = Buffer.from('abc', 'latin1');
      const grown = appendBytes('x'.repeat(100), 'y'); // sds-like room: the store doubles
      expect(grown.buffer.byteLength).to.equal(202);
      expect(stringValueBytes(grown) - stringValueBytes(pooled)).to.equal(202 - 3);
    });

    it('skiplist nodes: one level, two levels in-object, taller with an array', () => {
      expect([1, 2, 3, 4].map(skipListNodeBytes)).to.deep.equal([56, 72, 80 + 32 + 16 + 16, 80 + 32 + 16 + 32]);
      expect(skipListBytes(1000) - skipListBytes(0)).to.be.within(80_000, 82_000);
    });
  });

  describe('calibration against measured heap growth', () => {
    interface Sized {
      readonly bytes: number;
    }
    interface Kind {
      name: string;
      /** What is counted per element. */
      element: string;
      /** Largest size the kind comes in, if any. */
      maxSize?: number;
      /** Built this many times more often: a few bytes per element need more copies to stand above the heap's noise. */
      copiesFactor?: number;
      build(random: Random, size: number): Sized;
    }

    const kinds: Kind[] = [
      {
        name: 'hash',
        element: 'field + value',
        build(random, size) {
          const hash = new HashValue();
          for (let i = 0; i < size; i++) {
            hash.set(uniqueString(random, smallLength(random)), randomString(random, smallLength(random)));
            hash.checkEntries(512);
          }
          return hash;
        },
      },
      {
        name: 'list',
        element: 'element',
        build(random, size) {
          const list = new ListValue();
          for (let i = 0; i < size; i++) list.pushTail(randomString(random, smallLength(random)));
          return list;
        },
      },
      {
        name: 'list by 100',
        element: 'element',
        build(random, size) {
          const list = new ListValue();
          for (let i = 0; i < size; i += 100) list.pushAll(false, Array.from({ length: Math.min(100, size - i) }, () => randomString(random, smallLength(random))));
          return list;
        },
      },
      {
        name: 'set',
        element: 'member',
        build(random, size) {
          const set = new SetValue();
          for (let i = 0; i < size; i++) set.add(uniqueString(random, smallLength(random)), 512);
          return set;
        },
      },
      {
        name: 'intset',
        element: 'member',
        maxSize: 512,
        copiesFactor: 10,
        build(random, size) {
          const set = new SetValue();
          while (set.size < size) set.add(String(random(100_000) - 50_000), 512);
          return set;
        },
      },
      {
        name: 'zset',
        element: 'member + score',
        // 10 and 100 members make listpacks (one packed string), 100,000 a skiplist.
        build(random, size) {
          const zset = new ZSetValue();
          for (let i = 0; i < size; i++) zset.add(random(1 << 30) / 1024 + 0.5, uniqueString(random, smallLength(random)), 0, 128, 64);
          return zset;
        },
      },
    ];

    /** Each size is built this many times (about 200,000 elements in all), so that noise averages out. */
    const copies = new Map([
      [10, 20_000],
      [100, 2_000],
      [100_000, 2],
    ]);
    /** Largest |estimate / measured - 1| allowed per size (10 is only reported). */
    const tolerance = new Map([
      [100, 0.5],
      [100_000, 0.25],
    ]);

    const rows: string[][] = [];

    /**
     * Heap growth (plus ArrayBuffer data outside the heap) for `count` values that `build` makes,
     * and the sum of their estimates.
     */
    function measure<T>(count: number, build: (random: Random) => T, estimate: (value: T) => number): { measured: number; estimated: number } {
      const random = seededRandom(count);
      build(random); // compiles the code and settles field representations (a fractional score boxes every node's) first
      const built = new Array<T>(count);
      collectGarbage();
      const before = process.memoryUsage();
      for (let i = 0; i < count; i++) built[i] = build(random);
      collectGarbage();
      const after = process.memoryUsage();
      let estimated = 0;
      for (const value of built) estimated += estimate(value);
      return { measured: after.heapUsed - before.heapUsed + after.arrayBuffers - before.arrayBuffers, estimated };
    }

    function report(name: string, element: string, size: number, count: number, measured: number, estimated: number): number {
      const elements = size * count;
      const ratio = estimated / measured;
      rows.push([name, element, String(size), (measured / elements).toFixed(1), (estimated / elements).toFixed(1), ratio.toFixed(2)]);
      return ratio;
    }

    for (const kind of kinds) {
      for (const [size, count] of copies) {
        if (size > (kind.maxSize ?? size)) continue;
        it(`${kind.name} of ${size} elements`, () => {
          const built = count * (kind.copiesFactor ?? 1);
          const { measured, estimated } = measure(built, (random) => kind.build(random, size), (value) => value.bytes);
          const ratio = report(kind.name, kind.element, size, built, measured, estimated);
          const allowed = tolerance.get(size);
          if (allowed !== undefined) expect(Math.abs(ratio - 1), `estimate / measured = ${ratio.toFixed(3)}`).to.be.at.most(allowed);
        });
      }
    }

    it('string values: latin1 strings of 8-16 chars, Buffers grown in place', () => {
      const strings = measure(200_000, (random) => randomString(random, smallLength(random)), stringValueBytes);
      const buffers = measure(50_000, (random) => appendBytes(randomString(random, 100), 'tail'), stringValueBytes); // 104 bytes, a store of 208
      for (const [name, count, { measured, estimated }] of [['string', 200_000, strings], ['Buffer', 50_000, buffers]] as const) {
        const ratio = report(name, 'value', 1, count, measured, estimated);
        expect(Math.abs(ratio - 1), `${name}: estimate / measured = ${ratio.toFixed(3)}`).to.be.at.most(0.25);
      }
    });

    after(() => {
      const header = ['type', 'per element', 'elements', 'measured B/element', 'estimated B/element', 'estimate/measured'];
      const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i].length)));
      const line = (cells: string[]): string => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
      console.log(['', line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n'));
    });
  });

  it('a deleted sorted set is freed: no scratch state of the skiplist keeps its nodes', async () => {
    const random = seededRandom(5);
    let zset: ZSetValue | null = new ZSetValue();
    for (let i = 0; i < 1000; i++) zset.add(random(100), uniqueString(random, smallLength(random)), 0, 128, 64);
    zset.remove(endMember(zset, true));
    zset.deleteRangeByRank(0, 10);
    const node = new WeakRef((zset as unknown as ZSetInternals).skiplist!.list.first!);
    zset = null;
    await new Promise((resolve) => setImmediate(resolve)); // a WeakRef holds its target until the job ends
    collectGarbage();
    expect(node.deref()).to.equal(undefined);
  });

  it('elements popped from a list do not keep its chunks alive', () => {
    const random = seededRandom(6);
    const kept: string[] = [];
    const keepOnePopped = (): void => {
      const list = new ListValue();
      list.pushAll(false, Array.from({ length: 100 }, () => randomString(random, 24))); // one chunk of 2.5 KB
      kept.push(list.popTail() as string);
    };
    keepOnePopped();
    collectGarbage();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 10_000; i++) keepOnePopped();
    collectGarbage();
    const perElement = (process.memoryUsage().heapUsed - before) / 10_000;
    // A kept view into its chunk would hold the chunk's 2.5 KB.
    expect(perElement, 'heap bytes per kept element').to.be.below(4 * stringBytes(24));
  });

  describe('kept up to date by every write', () => {
    it('hash: new fields, overwrites with longer and shorter values, deletes, random picks, emptied', () => {
      const random = seededRandom(1);
      const hash = new HashValue();
      const field = (): string => fresh(`field:${random(60)}`);
      const check = (what: string): void => {
        expect(hash.bytes, what).to.equal(hashBytesRecounted(hash));
      };
      for (let step = 0; step < 4000; step++) {
        const op = random(20);
        if (op < 9) hash.set(field(), randomString(random, random(40)));
        else if (op < 15) hash.delete(field());
        else if (op === 15) hash.checkEntries(32);
        else if (op === 16) hash.checkLength(randomString(random, random(80)), 64);
        else if (op === 17 && hash.size > 0) hash.randomPicks().random();
        else if (op === 18 && hash.size > 1) hash.randomDistinct(1 + random(hash.size - 1));
        else if (hash.isListpack) expect(hash.copy().bytes).to.equal(hash.bytes);
        else expect(hash.copy().bytes).to.equal(hashBytesRecounted(hash.copy()));
        check(`step ${step}`);
      }
      for (const name of [...hash.entries().keys()]) {
        hash.delete(fresh(name));
        check(`deleting ${name}`);
      }
      // Emptied, only the random picks made for a hashtable remain, empty.
      expect(hash.bytes - new HashValue().bytes).to.be.oneOf([0, mapBytes(0), mapBytes(0) + RANDOM_KEYS_BYTES + grownArrayBytes(0)]);
    });

    it('list: pushes, pops, LSET, LINSERT, LREM, LTRIM, packing and unpacking chunks, emptied', () => {
      const random = seededRandom(2);
      const list = new ListValue();
      const check = (what: string): void => {
        expect(list.bytes, what).to.equal(listBytesRecounted(list));
      };
      const element = (): string => randomString(random, random(30));
      for (let step = 0; step < 3000; step++) {
        const op = random(20);
        const growing = step % 500 < 250; // fill loose ends and chunks, then empty them again
        if (op < 8) {
          const burst = Array.from({ length: growing ? 1 + random(20) : 1 }, element);
          const atHead = random(2) === 0;
          if (burst.length > 1) list.pushAll(atHead, burst);
          else if (atHead) list.pushHead(burst[0]);
          else list.pushTail(burst[0]);
        } else if (op < 12) {
          for (let i = growing ? 1 : 8; i > 0; i--) {
            if (random(2)) list.popHead();
            else list.popTail();
          }
        } else if (op < 14 && list.size > 0) list.set(random(list.size), element());
        else if (op < 16) list.insert(random(list.size + 1), element());
        else if (op === 16 && list.size > 0) list.remove(list.get(random(list.size)), 1 + random(3), random(2) === 0);
        else if (op === 17) {
          const fromHead = Math.min(random(40), list.size);
          list.trim(fromHead, Math.min(random(40), list.size - fromHead));
        } else {
          const copy = list.copy();
          expect(copy.bytes).to.equal(listBytesRecounted(copy));
        }
        check(`step ${step}`);
      }
      while (list.size > 0) {
        list.popTail();
        check(`popping at ${list.size}`);
      }
      expect(list.bytes).to.equal(new ListValue().bytes);
    });

    it('set: intset members, conversion to hashtable, deletes, SPOP, random picks, emptied', () => {
      const random = seededRandom(3);
      const set = new SetValue();
      const check = (what: string): void => {
        expect(set.bytes, what).to.equal(setBytesRecounted(set));
      };
      const member = (): string => fresh(set.intset && random(50) > 0 ? String(random(300) - 100) : `member:${random(200)}`);
      for (let step = 0; step < 4000; step++) {
        const op = random(20);
        if (op < 9) set.add(member(), 64);
        else if (op < 14) set.delete(member());
        else if (op < 16 && set.size > 0) set.popRandom();
        else if (op === 16 && set.size > 0) set.random();
        else if (op === 17 && set.size > 1) set.randomDistinct(1 + random(set.size - 1));
        else if (op === 18) set.list();
        else {
          const copy = set.copy();
          expect(copy.bytes).to.equal(setBytesRecounted(copy));
          if (set.intset) expect(copy.bytes).to.equal(set.bytes);
        }
        check(`step ${step}`);
      }
      expect(set.intset).to.equal(false);
      while (set.size > 0) {
        if (random(2)) set.popRandom();
        else set.delete(fresh(set.list()[0]));
        check(`emptying at ${set.size}`);
      }
      // Emptied, the hashtable remains, with its random picks, empty.
      expect(set.bytes - SetValue.emptyHashtable().bytes).to.equal(RANDOM_KEYS_BYTES + grownArrayBytes(0));
    });

    // Small limits turn the set into a skiplist and back; large ones keep it a listpack throughout.
    for (const [maxEntries, maxValue] of [[64, 16], [256, 64]]) {
      it(`zset: adds, score updates, removes, range deletes by score, lex and rank, emptied (limits ${maxEntries}, ${maxValue})`, () => {
        const random = seededRandom(4);
        const zset = new ZSetValue();
        const check = (what: string): void => {
          expect(zset.bytes, what).to.equal(zsetBytesRecounted(zset));
        };
        const score = (): number => [0, -0, 1.5, random(10), random(1000) / 7][random(5)];
        const lexBound = (): LexBound => {
          const bounds: LexBound[] = [LEX_MIN, LEX_MAX, fresh(`m${random(10)}`)];
          return bounds[random(3)];
        };
        const flags = [0, ZADD_NX, ZADD_XX, ZADD_GT, ZADD_LT, ZADD_INCR, ZADD_INCR | ZADD_GT];
        for (let step = 0; step < 4000; step++) {
          const op = random(24);
          if (op < 12) zset.add(score(), fresh(`m${random(150)}${'x'.repeat(random(20))}`), flags[random(flags.length)], maxEntries, maxValue);
          else if (op < 16) zset.remove(fresh(`m${random(150)}`));
          else if (op === 16) zset.deleteRangeByScore({ min: random(10), max: random(12), minExclusive: random(2) === 0, maxExclusive: false });
          else if (op === 17) zset.deleteRangeByLex({ min: lexBound(), max: lexBound(), minExclusive: random(2) === 0, maxExclusive: random(2) === 0 });
          else if (op === 18 && zset.size > 0) {
            const start = random(zset.size);
            zset.deleteRangeByRank(start, Math.min(zset.size - 1, start + random(3)));
          } else if (op === 19) zset.settleEncoding(maxEntries, maxValue);
          else expect(zset.copy().bytes).to.equal(zset.bytes);
          check(`step ${step}`);
        }
        while (zset.size > 0) {
          zset.remove(fresh(endMember(zset, false)));
          check(`emptying at ${zset.size}`);
        }
        expect(zset.bytes).to.equal(new ZSetValue(zset.isListpack).bytes);
      });
    }
  });
});
