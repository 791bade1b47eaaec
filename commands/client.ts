import type { Client } from '../src/client.js';
import type { CommandSpec } from '../src/command.js';
import { Err, fail } from '../src/errors.js';
import { integerArg, isOption, millisecondsTimeoutArg, parseInteger } from './arguments.js';
import { validateClientName } from './connection.js';
import { replyHelp } from './help.js';

/** Client types CLIENT LIST TYPE and CLIENT KILL TYPE accept. */
const CLIENT_TYPES = new Set(['normal', 'master', 'replica', 'slave', 'pubsub']);

function clientTypeArg(text: string): string {
  const type = text.toLowerCase();
  if (!CLIENT_TYPES.has(type)) fail(`ERR Unknown client type '${text}'`);
  return type;
}

/** A client's type for the TYPE filters: nodis has no replicas, and no pub/sub state yet. */
function clientType(_client: Client): string {
  return 'normal';
}

function onOff(text: string): boolean {
  if (isOption(text, 'ON')) return true;
  if (isOption(text, 'OFF')) return false;
  fail(Err.syntax);
}

/** The flags field of CLIENT LIST, as Redis's getClientInfoString: 'N' when none apply. */
function clientFlags(client: Client): string {
  let flags = client.monitoring ? 'O' : '';
  if (client.subscriptions !== null) flags += 'P';
  if (client.multi !== null) flags += 'x';
  if (client.blocked !== null) flags += 'b';
  if (client.casDirty) flags += 'd';
  if (client.closeAfterReply) flags += 'c';
  if (client.noEvict) flags += 'e';
  if (client.noTouch) flags += 'T';
  return flags === '' ? 'N' : flags;
}

/** One CLIENT LIST line in Redis 7's field order; zeros where nodis keeps no such figure. */
function clientInfoLine(client: Client, now: number): string {
  const fd = (client.socket as unknown as { _handle?: { fd?: number } })._handle?.fd ?? -1;
  return `id=${client.id} addr=${client.address} laddr=${client.localAddress} fd=${fd} name=${client.name}` +
    ` age=${Math.floor((now - client.createdAt) / 1000)} idle=${Math.floor((now - client.lastInteraction) / 1000)}` +
    ` flags=${clientFlags(client)} db=${client.db.id} sub=${client.subscriptions?.channels.size ?? 0} psub=${client.subscriptions?.patterns.size ?? 0} ssub=${client.subscriptions?.shardChannels.size ?? 0} multi=${client.multi === null ? -1 : client.multi.length}` +
    ` qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem=${client.outputBytes} tot-mem=0 events=r` +
    ` cmd=${client.lastCommand} user=default redir=-1 resp=${client.resp} lib-name=${client.libName} lib-ver=${client.libVersion}\n`;
}

/** CLIENT ID */
function clientId(client: Client): void {
  client.reply.integer(client.id);
}

/** CLIENT SETNAME connection-name */
function clientSetname(client: Client, argv: string[]): void {
  validateClientName(argv[2]);
  client.name = argv[2];
  client.reply.ok();
}

/** CLIENT GETNAME */
function clientGetname(client: Client): void {
  client.reply.bulkOrNull(client.name === '' ? undefined : client.name);
}

/** CLIENT LIST [TYPE NORMAL|MASTER|REPLICA|PUBSUB] [ID client-id [client-id ...]] */
function clientList(client: Client, argv: string[]): void {
  let type: string | undefined;
  let ids: Set<number> | undefined;
  if (argv.length === 4 && isOption(argv[2], 'TYPE')) {
    type = clientTypeArg(argv[3]);
  } else if (argv.length >= 4 && isOption(argv[2], 'ID')) {
    ids = new Set();
    for (let i = 3; i < argv.length; i++) {
      const id = parseInteger(argv[i]);
      if (id === undefined || id < 1) fail('ERR Invalid client ID');
      ids.add(id);
    }
  } else if (argv.length !== 2) {
    fail(Err.syntax);
  }
  const now = Date.now();
  let text = '';
  for (const other of client.server.clients.values()) {
    if (type !== undefined && clientType(other) !== type) continue;
    if (ids !== undefined && !ids.has(other.id)) continue;
    text += clientInfoLine(other, now);
  }
  client.reply.verbatim(text);
}

/** CLIENT INFO */
function clientInfo(client: Client): void {
  client.reply.verbatim(clientInfoLine(client, Date.now()));
}

interface KillFilter {
  id?: number;
  type?: string;
  addr?: string;
  laddr?: string;
  user?: string;
  skipMe: boolean;
}

function parseKillFilters(argv: string[]): KillFilter {
  const filter: KillFilter = { skipMe: true };
  for (let i = 2; i < argv.length; i += 2) {
    if (i + 1 >= argv.length) fail(Err.syntax);
    const option = argv[i].toUpperCase();
    const value = argv[i + 1];
    if (option === 'ID') {
      const id = parseInteger(value);
      if (id === undefined || id < 1) fail('ERR client-id should be greater than 0');
      filter.id = id;
    } else if (option === 'TYPE') {
      filter.type = clientTypeArg(value);
    } else if (option === 'ADDR') {
      filter.addr = value;
    } else if (option === 'LADDR') {
      filter.laddr = value;
    } else if (option === 'USER') {
      if (value !== 'default') fail(`ERR No such user '${value}'`);
      filter.user = value;
    } else if (option === 'SKIPME') {
      if (isOption(value, 'YES')) filter.skipMe = true;
      else if (isOption(value, 'NO')) filter.skipMe = false;
      else fail(Err.syntax);
    } else {
      fail(Err.syntax);
    }
  }
  return filter;
}

function matchesKillFilter(other: Client, self: Client, filter: KillFilter): boolean {
  if (filter.id !== undefined && other.id !== filter.id) return false;
  if (filter.type !== undefined && clientType(other) !== filter.type) return false;
  if (filter.addr !== undefined && other.address !== filter.addr) return false;
  if (filter.laddr !== undefined && other.localAddress !== filter.laddr) return false;
  return !(filter.skipMe && other === self);
}

/** Closes `other`; the calling client itself is closed only once its reply is sent. */
function kill(self: Client, other: Client): void {
  if (other === self) self.closeAfterReply = true;
  else self.server.closeClient(other);
}

/** CLIENT KILL ip:port | CLIENT KILL <filter value> ... */
function clientKill(client: Client, argv: string[]): void {
  if (argv.length === 3) {
    // The old form: one address, an error when nobody is connected from there.
    const target = [...client.server.clients.values()].find((other) => other.address === argv[2]);
    if (target === undefined) fail('ERR No such client');
    kill(client, target);
    client.reply.ok();
    return;
  }
  const filter = parseKillFilters(argv);
  const targets = [...client.server.clients.values()].filter((other) => matchesKillFilter(other, client, filter));
  for (const target of targets) kill(client, target);
  client.reply.integer(targets.length);
}

/** CLIENT SETINFO LIB-NAME|LIB-VER value */
function clientSetinfo(client: Client, argv: string[]): void {
  const attribute = argv[2].toUpperCase();
  if (attribute !== 'LIB-NAME' && attribute !== 'LIB-VER') fail(`ERR Unrecognized option '${argv[2]}'`);
  const value = argv[3];
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) fail(`ERR ${argv[2]} cannot contain spaces, newlines or special characters.`);
  }
  if (attribute === 'LIB-NAME') client.libName = value;
  else client.libVersion = value;
  client.reply.ok();
}

/** CLIENT NO-EVICT ON|OFF */
function clientNoEvict(client: Client, argv: string[]): void {
  client.noEvict = onOff(argv[2]);
  client.reply.ok();
}

/** CLIENT NO-TOUCH ON|OFF */
function clientNoTouch(client: Client, argv: string[]): void {
  client.noTouch = onOff(argv[2]);
  client.reply.ok();
}

/** CLIENT REPLY ON|OFF|SKIP */
function clientReply(client: Client, argv: string[]): void {
  const mode = argv[2].toUpperCase();
  if (mode === 'ON') {
    client.replyOff = false;
    client.skipNextReply = false;
    client.reply.ok();
  } else if (mode === 'OFF') {
    client.replyOff = true;
  } else if (mode === 'SKIP') {
    // As Redis: SKIP while replies are off changes nothing.
    if (!client.replyOff) client.skipNextReply = true;
  } else {
    fail(Err.syntax);
  }
}

/** CLIENT PAUSE timeout [WRITE|ALL] */
function clientPause(client: Client, argv: string[]): void {
  const timeout = millisecondsTimeoutArg(argv[2]);
  let writesOnly = false;
  if (argv.length === 4) {
    if (isOption(argv[3], 'WRITE')) writesOnly = true;
    else if (!isOption(argv[3], 'ALL')) fail('ERR CLIENT PAUSE mode must be WRITE or ALL');
  } else if (argv.length > 4) {
    fail(Err.syntax);
  }
  client.server.pauseClients(timeout, writesOnly);
  client.reply.ok();
}

/** CLIENT UNPAUSE */
function clientUnpause(client: Client): void {
  client.server.unpauseClients();
  client.reply.ok();
}

/** CLIENT UNBLOCK client-id [TIMEOUT | ERROR] */
function clientUnblock(client: Client, argv: string[]): void {
  const id = integerArg(argv[2]);
  let reason: 'timeout' | 'error' = 'timeout';
  if (argv.length === 4) {
    if (isOption(argv[3], 'ERROR')) reason = 'error';
    else if (!isOption(argv[3], 'TIMEOUT')) fail('ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR');
  } else if (argv.length > 4) {
    fail(Err.syntax);
  }
  const target = client.server.clients.get(id);
  client.reply.integer(target !== undefined && client.server.blocking.unblock(target, reason) ? 1 : 0);
}

/** CLIENT HELP */
function clientHelp(client: Client): void {
  replyHelp(client, 'client', [
    'GETNAME',
    '    Return the name of the current connection.',
    'ID',
    '    Return the ID of the current connection.',
    'INFO',
    '    Return information about the current client connection.',
    'KILL <ip:port>',
    '    Kill connection made from <ip:port>.',
    'KILL <option> <value> [<option> <value> [...]]',
    '    Kill connections. Options are:',
    '    * ADDR (<ip:port>|<unixsocket>:0)',
    '      Kill connections made from the specified address',
    '    * LADDR (<ip:port>|<unixsocket>:0)',
    '      Kill connections made to specified local address',
    '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
    '      Kill connections by type.',
    '    * USER <username>',
    '      Kill connections authenticated by <username>.',
    '    * SKIPME (YES|NO)',
    '      Skip killing current connection (default: yes).',
    'LIST [options ...]',
    '    Return information about client connections. Options:',
    '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
    '      Return clients of specified type.',
    'UNPAUSE',
    '    Stop the current client pause, resuming traffic.',
    'PAUSE <timeout> [WRITE|ALL]',
    '    Suspend all, or just write, clients for <timeout> milliseconds.',
    'REPLY (ON|OFF|SKIP)',
    '    Control the replies sent to the current connection.',
    'SETNAME <name>',
    '    Assign the name <name> to the current connection.',
    'UNBLOCK <clientid> [TIMEOUT|ERROR]',
    '    Unblock the specified blocked client.',
    'SETINFO <option> <value>',
    '    Set client meta attr. Options are:',
    '    * LIB-NAME: the client lib name.',
    '    * LIB-VER: the client lib version.',
    'NO-EVICT (ON|OFF)',
    '    Protect current client connection from eviction.',
    'NO-TOUCH (ON|OFF)',
    '    Will not touch LRU/LFU stats when this mode is on.',
  ]);
}

const sub = { group: 'connection', since: '2.4.0' } as const;
const admin = ['admin', 'noscript', 'loading', 'stale'] as const;
const plain = ['noscript', 'loading', 'stale'] as const;

export const clientCommands: CommandSpec[] = [
  {
    group: 'connection', name: 'client', arity: -2, flags: [], since: '2.4.0', summary: 'A container for client connection commands.', complexity: 'Depends on subcommand.',
    subcommands: [
      { ...sub, name: 'id', arity: 2, flags: plain, since: '5.0.0', summary: 'Returns the unique client ID of the connection.', complexity: 'O(1)', handler: clientId },
      { ...sub, name: 'setname', arity: 3, flags: plain, since: '2.6.9', summary: 'Sets the connection name.', complexity: 'O(1)', handler: clientSetname },
      { ...sub, name: 'getname', arity: 2, flags: plain, since: '2.6.9', summary: 'Returns the name of the connection.', complexity: 'O(1)', handler: clientGetname },
      { ...sub, name: 'list', arity: -2, flags: admin, since: '2.4.0', summary: 'Lists open connections.', complexity: 'O(N) where N is the number of client connections', handler: clientList },
      { ...sub, name: 'info', arity: 2, flags: plain, since: '6.2.0', summary: 'Returns information about the connection.', complexity: 'O(1)', handler: clientInfo },
      { ...sub, name: 'kill', arity: -3, flags: admin, since: '2.4.0', summary: 'Terminates open connections.', complexity: 'O(N) where N is the number of client connections', handler: clientKill },
      { ...sub, name: 'setinfo', arity: 4, flags: plain, since: '7.2.0', summary: 'Sets information specific to the client or connection.', complexity: 'O(1)', handler: clientSetinfo },
      { ...sub, name: 'no-evict', arity: 3, flags: admin, since: '7.0.0', summary: 'Sets the client eviction mode of the connection.', complexity: 'O(1)', handler: clientNoEvict },
      { ...sub, name: 'no-touch', arity: 3, flags: plain, since: '7.2.0', summary: 'Controls whether commands sent by the client affect the LRU/LFU of accessed keys.', complexity: 'O(1)', handler: clientNoTouch },
      { ...sub, name: 'reply', arity: 3, flags: plain, since: '3.2.0', summary: 'Instructs the server whether to reply to commands.', complexity: 'O(1)', handler: clientReply },
      { ...sub, name: 'pause', arity: -3, flags: admin, since: '3.0.0', summary: 'Suspends commands processing.', complexity: 'O(1)', handler: clientPause },
      { ...sub, name: 'unpause', arity: 2, flags: admin, since: '6.2.0', summary: 'Resumes processing commands from paused clients.', complexity: 'O(N) Where N is the number of paused clients', handler: clientUnpause },
      { ...sub, name: 'unblock', arity: -3, flags: admin, since: '5.0.0', summary: 'Unblocks a client blocked by a blocking command from a different connection.', complexity: 'O(log N) where N is the number of client connections', handler: clientUnblock },
      { ...sub, name: 'help', arity: 2, flags: ['loading', 'stale'], since: '5.0.0', summary: 'Returns helpful text about the different subcommands.', complexity: 'O(1)', handler: clientHelp },
    ],
  },
];
