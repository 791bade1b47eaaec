import { expect } from 'chai';
import pino from 'pino';
import { commands } from '../commands/index.js';
import type { CommandSpec } from '../src/command.js';
import { loadConfig } from '../src/config.js';
import { Server } from '../src/server.js';
import { RawClient } from './helpers.js';

/** Commands that fail the way a bug would, to see the dispatcher contain them. */
const faulty: CommandSpec[] = [
  {
    name: 'crash', arity: 1, flags: [], group: 'server', since: '0.0.0', summary: 'Throws a TypeError.',
    handler: () => {
      throw new TypeError('boom');
    },
  },
  {
    name: 'halfreply', arity: 1, flags: [], group: 'server', since: '0.0.0', summary: 'Starts an array, then throws.',
    handler: (client) => {
      client.reply.arrayHeader(3);
      client.reply.bulk('partial');
      throw new RangeError('midway');
    },
  },
];

describe('dispatcher', () => {
  let server: Server;

  before(async () => {
    server = new Server(loadConfig(['--port', '0']), pino({ level: 'silent' }), [...commands, ...faulty]);
    await server.listen();
  });

  after(async () => {
    await server.shutdown();
  });

  it('a handler that throws unexpectedly answers -ERR and the connection stays up', async () => {
    const raw = await RawClient.connect(server);
    raw.send('CRASH\r\nPING\r\n');
    const expected = "-ERR internal error while running 'crash'\r\n+PONG\r\n";
    expect(await raw.expect(expected)).to.equal(expected);
    raw.close();
  });

  it('a reply half-written when the handler throws is rolled back to one error', async () => {
    const raw = await RawClient.connect(server);
    raw.send('HALFREPLY\r\nPING\r\n');
    const expected = "-ERR internal error while running 'halfreply'\r\n+PONG\r\n";
    expect(await raw.expect(expected)).to.equal(expected);
    expect(server.table.get('halfreply')!.stats.failedCalls).to.equal(1);
    raw.close();
  });

  it('command names are case-insensitive', async () => {
    const raw = await RawClient.connect(server);
    raw.send('pInG\r\nping\r\nPING\r\n');
    expect(await raw.expect('+PONG\r\n+PONG\r\n+PONG\r\n')).to.equal('+PONG\r\n+PONG\r\n+PONG\r\n');
    raw.close();
  });
});
