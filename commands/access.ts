import type { Client } from '../src/client.js';
import type { Database } from '../src/keyspace/database.js';
import { isString, type RedisValue, type StringValue } from '../src/keyspace/values.js';
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

/**
 * The bookkeeping every write ends with, as Redis's signalModifiedKey + dirty++: clients
 * WATCHing the key fail their EXEC, and the change counts towards save points.
 */
export function keyModified(client: Client, db: Database, key: string, changes = 1): void {
  db.touch(key);
  client.server.dirty += changes;
}

export type { RedisValue };
