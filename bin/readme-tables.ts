#!/usr/bin/env node
/**
 * Writes the README's tables of commands and of configuration options from the command table and
 * the config registry, between `<!-- commands:start -->`/`<!-- commands:end -->` and
 * `<!-- config:start -->`/`<!-- config:end -->`, so the documentation cannot drift from the
 * server. `--print` writes the tables to stdout instead. Run through `npm run readme:tables`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { commands } from '../commands/index.js';
import { CommandTable, type Command, type CommandGroup } from '../src/command.js';
import { Config, PARAMS } from '../src/config.js';
export const README = fileURLToPath(new URL('../../README.md', import.meta.url));

/** Group headings, in the order of Redis's command documentation. */
const GROUP_TITLES: Record<CommandGroup, string> = {
  string: 'Strings', bitmap: 'Bitmaps', generic: 'Keys', list: 'Lists', hash: 'Hashes', set: 'Sets',
  sorted_set: 'Sorted sets', stream: 'Streams', hyperloglog: 'HyperLogLog', geo: 'Geospatial', pubsub: 'Pub/Sub',
  transactions: 'Transactions', scripting: 'Scripting and functions', connection: 'Connection', server: 'Server',
  cluster: 'Cluster', sentinel: 'Sentinel', module: 'Message broker (MQ.*, group module)',
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

/** The markdown table of every configuration option: default, whether CONFIG SET changes it, meaning. */
export function configTableMarkdown(): string {
  const defaults = new Config();
  const rows = PARAMS.map((p) => {
    const shown = defaults.format(p);
    const aliases = p.aliases.map((alias) => ` (alias \`${alias}\`)`).join('');
    return `| \`${p.name}\`${aliases} | ${shown === '' ? '(empty)' : `\`${shown}\``} | ${p.mutable ? 'yes' : 'no'} | ${p.description} |`;
  });
  return ['| option | default | CONFIG SET | meaning |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

/** `readme` with the text between the `name` markers replaced by `table`. */
export function replaceBetweenMarkers(readme: string, name: string, table: string): string {
  const startMarker = `<!-- ${name}:start -->`;
  const endMarker = `<!-- ${name}:end -->`;
  const start = readme.indexOf(startMarker);
  const end = readme.indexOf(endMarker);
  if (start === -1 || end < start) throw new Error(`README.md lacks the ${startMarker} ... ${endMarker} markers`);
  return `${readme.slice(0, start + startMarker.length)}\n${table}\n${readme.slice(end)}`;
}

/** The README with both generated tables brought up to date. */
export function withGeneratedTables(readme: string): string {
  const commandTable = commandTableMarkdown(new CommandTable(commands));
  return replaceBetweenMarkers(replaceBetweenMarkers(readme, 'commands', commandTable), 'config', configTableMarkdown());
}

function main(): void {
  if (process.argv.includes('--print')) {
    console.log(`${commandTableMarkdown(new CommandTable(commands))}\n\n${configTableMarkdown()}`);
    return;
  }
  const readme = readFileSync(README, 'utf8');
  const updated = withGeneratedTables(readme);
  if (updated === readme) {
    console.log('README.md tables are up to date');
    return;
  }
  writeFileSync(README, updated);
  console.log('README.md tables updated');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
