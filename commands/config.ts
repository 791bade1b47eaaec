import type { CommandSpec } from '../src/command.js';

export const configCommands: CommandSpec[] = [];
