import { expect } from 'chai';
import { isLoopback, type Server } from '../src/server.js';
import { RawClient, startTestServer } from './helpers.js';

describe('connection admission', () => {
  let server: Server;

  afterEach(async () => {
    await server.shutdown();
  });

  it('a connection beyond maxclients gets Redis error and is closed; the others keep working', async () => {
    server = await startTestServer(['--maxclients', '2']);
    const first = await RawClient.connect(server);
    const second = await RawClient.connect(server);
    first.send('PING\r\n');
    expect(await first.expect('+PONG\r\n')).to.equal('+PONG\r\n');
    const third = await RawClient.connect(server);
    expect(await third.read(36)).to.equal('-ERR max number of clients reached\r\n');
    expect(await third.waitClosed()).to.equal(true);
    second.send('PING\r\n');
    expect(await second.expect('+PONG\r\n')).to.equal('+PONG\r\n');
    expect(server.stats.rejectedConnections).to.equal(1);
    first.close();
    second.close();
  });

  it('a client idle longer than timeout is disconnected', async () => {
    server = await startTestServer(['--timeout', '1', '--hz', '100']);
    const idle = await RawClient.connect(server);
    expect(await idle.waitClosed(3000)).to.equal(true);
  });

  it('protected mode admits loopback clients only, as Redis', async () => {
    server = await startTestServer(['--protected-mode', 'yes']);
    const local = await RawClient.connect(server);
    local.send('PING\r\n');
    expect(await local.expect('+PONG\r\n')).to.equal('+PONG\r\n');
    local.close();
    expect(isLoopback('127.0.0.1')).to.equal(true);
    expect(isLoopback('127.8.9.10')).to.equal(true);
    expect(isLoopback('::1')).to.equal(true);
    expect(isLoopback('::ffff:127.0.0.1')).to.equal(true);
    expect(isLoopback('10.0.0.1')).to.equal(false);
    expect(isLoopback('::ffff:192.168.1.2')).to.equal(false);
    expect(isLoopback('fe80::1')).to.equal(false);
    expect(isLoopback(undefined)).to.equal(false);
  });
});

describe('client-query-buffer-limit', () => {
  let server: Server;

  before(async () => {
    server = await startTestServer(['--client-query-buffer-limit', '1mb']);
  });

  after(async () => {
    await server.shutdown();
  });

  it('a request growing beyond the limit closes that connection without a reply', async () => {
    const other = await RawClient.connect(server);
    const greedy = await RawClient.connect(server);
    // Many small arguments: each is parsed, so only the running total can stop it.
    greedy.send(`*1000000\r\n${'$5\r\nabcde\r\n'.repeat(200_000)}`);
    expect(await greedy.waitClosed()).to.equal(true);
    expect(await greedy.read(1, 100)).to.equal('');
    other.send('PING\r\n');
    expect(await other.expect('+PONG\r\n')).to.equal('+PONG\r\n');
    other.close();
  });

  it('a request within the limit is served', async () => {
    const raw = await RawClient.connect(server);
    const value = 'v'.repeat(900_000);
    raw.command('ECHO', value);
    const expected = `$${value.length}\r\n${value}\r\n`;
    expect(await raw.expect(expected)).to.equal(expected);
    raw.close();
  });
});
