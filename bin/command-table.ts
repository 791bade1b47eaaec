#!/usr/bin/env node
/**
 * Writes the README's command list from the command table, between the `<!-- commands:start -->`
 * and `<!-- commands:end -->` markers, so the documentation cannot drift from the server.
 * `--print` writes the table to stdout instead. Run through `npm run readme:commands`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { commands } from '../commands/index.js';
import { CommandTable, type Command, type CommandGroup } from '../src/command.js';

export const START_MARKER = '<!-- commands:start -->';
export const END_MARKER = '<!-- commands:end -->';
export const README = fileURLToPath(new URL('../../README.md', import.meta.url));

/** Group headings, in the order of Redis's command documentation. */
const GROUP_TITLES: Record<CommandGroup, string> = {
  string: 'Strings', bitmap: 'Bitmaps', generic: 'Keys', list: 'Lists', hash: 'Hashes', set: 'Sets',
  sorted_set: 'Sorted sets', stream: 'Streams', hyperloglog: 'HyperLogLog', geo: 'Geospatial', pubsub: 'Pub/Sub',
  transactions: 'Transactions', scripting: 'Scripting and functions', connection: 'Connection', server: 'Server',
  cluster: 'Cluster', sentinel: 'Sentinel', module: 'Modules',
};

function row(command: Command): string {
  const name = command.fullName.toUpperCase().replace('|', ' ');
  const flags = command.spec.flags.join(', ');
  // A pipe inside a cell would end it.
  const summary = command.spec.summary.replace(/\|/g, '\\|');
  return `| \`${name}\` | ${command.arity} | ${flags} | ${summary} |`;
}

/** The markdown for every command and subcommand of `table`, one section per group. */
export function commandTableMarkdown(table: CommandTable): string {
  const byGroup = new Map<CommandGroup, Command[]>();
  for (const command of table.commands) {
    const list = byGroup.get(command.spec.group) ?? [];
    list.push(command);
    byGroup.set(command.spec.group, list);
  }
  const sections: string[] = [];
  for (const group of Object.keys(GROUP_TITLES) as CommandGroup[]) {
    const list = byGroup.get(group);
    if (list === undefined) continue;
    const rows = [...list].sort((a, b) => a.name.localeCompare(b.name)).flatMap((command) => [
      row(command),
      ...[...(command.subcommands?.values() ?? [])].sort((a, b) => a.name.localeCompare(b.name)).map(row),
    ]);
    sections.push([`### ${GROUP_TITLES[group]}`, '', '| command | arity | flags | summary |', '| --- | --- | --- | --- |', ...rows].join('\n'));
  }
  return sections.join('\n\n');
}

/** `readme` with the text between the markers replaced by `table`. */
export function replaceBetweenMarkers(readme: string, table: string): string {
  const start = readme.indexOf(START_MARKER);
  const end = readme.indexOf(END_MARKER);
  if (start === -1 || end < start) throw new Error(`README.md lacks the ${START_MARKER} ... ${END_MARKER} markers`);
  return `${readme.slice(0, start + START_MARKER.length)}\n${table}\n${readme.slice(end)}`;
}

function main(): void {
  const table = commandTableMarkdown(new CommandTable(commands));
  if (process.argv.includes('--print')) {
    console.log(table);
    return;
  }
  const readme = readFileSync(README, 'utf8');
  const updated = replaceBetweenMarkers(readme, table);
  if (updated === readme) {
    console.log('README.md command table is up to date');
    return;
  }
  writeFileSync(README, updated);
  console.log('README.md command table updated');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
