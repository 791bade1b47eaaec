import type { Client } from '../src/client.js';
import type { CommandSpec } from '../src/command.js';
import { call } from '../src/dispatcher.js';
import { Err, fail } from '../src/errors.js';
import { feedMonitors } from '../src/monitor.js';
import { propagateAs } from './access.js';

/** MULTI */
function multi(client: Client): void {
  if (client.multi !== null) fail(Err.multiNested);
  client.multi = [];
  client.reply.ok();
}

/**
 * As Redis's isWatchedKeyExpired: a key that expired since WATCH but was not removed yet has
 * still changed. Keys already expired when watched do not count.
 */
function watchedKeyExpired(client: Client): boolean {
  for (const { db, key, expiredWhenWatched } of client.watched) {
    if (!expiredWhenWatched && db.isExpired(key)) return true;
  }
  return false;
}

/** EXEC */
function exec(client: Client): void {
  const queued = client.multi;
  if (queued === null) fail(Err.execWithoutMulti);
  const reply = client.reply;
  if (client.multiFailed) {
    client.discardTransaction();
    fail(Err.execAbort);
  }
  if (client.casDirty || watchedKeyExpired(client)) {
    client.discardTransaction();
    reply.nullArray();
    return;
  }
  // The transaction's own writes must not count as changes to what it watched.
  client.unwatchAll();
  reply.arrayHeader(queued.length);
  // The dispatcher froze server.commandTime when EXEC started: every queued command sees it.
  const server = client.server;
  const monitors = server.monitors;
  // In the append-only file the transaction's writes sit between MULTI and EXEC: replayed whole or not at all.
  const aof = server.persistence.aof;
  aof?.beginTransaction();
  for (const { command, argv } of queued) {
    call(client, command, argv);
    if (monitors.size !== 0) feedMonitors(client, command, argv);
  }
  aof?.endTransaction(client.db.id);
  // Its commands were logged one by one between MULTI and EXEC: EXEC itself logs nothing more.
  propagateAs(client);
  client.discardTransaction();
}

/** DISCARD */
function discard(client: Client): void {
  if (client.multi === null) fail(Err.discardWithoutMulti);
  client.discardTransaction();
  client.reply.ok();
}

/** WATCH key [key ...] */
function watch(client: Client, argv: string[]): void {
  if (client.multi !== null) fail(Err.watchInsideMulti);
  const db = client.db;
  for (let i = 1; i < argv.length; i++) {
    const key = argv[i];
    if (client.watched.some((w) => w.db === db && w.key === key)) continue;
    db.watch(key, client);
    client.watched.push({ db, key, expiredWhenWatched: db.isExpired(key) });
  }
  client.reply.ok();
}

/** UNWATCH */
function unwatch(client: Client): void {
  client.unwatchAll();
  client.reply.ok();
}

const transactionCommand = { group: 'transactions' } as const;

export const transactionCommands: CommandSpec[] = [
  { ...transactionCommand, name: 'multi', arity: 1, flags: ['noscript', 'loading', 'stale', 'fast', 'allow_busy'], since: '1.2.0', summary: 'Starts a transaction.', complexity: 'O(1)', handler: multi },
  { ...transactionCommand, name: 'exec', arity: 1, flags: ['noscript', 'loading', 'stale', 'skip_slowlog'], since: '1.2.0', summary: 'Executes all commands in a transaction.', complexity: 'Depends on commands in the transaction', handler: exec },
  { ...transactionCommand, name: 'discard', arity: 1, flags: ['noscript', 'loading', 'stale', 'fast', 'allow_busy'], since: '2.0.0', summary: 'Discards a transaction.', complexity: 'O(N), when N is the number of queued commands', handler: discard },
  { ...transactionCommand, name: 'watch', arity: -2, flags: ['noscript', 'loading', 'stale', 'fast', 'allow_busy'], keys: [1, -1, 1], since: '2.2.0', summary: 'Monitors changes to keys to determine the execution of a transaction.', complexity: 'O(1) for every key.', handler: watch },
  { ...transactionCommand, name: 'unwatch', arity: 1, flags: ['noscript', 'loading', 'stale', 'fast', 'allow_busy'], since: '2.2.0', summary: 'Forgets about watched keys of a transaction.', complexity: 'O(1)', handler: unwatch },
];
