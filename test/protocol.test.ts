import { expect } from 'chai';
import { ALL_BYTES, encodeCommand, RawClient, startTestServer } from './helpers.js';
import type { Server } from '../src/index.js';
import { RequestParser } from '../src/protocol/request-parser.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

/** A few commands mixing RESP, inline, quoting and an empty line, with the replies they get. */
const PIPELINE =
  'PING\r\n' +
  '*2\r\n$4\r\nECHO\r\n$6\r\nab\r\ncd\r\n' +
  'ECHO "x y" \'z\'\r\n' +
  '\r\n' +
  '*1\r\n$4\r\nPING\r\n' +
  'ECHO "\\x41"\r\n' +
  '*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n';
const PIPELINE_ARGV = [['PING'], ['ECHO', 'ab\r\ncd'], ['ECHO', 'x y', 'z'], ['PING'], ['ECHO', 'A'], ['SELECT', '0']];
const PIPELINE_REPLY = "+PONG\r\n$6\r\nab\r\ncd\r\n-ERR wrong number of arguments for 'echo' command\r\n+PONG\r\n$1\r\nA\r\n+OK\r\n";

function parserFor(authRequired = false): RequestParser {
  return new RequestParser({ maxBulkLength: () => 512 * 1024 * 1024, authRequired: () => authRequired, queryBufferLimit: () => 1024 ** 3 });
}

function drain(parser: RequestParser, into: string[][]): void {
  let argv: string[] | null;
  while ((argv = parser.next()) !== null) into.push(argv);
}

describe('protocol', () => {
  let server: Server;
  let bystander: RawClient;

  before(async () => {
    server = await startTestServer();
    bystander = await RawClient.connect(server);
  });

  after(async () => {
    bystander.close();
    await server.shutdown();
  });

  /** The bystander connection still gets answers. */
  async function othersStillServed(): Promise<void> {
    bystander.send('PING\r\n');
    expect(await bystander.expect('+PONG\r\n')).to.equal('+PONG\r\n');
  }

  describe('framing', () => {
    it('the request parser gives the same commands for every 2-chunk split and byte by byte', () => {
      const bytes = Buffer.from(PIPELINE, 'latin1');
      for (let cut = 0; cut <= bytes.length; cut++) {
        const parser = parserFor();
        const got: string[][] = [];
        parser.feed(bytes.subarray(0, cut));
        drain(parser, got);
        parser.feed(bytes.subarray(cut));
        drain(parser, got);
        expect(got, `split at ${cut}`).to.deep.equal(PIPELINE_ARGV);
        expect(parser.error).to.equal(null);
      }
      const parser = parserFor();
      const got: string[][] = [];
      for (let i = 0; i < bytes.length; i++) {
        parser.feed(bytes.subarray(i, i + 1));
        drain(parser, got);
      }
      expect(got).to.deep.equal(PIPELINE_ARGV);
    });

    it('the request parser reads only the given length of a reused buffer, as the shared reads pass it', () => {
      const bytes = Buffer.from(PIPELINE, 'latin1');
      const reused = Buffer.alloc(bytes.length + 64);
      for (let cut = 0; cut <= bytes.length; cut++) {
        const parser = parserFor();
        const got: string[][] = [];
        for (const [from, to] of [[0, cut], [cut, bytes.length]]) {
          // What follows the read is stale input of an earlier one: it must never be parsed.
          reused.fill('*1\r\n$4\r\nJUNK\r\n\n\r');
          bytes.copy(reused, 0, from, to);
          parser.feed(reused, to - from);
          drain(parser, got);
          parser.detach(reused.buffer);
        }
        expect(got, `split at ${cut}`).to.deep.equal(PIPELINE_ARGV);
        expect(parser.error).to.equal(null);
      }
    });

    it('a pipeline sent byte by byte is answered exactly', async () => {
      const raw = await RawClient.connect(server);
      raw.socket.setNoDelay(true);
      for (const byte of Buffer.from(PIPELINE, 'latin1')) {
        raw.send(Buffer.of(byte));
        await tick();
      }
      expect(await raw.expect(PIPELINE_REPLY)).to.equal(PIPELINE_REPLY);
      raw.close();
    });

    it('a pipeline split in two at every byte boundary is answered exactly', async () => {
      const raw = await RawClient.connect(server);
      raw.socket.setNoDelay(true);
      const bytes = Buffer.from(PIPELINE, 'latin1');
      for (let cut = 1; cut < bytes.length; cut++) {
        raw.send(bytes.subarray(0, cut));
        await new Promise((resolve) => setTimeout(resolve, 1));
        raw.send(bytes.subarray(cut));
        expect(await raw.expect(PIPELINE_REPLY), `split at ${cut}`).to.equal(PIPELINE_REPLY);
      }
      raw.close();
    });

    it('a pipeline of 10,000 commands is answered in order', async () => {
      const raw = await RawClient.connect(server);
      const requests: Buffer[] = [];
      let expected = '';
      for (let i = 0; i < 10_000; i++) {
        requests.push(i % 2 === 0 ? encodeCommand(['ECHO', String(i)]) : Buffer.from(`ECHO ${i}\r\n`));
        expected += `$${String(i).length}\r\n${i}\r\n`;
      }
      raw.send(Buffer.concat(requests));
      expect(await raw.expect(expected, 10_000)).to.equal(expected);
      raw.close();
    });

    it('empty lines and empty or negative multibulk counts are ignored', async () => {
      const raw = await RawClient.connect(server);
      raw.send('\r\n\n \r\n*0\r\n*-1\r\n*-5\r\nPING\r\n');
      expect(await raw.expect('+PONG\r\n')).to.equal('+PONG\r\n');
      raw.send('PING\r\n');
      expect(await raw.expect('+PONG\r\n')).to.equal('+PONG\r\n');
      raw.close();
    });

    it('the two bytes after a bulk payload are skipped whatever they are, as Redis does', async () => {
      const raw = await RawClient.connect(server);
      raw.send('*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n');
      expect(await raw.expect('+PONG\r\n+PONG\r\n')).to.equal('+PONG\r\n+PONG\r\n');
      raw.close();
    });

    it('a client disconnecting mid-frame does not disturb the others', async () => {
      const before = server.clients.size;
      for (const partial of ['*3\r\n$3\r\nSET\r\n$1\r\n', '*2\r\n$4\r\nECHO\r\n$100\r\nabc', '*2\r', 'ECHO "unterminated']) {
        const raw = await RawClient.connect(server);
        raw.send(partial);
        await tick();
        raw.close();
      }
      await othersStillServed();
      for (let i = 0; i < 100 && server.clients.size > before; i++) await new Promise((r) => setTimeout(r, 10));
      expect(server.clients.size).to.equal(before);
    });

    it('what a client sent but did not complete survives other clients reading into the shared buffer', async () => {
      const values = Array.from({ length: 5 }, (_, i) => Buffer.from(ALL_BYTES.toString('latin1').repeat(i + 1), 'latin1'));
      const clients = await Promise.all(values.map(() => RawClient.connect(server)));
      // Connections read into the shared buffer, not through 'data' events (see shared-reads.ts).
      for (const client of server.clients.values()) expect(client.socket.listenerCount('data')).to.equal(0);
      const requests = values.map((value) => encodeCommand(['ECHO', value]));
      // Each stops part-way: inside the header, the argument count, a bulk length, a payload.
      const cuts = [1, 5, 15, 100, requests[4].length - 1];
      clients.forEach((raw, i) => raw.send(requests[i].subarray(0, cuts[i])));
      await tick();
      // A large pipeline from someone else fills the read buffer with other bytes, several times over.
      const filler = Buffer.alloc(100_000, 0x78);
      bystander.send(Buffer.concat([encodeCommand(['ECHO', filler]), encodeCommand(['PING'])]));
      await bystander.expect(`$${filler.length}\r\n${filler.toString('latin1')}\r\n+PONG\r\n`);
      clients.forEach((raw, i) => raw.send(requests[i].subarray(cuts[i])));
      for (const [i, raw] of clients.entries()) {
        const expected = `$${values[i].length}\r\n${values[i].toString('latin1')}\r\n`;
        expect(await raw.expect(expected)).to.equal(expected);
        raw.close();
      }
    });

    it('commands pipelined behind a blocking pop run after it, whatever was read meanwhile', async () => {
      const blocked = await RawClient.connect(server);
      blocked.send(Buffer.concat([encodeCommand(['BLPOP', 'shared-read-list', '0']), encodeCommand(['ECHO', 'after the pop'])]));
      await tick();
      bystander.send(encodeCommand(['ECHO', Buffer.alloc(70_000, 0x79)]));
      await bystander.expect(`$70000\r\n${'y'.repeat(70_000)}\r\n`);
      bystander.send(encodeCommand(['RPUSH', 'shared-read-list', 'element']));
      await bystander.expect(':1\r\n');
      const expected = '*2\r\n$16\r\nshared-read-list\r\n$7\r\nelement\r\n$13\r\nafter the pop\r\n';
      expect(await blocked.expect(expected)).to.equal(expected);
      blocked.close();
    });

    it('a 1 MB value sent in small chunks comes back whole', async () => {
      const raw = await RawClient.connect(server);
      const value = Buffer.alloc(1024 * 1024);
      for (let i = 0; i < value.length; i++) value[i] = (i * 31 + (i >> 10)) & 0xff;
      const request = encodeCommand(['ECHO', value]);
      for (let offset = 0; offset < request.length; offset += 1000) {
        raw.send(request.subarray(offset, offset + 1000));
        if (offset % 50_000 === 0) await tick();
      }
      const expected = `$${value.length}\r\n${value.toString('latin1')}\r\n`;
      const got = await raw.expect(expected, 10_000);
      expect(got.length).to.equal(expected.length);
      expect(got === expected).to.equal(true);
      raw.close();
    });

    it('all 256 byte values round-trip in arguments and replies', async () => {
      const raw = await RawClient.connect(server);
      raw.command('ECHO', ALL_BYTES);
      const expected = `$256\r\n${ALL_BYTES.toString('latin1')}\r\n`;
      expect(await raw.expect(expected)).to.equal(expected);
      raw.command('SET', ALL_BYTES, ALL_BYTES);
      expect(await raw.expect('+OK\r\n')).to.equal('+OK\r\n');
      raw.command('GET', ALL_BYTES);
      expect(await raw.expect(expected)).to.equal(expected);
      raw.close();
    });
  });

  describe('inline commands', () => {
    it('inline arguments are split like sdssplitargs', async () => {
      const raw = await RawClient.connect(server);
      raw.send('SET "a b" \'c\\\'d\'\r\nGET "a b"\r\n');
      expect(await raw.expect("+OK\r\n$3\r\nc'd\r\n")).to.equal("+OK\r\n$3\r\nc'd\r\n");
      const cases: [string, string][] = [
        ['ECHO "\\x41"', '$1\r\nA\r\n'],
        ['ECHO "\\x4"', '$2\r\nx4\r\n'],
        ['ECHO "\\xZZ"', '$3\r\nxZZ\r\n'],
        ['ECHO "\\n\\r\\t\\b\\a\\\\\\"\\q"', '$8\r\n\n\r\t\b\x07\\"q\r\n'],
        ["ECHO 'a\\nb'", '$4\r\na\\nb\r\n'],
        ['ECHO a"b c"', '$4\r\nab c\r\n'],
        ['ECHO ""', '$0\r\n\r\n'],
        ['  ECHO \t x  ', '$1\r\nx\r\n'],
        ['ECHO \x0bx\x0b', '$2\r\nx\x0b\r\n'],
        ['"PING"', '+PONG\r\n'],
        ['PING\rPING', '$4\r\nPING\r\n'],
        ['ECHO \x80\xff', '$2\r\n\x80\xff\r\n'],
      ];
      for (const [line, reply] of cases) {
        raw.send(`${line}\r\n`);
        expect(await raw.expect(reply), line).to.equal(reply);
      }
      raw.send('PING\n');
      expect(await raw.expect('+PONG\r\n')).to.equal('+PONG\r\n');
      raw.close();
    });

    it('every byte value can be written with \\xHH escapes', async () => {
      const raw = await RawClient.connect(server);
      let line = 'ECHO "';
      for (const byte of ALL_BYTES) line += `\\x${byte.toString(16).padStart(2, '0')}`;
      raw.send(`${line}"\r\n`);
      const expected = `$256\r\n${ALL_BYTES.toString('latin1')}\r\n`;
      expect(await raw.expect(expected)).to.equal(expected);
      raw.close();
    });

    for (const [what, padding] of [['short', ''], ['longer than 64 bytes', 'p'.repeat(100)]]) {
      it(`an inline line holding a NUL byte never completes, as in Redis (${what})`, async () => {
        const raw = await RawClient.connect(server);
        raw.send(`ECHO a${padding}\x00b\r\nPING\r\n`);
        expect(await raw.read(1, 200)).to.equal('');
        raw.send('x'.repeat(70_000));
        const expected = '-ERR Protocol error: too big inline request\r\n';
        expect(await raw.expect(expected)).to.equal(expected);
        expect(await raw.waitClosed()).to.equal(true);
      });
    }

    it('inline lines longer than 64 bytes, many in one read, are each answered', async () => {
      const raw = await RawClient.connect(server);
      const words = Array.from({ length: 500 }, (_, i) => `word${i}`.padEnd(90, '.'));
      raw.send(words.map((word) => `ECHO ${word}\r\n`).join(''));
      const expected = words.map((word) => `$${word.length}\r\n${word}\r\n`).join('');
      expect(await raw.expect(expected)).to.equal(expected);
      raw.close();
    });
  });

  describe('protocol errors close the connection', () => {
    const cases: [string, string | (() => string), string][] = [
      ['a multibulk count above INT_MAX', '*2147483648\r\n', 'invalid multibulk length'],
      ['a malformed multibulk count', '*1x\r\n', 'invalid multibulk length'],
      ['a multibulk count with a plus sign', '*+1\r\n$4\r\nPING\r\n', 'invalid multibulk length'],
      ['a negative bulk length', '*1\r\n$-1\r\n', 'invalid bulk length'],
      ['a bulk length above proto-max-bulk-len', '*1\r\n$536870913\r\n', 'invalid bulk length'],
      ['a malformed bulk length', '*1\r\n$4a\r\nPING\r\n', 'invalid bulk length'],
      ['something other than a bulk string in a multibulk', '*1\r\n:1\r\n', "expected '$', got ':'"],
      ['unbalanced double quotes', 'ECHO "abc\r\n', 'unbalanced quotes in request'],
      ['unbalanced single quotes', "ECHO 'abc\r\n", 'unbalanced quotes in request'],
      ['a closing quote followed by a non-space', 'ECHO "a"b\r\n', 'unbalanced quotes in request'],
      ['an inline request over 64 KB without newline', () => 'a'.repeat(70_000), 'too big inline request'],
      ['a multibulk count string over 64 KB', () => '*' + '1'.repeat(70_000), 'too big mbulk count string'],
      ['a bulk count string over 64 KB', () => '*1\r\n$' + '1'.repeat(70_000), 'too big bulk count string'],
    ];
    for (const [what, payload, error] of cases) {
      it(`Protocol error: ${error} (${what})`, async () => {
        const raw = await RawClient.connect(server);
        // Commands before the bad frame in the same packet are still answered.
        raw.send('PING\r\n' + (typeof payload === 'string' ? payload : payload()));
        const expected = `+PONG\r\n-ERR Protocol error: ${error}\r\n`;
        expect(await raw.expect(expected)).to.equal(expected);
        expect(await raw.waitClosed()).to.equal(true);
        await othersStillServed();
      });
    }
  });

  describe('unauthenticated limits', () => {
    let secured: Server;

    before(async () => {
      secured = await startTestServer(['--requirepass', 'secret']);
    });

    after(async () => {
      await secured.shutdown();
    });

    it('Protocol error: unauthenticated multibulk length for more than 10 arguments', async () => {
      const raw = await RawClient.connect(secured);
      raw.send('*11\r\n');
      const expected = '-ERR Protocol error: unauthenticated multibulk length\r\n';
      expect(await raw.expect(expected)).to.equal(expected);
      expect(await raw.waitClosed()).to.equal(true);
    });

    it('Protocol error: unauthenticated bulk length for a bulk over 16384 bytes', async () => {
      const raw = await RawClient.connect(secured);
      raw.send('*2\r\n$4\r\nECHO\r\n$16385\r\n');
      const expected = '-ERR Protocol error: unauthenticated bulk length\r\n';
      expect(await raw.expect(expected)).to.equal(expected);
      expect(await raw.waitClosed()).to.equal(true);
    });

    it('the limits themselves are allowed before AUTH, and lifted after it', async () => {
      const raw = await RawClient.connect(secured);
      raw.command('ECHO', 'x'.repeat(16384));
      expect(await raw.expect('-NOAUTH Authentication required.\r\n')).to.equal('-NOAUTH Authentication required.\r\n');
      raw.command('PING', ...Array.from({ length: 9 }, () => 'a'));
      expect(await raw.expect('-NOAUTH Authentication required.\r\n')).to.equal('-NOAUTH Authentication required.\r\n');
      raw.send('AUTH secret\r\n');
      expect(await raw.expect('+OK\r\n')).to.equal('+OK\r\n');
      raw.command('ECHO', ...Array.from({ length: 10 }, () => 'a'));
      const arity = "-ERR wrong number of arguments for 'echo' command\r\n";
      expect(await raw.expect(arity)).to.equal(arity);
      raw.command('ECHO', 'y'.repeat(20000));
      const echoed = `$20000\r\n${'y'.repeat(20000)}\r\n`;
      expect(await raw.expect(echoed)).to.equal(echoed);
      raw.close();
    });
  });

  describe('replies', () => {
    it('HELLO 3 replies in RESP3 bytes, HELLO 2 with a flat array', async () => {
      const raw = await RawClient.connect(server);
      raw.send('HELLO 3\r\n');
      const head = '%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:3\r\n$2\r\nid\r\n:';
      expect(await raw.expect(head)).to.equal(head);
      let id = '';
      for (let c = await raw.read(1); c !== '\r'; c = await raw.read(1)) id += c;
      expect(id).to.match(/^[1-9][0-9]*$/);
      const tail = '\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n';
      expect(await raw.expect(tail)).to.equal(tail);
      raw.send('HELLO 2\r\n');
      const resp2 = `*14\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:2\r\n$2\r\nid\r\n:${id}\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n`;
      expect(await raw.expect(resp2)).to.equal(resp2);
      raw.close();
    });

    it('unknown command error text quotes the arguments, truncated to 128 bytes', async () => {
      const raw = await RawClient.connect(server);
      raw.send('FOO bar baz\r\nfoo\r\n');
      const expected = "-ERR unknown command 'FOO', with args beginning with: 'bar' 'baz' \r\n-ERR unknown command 'foo', with args beginning with: \r\n";
      expect(await raw.expect(expected)).to.equal(expected);
      raw.send(`FOO ${'a'.repeat(200)} b c\r\n`);
      const truncated = `-ERR unknown command 'FOO', with args beginning with: '${'a'.repeat(128)}' \r\n`;
      expect(await raw.expect(truncated)).to.equal(truncated);
      raw.command('FO\r\nO', 'x');
      const newline = "-ERR unknown command 'FO  O', with args beginning with: 'x' \r\n";
      expect(await raw.expect(newline)).to.equal(newline);
      raw.close();
    });

    it('unknown subcommand error text', async () => {
      const raw = await RawClient.connect(server);
      raw.send('CONFIG FOO bar\r\n');
      const expected = "-ERR unknown subcommand 'FOO'. Try CONFIG HELP.\r\n";
      expect(await raw.expect(expected)).to.equal(expected);
      raw.close();
    });
  });
});
