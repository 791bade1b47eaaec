import type { Client } from '../src/client.js';
import type { CommandSpec } from '../src/command.js';
import { Err, fail } from '../src/errors.js';
import { VERSION } from '../src/version.js';
import { integerArg, isOption, millisecondsTimeoutArg } from './arguments.js';
import { replyHelp } from './help.js';

/** FLUSHDB/FLUSHALL/FUNCTION FLUSH's optional mode, SYNC or ASYNC: flushing is always synchronous here. */
function checkFlushMode(argv: string[], first: number, error: string): void {
  if (argv.length > first + 1) fail(error);
  if (argv.length === first + 1 && !isOption(argv[first], 'SYNC') && !isOption(argv[first], 'ASYNC')) fail(error);
}

/** DBSIZE */
function dbsize(client: Client): void {
  client.reply.integer(client.db.size);
}

/** FLUSHDB [ASYNC|SYNC] */
function flushdb(client: Client, argv: string[]): void {
  checkFlushMode(argv, 1, Err.syntax);
  client.server.dirty += client.db.flush();
  client.reply.ok();
}

/** FLUSHALL [ASYNC|SYNC] */
function flushall(client: Client, argv: string[]): void {
  checkFlushMode(argv, 1, Err.syntax);
  const server = client.server;
  let removed = 0;
  for (const db of server.databases) removed += db.flush();
  // As Redis's flushAllDataAndResetRDB: the flush itself counts as one more change.
  server.dirty += removed + 1;
  client.reply.ok();
}

/** SWAPDB index1 index2 */
function swapdb(client: Client, argv: string[]): void {
  const first = integerArg(argv[1], 'ERR invalid first DB index');
  const second = integerArg(argv[2], 'ERR invalid second DB index');
  const dbs = client.server.databases;
  if (first < 0 || first >= dbs.length || second < 0 || second >= dbs.length) fail(Err.dbIndexOutOfRange);
  if (first !== second) {
    dbs[first].swapWith(dbs[second]);
    // As Redis's scanDatabaseForReadyKeys: clients blocked in either database may now be served.
    client.server.blocking.signalWaitedKeys(dbs[first]);
    client.server.blocking.signalWaitedKeys(dbs[second]);
  }
  client.server.dirty++;
  client.reply.ok();
}

/** TIME */
function time(client: Client): void {
  const micros = BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000));
  client.reply.arrayHeader(2);
  client.reply.bulk(String(micros / 1000000n));
  client.reply.bulk(String(micros % 1000000n));
}

/** LASTSAVE */
function lastsave(client: Client): void {
  client.reply.integer(client.server.persistence.lastSave);
}

/** SAVE: the snapshot written at once, blocking everything else as in Redis. */
function save(client: Client): void {
  const persistence = client.server.persistence;
  if (persistence.backgroundSaveStartedAt !== null) fail('ERR Background save already in progress');
  try {
    persistence.save();
  } catch {
    fail('ERR');
  }
  client.reply.ok();
}

/** BGSAVE [SCHEDULE]: inside a transaction the save is scheduled, as Redis does while in EXEC. */
function bgsave(client: Client, argv: string[]): void {
  if (argv.length > 2 || (argv.length === 2 && !isOption(argv[1], 'SCHEDULE'))) fail(Err.syntax);
  const persistence = client.server.persistence;
  if (persistence.backgroundSaveStartedAt !== null) fail('ERR Background save already in progress');
  if (client.multi !== null || persistence.snapshotBusy) {
    if (client.multi === null && argv.length === 1) {
      fail("ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.");
    }
    persistence.scheduled = true;
    client.reply.simple('Background saving scheduled');
    return;
  }
  persistence.startBackgroundSave();
  client.reply.simple('Background saving started');
}

/**
 * BGREWRITEAOF: compacts the append-only file in the background; scheduled while a background
 * save runs or inside a transaction, as Redis does.
 */
function bgrewriteaof(client: Client): void {
  const persistence = client.server.persistence;
  const aof = persistence.aof;
  if (aof === null) fail('ERR Background append only file rewriting needs appendonly yes');
  if (aof.rewriteStartedAt !== null) fail('ERR Background append only file rewriting already in progress');
  if (client.multi !== null || persistence.snapshotBusy) {
    aof.rewriteScheduled = true;
    client.reply.simple('Background append only file rewriting scheduled');
    return;
  }
  aof.startRewrite();
  client.reply.simple('Background append only file rewriting started');
}

/** SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT] */
function shutdown(client: Client, argv: string[]): void {
  let save = false;
  let nosave = false;
  let abort = false;
  for (let i = 1; i < argv.length; i++) {
    const option = argv[i].toUpperCase();
    if (option === 'NOSAVE') nosave = true;
    else if (option === 'SAVE') save = true;
    else if (option === 'ABORT') abort = true;
    else if (option !== 'NOW' && option !== 'FORCE') fail(Err.syntax);
  }
  if ((save && nosave) || (abort && argv.length > 2)) fail(Err.syntax);
  // Shutdowns here are immediate, so one is never in progress to abort.
  if (abort) fail('ERR No shutdown in progress.');
  const server = client.server;
  server.log.warn({ client: client.id }, 'User requested shutdown');
  if (!server.persistence.prepareForShutdown(save, nosave)) fail('ERR Errors trying to SHUTDOWN. Check logs.');
  server.onShutdownRequest();
}

/**
 * MONITOR: from now on the connection receives every command run by any client. As Redis, a
 * second MONITOR gets no reply, and one run by EXEC is refused (its connection expects one
 * reply per command).
 */
function monitor(client: Client): void {
  if (client.multi !== null) fail("ERR MONITOR isn't allowed for DENY BLOCKING client");
  if (client.monitoring) return;
  client.server.startMonitoring(client);
  client.reply.ok();
}

/** DEBUG SLEEP seconds | DEBUG SET-ACTIVE-EXPIRE 0|1 | DEBUG RELOAD | DEBUG HELP */
function debug(client: Client, argv: string[]): void {
  const sub = argv[1].toUpperCase();
  if (sub === 'HELP' && argv.length === 2) {
    replyHelp(client, 'debug', [
      'RELOAD',
      '    Save the RDB on disk and reload it back to memory.',
      'SET-ACTIVE-EXPIRE <0|1>',
      '    Setting it to 0 disables expiring keys in background when they are not',
      '    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the',
      '    default.',
      'SLEEP <seconds>',
      '    Stop the server for <seconds>. Decimals allowed.',
    ]);
    return;
  }
  if (sub === 'RELOAD' && argv.length === 2) {
    try {
      client.server.persistence.reload();
    } catch (error) {
      client.server.log.warn({ err: error }, 'DEBUG RELOAD failed');
      fail('ERR Error trying to load the RDB dump, check server logs.');
    }
    client.reply.ok();
    return;
  }
  if (sub === 'SET-ACTIVE-EXPIRE' && argv.length === 3) {
    // As atoi: the leading integer, 0 when there is none.
    client.server.activeExpireEnabled = (Number.parseInt(argv[2], 10) || 0) !== 0;
    client.reply.ok();
    return;
  }
  if (sub === 'SLEEP' && argv.length === 3) {
    // As strtod: the longest numeric prefix, 0 when there is none.
    const seconds = Number.parseFloat(argv[2]) || 0;
    if (seconds > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, seconds * 1000);
    client.reply.ok();
    return;
  }
  fail(`ERR unknown subcommand or wrong number of arguments for '${argv[1]}'. Try DEBUG HELP.`);
}

/** WAIT numreplicas timeout */
function wait(client: Client, argv: string[]): void {
  millisecondsTimeoutArg(argv[2]);
  integerArg(argv[1]);
  // No replicas exist, so none can have acknowledged anything.
  client.reply.integer(0);
}

/** ROLE */
function role(client: Client): void {
  client.reply.arrayHeader(3);
  client.reply.bulk('master');
  client.reply.integer(0);
  client.reply.arrayHeader(0);
}

/** FUNCTION FLUSH [ASYNC|SYNC] */
function functionFlush(client: Client, argv: string[]): void {
  checkFlushMode(argv, 2, 'ERR FUNCTION FLUSH only supports SYNC|ASYNC option');
  client.reply.ok();
}

/** FUNCTION LIST [LIBRARYNAME library-name-pattern] [WITHCODE] */
function functionList(client: Client, argv: string[]): void {
  for (let i = 2; i < argv.length; i++) {
    if (isOption(argv[i], 'WITHCODE')) continue;
    if (isOption(argv[i], 'LIBRARYNAME') && i + 1 < argv.length) {
      i++;
      continue;
    }
    fail(`ERR Unknown argument ${argv[i]}`);
  }
  // Scripting is not implemented: there are never any libraries.
  client.reply.arrayHeader(0);
}

/** FUNCTION HELP */
function functionHelp(client: Client): void {
  replyHelp(client, 'function', [
    'LIST [WITHCODE] [LIBRARYNAME <pattern>]',
    '    Return general information on all the libraries:',
    '    * Library name',
    '    * The engine used to run the Library',
    '    * Library description',
    '    * Functions list',
    '    * Library code (if WITHCODE is given)',
    '    It also possible to get only function that matches a pattern using LIBRARYNAME argument.',
    'FLUSH [ASYNC|SYNC]',
    '    Delete all the libraries.',
    '    When called without the optional mode argument, the behavior is determined by the',
    '    lazyfree-lazy-user-flush configuration directive. Valid modes are:',
    '    * ASYNC: Asynchronously flush the libraries.',
    '    * SYNC: Synchronously flush the libraries.',
  ]);
}

/** LOLWUT [VERSION version] */
function lolwut(client: Client, argv: string[]): void {
  if (argv.length === 3 && isOption(argv[1], 'VERSION')) integerArg(argv[2]);
  else if (argv.length !== 1) fail(Err.syntax);
  client.reply.verbatim(`Nodis ver. ${VERSION}\n`);
}

const server = { group: 'server' } as const;

export const serverCommands: CommandSpec[] = [
  { ...server, name: 'dbsize', arity: 1, flags: ['readonly', 'fast'], since: '1.0.0', summary: 'Returns the number of keys in the database.', complexity: 'O(1)', handler: dbsize },
  { ...server, name: 'flushdb', arity: -1, flags: ['write'], since: '1.0.0', summary: 'Removes all keys from the current database.', complexity: 'O(N) where N is the number of keys in the selected database', handler: flushdb },
  { ...server, name: 'flushall', arity: -1, flags: ['write'], since: '1.0.0', summary: 'Removes all keys from all databases.', complexity: 'O(N) where N is the total number of keys in all databases', handler: flushall },
  { ...server, name: 'swapdb', arity: 3, flags: ['write', 'fast'], since: '4.0.0', summary: 'Swaps two Redis databases.', complexity: 'O(N) where N is the count of clients watching or blocking on keys from both databases.', handler: swapdb },
  { ...server, name: 'time', arity: 1, flags: ['loading', 'stale', 'fast'], since: '2.6.0', summary: 'Returns the server time.', complexity: 'O(1)', handler: time },
  { ...server, name: 'lastsave', arity: 1, flags: ['loading', 'stale', 'fast'], since: '1.0.0', summary: 'Returns the Unix timestamp of the last successful save to disk.', complexity: 'O(1)', handler: lastsave },
  { ...server, name: 'shutdown', arity: -1, flags: ['admin', 'noscript', 'loading', 'stale', 'no_multi', 'allow_busy'], since: '1.0.0', summary: 'Synchronously saves the database(s) to disk and shuts down the Redis server.', complexity: 'O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)', handler: shutdown },
  { ...server, name: 'save', arity: 1, flags: ['admin', 'noscript', 'no_async_loading', 'no_multi'], since: '1.0.0', summary: 'Synchronously saves the database(s) to disk.', complexity: 'O(N) where N is the total number of keys in all databases', handler: save },
  { ...server, name: 'bgsave', arity: -1, flags: ['admin', 'noscript', 'no_async_loading'], since: '1.0.0', summary: 'Asynchronously saves the database(s) to disk.', complexity: 'O(1)', handler: bgsave },
  { ...server, name: 'bgrewriteaof', arity: 1, flags: ['admin', 'noscript', 'no_async_loading'], since: '1.0.0', summary: 'Asynchronously rewrites the append-only file to disk.', complexity: 'O(1)', handler: bgrewriteaof },
  { ...server, name: 'monitor', arity: 1, flags: ['admin', 'noscript', 'loading', 'stale'], since: '1.0.0', summary: 'Listens for all requests received by the server in real-time.', handler: monitor },
  { ...server, name: 'debug', arity: -2, flags: ['admin', 'noscript', 'loading', 'stale'], since: '1.0.0', summary: 'A container for debugging commands.', complexity: 'Depends on subcommand.', handler: debug },
  { ...server, group: 'generic', name: 'wait', arity: 3, flags: ['blocking'], since: '3.0.0', summary: 'Blocks until the asynchronous replication of all preceding write commands sent by the connection is completed.', complexity: 'O(1)', handler: wait },
  { ...server, name: 'role', arity: 1, flags: ['noscript', 'loading', 'stale', 'fast'], since: '2.8.12', summary: 'Returns the replication role.', complexity: 'O(1)', handler: role },
  { ...server, name: 'lolwut', arity: -1, flags: ['readonly', 'fast'], since: '5.0.0', summary: 'Displays computer art and the Redis version', handler: lolwut },
  {
    group: 'scripting', name: 'function', arity: -2, flags: [], since: '7.0.0', summary: 'A container for function commands.', complexity: 'Depends on subcommand.',
    subcommands: [
      { group: 'scripting', name: 'flush', arity: -2, flags: ['write', 'noscript'], since: '7.0.0', summary: 'Deletes all libraries and functions.', complexity: 'O(N) where N is the number of functions deleted', handler: functionFlush },
      { group: 'scripting', name: 'list', arity: -2, flags: ['noscript'], since: '7.0.0', summary: 'Returns information about all libraries.', complexity: 'O(N) where N is the number of functions', handler: functionList },
      { group: 'scripting', name: 'help', arity: 2, flags: ['loading', 'stale'], since: '7.0.0', summary: 'Returns helpful text about the different subcommands.', complexity: 'O(1)', handler: functionHelp },
    ],
  },
];
