import { expect } from 'chai';
import { scoreEntry } from '../src/datatypes/packed-zset.js';
import { LEX_MAX, LEX_MIN, type LexBound, type LexRange, type ScoreRange } from '../src/datatypes/skiplist.js';
import { ZADD_ADDED, ZADD_GT, ZADD_INCR, ZADD_LT, ZADD_NX, ZADD_UPDATED, ZADD_XX, ZSetValue, type ZSetWalk } from '../src/datatypes/zset.js';
import { seededRandom } from './external.js';

/** Every [member, score] a walk gives. */
function drain(walk: ZSetWalk): [string, number][] {
  const pairs: [string, number][] = [];
  while (walk.next()) pairs.push([walk.member, walk.score]);
  return pairs;
}

function listpackOf(pairs: readonly (readonly [number, string])[]): ZSetValue {
  const zset = new ZSetValue();
  for (const [score, member] of pairs) zset.add(score, member, 0, 128, 64);
  expect(zset.encoding()).to.equal('listpack');
  return zset;
}

describe('sorted sets in the listpack encoding', () => {
  it('pack integral scores in the fewest bytes, others as doubles, and read every one back', () => {
    const lengths: [number, number][] = [
      [0, 0], [1, 1], [-1, 1], [127, 1], [-128, 1], [128, 2], [-129, 2], [32767, 2], [32768, 3],
      [2 ** 47 - 1, 6], [-(2 ** 47), 6], [2 ** 47, 8], [-(2 ** 47) - 1, 8], [1.5, 8], [0.1, 8],
      [Infinity, 8], [-Infinity, 8], [1e300, 8], [Number.MIN_VALUE, 8], [-Number.MAX_VALUE, 8],
    ];
    for (const [score, length] of lengths) expect(scoreEntry(score).length, String(score)).to.equal(length);
    const zset = listpackOf(lengths.map(([score], i) => [score, `m${i}`]));
    lengths.forEach(([score], i) => expect(zset.score(`m${i}`)).to.equal(score));
    expect(drain(zset.walkFromRank(0, false)).map(([, score]) => score)).to.deep.equal(lengths.map(([score]) => score).sort((a, b) => a - b));
  });

  it('keep -0 as 0, as a listpack does, while a skiplist keeps it', () => {
    const zset = listpackOf([[-0, 'a']]);
    expect(Object.is(zset.score('a'), 0)).to.equal(true);
    zset.add(-0, 'b', ZADD_INCR, 128, 64);
    expect(Object.is(ZSetValue.newScore, -0)).to.equal(true);
    expect(Object.is(zset.score('b'), 0)).to.equal(true);
    const skiplist = new ZSetValue(false);
    skiplist.add(-0, 'a', 0, 128, 64);
    expect(Object.is(skiplist.score('a'), -0)).to.equal(true);
  });

  it('order by score, then equal scores by member bytes, binary members included', () => {
    const members = ['', 'a', 'ab', 'b', '\x00', '\xff', '\x80x', 'a\x00', 'x'.repeat(40), 'x'.repeat(39) + '\xff'];
    const zset = new ZSetValue();
    for (const member of [...members].reverse()) zset.add(member.length % 2, member, 0, 128, 64);
    const expected = [...members].sort((a, b) => a.length % 2 - b.length % 2 || (a < b ? -1 : 1));
    expect(drain(zset.walkFromRank(0, false)).map(([member]) => member)).to.deep.equal(expected);
    expect(drain(zset.walkFromRank(0, true)).map(([member]) => member)).to.deep.equal([...expected].reverse());
    expected.forEach((member, rank) => {
      expect(zset.rank(member, false)).to.equal(rank);
      expect(zset.rank(member, true)).to.equal(expected.length - 1 - rank);
    });
    expect(zset.rank('absent', false)).to.equal(-1);
  });

  it('answer every query as the skiplist encoding does, through random writes', () => {
    const random = seededRandom(77);
    const packed = new ZSetValue();
    const model = new ZSetValue(false);
    const scores = [0, 1, 2, 2.5, -1, Infinity, -Infinity, 1e20];
    const member = (): string => ['a', 'b', 'c', 'dd', '\x00', '\xfe', 'long member '.repeat(3), ''][random(8)] + random(6);
    const scoreRange = (): ScoreRange => ({ min: scores[random(8)], max: scores[random(8)], minExclusive: random(2) === 0, maxExclusive: random(2) === 0 });
    const flags = [0, 0, ZADD_NX, ZADD_XX, ZADD_GT, ZADD_LT, ZADD_INCR];
    for (let step = 0; step < 3000; step++) {
      const op = random(10);
      const what = `step ${step}`;
      if (op < 5) {
        const args = [scores[random(8)], member(), flags[random(flags.length)]] as const;
        expect(packed.add(...args, 128, 64), what).to.equal(model.add(...args, 128, 64));
      } else if (op === 5) {
        const gone = member();
        expect(packed.remove(gone), what).to.equal(model.remove(gone));
      } else if (op === 6) {
        const range = scoreRange();
        expect(packed.deleteRangeByScore(range), what).to.equal(model.deleteRangeByScore(range));
      } else if (op === 7 && model.size > 0) {
        const start = random(model.size);
        const end = Math.min(model.size - 1, start + random(4));
        expect(packed.deleteRangeByRank(start, end), what).to.equal(model.deleteRangeByRank(start, end));
      } else {
        const range = scoreRange();
        const reverse = random(2) === 0;
        expect(packed.countInRange(range), what).to.equal(model.countInRange(range));
        expect(drain(packed.walkScoreRange(range, reverse)), what).to.deep.equal(drain(model.walkScoreRange(range, reverse)));
        const rank = random(model.size + 1);
        expect(drain(packed.walkFromRank(rank, reverse)), what).to.deep.equal(drain(model.walkFromRank(rank, reverse)));
        const probe = member();
        expect(packed.rank(probe, reverse), what).to.equal(model.rank(probe, reverse));
      }
      expect(packed.size, what).to.equal(model.size);
      expect(drain(packed.walkFromRank(0, false)), what).to.deep.equal(drain(model.walkFromRank(0, false)).map(([m, s]) => [m, s === 0 ? 0 : s]));
    }
    expect(packed.encoding()).to.equal('listpack');
  });

  it('answer lex ranges over equal scores as the skiplist encoding does', () => {
    const members = ['', 'a', 'aa', 'ab', 'b', 'ba', 'c', '\xff'];
    const packed = listpackOf(members.map((member) => [0, member]));
    const model = new ZSetValue(false);
    for (const member of members) model.add(0, member, 0, 128, 64);
    const bounds: LexBound[] = [LEX_MIN, LEX_MAX, '', 'a', 'ab', 'b', 'bb', '\xff'];
    for (const min of bounds) {
      for (const max of bounds) {
        for (const [minExclusive, maxExclusive] of [[false, false], [true, false], [false, true]]) {
          const range: LexRange = { min, max, minExclusive: minExclusive || typeof min !== 'string', maxExclusive: maxExclusive || typeof max !== 'string' };
          const what = JSON.stringify(range);
          expect(packed.countInLexRange(range), what).to.equal(model.countInLexRange(range));
          for (const reverse of [false, true]) expect(drain(packed.walkLexRange(range, reverse)), what).to.deep.equal(drain(model.walkLexRange(range, reverse)));
        }
      }
    }
    const copy = packed.copy();
    expect(copy.deleteRangeByLex({ min: 'a', max: 'b', minExclusive: false, maxExclusive: true })).to.equal(3);
    expect(drain(copy.walkFromRank(0, false)).map(([member]) => member)).to.deep.equal(['', 'b', 'ba', 'c', '\xff']);
    expect(packed.size).to.equal(members.length);
  });

  it('become a skiplist where Redis converts them, and a listpack again when settled', () => {
    const zset = new ZSetValue();
    expect(zset.add(1, 'a', 0, 2, 4)).to.equal(ZADD_ADDED);
    expect(zset.add(2, 'b', 0, 2, 4)).to.equal(ZADD_ADDED);
    expect(zset.add(5, 'b', 0, 2, 4)).to.equal(ZADD_UPDATED);
    expect(zset.add(1, 'xxxxxxxx', ZADD_XX, 2, 4)).to.equal(4);
    expect(zset.encoding()).to.equal('listpack');
    zset.add(3, 'c', 0, 2, 4);
    expect(zset.encoding()).to.equal('skiplist');
    expect(drain(zset.walkFromRank(0, false))).to.deep.equal([['a', 1], ['c', 3], ['b', 5]]);
    zset.remove('c');
    expect(zset.encoding()).to.equal('skiplist');
    zset.settleEncoding(2, 4);
    expect(zset.encoding()).to.equal('listpack');
    expect(drain(zset.walkFromRank(0, true))).to.deep.equal([['b', 5], ['a', 1]]);
    const long = new ZSetValue();
    long.add(1, 'a', 0, 128, 4);
    long.add(2, 'abcde', 0, 128, 4);
    expect(long.encoding()).to.equal('skiplist');
    long.settleEncoding(128, 4);
    expect(long.encoding()).to.equal('skiplist');
  });

  it('give members a walk can keep: strings of their own, not views into the pack', () => {
    const member = 'a member long enough to be sliced as a view';
    const zset = listpackOf([[1, member], [2, 'short']]);
    const walk = zset.walkFromRank(0, false);
    walk.next();
    expect(walk.member).to.equal(member);
    expect(walk.ownMember()).to.equal(member);
  });
});
