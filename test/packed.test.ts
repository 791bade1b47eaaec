import { expect } from 'chai';
import { append, countEntries, pack, PackCursor, packedLength, splice, unpack } from '../src/datatypes/packed.js';

/** Every byte value, and lengths around the varint's one- and two-char boundaries. */
const samples = ['', 'a', '\x00\xff\x80\x7f', 'x'.repeat(127), 'y'.repeat(128), 'z'.repeat(16384), String.fromCharCode(...Array.from({ length: 256 }, (_, i) => i))];

describe('packed entries', () => {
  it('round-trips any bytes and any length', () => {
    const packed = pack(samples);
    expect(unpack(packed)).to.deep.equal(samples);
    expect(countEntries(packed)).to.equal(samples.length);
    expect(packed.length).to.equal(samples.reduce((sum, text) => sum + packedLength(text), 0));
    expect(packedLength('x'.repeat(127))).to.equal(128);
    expect(packedLength('x'.repeat(128))).to.equal(130);
    expect(pack([])).to.equal('');
  });

  it('finds entries in place and reports their offsets', () => {
    const packed = pack(['field', 'value', 'f', '']);
    const cursor = new PackCursor(packed);
    const seen: string[] = [];
    while (cursor.next()) {
      seen.push(`${cursor.at}:${cursor.start}:${cursor.length}`);
      if (cursor.is('f')) expect(cursor.entry()).to.equal('f');
    }
    expect(seen).to.deep.equal(['0:1:5', '6:7:5', '12:13:1', '14:15:0']);
    const from = new PackCursor(packed, 6);
    expect(from.next() && from.is('value')).to.equal(true);
    expect(from.is('valu')).to.equal(false);
  });

  it('inserts, replaces and deletes at entry boundaries', () => {
    let packed = pack(['a', 'b', 'c']);
    packed = splice(packed, 2, 2, ['x', 'y'.repeat(200)]);
    expect(unpack(packed)).to.deep.equal(['a', 'x', 'y'.repeat(200), 'b', 'c']);
    packed = splice(packed, 0, 2, []);
    expect(unpack(packed)).to.deep.equal(['x', 'y'.repeat(200), 'b', 'c']);
    packed = append(packed, 'd', 'e');
    expect(unpack(packed)).to.deep.equal(['x', 'y'.repeat(200), 'b', 'c', 'd', 'e']);
    expect(splice(packed, 0, packed.length, [])).to.equal('');
  });

  it('builds packs larger than its scratch room', () => {
    const big = Array.from({ length: 100 }, (_, i) => String(i).repeat(400));
    expect(unpack(pack(big))).to.deep.equal(big);
  });
});
