import type { Client } from '../src/client.js';
import type { Database } from '../src/keyspace/database.js';
import { isString, type CollectionValue, type RedisValue, type StringValue } from '../src/keyspace/values.js';
import { Err, fail } from '../src/errors.js';

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
 * Ends a write to a collection: the key is deleted once the collection is empty (Redis never
 * keeps empty collections), then the usual bookkeeping of keyModified.
 */
export function collectionModified(client: Client, db: Database, key: string, value: CollectionValue, changes = 1): void {
  if (value.size === 0) db.delete(key);
  keyModified(client, db, key, changes);
}

/**
 * The bookkeeping every write ends with, as Redis's signalModifiedKey + signalKeyAsReady +
 * dirty++: clients WATCHing the key fail their EXEC, clients blocked on it are looked at after
 * the command, and the change counts towards save points.
 */
export function keyModified(client: Client, db: Database, key: string, changes = 1): void {
  db.touch(key);
  client.server.blocking.signal(db, key);
  client.server.dirty += changes;
}

export type { RedisValue };
