import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { ALL_BYTES, arityError, connect, encodeCommand, errorOf, expectBytes, RawClient, RawClients, startTestServer, switchToResp3, until } from './helpers.js';
import type { Server } from '../src/index.js';

const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';

/** The RESP encoding of an array of bulk strings, as a reply. */
function bulks(...values: string[]): string {
  return encodeCommand(values).toString('latin1');
}

describe('blocking list and sorted-set commands', () => {
  let server: Server;
  let redis: Redis;
  const raws = new RawClients(() => server);
  const open = (resp3 = false) => raws.open(resp3);

  /** Sends `args` on `raw` and waits until the server counts `blocked` blocked clients. */
  const block = async (raw: RawClient, args: string[], blocked: number): Promise<void> => {
    raw.command(...args);
    await until(() => server.blocking.blockedClients === blocked);
  };

  before(async () => {
    server = await startTestServer();
    redis = connect(server, { protocol: 2 });
  });

  afterEach(async () => {
    raws.closeAll();
    await until(() => server.blocking.blockedClients === 0);
    await redis.flushall();
  });

  after(async () => {
    redis.disconnect();
    await server.shutdown();
  });

  describe('served at once when a key holds data', () => {
    it('BLPOP and BRPOP pop from the first non-empty list in argument order', async () => {
      await redis.rpush('b', 'b1', 'b2');
      await redis.rpush('c', 'c1');
      expect(await redis.blpop('a', 'b', 'c', 0)).to.deep.equal(['b', 'b1']);
      expect(await redis.brpop('a', 'c', 'b', 0)).to.deep.equal(['c', 'c1']);
      expect(await redis.brpop('b', 0)).to.deep.equal(['b', 'b2']);
      expect(await redis.exists('b', 'c')).to.equal(0);
    });

    it('BLMOVE, BRPOPLPUSH, BLMPOP, BZPOPMIN, BZPOPMAX and BZMPOP act as their non-blocking forms', async () => {
      await redis.rpush('l', 'a', 'b', 'c', 'd');
      expect(await redis.blmove('l', 'd', 'LEFT', 'RIGHT', 0)).to.equal('a');
      expect(await redis.brpoplpush('l', 'd', 0)).to.equal('d');
      expect(await redis.lrange('d', 0, -1)).to.deep.equal(['d', 'a']);
      expect(await redis.call('BLMPOP', '0', '2', 'nokey', 'l', 'RIGHT', 'COUNT', '5')).to.deep.equal(['l', ['c', 'b']]);
      await redis.zadd('z', 1, 'a', 2.5, 'b', 3, 'c', 4, 'd');
      expect(await redis.bzpopmin('nokey', 'z', 0)).to.deep.equal(['z', 'a', '1']);
      expect(await redis.bzpopmax('z', 0)).to.deep.equal(['z', 'd', '4']);
      expect(await redis.call('BZMPOP', '0', '1', 'z', 'MIN', 'COUNT', '5')).to.deep.equal(['z', [['b', '2.5'], ['c', '3']]]);
      expect(await redis.exists('l', 'z')).to.equal(0);
    });

    it('BZPOPMIN replies [key, member, score] with a double score in RESP3', async () => {
      await redis.zadd('z', 1.5, 'm');
      const raw = await open();
      await switchToResp3(raw);
      raw.command('BZPOPMIN', 'z', '0');
      await expectBytes(raw, '*3\r\n$1\r\nz\r\n$1\r\nm\r\n,1.5\r\n');
    });

    it('keys and members are binary safe', async () => {
      const key = Buffer.from(ALL_BYTES);
      await redis.rpush(key, ALL_BYTES);
      expect(await redis.blpopBuffer(key, 0)).to.deep.equal([key, ALL_BYTES]);
      await redis.zadd(key, 1, ALL_BYTES);
      expect(await redis.bzpopminBuffer(key, 0)).to.deep.equal([key, ALL_BYTES, Buffer.from('1')]);
    });

    it('a key of another type before the first non-empty one is WRONGTYPE; after it, never looked at', async () => {
      await redis.set('s', 'x');
      await redis.rpush('l', 'a', 'b');
      await redis.zadd('z', 1, 'a');
      expect(await errorOf(redis.blpop('nokey', 's', 'l', 0))).to.equal(WRONGTYPE);
      expect(await redis.blpop('l', 's', 0)).to.deep.equal(['l', 'a']);
      expect(await errorOf(redis.bzpopmin('l', 'z', 0))).to.equal(WRONGTYPE);
      expect(await errorOf(redis.call('BLMPOP', '0', '2', 's', 'l', 'LEFT'))).to.equal(WRONGTYPE);
      expect(await errorOf(redis.call('BZMPOP', '0', '1', 's', 'MIN'))).to.equal(WRONGTYPE);
      // BLMOVE checks the destination only once the source has an element, and then pops nothing.
      expect(await errorOf(redis.blmove('l', 's', 'LEFT', 'LEFT', 0))).to.equal(WRONGTYPE);
      expect(await redis.lrange('l', 0, -1)).to.deep.equal(['b']);
      expect(await errorOf(redis.brpoplpush('s', 'l', 0))).to.equal(WRONGTYPE);
    });
  });

  describe('arguments', () => {
    it('negative and non-numeric timeouts are errors, checked before the keys', async () => {
      await redis.set('s', 'x');
      for (const args of [['BLPOP', 's', '-1'], ['BRPOP', 's', '-0.5'], ['BZPOPMIN', 's', '-1'], ['BRPOPLPUSH', 's', 'd', '-1'], ['BLMOVE', 's', 'd', 'LEFT', 'LEFT', '-1'], ['BLMPOP', '-1', '1', 's', 'LEFT'], ['BZMPOP', '-1', '1', 's', 'MAX']]) {
        expect(await errorOf(redis.call(args[0], ...args.slice(1))), args.join(' ')).to.equal('ERR timeout is negative');
      }
      for (const args of [['BLPOP', 's', 'abc'], ['BZPOPMAX', 's', '1x'], ['BRPOPLPUSH', 's', 'd', ''], ['BLMOVE', 's', 'd', 'LEFT', 'LEFT', 'nan'], ['BLMPOP', 'x', '1', 's', 'LEFT'], ['BZMPOP', 'x', '1', 's', 'MIN']]) {
        expect(await errorOf(redis.call(args[0], ...args.slice(1))), args.join(' ')).to.equal('ERR timeout is not a float or out of range');
      }
    });

    it('BLMOVE reads its ends before the timeout; BLMPOP and BZMPOP read numkeys, end and COUNT before it', async () => {
      expect(await errorOf(redis.call('BLMOVE', 'l', 'd', 'UP', 'LEFT', 'x'))).to.equal('ERR syntax error');
      expect(await errorOf(redis.call('BLMPOP', 'x', '0', 'l', 'LEFT'))).to.equal('ERR numkeys should be greater than 0');
      expect(await errorOf(redis.call('BLMPOP', 'x', '1', 'l', 'UP'))).to.equal('ERR syntax error');
      expect(await errorOf(redis.call('BZMPOP', 'x', '1', 'z', 'MIN', 'COUNT', '0'))).to.equal('ERR count should be greater than 0');
      expect(await errorOf(redis.call('BZMPOP', '0', '2', 'z', 'MIN'))).to.equal('ERR syntax error');
      expect(await errorOf(redis.call('BLMPOP', '0', '1', 'l', 'LEFT', 'COUNT'))).to.equal('ERR syntax error');
    });

    it('arity errors', async () => {
      expect(await errorOf(redis.call('BLPOP', 'k'))).to.equal(arityError('blpop'));
      expect(await errorOf(redis.call('BRPOP', 'k'))).to.equal(arityError('brpop'));
      expect(await errorOf(redis.call('BZPOPMIN', 'k'))).to.equal(arityError('bzpopmin'));
      expect(await errorOf(redis.call('BZPOPMAX', 'k'))).to.equal(arityError('bzpopmax'));
      expect(await errorOf(redis.call('BLMOVE', 'a', 'b', 'LEFT', 'LEFT'))).to.equal(arityError('blmove'));
      expect(await errorOf(redis.call('BRPOPLPUSH', 'a', 'b'))).to.equal(arityError('brpoplpush'));
      expect(await errorOf(redis.call('BLMPOP', '0', '1', 'k'))).to.equal(arityError('blmpop'));
      expect(await errorOf(redis.call('BZMPOP', '0', '1', 'k'))).to.equal(arityError('bzmpop'));
    });

    it('COMMAND INFO shows the blocking flag and COMMAND GETKEYS the keys', async () => {
      const [info] = (await redis.call('COMMAND', 'INFO', 'blpop')) as [unknown[]];
      expect(info.slice(0, 6)).to.deep.equal(['blpop', -3, ['write', 'blocking'], 1, -2, 1]);
      for (const name of ['brpop', 'blmove', 'brpoplpush', 'blmpop', 'bzpopmin', 'bzpopmax', 'bzmpop']) {
        const [entry] = (await redis.call('COMMAND', 'INFO', name)) as [unknown[]];
        expect(entry[2], name).to.include('blocking');
      }
      expect(await redis.call('COMMAND', 'GETKEYS', 'BZMPOP', '0', '2', 'a', 'b', 'MIN')).to.deep.equal(['a', 'b']);
      expect(await redis.call('COMMAND', 'GETKEYS', 'BZPOPMIN', 'a', 'b', '0')).to.deep.equal(['a', 'b']);
      expect(await redis.call('COMMAND', 'GETKEYS', 'BLMOVE', 'a', 'b', 'LEFT', 'LEFT', '0')).to.deep.equal(['a', 'b']);
    });
  });

  describe('waiting', () => {
    it('clients blocked on one key are served in the order they blocked', async () => {
      const [first, second, third] = [await open(), await open(), await open()];
      await block(first, ['BLPOP', 'k', '0'], 1);
      await block(second, ['BRPOP', 'k', '0'], 2);
      await block(third, ['BLPOP', 'k', '0'], 3);
      expect(await redis.rpush('k', 'x', 'y')).to.equal(2);
      await expectBytes(first, bulks('k', 'x'));
      await expectBytes(second, bulks('k', 'y'));
      expect(server.blocking.blockedClients).to.equal(1);
      expect(await redis.exists('k')).to.equal(0);
      await redis.lpush('k', 'z');
      await expectBytes(third, bulks('k', 'z'));
    });

    it('SWAPDB serves the clients whose keys the other database fills', async () => {
      const [list, zset] = [await open(), await open()];
      await block(list, ['BLPOP', 'k', '0'], 1);
      await block(zset, ['BZPOPMIN', 'z', 'k', '0'], 2);
      await redis.select(1);
      await redis.rpush('k', 'v');
      await redis.zadd('z', '1', 'm');
      await redis.swapdb(0, 1);
      await expectBytes(list, bulks('k', 'v'));
      await expectBytes(zset, bulks('z', 'm', '1'));
      expect(server.blocking.blockedClients).to.equal(0);
      await redis.select(0);
    });

    it('a client waiting on several keys is served by whichever gets data', async () => {
      const [waiter, other] = [await open(), await open()];
      await block(waiter, ['BLPOP', 'a', 'b', 'c', '0'], 1);
      await block(other, ['BRPOP', 'c', 'a', '0'], 2);
      await redis.rpush('c', 'c1');
      await expectBytes(waiter, bulks('c', 'c1'));
      await redis.rpush('a', 'a1');
      await expectBytes(other, bulks('a', 'a1'));
    });

    it('every blocking command is woken by a push or a ZADD', async () => {
      const raws = [await open(), await open(), await open(), await open(), await open(), await open()];
      await block(raws[0], ['BLMOVE', 'l1', 'd1', 'RIGHT', 'LEFT', '0'], 1);
      await block(raws[1], ['BRPOPLPUSH', 'l2', 'd2', '0'], 2);
      await block(raws[2], ['BLMPOP', '0', '2', 'x', 'l3', 'RIGHT', 'COUNT', '2'], 3);
      await block(raws[3], ['BZPOPMIN', 'z1', '0'], 4);
      await block(raws[4], ['BZPOPMAX', 'z2', '0'], 5);
      await block(raws[5], ['BZMPOP', '0', '1', 'z3', 'MAX', 'COUNT', '2'], 6);
      await redis.rpush('l1', 'a', 'b');
      await redis.rpush('l2', 'c');
      await redis.rpush('l3', 'd', 'e', 'f');
      await redis.zadd('z1', 1, 'm', 2, 'n');
      await redis.zadd('z2', 1, 'm', 2, 'n');
      await redis.zadd('z3', 1, 'm', 2, 'n', 3, 'o');
      await expectBytes(raws[0], '$1\r\nb\r\n');
      await expectBytes(raws[1], '$1\r\nc\r\n');
      await expectBytes(raws[2], '*2\r\n$2\r\nl3\r\n*2\r\n$1\r\nf\r\n$1\r\ne\r\n');
      await expectBytes(raws[3], bulks('z1', 'm', '1'));
      await expectBytes(raws[4], bulks('z2', 'n', '2'));
      await expectBytes(raws[5], '*2\r\n$2\r\nz3\r\n*2\r\n*2\r\n$1\r\no\r\n$1\r\n3\r\n*2\r\n$1\r\nn\r\n$1\r\n2\r\n');
      expect(await redis.lrange('d1', 0, -1)).to.deep.equal(['b']);
      expect(await redis.lrange('d2', 0, -1)).to.deep.equal(['c']);
      expect(server.blocking.blockedClients).to.equal(0);
    });

    it('BZPOPMIN woken by ZADD replies a double score in RESP3', async () => {
      const raw = await open();
      await switchToResp3(raw);
      await block(raw, ['BZPOPMIN', 'z', '0'], 1);
      await redis.zadd('z', 2.5, 'm');
      await expectBytes(raw, '*3\r\n$1\r\nz\r\n$1\r\nm\r\n,2.5\r\n');
    });

    it('works through ioredis: a pending BLPOP resolves on a push from another connection', async () => {
      const waiter = connect(server, { protocol: 2 });
      try {
        const popped = waiter.blpop('q', 0);
        await until(() => server.blocking.blockedClients === 1);
        await redis.rpush('q', 'job');
        expect(await popped).to.deep.equal(['q', 'job']);
      } finally {
        waiter.disconnect();
      }
    });

    it('a BLMOVE chain is served in the same turn: each move wakes the waiter on its destination', async () => {
      const [first, second, last] = [await open(), await open(), await open()];
      await block(first, ['BLMOVE', 'a', 'b', 'LEFT', 'RIGHT', '0'], 1);
      await block(second, ['BRPOPLPUSH', 'b', 'c', '0'], 2);
      await block(last, ['BLPOP', 'c', '0'], 3);
      await redis.rpush('a', 'v');
      // All three were served before RPUSH's reply went out.
      expect(server.blocking.blockedClients).to.equal(0);
      await expectBytes(first, '$1\r\nv\r\n');
      await expectBytes(second, '$1\r\nv\r\n');
      await expectBytes(last, bulks('c', 'v'));
      expect(await redis.exists('a', 'b', 'c')).to.equal(0);
    });

    it('a BLMOVE waiter whose destination turned into a string gets WRONGTYPE when woken', async () => {
      const waiter = await open();
      await block(waiter, ['BLMOVE', 'src', 'dst', 'LEFT', 'LEFT', '0'], 1);
      await redis.set('dst', 'x');
      await redis.rpush('src', 'v');
      await expectBytes(waiter, `-${WRONGTYPE}\r\n`);
      expect(await redis.lrange('src', 0, -1)).to.deep.equal(['v']);
    });

    it('requests pipelined behind a blocking command run once it is served', async () => {
      const waiter = await open();
      waiter.send(Buffer.concat([encodeCommand(['BLPOP', 'k', '0']), encodeCommand(['LLEN', 'k'])]));
      await until(() => server.blocking.blockedClients === 1);
      await redis.rpush('k', 'a', 'b');
      await expectBytes(waiter, `${bulks('k', 'a')}:1\r\n`);
    });

    it('a key holding a string or the other type serves nobody; the waiters keep waiting', async () => {
      const [listWaiter, zsetWaiter] = [await open(), await open()];
      await block(listWaiter, ['BLPOP', 'k', '0'], 1);
      await block(zsetWaiter, ['BZPOPMIN', 'k', '0'], 2);
      await redis.set('k', 'x');
      await redis.get('k');
      expect(server.blocking.blockedClients).to.equal(2);
      await redis.del('k');
      await redis.rpush('k', 'v');
      await expectBytes(listWaiter, bulks('k', 'v'));
      expect(server.blocking.blockedClients).to.equal(1);
      await redis.zadd('k', 1, 'm');
      await expectBytes(zsetWaiter, bulks('k', 'm', '1'));
    });

    it('a disconnected waiter is forgotten: the push serves the next one and blocked_clients goes back to 0', async () => {
      const [gone, next] = [await open(), await open()];
      await block(gone, ['BLPOP', 'k', '0'], 1);
      await block(next, ['BLPOP', 'k', '0'], 2);
      expect(await redis.info('clients')).to.contain('blocked_clients:2\r\n');
      gone.close();
      await until(() => server.blocking.blockedClients === 1);
      await redis.rpush('k', 'v');
      await expectBytes(next, bulks('k', 'v'));
      expect(await redis.info('clients')).to.contain('blocked_clients:0\r\n');
    });
  });

  describe('timeouts', () => {
    it('a timeout replies the null array in RESP2', async () => {
      const raw = await open();
      const commands = [
        ['BLPOP', 'k', '0.1'], ['BRPOP', 'a', 'b', '0.1'], ['BLMOVE', 'k', 'd', 'LEFT', 'LEFT', '0.1'], ['BRPOPLPUSH', 'k', 'd', '0.1'],
        ['BLMPOP', '0.1', '1', 'k', 'LEFT'], ['BZPOPMIN', 'k', '0.1'], ['BZPOPMAX', 'k', '0.1'], ['BZMPOP', '0.1', '1', 'k', 'MIN'],
      ];
      for (const args of commands) {
        raw.command(...args);
        expect(await raw.expect('*-1\r\n'), args.join(' ')).to.equal('*-1\r\n');
      }
      expect(await redis.exists('d')).to.equal(0);
    });

    it('a timeout replies null in RESP3', async () => {
      const raw = await open();
      await switchToResp3(raw);
      for (const args of [['BLPOP', 'k', '0.1'], ['BLMOVE', 'k', 'd', 'LEFT', 'LEFT', '0.1'], ['BZMPOP', '0.1', '1', 'k', 'MIN']]) {
        raw.command(...args);
        expect(await raw.expect('_\r\n'), args.join(' ')).to.equal('_\r\n');
      }
    });

    it('CLIENT UNBLOCK ends a wait with a timeout reply or an UNBLOCKED error', async () => {
      const waiter = await open();
      waiter.command('CLIENT', 'ID');
      const id = (await waiter.read(100, 100)).slice(1, -2);
      await block(waiter, ['BLMOVE', 'k', 'd', 'LEFT', 'LEFT', '0'], 1);
      expect(await redis.call('CLIENT', 'UNBLOCK', id, 'TIMEOUT')).to.equal(1);
      await expectBytes(waiter, '*-1\r\n');
      await block(waiter, ['BZPOPMIN', 'z', '0'], 1);
      expect(await redis.call('CLIENT', 'UNBLOCK', id, 'ERROR')).to.equal(1);
      await expectBytes(waiter, '-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n');
      expect(await redis.call('CLIENT', 'UNBLOCK', id)).to.equal(0);
      await redis.rpush('k', 'v');
      expect(await redis.lrange('k', 0, -1)).to.deep.equal(['v']);
    });
  });

  describe('transactions', () => {
    it('inside MULTI the blocking commands reply at once: null array, null bulk for the moves', async () => {
      const raw = await open();
      raw.send(Buffer.concat([
        ['MULTI'], ['BLPOP', 'k', '0'], ['BRPOP', 'k', '0'], ['BLMOVE', 'k', 'd', 'LEFT', 'LEFT', '0'], ['BRPOPLPUSH', 'k', 'd', '0'],
        ['BLMPOP', '0', '1', 'k', 'LEFT'], ['BZPOPMIN', 'k', '0'], ['BZPOPMAX', 'k', '0'], ['BZMPOP', '0', '1', 'k', 'MIN'], ['EXEC'],
      ].map((args) => encodeCommand(args))));
      await expectBytes(raw, `+OK\r\n${'+QUEUED\r\n'.repeat(8)}*8\r\n*-1\r\n*-1\r\n$-1\r\n$-1\r\n*-1\r\n*-1\r\n*-1\r\n*-1\r\n`);
      expect(server.blocking.blockedClients).to.equal(0);
      await switchToResp3(raw);
      raw.send(Buffer.concat([['MULTI'], ['BLPOP', 'k', '0'], ['BLMOVE', 'k', 'd', 'LEFT', 'LEFT', '0'], ['EXEC']].map((args) => encodeCommand(args))));
      await expectBytes(raw, '+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n_\r\n_\r\n');
    });

    it('inside MULTI a key pushed earlier in the transaction is popped', async () => {
      const raw = await open();
      raw.send(Buffer.concat([['MULTI'], ['RPUSH', 'k', 'v'], ['BLPOP', 'k', '0'], ['EXEC']].map((args) => encodeCommand(args))));
      await expectBytes(raw, `+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n:1\r\n${bulks('k', 'v')}`);
    });

    it('pushes inside MULTI wake the waiters only after EXEC', async () => {
      const [waiter, writer] = [await open(), await open()];
      await block(waiter, ['BLPOP', 'k', '0'], 1);
      writer.send(Buffer.concat([['MULTI'], ['RPUSH', 'k', 'a'], ['RPUSH', 'k', 'b']].map((args) => encodeCommand(args))));
      await expectBytes(writer, '+OK\r\n+QUEUED\r\n+QUEUED\r\n');
      expect(server.blocking.blockedClients).to.equal(1);
      writer.command('EXEC');
      await expectBytes(writer, '*2\r\n:1\r\n:2\r\n');
      await expectBytes(waiter, bulks('k', 'a'));
      expect(await redis.lrange('k', 0, -1)).to.deep.equal(['b']);
    });

    it('a transaction that pushes and pops the key again leaves nothing to serve', async () => {
      const [waiter, writer] = [await open(), await open()];
      await block(waiter, ['BLPOP', 'k', '0'], 1);
      writer.send(Buffer.concat([['MULTI'], ['RPUSH', 'k', 'a'], ['LPOP', 'k'], ['EXEC']].map((args) => encodeCommand(args))));
      await expectBytes(writer, '+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n:1\r\n$1\r\na\r\n');
      expect(server.blocking.blockedClients).to.equal(1);
      await redis.rpush('k', 'b');
      await expectBytes(waiter, bulks('k', 'b'));
    });
  });
});
