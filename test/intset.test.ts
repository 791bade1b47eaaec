import { expect } from 'chai';
import { decodeIntset, encodeIntset } from '../persistence/rdb-format.js';
import { EMPTY_INTSET, intsetWidth } from '../src/datatypes/intset.js';
import { SetValue } from '../src/datatypes/set.js';
import { seededRandom } from './external.js';
import { ALL_BYTES } from './helpers.js';

const MAX = 512;

/** Values around every width's bounds, int64's extremes included, ascending. */
const EDGES = [
  '-9223372036854775808', '-9223372036854775807', '-4294967296', '-2147483649', '-2147483648', '-32769', '-32768', '-1', '0', '1',
  '32767', '32768', '2147483647', '2147483648', '4294967296', '9007199254740993', '9223372036854775806', '9223372036854775807',
];

function setOf(members: readonly string[], max = MAX): SetValue {
  const set = new SetValue();
  for (const member of members) set.add(member, max);
  return set;
}

/** `members` in a random order. */
function shuffled(members: readonly string[], random: (n: number) => number): string[] {
  const copy = [...members];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = random(i + 1);
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

describe('intset sets', () => {
  it('keeps members in numeric order whatever the order of adds, negatives and int64 extremes included', () => {
    const random = seededRandom(1);
    for (let round = 0; round < 20; round++) {
      const set = setOf(shuffled(EDGES, random));
      expect(set.encoding()).to.equal('intset');
      expect(set.list()).to.deep.equal(EDGES);
      expect([...set.members()]).to.deep.equal(EDGES);
      expect(set.size).to.equal(EDGES.length);
      for (const member of EDGES) expect(set.has(member), member).to.equal(true);
    }
  });

  it('finds only canonical integers, and refuses none of them twice', () => {
    const set = setOf(['1', '-1', '9223372036854775807']);
    for (const other of ['01', '-0', '+1', '1.0', ' 1', '', '-', '9223372036854775808', '-9223372036854775809', '2', '0']) expect(set.has(other), other).to.equal(false);
    expect(set.add('1', MAX)).to.equal(false);
    expect(set.add('9223372036854775807', MAX)).to.equal(false);
    expect(set.delete('01')).to.equal(false);
    expect(set.delete('2')).to.equal(false);
    expect(set.size).to.equal(3);
  });

  it('widens every value for a wider one, as Redis, and never narrows back', () => {
    const set = setOf(['5', '-7', '100']);
    expect(intsetWidth(set.intsetForm!)).to.equal(2);
    set.add('-40000', MAX); // below all: goes first
    expect(intsetWidth(set.intsetForm!)).to.equal(4);
    set.add('5000000000', MAX); // above all: goes last
    expect(intsetWidth(set.intsetForm!)).to.equal(8);
    expect(set.list()).to.deep.equal(['-40000', '-7', '5', '100', '5000000000']);
    set.delete('5000000000');
    set.delete('-40000');
    expect(intsetWidth(set.intsetForm!)).to.equal(8);
    expect(set.list()).to.deep.equal(['-7', '5', '100']);
    set.add('6', MAX);
    expect(set.list()).to.deep.equal(['-7', '5', '6', '100']);
  });

  it('becomes a hashtable for good on a non-integer member, which any bytes may be', () => {
    const set = setOf(['3', '1', '2']);
    const binary = ALL_BYTES.toString('latin1');
    expect(set.add(binary, MAX)).to.equal(true);
    expect(set.encoding()).to.equal('hashtable');
    expect(set.list()).to.deep.equal(['1', '2', '3', binary]); // converted in numeric order, then the new member
    for (const member of ['\x00', '\xff', 'a\x00b', '-0']) set.add(member, MAX);
    for (const member of ['1', '2', '3', binary, '\x00', '\xff', 'a\x00b', '-0']) expect(set.has(member), JSON.stringify(member)).to.equal(true);
    expect(set.delete(binary)).to.equal(true);
    expect(set.has(binary)).to.equal(false);
    for (const member of ['\x00', '\xff', 'a\x00b', '-0']) set.delete(member);
    expect(set.encoding()).to.equal('hashtable');
    expect(set.list(true)).to.deep.equal(['1', '2', '3']);
  });

  it('becomes a hashtable past set-max-intset-entries', () => {
    const set = setOf(['4', '3', '2', '1'], 4);
    expect(set.encoding()).to.equal('intset');
    expect(set.add('4', 4)).to.equal(false);
    expect(set.encoding()).to.equal('intset');
    expect(set.add('0', 4)).to.equal(true);
    expect(set.encoding()).to.equal('hashtable');
    expect(set.list(true)).to.deep.equal(['0', '1', '2', '3', '4']);
    expect(set.fitsIntset(5)).to.equal(true);
    expect(set.fitsIntset(4)).to.equal(false);
  });

  it('picks members uniformly, and pops every one once down to empty', () => {
    const members = EDGES.slice(0, 10);
    const set = setOf(members);
    const counts = new Map<string, number>();
    const draws = 100_000;
    for (let i = 0; i < draws; i++) {
      const member = set.random();
      counts.set(member, (counts.get(member) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).to.deep.equal([...members].sort());
    for (const count of counts.values()) expect(count).to.be.within(draws / 10 - 1000, draws / 10 + 1000);
    for (const count of [1, 3, 4, 9]) {
      const picked = set.randomDistinct(count);
      expect(new Set(picked).size).to.equal(count);
      for (const member of picked) expect(members).to.include(member);
    }
    const popped: string[] = [];
    while (set.size > 0) {
      popped.push(set.popRandom());
      expect(set.list()).to.deep.equal(members.filter((member) => !popped.includes(member)));
    }
    expect([...popped].sort()).to.deep.equal([...members].sort());
    expect(set.intsetForm!.length).to.equal(1);
    expect(set.bytes).to.equal(new SetValue().bytes);
  });

  it('round-trips through Redis\'s intset blob, width and all, and loads as a hashtable past the limit', () => {
    const set = setOf(['70000', '-1', '2']);
    set.delete('70000');
    const blob = encodeIntset(set.intsetForm!);
    expect(blob.equals(Buffer.from([4, 0, 0, 0, 2, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0]))).to.equal(true);
    const loaded = SetValue.fromIntset(decodeIntset(blob), MAX);
    expect(loaded.intsetForm).to.equal(set.intsetForm);
    expect(loaded.list()).to.deep.equal(['-1', '2']);
    const converted = SetValue.fromIntset(decodeIntset(blob), 1);
    expect(converted.encoding()).to.equal('hashtable');
    expect(converted.list()).to.deep.equal(['-1', '2']);
    expect(encodeIntset(EMPTY_INTSET).equals(Buffer.from([2, 0, 0, 0, 0, 0, 0, 0]))).to.equal(true);
  });

  it('copies share nothing that changes', () => {
    const set = setOf(['1', '2']);
    const copy = set.copy();
    copy.add('3', MAX);
    set.delete('1');
    expect(set.list()).to.deep.equal(['2']);
    expect(copy.list()).to.deep.equal(['1', '2', '3']);
    set.add('x', MAX);
    const tableCopy = set.copy();
    tableCopy.delete('x');
    expect(set.has('x')).to.equal(true);
    expect(tableCopy.encoding()).to.equal('hashtable');
  });
});
