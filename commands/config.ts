import type { Client } from '../src/client.js';
import type { CommandSpec } from '../src/command.js';
import { ConfigError, findParam, PARAMS, rewriteConfig, type ConfigName } from '../src/config.js';
import { Err, fail } from '../src/errors.js';
import { globMatch } from '../src/glob.js';
import { setLogLevel } from '../src/log.js';
import type { Server } from '../src/server.js';
import { replyHelp } from './help.js';

/** What a running server does when a setting changes under it. */
const SIDE_EFFECTS: Partial<Record<ConfigName, (server: Server) => void>> = {
  hz: (server) => server.scheduleCron(),
  'client-output-buffer-limit': (server) => server.outputLimitsChanged(),
  appendonly: (server) => server.persistence.followAppendOnly(),
  maxmemory: (server) => server.eviction.perform(),
  'maxmemory-policy': (server) => server.eviction.policyChanged(),
  'save-cron': (server) => server.persistence.scheduleCron(),
  loglevel: (server) => setLogLevel(server.log, server.config.get('loglevel')),
  'notify-keyspace-events': (server) => (server.keyspaceEvents.flags = server.config.get('notify-keyspace-events')),
};

function setFailed(argument: string, reason: string): string {
  return `ERR CONFIG SET failed (possibly related to argument '${argument}') - ${reason}`;
}

/** CONFIG GET parameter [parameter ...] */
function configGet(client: Client, argv: string[]): void {
  const config = client.server.config;
  // As Redis 7, an alias is answered under the name it was asked by.
  const matched = PARAMS.flatMap((p) => [p.name as string, ...p.aliases].map((name) => ({ name, p })))
    .filter(({ name }) => argv.slice(2).some((pattern) => globMatch(pattern, name, true)));
  client.reply.mapHeader(matched.length);
  for (const { name, p } of matched) {
    client.reply.bulk(name);
    client.reply.bulk(config.format(p));
  }
}

/** CONFIG SET parameter value [parameter value ...] */
function configSet(client: Client, argv: string[]): void {
  if (argv.length % 2 !== 0) fail(Err.syntax);
  const server = client.server;
  const changes: { name: ConfigName; args: string[] }[] = [];
  // Everything is checked before anything changes, so a failed CONFIG SET changes nothing.
  for (let i = 2; i < argv.length; i += 2) {
    const p = findParam(argv[i]);
    if (p === undefined) fail(`ERR Unknown option or number of arguments for CONFIG SET - '${argv[i]}'`);
    if (!p.mutable) fail(setFailed(argv[i], "can't set immutable config"));
    if (changes.some((change) => change.name === p.name)) fail(setFailed(argv[i], 'duplicate parameter'));
    try {
      p.parse([argv[i + 1]]);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      fail(setFailed(argv[i], error.message));
    }
    changes.push({ name: p.name, args: [argv[i + 1]] });
  }
  for (const { name, args } of changes) {
    server.config.apply(findParam(name)!, args);
    SIDE_EFFECTS[name]?.(server);
  }
  client.reply.ok();
}

/** CONFIG RESETSTAT */
function configResetstat(client: Client): void {
  const server = client.server;
  const stats = server.stats;
  for (const key of Object.keys(stats) as (keyof typeof stats)[]) stats[key] = 0;
  for (const command of server.table.all()) {
    const counters = command.stats;
    counters.calls = counters.usec = counters.rejectedCalls = counters.failedCalls = 0;
  }
  for (const db of server.databases) db.keyspaceHits = db.keyspaceMisses = 0;
  server.writer.errorReplies = 0;
  server.writer.errorCodes.clear();
  client.reply.ok();
}

/** CONFIG REWRITE */
function configRewrite(client: Client): void {
  const config = client.server.config;
  if (config.file === '') fail('ERR The server is running without a config file');
  try {
    rewriteConfig(config);
  } catch (error) {
    client.log.warn({ err: error }, 'CONFIG REWRITE failed');
    fail(`ERR Rewriting config file: ${(error as Error).message}`);
  }
  client.log.info('CONFIG REWRITE executed with success.');
  client.reply.ok();
}

/** CONFIG HELP */
function configHelp(client: Client): void {
  replyHelp(client, 'config', [
    'GET <pattern>',
    '    Return parameters matching the glob-like <pattern> and their values.',
    'SET <directive> <value>',
    '    Set the configuration <directive> to <value>.',
    'RESETSTAT',
    '    Reset statistics reported by the INFO command.',
    'REWRITE',
    '    Rewrite the configuration file.',
  ]);
}

const sub = { group: 'server', flags: ['admin', 'noscript', 'loading', 'stale'] } as const;

export const configCommands: CommandSpec[] = [
  {
    group: 'server', name: 'config', arity: -2, flags: [], since: '2.0.0', summary: 'A container for server configuration commands.', complexity: 'Depends on subcommand.',
    subcommands: [
      { ...sub, name: 'get', arity: -3, since: '2.0.0', summary: 'Returns the effective values of configuration parameters.', complexity: 'O(N) when N is the number of configuration parameters provided', handler: configGet },
      { ...sub, name: 'set', arity: -4, since: '2.0.0', summary: 'Sets configuration parameters in-flight.', complexity: 'O(N) when N is the number of configuration parameters provided', handler: configSet },
      { ...sub, name: 'resetstat', arity: 2, since: '2.0.0', summary: 'Resets the server\'s statistics.', complexity: 'O(1)', handler: configResetstat },
      { ...sub, name: 'rewrite', arity: 2, since: '2.8.0', summary: 'Persists the effective configuration to file.', complexity: 'O(1)', handler: configRewrite },
      { group: 'server', name: 'help', arity: 2, flags: ['loading', 'stale'], since: '5.0.0', summary: 'Returns helpful text about the different subcommands.', complexity: 'O(1)', handler: configHelp },
    ],
  },
];
