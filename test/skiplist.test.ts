import { expect } from 'chai';
import {
  LEX_MAX, LEX_MIN, SkipList, compareLex, lexGteMin, lexLteMax, scoreGteMin, scoreLteMax,
  type LexRange, type ScoreRange, type SkipListNode,
} from '../src/datatypes/skiplist.js';
import { formatDouble, parseDouble, parseRangeDouble } from '../src/datatypes/double.js';

interface Entry {
  score: number;
  member: string;
}

function order(a: Entry, b: Entry): number {
  if (a.score !== b.score) return a.score < b.score ? -1 : 1;
  return a.member < b.member ? -1 : a.member > b.member ? 1 : 0;
}

function walk(list: SkipList): Entry[] {
  const out: Entry[] = [];
  for (let node = list.first; node !== null; node = node.next) out.push({ score: node.score, member: node.member });
  return out;
}

function walkBack(list: SkipList): Entry[] {
  const out: Entry[] = [];
  for (let node = list.tail; node !== null; node = node.backward) out.push({ score: node.score, member: node.member });
  return out.reverse();
}

/** mulberry32: a small seeded generator. */
function seeded(seed: number): (n: number) => number {
  return (n) => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

const entry = (node: SkipListNode | null): Entry | null => (node === null ? null : { score: node.score, member: node.member });

describe('skiplist', () => {
  it('orders by score, then by member bytes', () => {
    const list = new SkipList();
    list.insert(2, 'b');
    list.insert(1, 'z');
    list.insert(2, 'a');
    list.insert(2, '\xff');
    list.insert(2, '');
    list.insert(-Infinity, 'm');
    expect(walk(list).map((e) => e.member)).to.deep.equal(['m', 'z', '', 'a', 'b', '\xff']);
    expect(walkBack(list)).to.deep.equal(walk(list));
    expect(list.length).to.equal(6);
  });

  it('rank and byRank agree with a sorted array under random inserts, deletes and updates', () => {
    const random = seeded(7);
    const list = new SkipList();
    const model = new Map<string, number>();
    const nodes = new Map<string, SkipListNode>();
    for (let step = 0; step < 3000; step++) {
      const member = 'm' + random(400);
      const score = random(50) - 25;
      const existing = nodes.get(member);
      const action = random(3);
      if (existing === undefined) {
        nodes.set(member, list.insert(score, member));
        model.set(member, score);
      } else if (action === 0) {
        expect(list.delete(existing.score, member)).to.equal(true);
        nodes.delete(member);
        model.delete(member);
      } else {
        nodes.set(member, list.updateScore(existing, score));
        model.set(member, score);
      }
    }
    const sorted = [...model].map(([member, score]) => ({ score, member })).sort(order);
    expect(walk(list)).to.deep.equal(sorted);
    expect(walkBack(list)).to.deep.equal(sorted);
    expect(list.length).to.equal(sorted.length);
    sorted.forEach((e, i) => {
      expect(list.rank(e.score, e.member)).to.equal(i + 1);
      expect(entry(list.byRank(i + 1))).to.deep.equal(e);
    });
    expect(list.rank(0, 'missing')).to.equal(0);
    expect(list.byRank(0)).to.equal(null);
    expect(list.byRank(sorted.length + 1)).to.equal(null);
    expect(list.delete(12345, 'missing')).to.equal(false);
  });

  it('finds the first and last node of score ranges, exclusive bounds included', () => {
    const list = new SkipList();
    for (let i = 0; i < 100; i++) list.insert(i % 10, 'm' + String(i).padStart(3, '0'));
    const all = walk(list);
    const cases: ScoreRange[] = [
      { min: 3, max: 5, minExclusive: false, maxExclusive: false },
      { min: 3, max: 5, minExclusive: true, maxExclusive: true },
      { min: -Infinity, max: Infinity, minExclusive: false, maxExclusive: false },
      { min: 9, max: 100, minExclusive: true, maxExclusive: false },
      { min: 5, max: 5, minExclusive: false, maxExclusive: true },
      { min: 6, max: 5, minExclusive: false, maxExclusive: false },
      { min: 4.5, max: 4.7, minExclusive: false, maxExclusive: false },
    ];
    for (const range of cases) {
      const inside = all.filter((e) => scoreGteMin(e.score, range) && scoreLteMax(e.score, range));
      expect(entry(list.firstInRange(range))).to.deep.equal(inside[0] ?? null);
      expect(entry(list.lastInRange(range))).to.deep.equal(inside[inside.length - 1] ?? null);
    }
  });

  it('finds lex ranges with "-", "+", inclusive and exclusive bounds', () => {
    const list = new SkipList();
    for (const member of ['a', 'b', 'c', 'd', 'e', '\x00', '\xff']) list.insert(0, member);
    const all = walk(list).map((e) => e.member);
    const cases: LexRange[] = [
      { min: LEX_MIN, max: LEX_MAX, minExclusive: true, maxExclusive: true },
      { min: 'b', max: 'd', minExclusive: false, maxExclusive: false },
      { min: 'b', max: 'd', minExclusive: true, maxExclusive: true },
      { min: 'bb', max: LEX_MAX, minExclusive: false, maxExclusive: true },
      { min: LEX_MAX, max: LEX_MIN, minExclusive: true, maxExclusive: true },
      { min: 'c', max: 'c', minExclusive: true, maxExclusive: false },
    ];
    for (const range of cases) {
      const inside = all.filter((m) => lexGteMin(m, range) && lexLteMax(m, range));
      expect(list.firstInLexRange(range)?.member ?? null).to.equal(inside[0] ?? null);
      expect(list.lastInLexRange(range)?.member ?? null).to.equal(inside[inside.length - 1] ?? null);
    }
    expect(compareLex(LEX_MIN, LEX_MIN)).to.equal(0);
    expect(compareLex('', LEX_MIN)).to.equal(1);
    expect(compareLex('\xff', LEX_MAX)).to.equal(-1);
  });

  it('deletes ranges by score, lex and rank, keeping spans right', () => {
    const random = seeded(99);
    for (const kind of ['score', 'lex', 'rank'] as const) {
      const list = new SkipList();
      let model: Entry[] = [];
      for (let i = 0; i < 500; i++) {
        const e = { score: kind === 'lex' ? 0 : random(100), member: 'k' + String(i).padStart(4, '0') };
        list.insert(e.score, e.member);
        model.push(e);
      }
      model.sort(order);
      const removed: string[] = [];
      let count: number;
      if (kind === 'score') {
        const range: ScoreRange = { min: 20, max: 40, minExclusive: true, maxExclusive: false };
        count = list.deleteRangeByScore(range, (node) => removed.push(node.member));
        model = model.filter((e) => !(e.score > 20 && e.score <= 40));
      } else if (kind === 'lex') {
        const range: LexRange = { min: 'k0100', max: 'k0200', minExclusive: false, maxExclusive: true };
        count = list.deleteRangeByLex(range, (node) => removed.push(node.member));
        model = model.filter((e) => !(e.member >= 'k0100' && e.member < 'k0200'));
      } else {
        count = list.deleteRangeByRank(11, 60, (node) => removed.push(node.member));
        model = model.filter((_, i) => i < 10 || i >= 60);
      }
      expect(count).to.equal(removed.length).and.equal(500 - model.length);
      expect(walk(list)).to.deep.equal(model);
      expect(walkBack(list)).to.deep.equal(model);
      model.forEach((e, i) => expect(list.rank(e.score, e.member)).to.equal(i + 1));
    }
  });
});

describe('doubles', () => {
  it('formats as printf "%.17g" does', () => {
    const cases: [number, string][] = [
      [1.1, '1.1000000000000001'], [0.1, '0.10000000000000001'], [2, '2'], [-0, '-0'], [0, '0'],
      [Infinity, 'inf'], [-Infinity, '-inf'], [1e20, '1e+20'], [1e-5, '1.0000000000000001e-05'],
      [123456789012345678, '1.2345678901234568e+17'], [3e300, '3.0000000000000002e+300'],
      [1e16, '10000000000000000'], [1e17, '1e+17'], [0.0001, '0.0001'], [4e-320, '3.999955468730732e-320'],
      // An exact tie at the 17th digit rounds to even, as printf does.
      [1234567890123456.25, '1234567890123456.2'], [1234567890123456.75, '1234567890123456.8'],
    ];
    for (const [value, text] of cases) expect(formatDouble(value), String(value)).to.equal(text);
  });

  it('parses floats as Redis string2d does', () => {
    expect(parseDouble('1.5')).to.equal(1.5);
    expect(parseDouble('-inf')).to.equal(-Infinity);
    expect(parseDouble('+Infinity')).to.equal(Infinity);
    expect(parseDouble('0x1p3')).to.equal(8);
    expect(parseDouble('4e-320')).to.equal(4e-320);
    expect(parseDouble('-0')).to.equal(-0);
    for (const bad of ['', ' 1', '1 ', 'nan', '1e400', '1e-400', 'abc', '1e', '.', '0x', '1\x002', 'infinit']) {
      expect(parseDouble(bad), JSON.stringify(bad)).to.equal(undefined);
    }
  });

  it('parses score range bounds as strtod does', () => {
    expect(parseRangeDouble('', 0)).to.equal(0);
    expect(parseRangeDouble('(', 1)).to.equal(0);
    expect(parseRangeDouble(' 1', 0)).to.equal(1);
    expect(parseRangeDouble('1e400', 0)).to.equal(Infinity);
    expect(parseRangeDouble('1e-400', 0)).to.equal(0);
    expect(parseRangeDouble('2\x00junk', 0)).to.equal(2);
    for (const bad of ['1 ', 'nan', '.', '-', '   ', '1e', 'x']) expect(parseRangeDouble(bad, 0), JSON.stringify(bad)).to.equal(undefined);
  });
});
