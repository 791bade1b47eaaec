import { expect } from 'chai';
import pino from 'pino';
import { commands } from '../commands/index.js';
import { blockingTimeoutArg } from '../commands/arguments.js';
import { keyModified } from '../commands/access.js';
import type { CommandSpec } from '../src/command.js';
import { loadConfig } from '../src/config.js';
import { Server } from '../src/server.js';
import { isString } from '../src/keyspace/values.js';
import { collectionStub, expectBytes, RawClients, switchToResp3, until } from './helpers.js';

/**
 * The blocking engine knows no data type, so it is tested with two commands of its own:
 * BTAKE waits for one of its keys to hold a list and takes (deletes) it, PUTLIST stores one.
 */
const engineCommands: CommandSpec[] = [
  {
    name: 'btake', arity: -3, flags: ['write', 'blocking'], keys: [1, -2, 1], group: 'list', since: '0.0.0', summary: 'Test: takes the first key holding a list, waiting for one.',
    handler: (client, argv) => {
      const keys = argv.slice(1, -1);
      const timeout = blockingTimeoutArg(argv[argv.length - 1]);
      for (const key of keys) {
        const value = client.db.lookup(key);
        if (value !== undefined && !isString(value) && value.type === 'list') {
          client.db.delete(key);
          keyModified(client, client.db, key, 'del');
          client.reply.bulk(key);
          return;
        }
      }
      if (client.multi !== null) client.reply.nullArray();
      else client.server.blocking.block(client, argv, keys, 'list', timeout);
    },
  },
  {
    name: 'putlist', arity: 2, flags: ['write'], keys: [1, 1, 1], group: 'list', since: '0.0.0', summary: 'Test: stores a list.',
    handler: (client, argv) => {
      client.db.set(argv[1], collectionStub('list'));
      keyModified(client, client.db, argv[1], 'lpush');
      client.reply.ok();
    },
  },
];

describe('blocking engine', () => {
  let server: Server;
  const raws = new RawClients(() => server);
  const open = (resp3 = false) => raws.open(resp3);

  before(async () => {
    server = new Server(loadConfig(['--port', '0']), pino({ level: 'silent' }), [...commands, ...engineCommands]);
    await server.listen();
  });

  afterEach(() => {
    raws.closeAll();
    for (const db of server.databases) db.flush();
  });

  after(async () => {
    await server.shutdown();
  });

  it('clients blocked on one key are served first come, first served', async () => {
    const [first, second, writer] = [await open(), await open(), await open()];
    first.send('BTAKE k 0\r\n');
    await until(() => server.blocking.blockedClients === 1);
    second.send('BTAKE k 0\r\n');
    await until(() => server.blocking.blockedClients === 2);
    writer.send('PUTLIST k\r\n');
    await expectBytes(writer, '+OK\r\n');
    await expectBytes(first, '$1\r\nk\r\n');
    expect(server.blocking.blockedClients).to.equal(1);
    writer.send('PUTLIST k\r\n');
    await expectBytes(writer, '+OK\r\n');
    await expectBytes(second, '$1\r\nk\r\n');
    expect(server.blocking.blockedClients).to.equal(0);
  });

  it('a client blocked on several keys is served by whichever gets a value', async () => {
    const [waiter, writer] = [await open(), await open()];
    waiter.send('BTAKE a b c 0\r\n');
    await until(() => server.blocking.blockedClients === 1);
    writer.send('PUTLIST c\r\n');
    await expectBytes(waiter, '$1\r\nc\r\n');
  });

  it('a timeout answers the null array in RESP2 and null in RESP3', async () => {
    const raw = await open();
    raw.send('BTAKE k 0.05\r\n');
    await expectBytes(raw, '*-1\r\n');
    await switchToResp3(raw);
    raw.send('BTAKE k 0.05\r\n');
    await expectBytes(raw, '_\r\n');
  });

  it('requests pipelined behind a blocking command run once it is served', async () => {
    const [waiter, writer] = [await open(), await open()];
    waiter.send('BTAKE k 0\r\nPING\r\n');
    await until(() => server.blocking.blockedClients === 1);
    writer.send('PUTLIST k\r\n');
    await expectBytes(waiter, '$1\r\nk\r\n+PONG\r\n');
  });

  it('a push inside MULTI wakes waiters only when EXEC completes', async () => {
    const [waiter, writer] = [await open(), await open()];
    waiter.send('BTAKE k 0\r\n');
    await until(() => server.blocking.blockedClients === 1);
    writer.send('MULTI\r\nPUTLIST k\r\n');
    await expectBytes(writer, '+OK\r\n+QUEUED\r\n');
    expect(server.blocking.blockedClients).to.equal(1);
    writer.send('EXEC\r\n');
    await expectBytes(writer, '*1\r\n+OK\r\n');
    await expectBytes(waiter, '$1\r\nk\r\n');
  });

  it('inside MULTI a blocking command does not block', async () => {
    const raw = await open();
    raw.send('MULTI\r\nBTAKE k 0\r\nEXEC\r\n');
    await expectBytes(raw, '+OK\r\n+QUEUED\r\n*1\r\n*-1\r\n');
    expect(server.blocking.blockedClients).to.equal(0);
  });

  it('a key of another type serves nobody; the waiter keeps waiting', async () => {
    const [waiter, writer] = [await open(), await open()];
    waiter.send('BTAKE k 0\r\n');
    await until(() => server.blocking.blockedClients === 1);
    writer.send('SET k v\r\n');
    await expectBytes(writer, '+OK\r\n');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(server.blocking.blockedClients).to.equal(1);
    writer.send('DEL k\r\nPUTLIST k\r\n');
    await expectBytes(writer, ':1\r\n+OK\r\n');
    await expectBytes(waiter, '$1\r\nk\r\n');
  });

  it('a blocked client that disconnects is forgotten', async () => {
    const [waiter, writer] = [await open(), await open()];
    waiter.send('BTAKE k 0\r\n');
    await until(() => server.blocking.blockedClients === 1);
    waiter.close();
    await until(() => server.blocking.blockedClients === 0);
    writer.send('PUTLIST k\r\nEXISTS k\r\n');
    await expectBytes(writer, '+OK\r\n:1\r\n');
  });

  it('CLIENT UNBLOCK ends a wait with a timeout or an UNBLOCKED error', async () => {
    const [waiter, admin] = [await open(), await open()];
    waiter.send('CLIENT ID\r\n');
    const id = Number((await waiter.read(100, 50)).slice(1, -2));
    waiter.send('BTAKE k 0\r\n');
    await until(() => server.blocking.blockedClients === 1);
    admin.send(`CLIENT UNBLOCK ${id}\r\n`);
    await expectBytes(admin, ':1\r\n');
    await expectBytes(waiter, '*-1\r\n');
    waiter.send('BTAKE k 0\r\n');
    await until(() => server.blocking.blockedClients === 1);
    admin.send(`CLIENT UNBLOCK ${id} ERROR\r\n`);
    await expectBytes(admin, ':1\r\n');
    await expectBytes(waiter, '-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n');
    admin.send(`CLIENT UNBLOCK ${id}\r\nCLIENT UNBLOCK ${id} maybe\r\nCLIENT UNBLOCK abc\r\n`);
    await expectBytes(admin, ':0\r\n-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\r\n-ERR value is not an integer or out of range\r\n');
  });

  it('INFO counts blocked clients and CLIENT LIST flags them', async () => {
    const [waiter, admin] = [await open(), await open()];
    waiter.send('BTAKE k 0\r\n');
    await until(() => server.blocking.blockedClients === 1);
    admin.send('INFO clients\r\n');
    expect(await admin.read(1000, 100)).to.contain('blocked_clients:1\r\n');
    admin.send('CLIENT LIST\r\n');
    expect(await admin.read(2000, 100)).to.match(/flags=b /);
  });

  it('timeouts: decimals accepted; negative and non-numeric ones are errors', () => {
    expect(blockingTimeoutArg('0')).to.equal(0);
    expect(blockingTimeoutArg('0.5')).to.equal(500);
    expect(blockingTimeoutArg('1e1')).to.equal(10000);
    // Rounded up as Redis 7.0 does: a tiny wait is 1 ms, a tiny negative one is 0 (forever).
    expect(blockingTimeoutArg('0.0001')).to.equal(1);
    expect(blockingTimeoutArg('0.0015')).to.equal(2);
    expect(blockingTimeoutArg('-0.0001')).to.equal(0);
    expect(blockingTimeoutArg('9e15')).to.equal(9e18);
    for (const outOfRange of ['1e17', '1e400', '-inf']) {
      expect(() => blockingTimeoutArg(outOfRange)).to.throw().with.property('message', 'ERR timeout is negative');
    }
    expect(() => blockingTimeoutArg('-1')).to.throw().with.property('message', 'ERR timeout is negative');
    expect(() => blockingTimeoutArg('inf')).to.throw().with.property('message', 'ERR timeout is negative');
    expect(() => blockingTimeoutArg('abc')).to.throw().with.property('message', 'ERR timeout is not a float or out of range');
  });
});
