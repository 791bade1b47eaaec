import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { commandTableMarkdown, README, withGeneratedTables } from '../bin/readme-tables.js';
import { commands } from '../commands/index.js';
import { CommandTable, type Command } from '../src/command.js';
import type { Redis } from 'ioredis';
import { connect, expectReply, RawClient, startTestServer, switchToResp3 } from './helpers.js';
import type { Server } from '../src/index.js';

interface ReferenceCommand {
  arity: number;
  flags: string[];
  keyStart: number;
  keyStop: number;
  step: number;
  subcommands?: Record<string, ReferenceCommand>;
}

const reference = createRequire(import.meta.url)('@ioredis/commands/built/commands.json') as Record<string, ReferenceCommand>;

function referenceFor(command: Command): ReferenceCommand | undefined {
  if (command.parent === null) return reference[command.name];
  return reference[command.parent.name]?.subcommands?.[command.name];
}

describe('command table', () => {
  const table = new CommandTable(commands);

  it('README command and config tables equal the generated ones (run `npm run readme:tables`)', () => {
    const readme = readFileSync(README, 'utf8');
    expect(withGeneratedTables(readme)).to.equal(readme);
  });

  it('every command and subcommand matches Redis arity, key positions and flags', () => {
    const mismatches: string[] = [];
    for (const command of table.all()) {
      // nodis's own commands (the broker's MQ.*) are declared in group module, as a module's would be.
      if (command.spec.group === 'module') continue;
      const expected = referenceFor(command);
      if (expected === undefined) {
        mismatches.push(`${command.fullName}: not a Redis command`);
        continue;
      }
      const ours = {
        arity: command.arity,
        keys: [command.firstKey, command.lastKey, command.keyStep],
        flags: [...command.spec.flags].sort(),
      };
      const theirs = {
        arity: expected.arity,
        keys: [expected.keyStart, expected.keyStop, expected.step],
        flags: [...expected.flags].sort(),
      };
      if (JSON.stringify(ours) !== JSON.stringify(theirs)) {
        mismatches.push(`${command.fullName}: ours ${JSON.stringify(ours)}, Redis ${JSON.stringify(theirs)}`);
      }
    }
    expect(mismatches).to.deep.equal([]);
  });

  it('the generated table lists every subcommand under its container', () => {
    const markdown = commandTableMarkdown(table);
    expect(markdown).to.contain('| `CONFIG GET` | -3 |');
    expect(markdown).to.contain('### Server');
  });
});

describe('COMMAND', () => {
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

  it('COMMAND COUNT and COMMAND list every top-level command', async () => {
    const count = (await r.call('command', 'count')) as number;
    expect(count).to.equal(server.table.commands.length);
    expect((await r.call('command')) as unknown[]).to.have.length(count);
  });

  it('COMMAND INFO has the Redis 7 shape', async () => {
    await expectReply(raw, ['COMMAND', 'INFO', 'ping'],
      '*1\r\n*10\r\n$4\r\nping\r\n:-1\r\n*1\r\n+fast\r\n:0\r\n:0\r\n:0\r\n*2\r\n+@fast\r\n+@connection\r\n*0\r\n*0\r\n*0\r\n');
    await expectReply(raw, ['COMMAND', 'INFO', 'config|get', 'nosuch'],
      '*2\r\n*10\r\n$10\r\nconfig|get\r\n:-3\r\n*4\r\n+admin\r\n+noscript\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n' +
      '*3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n*0\r\n*0\r\n*0\r\n*-1\r\n');
  });

  it('COMMAND INFO derives key specs from the key positions', async () => {
    const [info] = (await r.call('command', 'info', 'del')) as unknown[][];
    expect(info.slice(0, 7)).to.deep.equal(['del', -2, ['write'], 1, -1, 1, ['@keyspace', '@write', '@slow']]);
    expect(info[8]).to.deep.equal([[
      'flags', ['RW', 'update'],
      'begin_search', ['type', 'index', 'spec', ['index', 1]],
      'find_keys', ['type', 'range', 'spec', ['lastkey', -1, 'keystep', 1, 'limit', 0]],
    ]]);
  });

  it('COMMAND INFO of a container lists its subcommands', async () => {
    const [info] = (await r.call('command', 'info', 'config')) as unknown[][];
    expect(info.slice(0, 7)).to.deep.equal(['config', -2, [], 0, 0, 0, ['@slow']]);
    expect((info[9] as unknown[][]).map((sub) => sub[0])).to.include('config|set');
  });

  it('COMMAND DOCS is a map, with subcommands', async () => {
    expect(await r.call('command', 'docs', 'ping')).to.deep.equal([
      'ping', ['summary', "Returns the server's liveliness response.", 'since', '1.0.0', 'group', 'connection', 'complexity', 'O(1)'],
    ]);
    const docs = (await r.call('command', 'docs', 'client')) as unknown[];
    const client = docs[1] as unknown[];
    expect(client[client.length - 2]).to.equal('subcommands');
    expect(client[client.length - 1]).to.include('client|kill');
    expect(await r.call('command', 'docs', 'nosuch')).to.deep.equal([]);
    const resp3 = await RawClient.connect(server);
    await switchToResp3(resp3);
    await expectReply(resp3, ['COMMAND', 'DOCS', 'nosuch'], '%0\r\n');
    await expectReply(resp3, ['COMMAND', 'DOCS', 'echo'], '%1\r\n$4\r\necho\r\n%4\r\n$7\r\nsummary\r\n');
    resp3.close();
  });

  it('COMMAND LIST, with FILTERBY', async () => {
    const all = (await r.call('command', 'list')) as string[];
    expect(all).to.include('ping').and.to.include('client|list');
    expect(await r.call('command', 'list', 'filterby', 'pattern', 'client|k*')).to.deep.equal(['client|kill']);
    expect(await r.call('command', 'list', 'FILTERBY', 'MODULE', 'x')).to.deep.equal([]);
    const connection = (await r.call('command', 'list', 'filterby', 'aclcat', 'connection')) as string[];
    expect(connection).to.include('ping').and.not.to.include('dbsize');
    await expectReply(raw, ['COMMAND', 'LIST', 'FILTERBY', 'foo', 'x'], '-ERR syntax error\r\n');
    await expectReply(raw, ['COMMAND', 'LIST', 'FILTERBY'], '-ERR syntax error\r\n');
  });

  it('COMMAND GETKEYS and GETKEYSANDFLAGS', async () => {
    expect(await r.call('command', 'getkeys', 'del', 'a', 'b')).to.deep.equal(['a', 'b']);
    expect(await r.call('command', 'getkeysandflags', 'del', 'a')).to.deep.equal([['a', ['RW', 'update']]]);
    await expectReply(raw, ['COMMAND', 'GETKEYS', 'foo', 'bar'], '-ERR Invalid command specified\r\n');
    await expectReply(raw, ['COMMAND', 'GETKEYS', 'config', 'foo'], '-ERR Invalid command specified\r\n');
    await expectReply(raw, ['COMMAND', 'GETKEYS', 'ping', 'x'], '-ERR The command has no key arguments\r\n');
    await expectReply(raw, ['COMMAND', 'GETKEYS', 'type', 'a', 'b'], '-ERR Invalid number of arguments specified for command\r\n');
    await expectReply(raw, ['COMMAND', 'GETKEYS', 'del'], '-ERR Invalid number of arguments specified for command\r\n');
    await expectReply(raw, ['COMMAND', 'GETKEYS'], "-ERR wrong number of arguments for 'command|getkeys' command\r\n");
  });

  it('COMMAND GETKEYS finds the keys a numkeys argument counts (movablekeys commands)', async () => {
    expect(await r.call('command', 'getkeys', 'zunionstore', 'd', '2', 'a', 'b')).to.deep.equal(['d', 'a', 'b']);
    expect(await r.call('command', 'getkeys', 'zunion', '2', 'a', 'b', 'WEIGHTS', '1', '2')).to.deep.equal(['a', 'b']);
    expect(await r.call('command', 'getkeys', 'zmpop', '2', 'a', 'b', 'MIN')).to.deep.equal(['a', 'b']);
    expect(await r.call('command', 'getkeys', 'zintercard', '1', 'a', 'x', 'y')).to.deep.equal(['a']);
    for (const args of [['zunion', '0', 'a'], ['zunion', '5', 'a'], ['zunion', 'x', 'a'], ['zunionstore', 'd', '3', 'a', 'b'], ['zunion', '-1', 'a']]) {
      await expectReply(raw, ['COMMAND', 'GETKEYS', ...args], '-ERR Invalid arguments specified for command\r\n');
    }
  });

  it('COMMAND HELP and unknown subcommands', async () => {
    const help = (await r.call('command', 'help')) as string[];
    expect(help[0]).to.equal('COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
    expect(help).to.include('GETKEYS <full-command>');
    await expectReply(raw, ['COMMAND', 'foo'], "-ERR unknown subcommand 'foo'. Try COMMAND HELP.\r\n");
  });
});
