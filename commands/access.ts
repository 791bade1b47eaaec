import type { Client } from '../src/client.js';
import type { Database } from '../src/keyspace/database.js';
import { isString, type CollectionValue, type RedisValue, type StringValue } from '../src/keyspace/values.js';
import { Err, fail } from '../src/errors.js';
import type { KeyEvent } from '../src/keyspace/events.js';

/** The string at `key` for a reading command, or undefined; WRONGTYPE for another type. */
export function readString(client: Client, key: string): StringValue | undefined {
  const value = client.db.lookupRead(key);
  if (value !== undefined && !isString(value)) fail(Err.wrongType);
  return value;
}

/** The string at `key` for a writing command (no hit/miss counting), or undefined; WRONGTYPE otherwise. */
export function writableString(db: Database, key: string): StringValue | undefined {
  const value = db.lookup(key);
  if (value !== undefined && !isString(value)) fail(Err.wrongType);
  return value;
}

/** The collection of `type` at `key` for a reading command, or undefined; WRONGTYPE for another type. */
export function readCollection<T extends CollectionValue>(client: Client, key: string, type: T['type']): T | undefined {
  return checkType<T>(client.db.lookupRead(key), type);
}

/** The collection of `type` at `key` for a writing command, or undefined; WRONGTYPE for another type. */
export function writableCollection<T extends CollectionValue>(db: Database, key: string, type: T['type']): T | undefined {
  return checkType<T>(db.lookup(key), type);
}

function checkType<T extends CollectionValue>(value: RedisValue | undefined, type: T['type']): T | undefined {
  if (value === undefined) return undefined;
  if (isString(value) || value.type !== type) fail(Err.wrongType);
  return value as T;
}

/**
 * Ends a write to a collection: the bookkeeping of keyModified, then the key is deleted once
 * the collection is empty (Redis never keeps empty collections), with a `del` event after the
 * command's own.
 */
export function collectionModified(client: Client, db: Database, key: string, value: CollectionValue, event: KeyEvent, changes = 1): void {
  keyModified(client, db, key, event, changes);
  if (value.size === 0) {
    db.delete(key);
    notify(client, db, key, 'del');
  }
}

/**
 * The bookkeeping every write ends with, as Redis's signalModifiedKey + signalKeyAsReady +
 * dirty++ + notifyKeyspaceEvent: clients WATCHing the key fail their EXEC, clients blocked on
 * it are looked at after the command, the change counts towards save points, and `event` is
 * published to whoever listens to keyspace notifications.
 */
export function keyModified(client: Client, db: Database, key: string, event: KeyEvent, changes = 1): void {
  const server = client.server;
  db.touch(key);
  server.blocking.signal(db, key);
  server.dirty += changes;
  server.keyspaceEvents.notify(event, key, db.id);
}

/**
 * Logs the running write to the append-only file as these commands instead of its own
 * arguments (Redis's rewriteClientCommandVector / alsoPropagate): absolute TTLs for relative
 * ones, the members SPOP picked, the pop a blocking command was served; none for EXEC, whose
 * commands were logged as they ran.
 */
export function propagateAs(client: Client, ...commands: string[][]): void {
  client.propagation = commands;
}

/** A further keyspace event of a write whose bookkeeping keyModified did (SET's `expire`, a `del`). */
export function notify(client: Client, db: Database, key: string, event: KeyEvent): void {
  client.server.keyspaceEvents.notify(event, key, db.id);
}

export type { RedisValue };
