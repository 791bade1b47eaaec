import type { Client } from '../src/client.js';
import type { Command, CommandGroup, CommandSpec } from '../src/command.js';
import { Err, fail } from '../src/errors.js';
import { globMatch } from '../src/glob.js';
import { isOption } from './arguments.js';
import { replyHelp } from './help.js';

/** ACL categories in the order Redis prints them (ACLCommandCategories in acl.c). */
const ACL_CATEGORIES = [
  'keyspace', 'read', 'write', 'set', 'sortedset', 'list', 'hash', 'string', 'bitmap', 'hyperloglog', 'geo',
  'stream', 'pubsub', 'admin', 'fast', 'slow', 'blocking', 'dangerous', 'connection', 'transaction', 'scripting',
] as const;

/** The category each command group implies, as the `acl_categories` of Redis's command JSON files. */
const GROUP_CATEGORY: Partial<Record<CommandGroup, string>> = {
  generic: 'keyspace', string: 'string', list: 'list', set: 'set', sorted_set: 'sortedset', hash: 'hash',
  pubsub: 'pubsub', transactions: 'transaction', connection: 'connection', scripting: 'scripting',
  hyperloglog: 'hyperloglog', geo: 'geo', stream: 'stream', bitmap: 'bitmap',
};

/**
 * A command's ACL categories, derived as Redis's setImplicitACLCategories does from the flags,
 * plus the one its group implies. Containers have only @slow, as in Redis.
 */
export function aclCategories(command: Command): string[] {
  const flags = command.spec.flags;
  const found = new Set<string>();
  if (command.subcommands === null) {
    const group = GROUP_CATEGORY[command.spec.group];
    if (group !== undefined) found.add(group);
  }
  if (flags.includes('write')) found.add('write');
  else if (flags.includes('readonly') && command.spec.group !== 'scripting') found.add('read');
  if (flags.includes('admin')) found.add('admin').add('dangerous');
  if (flags.includes('pubsub')) found.add('pubsub');
  if (flags.includes('fast')) found.add('fast');
  if (flags.includes('blocking')) found.add('blocking');
  if (!found.has('fast')) found.add('slow');
  return ACL_CATEGORIES.filter((category) => found.has(category));
}

/** Key-spec flags approximated from the command flags: writes update, reads access. */
function keySpecFlags(command: Command): string[] {
  return command.isWrite ? ['RW', 'update'] : ['RO', 'access'];
}

function replyCommandInfo(client: Client, command: Command): void {
  const reply = client.reply;
  const spec = command.spec;
  reply.arrayHeader(10);
  reply.bulk(command.fullName);
  reply.integer(spec.arity);
  reply.setHeader(spec.flags.length);
  for (const flag of spec.flags) reply.simple(flag);
  reply.integer(command.firstKey);
  reply.integer(command.lastKey);
  reply.integer(command.keyStep);
  const categories = aclCategories(command);
  reply.setHeader(categories.length);
  for (const category of categories) reply.simple('@' + category);
  reply.setHeader(0);
  if (command.firstKey === 0) {
    reply.arrayHeader(0);
  } else {
    // One begin_search index / find_keys range spec, as Redis derives from legacy positions.
    reply.arrayHeader(1);
    reply.mapHeader(3);
    reply.bulk('flags');
    const flags = keySpecFlags(command);
    reply.setHeader(flags.length);
    for (const flag of flags) reply.simple(flag);
    reply.bulk('begin_search');
    reply.mapHeader(2);
    reply.bulk('type');
    reply.bulk('index');
    reply.bulk('spec');
    reply.mapHeader(1);
    reply.bulk('index');
    reply.integer(command.firstKey);
    reply.bulk('find_keys');
    reply.mapHeader(2);
    reply.bulk('type');
    reply.bulk('range');
    reply.bulk('spec');
    reply.mapHeader(3);
    reply.bulk('lastkey');
    reply.integer(command.lastKey < 0 ? command.lastKey : command.lastKey - command.firstKey);
    reply.bulk('keystep');
    reply.integer(command.keyStep);
    reply.bulk('limit');
    reply.integer(0);
  }
  const subcommands = command.subcommands === null ? [] : [...command.subcommands.values()];
  reply.arrayHeader(subcommands.length);
  for (const sub of subcommands) replyCommandInfo(client, sub);
}

function replyCommandDocs(client: Client, command: Command): void {
  const reply = client.reply;
  const spec = command.spec;
  const subcommands = command.subcommands === null ? [] : [...command.subcommands.values()];
  reply.mapHeader(3 + (spec.complexity === undefined ? 0 : 1) + (subcommands.length > 0 ? 1 : 0));
  reply.bulk('summary');
  reply.bulk(spec.summary);
  reply.bulk('since');
  reply.bulk(spec.since);
  reply.bulk('group');
  reply.bulk(spec.group);
  if (spec.complexity !== undefined) {
    reply.bulk('complexity');
    reply.bulk(spec.complexity);
  }
  if (subcommands.length > 0) {
    reply.bulk('subcommands');
    reply.mapHeader(subcommands.length);
    for (const sub of subcommands) {
      reply.bulk(sub.fullName);
      replyCommandDocs(client, sub);
    }
  }
}

/** A command by name for COMMAND INFO/DOCS: "get", or "config|get" for a subcommand. */
function lookupByFullName(client: Client, name: string): Command | undefined {
  const bar = name.indexOf('|');
  const table = client.server.table;
  if (bar === -1) return table.get(name);
  return table.get(name.slice(0, bar))?.subcommands?.get(name.slice(bar + 1).toLowerCase());
}

/** COMMAND */
function command(client: Client): void {
  const commands = client.server.table.commands;
  client.reply.arrayHeader(commands.length);
  for (const each of commands) replyCommandInfo(client, each);
}

/** COMMAND COUNT */
function commandCount(client: Client): void {
  client.reply.integer(client.server.table.commands.length);
}

/** COMMAND INFO [command-name [command-name ...]] */
function commandInfo(client: Client, argv: string[]): void {
  if (argv.length === 2) {
    command(client);
    return;
  }
  client.reply.arrayHeader(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const found = lookupByFullName(client, argv[i]);
    if (found === undefined) client.reply.nullArray();
    else replyCommandInfo(client, found);
  }
}

/** COMMAND DOCS [command-name [command-name ...]] */
function commandDocs(client: Client, argv: string[]): void {
  const found = argv.length === 2
    ? client.server.table.commands
    : argv.slice(2).map((name) => lookupByFullName(client, name)).filter((c): c is Command => c !== undefined);
  client.reply.mapHeader(found.length);
  for (const each of found) {
    client.reply.bulk(each.fullName);
    replyCommandDocs(client, each);
  }
}

/** COMMAND LIST [FILTERBY MODULE module-name|ACLCAT category|PATTERN pattern] */
function commandList(client: Client, argv: string[]): void {
  let keep: (command: Command) => boolean = () => true;
  if (argv.length === 5 && isOption(argv[2], 'FILTERBY')) {
    const value = argv[4];
    if (isOption(argv[3], 'MODULE')) keep = () => false;
    else if (isOption(argv[3], 'ACLCAT')) keep = (c) => aclCategories(c).includes(value.toLowerCase());
    else if (isOption(argv[3], 'PATTERN')) keep = (c) => globMatch(value, c.fullName, true);
    else fail(Err.syntax);
  } else if (argv.length !== 2) {
    fail(Err.syntax);
  }
  const names = [...client.server.table.all()].filter(keep).map((c) => c.fullName);
  client.reply.bulkArray(names);
}

/** The command and key positions COMMAND GETKEYS[ANDFLAGS] reports for the command in argv[2..]. */
function keysOfCommand(client: Client, argv: string[]): [Command, number[]] {
  const args = argv.slice(2);
  const target = client.server.table.resolve(args);
  if (target === undefined) fail('ERR Invalid command specified');
  if (!target.hasKeys) fail('ERR The command has no key arguments');
  if (!target.arityAccepts(args.length)) fail('ERR Invalid number of arguments specified for command');
  const positions = target.keyPositions(args);
  if (positions.length === 0 && !target.spec.flags.includes('no_mandatory_keys')) fail('ERR Invalid arguments specified for command');
  return [target, positions];
}

/** COMMAND GETKEYS command [arg [arg ...]] */
function commandGetkeys(client: Client, argv: string[]): void {
  const [, positions] = keysOfCommand(client, argv);
  client.reply.bulkArray(positions.map((i) => argv[i + 2]));
}

/** COMMAND GETKEYSANDFLAGS command [arg [arg ...]] */
function commandGetkeysandflags(client: Client, argv: string[]): void {
  const [target, positions] = keysOfCommand(client, argv);
  const flags = keySpecFlags(target);
  client.reply.arrayHeader(positions.length);
  for (const i of positions) {
    client.reply.arrayHeader(2);
    client.reply.bulk(argv[i + 2]);
    client.reply.setHeader(flags.length);
    for (const flag of flags) client.reply.simple(flag);
  }
}

/** COMMAND HELP */
function commandHelp(client: Client): void {
  replyHelp(client, 'command', [
    '(no subcommand)',
    '    Return details about all Redis commands.',
    'COUNT',
    '    Return the total number of commands in this Redis server.',
    'LIST',
    '    Return a list of all commands in this Redis server.',
    'INFO [<command-name> ...]',
    '    Return details about multiple Redis commands.',
    '    If no command names are given, documentation details for all',
    '    commands are returned.',
    'DOCS [<command-name> ...]',
    '    Return documentation details about multiple Redis commands.',
    '    If no command names are given, documentation details for all',
    '    commands are returned.',
    'GETKEYS <full-command>',
    '    Return the keys from a full Redis command.',
    'GETKEYSANDFLAGS <full-command>',
    '    Return the keys and the access flags from a full Redis command.',
  ]);
}

const sub = { group: 'server', flags: ['loading', 'stale'] } as const;

export const introspectionCommands: CommandSpec[] = [
  {
    ...sub, name: 'command', arity: -1, since: '2.8.13', summary: 'Returns detailed information about all commands.', complexity: 'O(N) where N is the total number of Redis commands',
    // Unlike other containers, COMMAND alone is a command too: the table runs this without a subcommand.
    handler: command,
    subcommands: [
      { ...sub, name: 'count', arity: 2, since: '2.8.13', summary: 'Returns a count of commands.', complexity: 'O(1)', handler: commandCount },
      { ...sub, name: 'docs', arity: -2, since: '7.0.0', summary: 'Returns documentary information about one, multiple or all commands.', complexity: 'O(N) where N is the number of commands to look up', handler: commandDocs },
      { ...sub, name: 'getkeys', arity: -3, since: '2.8.13', summary: 'Extracts the key names from an arbitrary command.', complexity: 'O(N) where N is the number of arguments to the command', handler: commandGetkeys },
      { ...sub, name: 'getkeysandflags', arity: -3, since: '7.0.0', summary: 'Extracts the key names and access flags for an arbitrary command.', complexity: 'O(N) where N is the number of arguments to the command', handler: commandGetkeysandflags },
      { ...sub, name: 'info', arity: -2, since: '2.8.13', summary: 'Returns information about one, multiple or all commands.', complexity: 'O(N) where N is the number of commands to look up', handler: commandInfo },
      { ...sub, name: 'list', arity: -2, since: '7.0.0', summary: 'Returns a list of command names.', complexity: 'O(N) where N is the total number of Redis commands', handler: commandList },
      { ...sub, name: 'help', arity: 2, since: '5.0.0', summary: 'Returns helpful text about the different subcommands.', complexity: 'O(1)', handler: commandHelp },
    ],
  },
];
