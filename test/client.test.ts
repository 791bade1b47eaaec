import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { connect, expectReply, RawClient, startTestServer, switchToResp3, until } from './helpers.js';
import type { Server } from '../src/index.js';

/** Redis 7's CLIENT LIST line, field by field. */
const CLIENT_LINE = new RegExp(
  '^id=\\d+ addr=127\\.0\\.0\\.1:\\d+ laddr=127\\.0\\.0\\.1:\\d+ fd=-?\\d+ name=\\S* age=\\d+ idle=\\d+ flags=\\w+ db=\\d+ ' +
    'sub=0 psub=0 ssub=0 multi=-?\\d+ qbuf=\\d+ qbuf-free=\\d+ argv-mem=\\d+ multi-mem=\\d+ rbs=\\d+ rbp=\\d+ obl=\\d+ oll=\\d+ ' +
    'omem=\\d+ tot-mem=\\d+ events=r cmd=\\S+ user=default redir=-1 resp=[23] lib-name=\\S* lib-ver=\\S*$',
);

/** Reads one CRLF-terminated line (an integer or status reply, or a bulk header). */
async function readLine(c: RawClient): Promise<string> {
  let line = '';
  while (!line.endsWith('\r\n')) {
    const next = await c.read(1);
    if (next === '') break;
    line += next;
  }
  return line;
}

/** Reads one bulk string reply and returns its content. */
async function readBulk(c: RawClient): Promise<string> {
  const header = await readLine(c);
  const body = await c.read(Number(header.slice(1, -2)) + 2);
  return body.slice(0, -2);
}

describe('CLIENT', () => {
  let server: Server;
  let r: Redis;
  let raw: RawClient;

  before(async () => {
    server = await startTestServer();
    r = connect(server, { protocol: 2 });
    raw = await RawClient.connect(server);
  });

  after(async () => {
    r.disconnect();
    raw.close();
    await server.shutdown();
  });

  it('CLIENT ID is the connection id', async () => {
    const id = (await r.call('client', 'id')) as number;
    expect(server.clients.has(id)).to.equal(true);
  });

  it('CLIENT SETNAME and GETNAME', async () => {
    expect(await r.call('client', 'getname')).to.equal(null);
    expect(await r.call('client', 'setname', 'worker-1')).to.equal('OK');
    expect(await r.call('client', 'getname')).to.equal('worker-1');
    expect(await r.call('client', 'setname', '')).to.equal('OK');
    expect(await r.call('client', 'getname')).to.equal(null);
  });

  it('CLIENT SETNAME rejects spaces and special characters', async () => {
    await expectReply(raw, ['CLIENT', 'SETNAME', 'a b'], '-ERR Client names cannot contain spaces, newlines or special characters.\r\n');
    await expectReply(raw, ['CLIENT', 'SETNAME', '\xff'], '-ERR Client names cannot contain spaces, newlines or special characters.\r\n');
    await expectReply(raw, ['CLIENT', 'SETNAME'], "-ERR wrong number of arguments for 'client|setname' command\r\n");
  });

  it('CLIENT LIST shows every client in Redis 7 field order', async () => {
    await r.call('client', 'setname', 'lister');
    const text = (await r.call('client', 'list')) as string;
    const lines = text.split('\n');
    expect(lines.pop()).to.equal('');
    expect(lines).to.have.length(server.clients.size);
    for (const line of lines) expect(line).to.match(CLIENT_LINE);
    const mine = lines.find((line) => line.includes('name=lister'))!;
    expect(mine).to.contain(' cmd=client|list ');
    expect(mine).to.contain(' flags=N db=0 ');
    await r.call('client', 'setname', '');
  });

  it('CLIENT LIST TYPE and ID filters', async () => {
    const id = (await r.call('client', 'id')) as number;
    const byId = (await r.call('client', 'list', 'id', String(id), '99999')) as string;
    expect(byId.split('\n')).to.have.length(2);
    expect(byId).to.match(new RegExp(`^id=${id} `));
    expect(((await r.call('client', 'list', 'TYPE', 'normal')) as string).split('\n')).to.have.length(server.clients.size + 1);
    expect(await r.call('client', 'list', 'type', 'pubsub')).to.equal('');
    await expectReply(raw, ['CLIENT', 'LIST', 'TYPE', 'foo'], "-ERR Unknown client type 'foo'\r\n");
    await expectReply(raw, ['CLIENT', 'LIST', 'ID', 'a'], '-ERR Invalid client ID\r\n');
    await expectReply(raw, ['CLIENT', 'LIST', 'foo'], '-ERR syntax error\r\n');
  });

  it('CLIENT INFO describes the calling connection, as a verbatim string in RESP3', async () => {
    const info = (await r.call('client', 'info')) as string;
    expect(info).to.match(/\n$/);
    expect(info.slice(0, -1)).to.match(CLIENT_LINE);
    expect(info).to.contain(' cmd=client|info ');
    const resp3 = await RawClient.connect(server);
    await switchToResp3(resp3);
    resp3.command('CLIENT', 'INFO');
    expect(await resp3.read(1)).to.equal('=');
    const verbatim = (await readLine(resp3)) + (await readLine(resp3));
    expect(verbatim).to.match(/^\d+\r\ntxt:id=\d+ [^\r]*\n\r\n$/);
    resp3.close();
  });

  it('CLIENT SETINFO stores LIB-NAME and LIB-VER for CLIENT LIST', async () => {
    expect(await r.call('client', 'setinfo', 'lib-name', 'mylib')).to.equal('OK');
    expect(await r.call('client', 'setinfo', 'LIB-VER', '1.2.3')).to.equal('OK');
    expect(await r.call('client', 'info')).to.match(/ lib-name=mylib lib-ver=1\.2\.3\n$/);
    await expectReply(raw, ['CLIENT', 'SETINFO', 'foo', 'x'], "-ERR Unrecognized option 'foo'\r\n");
    await expectReply(raw, ['CLIENT', 'SETINFO', 'lib-name', 'a b'], '-ERR lib-name cannot contain spaces, newlines or special characters.\r\n');
  });

  it('CLIENT NO-EVICT and NO-TOUCH take ON or OFF', async () => {
    await expectReply(raw, ['CLIENT', 'NO-EVICT', 'on'], '+OK\r\n');
    await expectReply(raw, ['CLIENT', 'NO-TOUCH', 'ON'], '+OK\r\n');
    raw.command('CLIENT', 'INFO');
    expect(await readBulk(raw)).to.contain(' flags=eT ');
    await expectReply(raw, ['CLIENT', 'NO-EVICT', 'off'], '+OK\r\n');
    await expectReply(raw, ['CLIENT', 'NO-TOUCH', 'off'], '+OK\r\n');
    await expectReply(raw, ['CLIENT', 'NO-EVICT', 'foo'], '-ERR syntax error\r\n');
    await expectReply(raw, ['CLIENT', 'NO-TOUCH', 'foo'], '-ERR syntax error\r\n');
  });

  it('CLIENT REPLY OFF silences every reply until ON', async () => {
    const c = await RawClient.connect(server);
    c.command('CLIENT', 'REPLY', 'OFF');
    c.command('PING');
    c.command('ECHO', 'hidden');
    c.command('CLIENT', 'REPLY', 'ON');
    c.command('ECHO', 'shown');
    expect(await c.expect('+OK\r\n$5\r\nshown\r\n')).to.equal('+OK\r\n$5\r\nshown\r\n');
    c.close();
  });

  it('CLIENT REPLY OFF and SKIP silence replies too long for one write, and nothing before them', async () => {
    const c = await RawClient.connect(server);
    const element = 'e'.repeat(1000);
    c.command('DEL', 'silenced-list');
    c.command('RPUSH', 'silenced-list', ...Array.from({ length: 200 }, () => element));
    c.command('ECHO', 'before');
    c.command('CLIENT', 'REPLY', 'OFF');
    c.command('LRANGE', 'silenced-list', '0', '-1');
    c.command('ECHO', 'x'.repeat(40_000));
    c.command('CLIENT', 'REPLY', 'ON');
    c.command('CLIENT', 'REPLY', 'SKIP');
    c.command('LRANGE', 'silenced-list', '0', '-1');
    c.command('ECHO', 'after');
    const expected = ':0\r\n:200\r\n$6\r\nbefore\r\n+OK\r\n$5\r\nafter\r\n';
    expect(await c.expect(expected)).to.equal(expected);
    c.close();
  });

  it('CLIENT REPLY OFF also silences a blocking pop served later', async () => {
    const c = await RawClient.connect(server);
    c.command('CLIENT', 'REPLY', 'OFF');
    c.command('BLPOP', 'silenced-queue', '0');
    await until(() => server.blocking.blockedClients > 0);
    expect(await r.rpush('silenced-queue', 'x')).to.equal(1);
    c.command('CLIENT', 'REPLY', 'ON');
    c.command('LLEN', 'silenced-queue');
    expect(await c.expect('+OK\r\n:0\r\n')).to.equal('+OK\r\n:0\r\n');
    c.close();
  });

  it('CLIENT REPLY SKIP silences only the next command', async () => {
    const c = await RawClient.connect(server);
    c.command('CLIENT', 'REPLY', 'SKIP');
    c.command('ECHO', 'hidden');
    c.command('ECHO', 'shown');
    expect(await c.expect('$5\r\nshown\r\n')).to.equal('$5\r\nshown\r\n');
    await expectReply(c, ['CLIENT', 'REPLY', 'maybe'], '-ERR syntax error\r\n');
    c.close();
  });

  it('CLIENT KILL ADDR closes another connection and counts it', async () => {
    const victim = await RawClient.connect(server);
    const addr = `127.0.0.1:${victim.socket.localPort}`;
    expect(await r.call('client', 'kill', 'addr', addr)).to.equal(1);
    expect(await victim.waitClosed()).to.equal(true);
    expect(await r.call('client', 'kill', 'addr', addr)).to.equal(0);
  });

  it('CLIENT KILL old form, by address', async () => {
    const victim = await RawClient.connect(server);
    expect(await r.call('client', 'kill', `127.0.0.1:${victim.socket.localPort}`)).to.equal('OK');
    expect(await victim.waitClosed()).to.equal(true);
    await expectReply(raw, ['CLIENT', 'KILL', '1.2.3.4:5'], '-ERR No such client\r\n');
  });

  it('CLIENT KILL ID, and SKIPME no closes the caller after its reply', async () => {
    const victim = await RawClient.connect(server);
    victim.command('CLIENT', 'ID');
    const id = (await readLine(victim)).slice(1, -2);
    expect(await r.call('client', 'kill', 'id', id)).to.equal(1);
    expect(await victim.waitClosed()).to.equal(true);

    const self = await RawClient.connect(server);
    self.command('CLIENT', 'ID');
    const selfId = (await readLine(self)).slice(1, -2);
    await expectReply(self, ['CLIENT', 'KILL', 'ID', selfId], ':0\r\n');
    await expectReply(self, ['CLIENT', 'KILL', 'ID', selfId, 'SKIPME', 'no'], ':1\r\n');
    expect(await self.waitClosed()).to.equal(true);
  });

  it('CLIENT KILL filter errors', async () => {
    await expectReply(raw, ['CLIENT', 'KILL', 'ID', 'a'], '-ERR client-id should be greater than 0\r\n');
    await expectReply(raw, ['CLIENT', 'KILL', 'ID', '0'], '-ERR client-id should be greater than 0\r\n');
    await expectReply(raw, ['CLIENT', 'KILL', 'foo', 'bar'], '-ERR syntax error\r\n');
    await expectReply(raw, ['CLIENT', 'KILL', 'SKIPME', 'maybe'], '-ERR syntax error\r\n');
    await expectReply(raw, ['CLIENT', 'KILL', 'TYPE', 'foo'], "-ERR Unknown client type 'foo'\r\n");
    await expectReply(raw, ['CLIENT', 'KILL', 'USER', 'nobody'], "-ERR No such user 'nobody'\r\n");
    await expectReply(raw, ['CLIENT', 'KILL', 'ID', '99999', 'TYPE'], '-ERR syntax error\r\n');
    await expectReply(raw, ['CLIENT', 'KILL', 'ID', '99999'], ':0\r\n');
    await expectReply(raw, ['CLIENT', 'KILL'], "-ERR wrong number of arguments for 'client|kill' command\r\n");
  });

  it('CLIENT PAUSE WRITE holds writes, not reads, until CLIENT UNPAUSE', async () => {
    const writer = await RawClient.connect(server);
    const reader = await RawClient.connect(server);
    expect(await r.call('client', 'pause', '100000', 'WRITE')).to.equal('OK');
    writer.command('DEL', 'k');
    writer.command('PING');
    reader.command('PING');
    expect(await reader.read(7)).to.equal('+PONG\r\n');
    expect(await writer.read(1, 100)).to.equal('');
    expect(await r.call('client', 'unpause')).to.equal('OK');
    expect(await writer.read(11)).to.equal(':0\r\n+PONG\r\n');
    writer.close();
    reader.close();
  });

  it('CLIENT PAUSE WRITE holds a write even when queued inside MULTI', async () => {
    const c = await RawClient.connect(server);
    await expectReply(c, ['MULTI'], '+OK\r\n');
    expect(await r.call('client', 'pause', '100000', 'WRITE')).to.equal('OK');
    await expectReply(c, ['PING'], '+QUEUED\r\n');
    c.command('DEL', 'k');
    expect(await c.read(1, 100)).to.equal('');
    expect(await r.call('client', 'unpause')).to.equal('OK');
    expect(await c.expect('+QUEUED\r\n')).to.equal('+QUEUED\r\n');
    await expectReply(c, ['EXEC'], '*2\r\n+PONG\r\n:0\r\n');
    c.close();
  });

  it('CLIENT PAUSE ALL holds every command, the pausing client included', async () => {
    const c = await RawClient.connect(server);
    await expectReply(c, ['CLIENT', 'PAUSE', '100000', 'ALL'], '+OK\r\n');
    c.command('PING');
    raw.command('PING');
    expect(await c.read(1, 100)).to.equal('');
    expect(await raw.read(1, 1)).to.equal('');
    server.unpauseClients();
    expect(await c.read(7)).to.equal('+PONG\r\n');
    expect(await raw.read(7)).to.equal('+PONG\r\n');
    c.close();
  });

  it('CLIENT PAUSE ends by itself after its timeout', async () => {
    const c = await RawClient.connect(server);
    await expectReply(c, ['CLIENT', 'PAUSE', '50'], '+OK\r\n');
    c.command('PING');
    expect(await c.read(7)).to.equal('+PONG\r\n');
    c.close();
  });

  it('CLIENT PAUSE errors', async () => {
    await expectReply(raw, ['CLIENT', 'PAUSE', 'a'], '-ERR timeout is not an integer or out of range\r\n');
    await expectReply(raw, ['CLIENT', 'PAUSE', '-1'], '-ERR timeout is negative\r\n');
    await expectReply(raw, ['CLIENT', 'PAUSE', '10', 'foo'], '-ERR CLIENT PAUSE mode must be WRITE or ALL\r\n');
    await expectReply(raw, ['CLIENT', 'PAUSE'], "-ERR wrong number of arguments for 'client|pause' command\r\n");
  });

  it('CLIENT HELP, unknown subcommands and arity', async () => {
    const help = (await r.call('client', 'help')) as string[];
    expect(help[0]).to.equal('CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
    expect(help).to.include('PAUSE <timeout> [WRITE|ALL]');
    expect(help.slice(-2)).to.deep.equal(['HELP', '    Prints this help.']);
    await expectReply(raw, ['CLIENT', 'foo'], "-ERR unknown subcommand 'foo'. Try CLIENT HELP.\r\n");
    await expectReply(raw, ['CLIENT'], "-ERR wrong number of arguments for 'client' command\r\n");
  });
});
