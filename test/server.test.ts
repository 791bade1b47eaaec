import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { ALL_BYTES, connect, expectReply, RawClient, startTestServer, until } from './helpers.js';
import type { Server } from '../src/index.js';

describe('server commands', () => {
  let server: Server;
  let r: Redis;
  let raw: RawClient;
  const binaryKey = ALL_BYTES.toString('latin1');

  before(async () => {
    server = await startTestServer();
    r = connect(server);
    raw = await RawClient.connect(server);
  });

  after(async () => {
    r.disconnect();
    raw.close();
    await server.shutdown();
  });

  beforeEach(() => {
    for (const db of server.databases) db.flush();
  });

  it('DBSIZE counts the keys of the selected database', async () => {
    server.databases[0].set('a', '1');
    server.databases[0].set(binaryKey, '2');
    server.databases[1].set('b', '1');
    expect(await r.dbsize()).to.equal(2);
    await expectReply(raw, ['DBSIZE', 'x'], "-ERR wrong number of arguments for 'dbsize' command\r\n");
  });

  it('FLUSHDB empties only the selected database and counts the changes', async () => {
    server.databases[0].set('a', '1');
    server.databases[1].set('b', '1');
    const dirty = server.dirty;
    expect(await r.flushdb()).to.equal('OK');
    expect(server.databases[0].size).to.equal(0);
    expect(server.databases[1].size).to.equal(1);
    expect(server.dirty).to.equal(dirty + 1);
    expect(await r.call('flushdb', 'async')).to.equal('OK');
    expect(await r.call('flushdb', 'SYNC')).to.equal('OK');
  });

  it('FLUSHALL empties every database', async () => {
    server.databases[0].set('a', '1');
    server.databases[5].set('b', '1');
    expect(await r.flushall()).to.equal('OK');
    expect(server.databases.every((db) => db.size === 0)).to.equal(true);
    expect(await r.call('flushall', 'ASYNC')).to.equal('OK');
  });

  it('FLUSHALL and FLUSHDB syntax errors', async () => {
    await expectReply(raw, ['FLUSHALL', 'foo'], '-ERR syntax error\r\n');
    await expectReply(raw, ['FLUSHALL', 'async', 'sync'], '-ERR syntax error\r\n');
    await expectReply(raw, ['FLUSHDB', 'now'], '-ERR syntax error\r\n');
  });

  it('FLUSHALL fails the EXEC of a client watching a key', async () => {
    server.databases[0].set('w', '1');
    const watcher = connect(server);
    await watcher.watch('w');
    await r.flushall();
    expect(await watcher.multi().ping().exec()).to.equal(null);
    watcher.disconnect();
  });

  it('SWAPDB exchanges two databases', async () => {
    server.databases[0].set('zero', '0');
    server.databases[1].set('one', '1');
    expect(await r.swapdb(0, 1)).to.equal('OK');
    expect([...server.databases[0].dict.keys()]).to.deep.equal(['one']);
    expect([...server.databases[1].dict.keys()]).to.deep.equal(['zero']);
    expect(await r.swapdb(3, 3)).to.equal('OK');
  });

  it('SWAPDB errors', async () => {
    await expectReply(raw, ['SWAPDB', 'a', '1'], '-ERR invalid first DB index\r\n');
    await expectReply(raw, ['SWAPDB', '0', 'a'], '-ERR invalid second DB index\r\n');
    await expectReply(raw, ['SWAPDB', '0', '16'], '-ERR DB index is out of range\r\n');
    await expectReply(raw, ['SWAPDB', '-1', '0'], '-ERR DB index is out of range\r\n');
    await expectReply(raw, ['SWAPDB', '0'], "-ERR wrong number of arguments for 'swapdb' command\r\n");
  });

  it('TIME returns seconds and microseconds as bulk strings', async () => {
    const [seconds, micros] = (await r.time()) as unknown as [string, string];
    expect(Math.abs(Number(seconds) - Date.now() / 1000)).to.be.below(5);
    expect(Number(micros)).to.be.within(0, 999999);
  });

  it('LASTSAVE is the start time until something is saved', async () => {
    expect(await r.lastsave()).to.equal(server.persistence.lastSave);
    expect(server.persistence.lastSave).to.be.closeTo(Date.now() / 1000, 600);
  });

  it('ROLE says master without replicas', async () => {
    await expectReply(raw, ['ROLE'], '*3\r\n$6\r\nmaster\r\n:0\r\n*0\r\n');
  });

  it('WAIT answers 0 replicas at once', async () => {
    await expectReply(raw, ['WAIT', '0', '0'], ':0\r\n');
    await expectReply(raw, ['WAIT', '1', '100'], ':0\r\n');
    await expectReply(raw, ['WAIT', 'a', '0'], '-ERR value is not an integer or out of range\r\n');
    await expectReply(raw, ['WAIT', '0', '-1'], '-ERR timeout is negative\r\n');
    await expectReply(raw, ['WAIT', '0', 'x'], '-ERR timeout is not an integer or out of range\r\n');
  });

  it('DEBUG SLEEP blocks the server and replies OK', async () => {
    const other = await RawClient.connect(server);
    raw.command('DEBUG', 'SLEEP', '0.2');
    other.command('PING');
    // The PING is only answered once the sleep is over, after the DEBUG reply.
    expect(await raw.expect('+OK\r\n')).to.equal('+OK\r\n');
    expect(await other.expect('+PONG\r\n')).to.equal('+PONG\r\n');
    await expectReply(raw, ['DEBUG', 'sleep', '0'], '+OK\r\n');
    other.close();
  });

  it('DEBUG unknown subcommands and HELP', async () => {
    await expectReply(raw, ['DEBUG', 'Foo'], "-ERR unknown subcommand or wrong number of arguments for 'Foo'. Try DEBUG HELP.\r\n");
    await expectReply(raw, ['DEBUG', 'SLEEP'], "-ERR unknown subcommand or wrong number of arguments for 'SLEEP'. Try DEBUG HELP.\r\n");
    await expectReply(raw, ['DEBUG', 'SET-ACTIVE-EXPIRE'], "-ERR unknown subcommand or wrong number of arguments for 'SET-ACTIVE-EXPIRE'. Try DEBUG HELP.\r\n");
    const help = (await r.call('debug', 'help')) as string[];
    expect(help[0]).to.equal('DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
    expect(help).to.include('SLEEP <seconds>').and.include('SET-ACTIVE-EXPIRE <0|1>');
  });

  it('DEBUG SET-ACTIVE-EXPIRE 0 leaves expired keys to be removed when met; 1 (or any non-zero integer) resumes the cycle', async () => {
    await expectReply(raw, ['DEBUG', 'set-active-expire', '0'], '+OK\r\n');
    try {
      await r.set('stale', 'v', 'PX', 1);
      await new Promise((resolve) => setTimeout(resolve, 250));
      expect(server.databases[0].dict.has('stale')).to.equal(true);
      expect(await r.get('stale')).to.equal(null);
      expect(server.databases[0].dict.has('stale')).to.equal(false);
      await r.set('stale', 'v', 'PX', 1);
      await expectReply(raw, ['DEBUG', 'SET-ACTIVE-EXPIRE', '7'], '+OK\r\n');
      await until(() => !server.databases[0].dict.has('stale'));
      // As atoi: text that is not a number counts as 0.
      await expectReply(raw, ['DEBUG', 'SET-ACTIVE-EXPIRE', 'no'], '+OK\r\n');
      expect(server.activeExpireEnabled).to.equal(false);
    } finally {
      await expectReply(raw, ['DEBUG', 'SET-ACTIVE-EXPIRE', '1'], '+OK\r\n');
    }
  });

  it('FUNCTION LIST and FUNCTION FLUSH with no functions', async () => {
    await expectReply(raw, ['FUNCTION', 'LIST'], '*0\r\n');
    await expectReply(raw, ['FUNCTION', 'LIST', 'WITHCODE', 'LIBRARYNAME', 'x'], '*0\r\n');
    await expectReply(raw, ['FUNCTION', 'LIST', 'foo'], '-ERR Unknown argument foo\r\n');
    await expectReply(raw, ['FUNCTION', 'FLUSH'], '+OK\r\n');
    await expectReply(raw, ['FUNCTION', 'FLUSH', 'async'], '+OK\r\n');
    await expectReply(raw, ['FUNCTION', 'FLUSH', 'x'], '-ERR FUNCTION FLUSH only supports SYNC|ASYNC option\r\n');
    await expectReply(raw, ['FUNCTION', 'nope'], "-ERR unknown subcommand 'nope'. Try FUNCTION HELP.\r\n");
  });

  it('SHUTDOWN errors', async () => {
    await expectReply(raw, ['SHUTDOWN', 'FOO'], '-ERR syntax error\r\n');
    await expectReply(raw, ['SHUTDOWN', 'NOSAVE', 'SAVE'], '-ERR syntax error\r\n');
    await expectReply(raw, ['SHUTDOWN', 'ABORT'], '-ERR No shutdown in progress.\r\n');
    await expectReply(raw, ['SHUTDOWN', 'ABORT', 'NOW'], '-ERR syntax error\r\n');
    await expectReply(raw, ['MULTI'], '+OK\r\n');
    await expectReply(raw, ['SHUTDOWN'], '-ERR Command not allowed inside a transaction\r\n');
    await expectReply(raw, ['DISCARD'], '+OK\r\n');
  });

  it('SHUTDOWN stops the server through its hook, without a reply', async () => {
    const victim = await startTestServer();
    const client = await RawClient.connect(victim);
    let requested = false;
    victim.onShutdownRequest = () => {
      requested = true;
      void victim.shutdown();
    };
    client.command('SHUTDOWN', 'NOSAVE', 'NOW', 'FORCE');
    expect(await client.waitClosed()).to.equal(true);
    expect(await client.read(1, 50)).to.equal('');
    expect(requested).to.equal(true);
  });
});
