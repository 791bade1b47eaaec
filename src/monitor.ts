import { performance } from 'node:perf_hooks';
import type { Client } from './client.js';
import type { Command } from './command.js';
import { quote } from './config.js';

const REDACTED = '"(redacted)"';

/**
 * MONITOR: shows each command a client ran to every monitoring client, as Redis's
 * replicationFeedMonitors: `+<seconds>.<microseconds> [<db> <address>] "arg" ...`, arguments
 * as the client sent them in C-escaped quotes, passwords redacted. Called after the command ran,
 * so SELECT shows the database it selected; admin commands are not shown.
 */
export function feedMonitors(client: Client, command: Command, argv: readonly string[]): void {
  if (command.hiddenFromMonitors) return;
  const server = client.server;
  const ms = performance.now() + server.wallClockOffset;
  const seconds = Math.floor(ms / 1000);
  const micros = Math.floor((ms - seconds * 1000) * 1000);
  let line = `+${seconds}.${String(micros).padStart(6, '0')} [${client.db.id} ${client.address}]`;
  const redacted = redactedArguments(command, argv);
  for (let i = 0; i < argv.length; i++) line += ' ' + (redacted.has(i) ? REDACTED : quote(argv[i]));
  const bytes = Buffer.from(line + '\r\n', 'latin1');
  for (const monitor of server.monitors) {
    // As Redis, nothing more reaches a connection that is closing (a monitor's own QUIT).
    if (!monitor.closeAfterReply) server.sendAside(monitor, bytes);
  }
}

/** Positions of passwords: every AUTH argument, and the two after HELLO's AUTH option. */
function redactedArguments(command: Command, argv: readonly string[]): Set<number> {
  const positions = new Set<number>();
  if (command.name === 'auth') {
    for (let i = 1; i < argv.length; i++) positions.add(i);
  } else if (command.name === 'hello') {
    for (let i = 2; i + 2 < argv.length; i++) {
      if (argv[i].toUpperCase() === 'AUTH') {
        positions.add(i + 1).add(i + 2);
        i += 2;
      }
    }
  }
  return positions;
}
