import { expect } from 'chai';
import { ReplyWriter } from '../src/protocol/reply-writer.js';
import { ALL_BYTES } from './helpers.js';

/** The bytes `write` produces, through a ReplyWriter speaking `resp`. */
function encode(write: (reply: ReplyWriter) => void, resp: 2 | 3 = 2): string {
  const reply = new ReplyWriter();
  const chunks: Buffer[] = [];
  reply.begin({ resp, send: (chunk) => chunks.push(chunk) });
  write(reply);
  reply.flush();
  return Buffer.concat(chunks).toString('latin1');
}

describe('reply writer', () => {
  it('writes lengths and integers around the digit-count and 31-bit boundaries', () => {
    const powersOfTen = Array.from({ length: 10 }, (_, i) => 10 ** i).flatMap((p) => [p - 1, p, p + 1]);
    for (const n of [...powersOfTen, 12345, 2 ** 31 - 2, 2 ** 31 - 1, 2 ** 31, 2 ** 53, -1, -10]) {
      expect(encode((r) => r.integer(n))).to.equal(`:${n}\r\n`);
      if (n >= 0) expect(encode((r) => r.arrayHeader(n))).to.equal(`*${n}\r\n`);
    }
    expect(encode((r) => r.integer(-0))).to.equal(':0\r\n');
    expect(encode((r) => r.integer(-(2n ** 63n)))).to.equal(':-9223372036854775808\r\n');
  });

  it('writes every byte of short, medium and long bulk strings', () => {
    const bytes = ALL_BYTES.toString('latin1');
    for (const length of [0, 1, 9, 10, 31, 32, 33, 99, 100, 256, 20_000]) {
      const value = bytes.repeat(Math.ceil(length / 256) + 1).slice(7, 7 + length);
      expect(encode((r) => r.bulk(value))).to.equal(`$${length}\r\n${value}\r\n`);
      expect(encode((r) => r.bulk(Buffer.from(value, 'latin1')))).to.equal(`$${length}\r\n${value}\r\n`);
      const around = `ab${value}cd`;
      expect(encode((r) => r.bulkSubstring(around, 2, 2 + length))).to.equal(`$${length}\r\n${value}\r\n`);
      expect(encode((r) => r.bulkSubstring(value, 0, length))).to.equal(`$${length}\r\n${value}\r\n`);
    }
  });
});
