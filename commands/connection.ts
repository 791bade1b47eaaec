import type { Client } from '../src/client.js';
import type { CommandSpec } from '../src/command.js';
import { Err, fail } from '../src/errors.js';
import { REDIS_VERSION } from '../src/version.js';
import { isOption, parseInteger } from './arguments.js';

const INVALID_CLIENT_NAME = 'ERR Client names cannot contain spaces, newlines or special characters.';
const HELLO_NOAUTH =
  'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time';

/** Checks a name for CLIENT SETNAME / HELLO SETNAME: printable ASCII without spaces. */
export function validateClientName(name: string): void {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) fail(INVALID_CLIENT_NAME);
  }
}

/** Checks credentials against the default user; `user` undefined is the one-argument AUTH form. */
function authenticate(client: Client, user: string | undefined, password: string): void {
  const required = client.server.config.get('requirepass');
  if (user === undefined && required === '') fail(Err.noPasswordSet);
  const userOk = user === undefined || user === 'default';
  if (!userOk || (required !== '' && password !== required)) {
    client.log.warn('authentication failed');
    fail(Err.wrongPass);
  }
  client.authenticated = true;
}

/** PING [message] */
function ping(client: Client, argv: string[]): void {
  if (argv.length > 2) fail(Err.wrongArity('ping'));
  if (client.subscriptions !== null && client.resp === 2) {
    // A RESP2 subscriber reads every reply as a message: PING answers in that shape.
    client.reply.arrayHeader(2);
    client.reply.bulk('pong');
    client.reply.bulk(argv.length === 2 ? argv[1] : '');
  } else if (argv.length === 2) {
    client.reply.bulk(argv[1]);
  } else {
    client.reply.simple('PONG');
  }
}

/** ECHO message */
function echo(client: Client, argv: string[]): void {
  client.reply.bulk(argv[1]);
}

/** SELECT index */
function select(client: Client, argv: string[]): void {
  const index = parseInteger(argv[1]);
  if (index === undefined) fail(Err.notInteger);
  if (index < 0 || index >= client.server.databases.length) fail(Err.dbIndexOutOfRange);
  client.selectDatabase(index);
  client.reply.ok();
}

/** AUTH [username] password */
function auth(client: Client, argv: string[]): void {
  if (argv.length > 3) fail(Err.syntax);
  if (argv.length === 3) authenticate(client, argv[1], argv[2]);
  else authenticate(client, undefined, argv[1]);
  client.reply.ok();
}

/** HELLO [protover [AUTH username password] [SETNAME clientname]] */
function hello(client: Client, argv: string[]): void {
  let version: 2 | 3 | undefined;
  if (argv.length >= 2) {
    const requested = parseInteger(argv[1]);
    if (requested === undefined) fail('ERR Protocol version is not an integer or out of range');
    if (requested !== 2 && requested !== 3) fail(Err.noProto);
    version = requested;
  }
  let credentials: [string, string] | undefined;
  for (let i = 2; i < argv.length; i++) {
    const more = argv.length - 1 - i;
    if (isOption(argv[i], 'AUTH') && more >= 2) {
      credentials = [argv[i + 1], argv[i + 2]];
      i += 2;
    } else if (isOption(argv[i], 'SETNAME') && more >= 1) {
      // Redis 7.0 names the client as soon as it reads the option, whatever fails after it.
      validateClientName(argv[++i]);
      client.name = argv[i];
    } else {
      fail(`ERR Syntax error in HELLO option '${argv[i]}'`);
    }
  }
  if (credentials !== undefined) authenticate(client, credentials[0], credentials[1]);
  if (!client.authenticated) fail(HELLO_NOAUTH);
  if (version !== undefined) client.resp = version;
  const reply = client.reply;
  reply.resp = client.resp;
  reply.mapHeader(7);
  reply.bulk('server');
  reply.bulk('redis');
  reply.bulk('version');
  reply.bulk(REDIS_VERSION);
  reply.bulk('proto');
  reply.integer(client.resp);
  reply.bulk('id');
  reply.integer(client.id);
  reply.bulk('mode');
  reply.bulk('standalone');
  reply.bulk('role');
  reply.bulk('master');
  reply.bulk('modules');
  reply.arrayHeader(0);
}

/** QUIT */
function quit(client: Client): void {
  client.reply.ok();
  client.closeAfterReply = true;
}

/** RESET */
function reset(client: Client): void {
  client.discardTransaction();
  client.server.pubsub.unsubscribeAll(client);
  client.server.stopMonitoring(client);
  client.selectDatabase(0);
  client.resp = 2;
  client.reply.resp = 2;
  client.name = '';
  client.replyOff = false;
  client.skipNextReply = false;
  client.noEvict = false;
  client.noTouch = false;
  client.authenticated = client.server.config.get('requirepass') === '';
  client.reply.simple('RESET');
}

const connectionCommand = { group: 'connection' } as const;

export const connectionCommands: CommandSpec[] = [
  { ...connectionCommand, name: 'ping', arity: -1, flags: ['fast'], since: '1.0.0', summary: 'Returns the server\'s liveliness response.', complexity: 'O(1)', handler: ping },
  { ...connectionCommand, name: 'echo', arity: 2, flags: ['loading', 'stale', 'fast'], since: '1.0.0', summary: 'Returns the given string.', complexity: 'O(1)', handler: echo },
  { ...connectionCommand, name: 'select', arity: 2, flags: ['loading', 'stale', 'fast'], since: '1.0.0', summary: 'Changes the selected database.', complexity: 'O(1)', handler: select },
  { ...connectionCommand, name: 'auth', arity: -2, flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'], since: '1.0.0', summary: 'Authenticates the connection.', complexity: 'O(N) where N is the number of passwords defined for the user', handler: auth },
  { ...connectionCommand, name: 'hello', arity: -1, flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'], since: '6.0.0', summary: 'Handshakes with the Redis server.', complexity: 'O(1)', handler: hello },
  { ...connectionCommand, name: 'quit', arity: -1, flags: ['allow_busy', 'noscript', 'loading', 'stale', 'fast', 'no_auth'], since: '1.0.0', summary: 'Closes the connection.', complexity: 'O(1)', handler: quit },
  { ...connectionCommand, name: 'reset', arity: 1, flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'], since: '6.2.0', summary: 'Resets the connection.', complexity: 'O(1)', handler: reset },
];
