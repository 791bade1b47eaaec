#!/usr/bin/env node
/**
 * nodis-check-aof [--fix] <file>: checks an append-only file as redis-check-aof does (its RDB
 * preamble, then every command and transaction) and, with --fix, cuts it after the last command
 * that can be replayed. Exit code 0 when the file is valid (or was fixed), 1 otherwise.
 */
import { readFileSync, truncateSync } from 'node:fs';
import { checkCommands } from '../persistence/aof-format.js';
import { RdbReader } from '../persistence/rdb-reader.js';

const USAGE = 'Usage: nodis-check-aof [--fix] <file.aof>';

function rdbPreambleEnd(data: Buffer): number {
  if (data.subarray(0, 5).toString('latin1') !== 'REDIS') return 0;
  // Generous limits: the checker only needs to walk the values, not to settle their encodings.
  const limits = { hashMaxListpackEntries: 0, hashMaxListpackValue: 0, setMaxIntsetEntries: 0, zsetMaxListpackEntries: 0, zsetMaxListpackValue: 0 };
  const reader = new RdbReader(data, { checksum: true, limits });
  while (reader.next() !== null);
  return reader.offset;
}

function main(args: string[]): number {
  const fix = args[0] === '--fix';
  const path = fix ? args[1] : args[0];
  if (path === undefined || args.length > (fix ? 2 : 1)) {
    console.error(USAGE);
    return 1;
  }
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch (error) {
    console.error(`Cannot open file ${path}: ${(error as Error).message}`);
    return 1;
  }
  let start: number;
  try {
    start = rdbPreambleEnd(data);
  } catch (error) {
    console.error(`RDB preamble of the AOF file is not valid: ${(error as Error).message}`);
    return 1;
  }
  if (start > 0) console.log(`RDB preamble is OK, proceeding with AOF tail at byte ${start}...`);
  const check = checkCommands(data, start);
  if (check.problem === null) {
    console.log(`AOF analyzed: size=${data.length}, ok_up_to=${check.validUpTo}, diff=0`);
    console.log(`AOF ${path} is valid`);
    return 0;
  }
  console.log(`0x${check.problem.offset.toString(16).padStart(8, '0')}: ${check.problem.message}`);
  console.log(`AOF analyzed: size=${data.length}, ok_up_to=${check.validUpTo}, diff=${data.length - check.validUpTo}`);
  if (!fix) {
    console.log('AOF is not valid. Use the --fix option to try fixing it.');
    return 1;
  }
  truncateSync(path, check.validUpTo);
  console.log('Successfully truncated AOF');
  return 0;
}

process.exit(main(process.argv.slice(2)));
