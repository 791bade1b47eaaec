import type { Client } from '../src/client.js';
import type { CommandSpec } from '../src/command.js';
import { SetValue } from '../src/datatypes/set.js';
import { collectionModified, readCollection, writableCollection } from './access.js';

/** SADD key member [member ...] */
function sadd(client: Client, argv: string[]): void {
  const db = client.db;
  const key = argv[1];
  let set = writableCollection<SetValue>(db, key, 'set');
  if (set === undefined) {
    set = new SetValue();
    db.set(key, set);
  }
  const max = client.server.config.get('set-max-intset-entries');
  let added = 0;
  for (let i = 2; i < argv.length; i++) if (set.add(argv[i], max)) added++;
  if (added > 0) collectionModified(client, db, key, set, added);
  client.reply.integer(added);
}

/** SREM key member [member ...] */
function srem(client: Client, argv: string[]): void {
  const db = client.db;
  const set = writableCollection<SetValue>(db, argv[1], 'set');
  let removed = 0;
  if (set !== undefined) {
    for (let i = 2; i < argv.length; i++) if (set.members.delete(argv[i])) removed++;
    if (removed > 0) collectionModified(client, db, argv[1], set, removed);
  }
  client.reply.integer(removed);
}

/** SCARD key */
function scard(client: Client, argv: string[]): void {
  client.reply.integer(readCollection<SetValue>(client, argv[1], 'set')?.size ?? 0);
}

/** SISMEMBER key member */
function sismember(client: Client, argv: string[]): void {
  const set = readCollection<SetValue>(client, argv[1], 'set');
  client.reply.integer(set !== undefined && set.members.has(argv[2]) ? 1 : 0);
}

/** SMISMEMBER key member [member ...] */
function smismember(client: Client, argv: string[]): void {
  const set = readCollection<SetValue>(client, argv[1], 'set');
  client.reply.arrayHeader(argv.length - 2);
  for (let i = 2; i < argv.length; i++) client.reply.integer(set !== undefined && set.members.has(argv[i]) ? 1 : 0);
}

/** SMEMBERS key */
function smembers(client: Client, argv: string[]): void {
  const set = readCollection<SetValue>(client, argv[1], 'set');
  const members = set === undefined ? [] : set.list();
  client.reply.setHeader(members.length);
  for (const member of members) client.reply.bulk(member);
}

const setCommand = { group: 'set', keys: [1, 1, 1] } as const;

export const setCommands: CommandSpec[] = [
  { ...setCommand, name: 'sadd', arity: -3, flags: ['write', 'denyoom', 'fast'], since: '1.0.0', summary: 'Adds one or more members to a set. Creates the key if it doesn\'t exist.', complexity: 'O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.', handler: sadd },
  { ...setCommand, name: 'srem', arity: -3, flags: ['write', 'fast'], since: '1.0.0', summary: 'Removes one or more members from a set. Deletes the set if the last member was removed.', complexity: 'O(N) where N is the number of members to be removed.', handler: srem },
  { ...setCommand, name: 'scard', arity: 2, flags: ['readonly', 'fast'], since: '1.0.0', summary: 'Returns the number of members in a set.', complexity: 'O(1)', handler: scard },
  { ...setCommand, name: 'sismember', arity: 3, flags: ['readonly', 'fast'], since: '1.0.0', summary: 'Determines whether a member belongs to a set.', complexity: 'O(1)', handler: sismember },
  { ...setCommand, name: 'smismember', arity: -3, flags: ['readonly', 'fast'], since: '6.2.0', summary: 'Determines whether multiple members belong to a set.', complexity: 'O(N) where N is the number of elements being checked for membership', handler: smismember },
  { ...setCommand, name: 'smembers', arity: 2, flags: ['readonly'], since: '1.0.0', summary: 'Returns all members of a set.', complexity: 'O(N) where N is the set cardinality.', handler: smembers },
];
