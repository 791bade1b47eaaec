import type { Client } from '../src/client.js';

/**
 * The reply of a container's HELP subcommand, as Redis's addReplyHelp: a heading, the given
 * lines, then HELP itself, each as a status line.
 */
export function replyHelp(client: Client, container: string, lines: readonly string[]): void {
  const reply = client.reply;
  reply.arrayHeader(lines.length + 3);
  reply.simple(`${container.toUpperCase()} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`);
  for (const line of lines) reply.simple(line);
  reply.simple('HELP');
  reply.simple('    Prints this help.');
}
