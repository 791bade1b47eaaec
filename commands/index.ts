import type { CommandSpec } from '../src/command.js';
import { bitmapCommands } from './bitmap.js';
import { brokerCommands } from './broker.js';
import { clientCommands } from './client.js';
import { introspectionCommands } from './command.js';
import { configCommands } from './config.js';
import { connectionCommands } from './connection.js';
import { hashCommands } from './hash.js';
import { infoCommands } from './info.js';
import { keyCommands } from './keys.js';
import { listCommands } from './list.js';
import { memoryCommands } from './memory.js';
import { pubsubCommands } from './pubsub.js';
import { serverCommands } from './server.js';
import { setCommands } from './set.js';
import { stringCommands } from './string.js';
import { transactionCommands } from './transactions.js';
import { sortedSetCommands } from './zset.js';

/** The command table: every command nodis serves, declared once in its group's module. */
export const commands: readonly CommandSpec[] = [
  ...connectionCommands,
  ...stringCommands,
  ...bitmapCommands,
  ...keyCommands,
  ...hashCommands,
  ...listCommands,
  ...setCommands,
  ...sortedSetCommands,
  ...pubsubCommands,
  ...transactionCommands,
  ...serverCommands,
  ...memoryCommands,
  ...clientCommands,
  ...configCommands,
  ...infoCommands,
  ...introspectionCommands,
  ...brokerCommands,
];
