import { performance } from 'node:perf_hooks';
import type { Client } from './client.js';
import type { Command } from './command.js';
import { CommandError, Err } from './errors.js';
import { feedMonitors } from './monitor.js';

/**
 * When the previous command ended, or the current input burst began. Each command reads the
 * clock once, at its end, and that reading is the next command's start: half the clock reads.
 */
let lastClockReading = performance.now();

/** Starts timing a burst of requests; returns the wall-clock time in ms. */
export function startBurst(client: Client): number {
  lastClockReading = performance.now();
  return Math.floor(lastClockReading + client.server.wallClockOffset);
}

/** What a RESP2 connection may run while it listens to channels (Redis's processCommand). */
const ALLOWED_WHILE_SUBSCRIBED = new Set(['subscribe', 'unsubscribe', 'psubscribe', 'punsubscribe', 'ssubscribe', 'sunsubscribe', 'ping', 'quit', 'reset']);

/** Commands that run at once inside MULTI instead of being queued. */
const RUN_INSIDE_MULTI = new Set(['exec', 'discard', 'multi', 'watch', 'quit', 'reset']);

/**
 * Runs one request the way Redis's processCommand does: look up, check arity, authentication
 * and transaction state, each with one rejection, then call the handler.
 */
export function dispatch(client: Client, argv: string[]): void {
  const writer = client.reply;
  const mark = writer.mark();
  // CLIENT REPLY SKIP silences the command after it.
  client.skipReply = client.skipNextReply;
  client.skipNextReply = false;
  // A silenced reply is dropped even where a long one is flushed before the command ends.
  if (client.replyOff || client.skipReply) writer.dropAfter(mark);
  processCommand(client, argv);
  if (client.replyOff || client.skipReply) writer.rollback(mark);
  // CLIENT REPLY ON ends the silence within its own run: its +OK goes out.
  writer.dropAfter(-1);
  client.skipReply = false;
  const blocking = client.server.blocking;
  if (blocking.hasReadyKeys) blocking.serveReadyKeys();
}

function processCommand(client: Client, argv: string[]): void {
  const server = client.server;
  const command = server.table.resolve(argv);
  if (command === undefined) {
    const container = server.table.get(argv[0]);
    reject(client, container === undefined
      ? Err.unknownCommand(argv[0], argv.slice(1))
      : Err.unknownSubcommand(argv[1], container.name));
    return;
  }
  if (!command.arityAccepts(argv.length)) {
    reject(client, Err.wrongArity(command.fullName), command);
    return;
  }
  if (!client.authenticated && !command.noAuth) {
    reject(client, Err.noAuth, command);
    return;
  }
  // maxmemory: evict what the policy allows; commands that may use more memory are refused when
  // that is not enough, and when V8's heap nears its limit (which would kill the process).
  const denyOom = command.denyOom || (command.name === 'exec' && client.multi?.some((queued) => queued.command.denyOom) === true);
  const maxmemory = server.config.values.maxmemory;
  if (denyOom || maxmemory !== 0) {
    const evicted = maxmemory === 0 || server.eviction.perform();
    if (denyOom && !evicted) {
      reject(client, Err.oom, command);
      return;
    }
    if (denyOom && server.heapGuard.isFull(lastClockReading)) {
      reject(client, Err.oomHeap, command);
      return;
    }
  }
  // As Redis, PING is refused too, so that monitoring notices. Checked only after a failed save.
  const persistence = server.persistence;
  if (!persistence.lastBgsaveOk && (command.isWrite || command.name === 'ping') && persistence.writesRefused) {
    reject(client, Err.misconf, command);
    return;
  }
  if (client.monitoring && command.touchesKeyspace) {
    reject(client, "ERR Replica can't interact with the keyspace", command);
    return;
  }
  if (client.subscriptions !== null && client.resp === 2 && !ALLOWED_WHILE_SUBSCRIBED.has((command.parent ?? command).name)) {
    reject(client, `ERR Can't execute '${command.fullName}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`, command);
    return;
  }
  if (persistence.loading !== null && !command.allowedWhileLoading) {
    reject(client, Err.loading, command);
    return;
  }
  if (client.multi !== null && !RUN_INSIDE_MULTI.has((command.parent ?? command).name)) {
    if (command.noMulti) {
      reject(client, 'ERR Command not allowed inside a transaction', command);
      return;
    }
    client.multi.push({ command, argv });
    client.reply.simple('QUEUED');
    return;
  }
  server.commandTime = Math.floor(lastClockReading + server.wallClockOffset);
  call(client, command, argv);
  if (server.monitors.size !== 0) feedMonitors(client, command, argv);
}

/**
 * Calls a handler and keeps its statistics. An error thrown half-way through a reply rolls the
 * reply back, so the client always gets one well-formed answer.
 */
export function call(client: Client, command: Command, argv: string[]): void {
  const start = lastClockReading;
  const writer = client.reply;
  const mark = writer.mark();
  const errorsBefore = writer.errorReplies;
  // Set before running, as Redis's c->lastcmd: CLIENT LIST shows the command being run.
  client.lastCommand = command.fullName;
  // While a background save runs, the keys a write names may change in place: let it keep them first.
  const beforeChange = client.db.beforeChange;
  if (beforeChange !== null && command.isWrite) {
    for (const position of command.keyPositions(argv)) beforeChange(client.db, argv[position]);
  }
  const server = client.server;
  const dirtyBefore = server.dirty;
  client.propagation = null;
  try {
    command.handler(client, argv);
  } catch (error) {
    writer.rollback(mark);
    if (error instanceof CommandError) {
      writer.error(error.message);
    } else {
      client.log.error({ err: error, command: command.fullName }, 'command failed unexpectedly');
      writer.error(`ERR internal error while running '${command.fullName}'`);
    }
  }
  server.settleMemory();
  // A command that changed the dataset goes to the append-only file, in its deterministic form.
  const aof = server.persistence.aof;
  if (aof !== null && server.dirty !== dirtyBefore) {
    // The handler may have set it (TypeScript cannot see that through the call).
    const propagation = client.propagation as string[][] | null;
    if (propagation === null) aof.feed(client.db.id, argv);
    else for (const logged of propagation) aof.feed(client.db.id, logged);
  }
  const stats = command.stats;
  stats.calls++;
  lastClockReading = performance.now();
  stats.usec += (lastClockReading - start) * 1000;
  if (writer.errorReplies !== errorsBefore) stats.failedCalls++;
  server.stats.commandsProcessed++;
}

function reject(client: Client, message: string, command?: Command): void {
  if (command !== undefined) command.stats.rejectedCalls++;
  if (command !== undefined && command.name === 'exec') {
    // As Redis's execCommandAbort: a refused EXEC ends the transaction and tells why.
    client.discardTransaction();
    client.reply.error(Err.execAbortBecause(message.startsWith('ERR ') ? message.slice(4) : message));
    return;
  }
  if (client.multi !== null) client.multiFailed = true;
  client.reply.error(message);
}
