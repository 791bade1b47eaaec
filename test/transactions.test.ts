import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { ALL_BYTES, connect, RawClient, startTestServer } from './helpers.js';
import type { Server } from '../src/index.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends `payload` on a fresh raw connection and returns exactly as many bytes as `expected`. */
async function exchange(server: Server, payload: string, expected: string): Promise<string> {
  const raw = await RawClient.connect(server);
  raw.send(payload);
  const got = await raw.expect(expected);
  raw.close();
  return got;
}

describe('transactions', () => {
  let server: Server;
  let r: Redis;
  let other: Redis;

  before(async () => {
    server = await startTestServer();
    r = connect(server);
    other = connect(server);
  });

  after(async () => {
    r.disconnect();
    other.disconnect();
    await server.shutdown();
  });

  beforeEach(async () => {
    await r.call('unwatch');
    await r.call('flushall');
  });

  /** MULTI PING EXEC on `r`: the EXEC reply, null when a watched key made it fail. */
  async function execPing(): Promise<unknown> {
    await r.call('multi');
    await r.call('ping');
    return r.call('exec');
  }

  describe('MULTI / EXEC / DISCARD', () => {
    it('MULTI / EXEC basics', async () => {
      expect(await r.call('multi')).to.equal('OK');
      expect(await r.call('set', 'foo', 'bar')).to.equal('QUEUED');
      expect(await r.call('get', 'foo')).to.equal('QUEUED');
      expect(await r.call('incr', 'counter')).to.equal('QUEUED');
      expect(await r.call('exec')).to.deep.equal(['OK', 'bar', 1]);
    });

    it('MULTI / EXEC byte-exact reply with queued replies collected in one array', async () => {
      const payload = 'MULTI\r\nPING\r\nECHO hello\r\nEXEC\r\n';
      const expected = '+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n+PONG\r\n$5\r\nhello\r\n';
      expect(await exchange(server, payload, expected)).to.equal(expected);
    });

    it('EXEC of an empty transaction is an empty array', async () => {
      const expected = '+OK\r\n*0\r\n';
      expect(await exchange(server, 'MULTI\r\nEXEC\r\n', expected)).to.equal(expected);
    });

    it('MULTI / EXEC with ioredis pipeline helper', async () => {
      const result = await r.multi().set('a', '1').incr('a').get('a').exec();
      expect(result).to.deep.equal([[null, 'OK'], [null, 2], [null, '2']]);
    });

    it('DISCARD', async () => {
      await r.set('foo', 'old');
      await r.call('multi');
      await r.call('set', 'foo', 'new');
      expect(await r.call('discard')).to.equal('OK');
      expect(await r.get('foo')).to.equal('old');
      // DISCARD leaves MULTI: the next command runs at once.
      expect(await r.call('ping')).to.equal('PONG');
    });

    it('Nested MULTI are not allowed', async () => {
      const expected = '+OK\r\n-ERR MULTI calls can not be nested\r\n+QUEUED\r\n*1\r\n+PONG\r\n';
      expect(await exchange(server, 'MULTI\r\nMULTI\r\nPING\r\nEXEC\r\n', expected)).to.equal(expected);
    });

    it('EXEC without MULTI / DISCARD without MULTI', async () => {
      const expected = '-ERR EXEC without MULTI\r\n-ERR DISCARD without MULTI\r\n';
      expect(await exchange(server, 'EXEC\r\nDISCARD\r\n', expected)).to.equal(expected);
    });

    it('MULTI, EXEC, DISCARD and UNWATCH arity errors', async () => {
      const expected =
        "-ERR wrong number of arguments for 'multi' command\r\n" +
        "-ERR wrong number of arguments for 'discard' command\r\n" +
        "-ERR wrong number of arguments for 'unwatch' command\r\n" +
        "-ERR wrong number of arguments for 'watch' command\r\n";
      expect(await exchange(server, 'MULTI x\r\nDISCARD x\r\nUNWATCH x\r\nWATCH\r\n', expected)).to.equal(expected);
    });

    it('EXEC with arguments aborts the transaction with the reason', async () => {
      const expected =
        '+OK\r\n+QUEUED\r\n' +
        "-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command\r\n" +
        '-ERR EXEC without MULTI\r\n';
      expect(await exchange(server, 'MULTI\r\nPING\r\nEXEC x\r\nEXEC\r\n', expected)).to.equal(expected);
    });

    it('EXEC fails if there are errors while queueing commands #1 (unknown command)', async () => {
      const payload = 'MULTI\r\nSET foo1 bar1\r\nNOTACOMMAND x\r\nSET foo2 bar2\r\nEXEC\r\n';
      const expected =
        '+OK\r\n+QUEUED\r\n' +
        "-ERR unknown command 'NOTACOMMAND', with args beginning with: 'x' \r\n" +
        '+QUEUED\r\n-EXECABORT Transaction discarded because of previous errors.\r\n';
      expect(await exchange(server, payload, expected)).to.equal(expected);
      expect(await r.exists('foo1', 'foo2')).to.equal(0);
    });

    it('EXEC fails if there are errors while queueing commands #2 (arity error)', async () => {
      const payload = 'MULTI\r\nSET foo1 bar1\r\nGET\r\nSET foo2 bar2\r\nEXEC\r\n';
      const expected =
        '+OK\r\n+QUEUED\r\n' +
        "-ERR wrong number of arguments for 'get' command\r\n" +
        '+QUEUED\r\n-EXECABORT Transaction discarded because of previous errors.\r\n';
      expect(await exchange(server, payload, expected)).to.equal(expected);
      expect(await r.exists('foo1', 'foo2')).to.equal(0);
    });

    it('If EXEC aborts, the client MULTI state is cleared', async () => {
      const payload = 'MULTI\r\nNOTACOMMAND\r\nEXEC\r\nPING\r\n';
      const expected =
        "+OK\r\n-ERR unknown command 'NOTACOMMAND', with args beginning with: \r\n" +
        '-EXECABORT Transaction discarded because of previous errors.\r\n+PONG\r\n';
      expect(await exchange(server, payload, expected)).to.equal(expected);
    });

    it('Runtime errors inside EXEC are returned as elements and do not abort the rest', async () => {
      await r.set('str', 'abc');
      const result = await r.multi().set('b', '1').incr('str').incr('b').exec();
      expect(result![0]).to.deep.equal([null, 'OK']);
      expect((result![1][0] as Error).message).to.equal('ERR value is not an integer or out of range');
      expect(result![2]).to.deep.equal([null, 2]);
      const expected = '+OK\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n*3\r\n+PONG\r\n-ERR DB index is out of range\r\n$1\r\nx\r\n';
      expect(await exchange(server, 'MULTI\r\nPING\r\nSELECT 99\r\nECHO x\r\nEXEC\r\n', expected)).to.equal(expected);
    });

    it('SELECT inside MULTI affects the commands queued after it', async () => {
      await r.call('multi');
      await r.call('set', 'k', 'db0');
      await r.call('select', '1');
      await r.call('set', 'k', 'db1');
      expect(await r.call('exec')).to.deep.equal(['OK', 'OK', 'OK']);
      // The connection stays on database 1 after EXEC, as in Redis.
      expect(await r.get('k')).to.equal('db1');
      await r.select(0);
      expect(await r.get('k')).to.equal('db0');
    });

    it('MULTI with binary keys and values', async () => {
      const result = await r.multi().set(ALL_BYTES, ALL_BYTES).getBuffer(ALL_BYTES).exec();
      expect(result![0]).to.deep.equal([null, 'OK']);
      expect(Buffer.compare(result![1][1] as Buffer, ALL_BYTES)).to.equal(0);
    });

    it('QUIT inside MULTI closes the connection without running the queue', async () => {
      const raw = await RawClient.connect(server);
      raw.send('MULTI\r\nSET quitkey v\r\nQUIT\r\n');
      expect(await raw.expect('+OK\r\n+QUEUED\r\n+OK\r\n')).to.equal('+OK\r\n+QUEUED\r\n+OK\r\n');
      expect(await raw.waitClosed()).to.equal(true);
      expect(await r.exists('quitkey')).to.equal(0);
    });

    it('RESET inside MULTI discards the transaction', async () => {
      const expected = '+OK\r\n+QUEUED\r\n+RESET\r\n-ERR EXEC without MULTI\r\n';
      expect(await exchange(server, 'MULTI\r\nSET resetkey v\r\nRESET\r\nEXEC\r\n', expected)).to.equal(expected);
      expect(await r.exists('resetkey')).to.equal(0);
    });

    it('MULTI / EXEC with RESP3 replies', async () => {
      const payload = 'HELLO 3\r\nMULTI\r\nGET missing\r\nPING\r\nEXEC\r\n';
      const raw = await RawClient.connect(server);
      raw.send(payload);
      const all = await raw.read(100_000, 500);
      raw.close();
      expect(all.startsWith('%7\r\n')).to.equal(true);
      expect(all.endsWith('+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n_\r\n+PONG\r\n')).to.equal(true);
    });

    it('MULTI / EXEC with ioredis over RESP2', async () => {
      const resp2 = connect(server, { protocol: 2 });
      try {
        expect(await resp2.multi().set('r2', 'x').get('r2').get('none').exec()).to.deep.equal([[null, 'OK'], [null, 'x'], [null, null]]);
      } finally {
        resp2.disconnect();
      }
    });
  });

  describe('WATCH / UNWATCH', () => {
    it('EXEC works on WATCHed key not modified', async () => {
      await r.set('x', '30');
      await r.watch('x', 'y', 'z');
      await r.watch('k');
      expect(await execPing()).to.deep.equal(['PONG']);
    });

    it('EXEC fail on WATCHed key modified (1 key of 1 watched)', async () => {
      await r.set('x', '30');
      await r.watch('x');
      await other.set('x', '40');
      expect(await execPing()).to.equal(null);
    });

    it('EXEC fail on WATCHed key modified (1 key of 5 watched)', async () => {
      await r.set('x', '30');
      await r.watch('a', 'b', 'x', 'k', 'z');
      await other.set('x', '40');
      expect(await execPing()).to.equal(null);
    });

    it('EXEC fail on WATCHed key modified by the same client before MULTI', async () => {
      await r.set('x', '30');
      await r.watch('x');
      await r.set('x', '40');
      expect(await execPing()).to.equal(null);
    });

    it('EXEC fail on WATCHed key deleted by another client', async () => {
      await r.set('x', '30');
      await r.watch('x');
      await other.del('x');
      expect(await execPing()).to.equal(null);
    });

    it('Deleting a missing WATCHed key is not a modification', async () => {
      await r.watch('x');
      expect(await other.del('x')).to.equal(0);
      expect(await execPing()).to.deep.equal(['PONG']);
    });

    it('WATCH will consider touched keys target of EXPIRE', async () => {
      await r.set('x', 'foo');
      await r.watch('x');
      await other.expire('x', 100);
      expect(await execPing()).to.equal(null);
    });

    it('WATCH will consider touched expired keys', async () => {
      await r.set('x', 'foo', 'PX', 30);
      await r.watch('x');
      await sleep(80);
      expect(await execPing()).to.equal(null);
    });

    it('EXEC fail on lazy expired WATCHed key', async () => {
      await r.set('x', 'foo', 'PX', 30);
      await r.watch('x');
      await sleep(80);
      // Another client's read removes the expired key: that is a change for the watcher.
      expect(await other.get('x')).to.equal(null);
      expect(await execPing()).to.equal(null);
    });

    it('WATCH stale keys should not fail EXEC', async () => {
      await r.set('x', 'foo', 'PX', 1);
      await sleep(20);
      await r.watch('x');
      expect(await execPing()).to.deep.equal(['PONG']);
    });

    it('Delete WATCHed stale keys should not fail EXEC', async () => {
      await r.set('x', 'foo', 'PX', 1);
      await sleep(20);
      await r.watch('x');
      expect(await other.del('x')).to.equal(0);
      expect(await execPing()).to.deep.equal(['PONG']);
    });

    it('Writing a WATCHed stale key fails EXEC', async () => {
      await r.set('x', 'foo', 'PX', 1);
      await sleep(20);
      await r.watch('x');
      await other.set('x', 'bar');
      expect(await execPing()).to.equal(null);
    });

    it('FLUSHDB while watching stale keys should not fail EXEC', async () => {
      await r.set('x', 'foo', 'PX', 1);
      await sleep(20);
      await r.watch('x');
      await other.flushdb();
      expect(await execPing()).to.deep.equal(['PONG']);
    });

    it('FLUSHALL is able to touch the watched keys', async () => {
      await r.set('x', '30');
      await r.watch('x');
      await other.flushall();
      expect(await execPing()).to.equal(null);
    });

    it('FLUSHALL does not touch non affected keys', async () => {
      await r.del('x');
      await r.watch('x');
      await other.flushall();
      expect(await execPing()).to.deep.equal(['PONG']);
    });

    it('FLUSHDB is able to touch the watched keys', async () => {
      await r.set('x', '30');
      await r.watch('x');
      await other.flushdb();
      expect(await execPing()).to.equal(null);
    });

    it('FLUSHDB of another database does not touch the watched keys', async () => {
      await r.set('x', '30');
      await r.watch('x');
      await other.select(1);
      await other.set('x', 'elsewhere');
      await other.flushdb();
      await other.select(0);
      expect(await execPing()).to.deep.equal(['PONG']);
    });

    it('WATCH is able to remember the DB a key belongs to', async () => {
      await r.select(5);
      await r.set('x', '30');
      await r.watch('x');
      await r.select(1);
      await r.set('x', '10');
      await r.select(5);
      expect(await execPing()).to.deep.equal(['PONG']);
      await other.select(5);
      await r.watch('x');
      await other.set('x', '11');
      await other.select(0);
      expect(await execPing()).to.equal(null);
      await r.select(0);
    });

    it('WATCH of the same key twice is harmless', async () => {
      await r.set('x', '1');
      await r.watch('x', 'x');
      await r.watch('x');
      await other.set('x', '2');
      expect(await execPing()).to.equal(null);
    });

    it('After successful EXEC key is no longer watched', async () => {
      await r.set('x', '30');
      await r.watch('x');
      expect(await execPing()).to.deep.equal(['PONG']);
      await other.set('x', '40');
      expect(await execPing()).to.deep.equal(['PONG']);
    });

    it('After failed EXEC key is no longer watched', async () => {
      await r.set('x', '30');
      await r.watch('x');
      await other.set('x', '40');
      expect(await execPing()).to.equal(null);
      await other.set('x', '50');
      expect(await execPing()).to.deep.equal(['PONG']);
    });

    it('It is possible to UNWATCH', async () => {
      await r.set('x', '30');
      await r.watch('x');
      await other.set('x', '40');
      expect(await r.unwatch()).to.equal('OK');
      expect(await execPing()).to.deep.equal(['PONG']);
    });

    it('UNWATCH when there is nothing watched works as expected', async () => {
      expect(await r.unwatch()).to.equal('OK');
    });

    it('DISCARD should clear the WATCH dirty flag on the client', async () => {
      await r.watch('x');
      await other.set('x', '10');
      await r.call('multi');
      await r.call('discard');
      expect(await execPing()).to.deep.equal(['PONG']);
    });

    it('DISCARD should UNWATCH all the keys', async () => {
      await r.watch('x');
      await r.set('x', '10');
      await r.call('multi');
      await r.call('discard');
      await other.set('x', '20');
      expect(await execPing()).to.deep.equal(['PONG']);
    });

    it('An aborted EXEC unwatches the keys', async () => {
      await r.watch('x');
      await r.call('multi');
      await r.call('get').catch(() => undefined);
      await r.call('exec').catch(() => undefined);
      await other.set('x', '20');
      expect(await execPing()).to.deep.equal(['PONG']);
    });

    it('The transaction\'s own writes do not fail it', async () => {
      await r.set('x', '1');
      await r.watch('x');
      expect(await r.multi().set('x', '2').set('x', '3').exec()).to.deep.equal([[null, 'OK'], [null, 'OK']]);
      expect(await r.get('x')).to.equal('3');
    });

    it('WATCH inside MULTI is not allowed', async () => {
      const expected = '+OK\r\n-ERR WATCH inside MULTI is not allowed\r\n+QUEUED\r\n*1\r\n+PONG\r\n';
      expect(await exchange(server, 'MULTI\r\nWATCH x\r\nPING\r\nEXEC\r\n', expected)).to.equal(expected);
    });

    it('A failed EXEC is a null array in RESP2 and a null in RESP3', async () => {
      for (const [hello, nil] of [['HELLO 2', '*-1\r\n'], ['HELLO 3', '_\r\n']]) {
        const raw = await RawClient.connect(server);
        raw.send(`${hello}\r\n`);
        await raw.read(100_000, 200);
        raw.send('SET wk 1\r\nWATCH wk\r\n');
        expect(await raw.expect('+OK\r\n+OK\r\n')).to.equal('+OK\r\n+OK\r\n');
        await other.set('wk', '2');
        raw.send('MULTI\r\nPING\r\nEXEC\r\n');
        const expected = `+OK\r\n+QUEUED\r\n${nil}`;
        expect(await raw.expect(expected)).to.equal(expected);
        raw.close();
      }
    });

    it('WATCH with binary key names', async () => {
      await r.set(ALL_BYTES, 'v');
      await r.watch(ALL_BYTES);
      await other.set(ALL_BYTES, 'w');
      expect(await execPing()).to.equal(null);
    });
  });
});
