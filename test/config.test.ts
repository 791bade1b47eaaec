import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { connect, expectReply, RawClient, startTestServer, switchToResp3 } from './helpers.js';
import pino from 'pino';
import { startServer, type Server } from '../src/index.js';

const setFailed = (name: string, why: string) => `-ERR CONFIG SET failed (possibly related to argument '${name}') - ${why}\r\n`;

/** Runs `body` against a server started from a config file holding `content`; returns the file afterwards. */
async function withConfigFile(content: string, body: (client: Redis) => Promise<void>): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'nodis-config-'));
  const file = join(dir, 'nodis.conf');
  writeFileSync(file, content);
  const server = await startServer([file, '--port', '0', '--save', ''], pino({ level: 'silent' }));
  const client = connect(server, { protocol: 2 });
  try {
    await body(client);
    return readFileSync(file, 'utf8');
  } finally {
    client.disconnect();
    await server.shutdown();
    rmSync(dir, { recursive: true });
  }
}

describe('CONFIG', () => {
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

  it('CONFIG GET one parameter, a glob, several patterns', async () => {
    await expectReply(raw, ['CONFIG', 'GET', 'maxclients'], '*2\r\n$10\r\nmaxclients\r\n$5\r\n10000\r\n');
    expect(await r.config('GET', 'MAXCLIENTS')).to.deep.equal(['maxclients', '10000']);
    expect(await r.call('config', 'get', 'maxc*', 'hz', 'hz')).to.deep.equal(['maxclients', '10000', 'hz', '10']);
    const all = (await r.config('GET', '*')) as string[];
    expect(all).to.include('save').and.to.include('appendonly').and.to.include('databases');
    expect(await r.config('GET', 'nosuch*')).to.deep.equal([]);
  });

  it('CONFIG GET answers what clients ask at connect', async () => {
    expect(await r.config('GET', 'save')).to.deep.equal(['save', '']);
    expect(await r.config('GET', 'appendonly')).to.deep.equal(['appendonly', 'no']);
  });

  it('CONFIG GET replies a map in RESP3', async () => {
    const c = await RawClient.connect(server);
    await switchToResp3(c);
    await expectReply(c, ['CONFIG', 'GET', 'hz'], '%1\r\n$2\r\nhz\r\n$2\r\n10\r\n');
    c.close();
  });

  it('CONFIG SET changes several parameters at once', async () => {
    expect(await r.call('config', 'set', 'maxclients', '500', 'timeout', '30')).to.equal('OK');
    expect(server.config.get('maxclients')).to.equal(500);
    expect(server.config.get('timeout')).to.equal(30);
    await r.call('config', 'set', 'maxclients', '10000', 'timeout', '0');
  });

  it('CONFIG SET is atomic: one bad value changes nothing', async () => {
    await expectReply(raw, ['CONFIG', 'SET', 'timeout', '5', 'maxclients', 'abc'], setFailed('maxclients', "argument couldn't be parsed into an integer"));
    expect(server.config.get('timeout')).to.equal(0);
  });

  it('CONFIG SET errors', async () => {
    await expectReply(raw, ['CONFIG', 'SET', 'foo', '1'], "-ERR Unknown option or number of arguments for CONFIG SET - 'foo'\r\n");
    await expectReply(raw, ['CONFIG', 'SET', 'maxclients', '10', 'maxclients', '20'], setFailed('maxclients', 'duplicate parameter'));
    await expectReply(raw, ['CONFIG', 'SET', 'databases', '3'], setFailed('databases', "can't set immutable config"));
    await expectReply(raw, ['CONFIG', 'SET', 'appendfilename', 'x.aof'], setFailed('appendfilename', "can't set immutable config"));
    await expectReply(raw, ['CONFIG', 'SET', 'protected-mode', 'maybe'], setFailed('protected-mode', "argument must be 'yes' or 'no'"));
    await expectReply(raw, ['CONFIG', 'SET', 'proto-max-bulk-len', 'abc'], setFailed('proto-max-bulk-len', 'argument must be a memory value'));
    await expectReply(raw, ['CONFIG', 'SET', 'save', 'abc'], setFailed('save', 'Invalid save parameters'));
    await expectReply(raw, ['CONFIG', 'SET', 'maxclients', '1', 'foo'], '-ERR syntax error\r\n');
    await expectReply(raw, ['CONFIG', 'SET', 'maxclients'], "-ERR wrong number of arguments for 'config|set' command\r\n");
    await expectReply(raw, ['CONFIG', 'GET'], "-ERR wrong number of arguments for 'config|get' command\r\n");
  });

  it('CONFIG SET hz is clamped to 500 and reschedules the cron', async () => {
    expect(await r.call('config', 'set', 'hz', '1000')).to.equal('OK');
    expect(await r.config('GET', 'hz')).to.deep.equal(['hz', '500']);
    await expectReply(raw, ['CONFIG', 'SET', 'hz', '-1'], setFailed('hz', 'argument must be between 0 and 2147483647 inclusive'));
    await r.call('config', 'set', 'hz', '10');
  });

  it('CONFIG SET loglevel changes the logger level', async () => {
    expect(await r.call('config', 'set', 'loglevel', 'warning')).to.equal('OK');
    expect(server.log.level).to.equal('warn');
    await r.call('config', 'set', 'loglevel', 'notice');
  });

  it('CONFIG RESETSTAT zeroes the statistics', async () => {
    await r.ping();
    await r.call('nosuchcommand').catch(() => undefined);
    expect(await r.call('config', 'resetstat')).to.equal('OK');
    // Only CONFIG RESETSTAT itself, counted once it has run, as in Redis.
    expect(server.stats.commandsProcessed).to.equal(1);
    expect(server.writer.errorReplies).to.equal(0);
    expect(server.table.get('ping')!.stats.calls).to.equal(0);
  });

  it('CONFIG REWRITE without a config file', async () => {
    await expectReply(raw, ['CONFIG', 'REWRITE'], '-ERR The server is running without a config file\r\n');
  });

  it('CONFIG REWRITE keeps comments, rewrites known lines, appends changed settings', async () => {
    const written = await withConfigFile('# my settings\nmaxclients 100\n\ntimeout 5\ntimeout 6\n', async (c) => {
      await c.call('config', 'set', 'maxclients', '200', 'requirepass', 'a secret', 'proto-max-bulk-len', '2mb');
      expect(await c.call('config', 'rewrite')).to.equal('OK');
    });
    expect(written).to.equal(
      '# my settings\nmaxclients 200\n\ntimeout 6\n\n' +
        '# Generated by CONFIG REWRITE\nport 0\nrequirepass "a secret"\nsave ""\nproto-max-bulk-len 2mb\n',
    );
  });

  it('CONFIG REWRITE appends below an existing signature', async () => {
    const written = await withConfigFile('# Generated by CONFIG REWRITE\nhz 20\n', async (c) => {
      await c.call('config', 'set', 'timeout', '7');
      expect(await c.call('config', 'rewrite')).to.equal('OK');
    });
    expect(written).to.equal('# Generated by CONFIG REWRITE\nhz 20\nport 0\ntimeout 7\nsave ""\n');
  });

  it('CONFIG HELP and unknown subcommands', async () => {
    const help = (await r.call('config', 'help')) as string[];
    expect(help).to.deep.equal([
      'CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
      'GET <pattern>',
      '    Return parameters matching the glob-like <pattern> and their values.',
      'SET <directive> <value>',
      '    Set the configuration <directive> to <value>.',
      'RESETSTAT',
      '    Reset statistics reported by the INFO command.',
      'REWRITE',
      '    Rewrite the configuration file.',
      'HELP',
      '    Prints this help.',
    ]);
    await expectReply(raw, ['CONFIG', 'foo'], "-ERR unknown subcommand 'foo'. Try CONFIG HELP.\r\n");
  });
});
