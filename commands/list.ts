import type { CommandSpec } from '../src/command.js';

export const listCommands: CommandSpec[] = [];
