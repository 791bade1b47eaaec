import type { CommandSpec } from '../src/command.js';
import { connectionCommands } from './connection.js';

/** The command table: every command nodis serves, declared once in its group's module. */
export const commands: readonly CommandSpec[] = [...connectionCommands];
