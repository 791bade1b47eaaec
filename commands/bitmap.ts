import type { Client } from '../src/client.js';
import type { CommandSpec } from '../src/command.js';
import { Err, fail } from '../src/errors.js';
import type { StringValue } from '../src/keyspace/values.js';
import {
  bitop, countBits, fieldIncrement, fieldSet, findBit, getBit, parseFieldType, readField, setBit, writeField,
  type BitOperation, type FieldType, type Overflow,
} from '../src/datatypes/bits.js';
import { byteAt, bytesOf, MAX_BUFFER_LENGTH, writableBytes } from '../src/datatypes/byte-string.js';
import { integerArg, isOption, parseInteger } from './arguments.js';
import { parseInt64 } from '../src/datatypes/int64.js';
import { keyModified, readString, writableString } from './access.js';

const INVALID_FIELD_TYPE = 'ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.';
const EMPTY = Buffer.alloc(0);

/**
 * A bit offset, as Redis's getBitOffsetFromArgument: non-negative and addressing a byte below
 * proto-max-bulk-len (so 2^32-1 is the largest with the default 512mb). With `bits` > 0 (BITFIELD)
 * "#N" means the N-th field of that width.
 */
function bitOffsetArg(client: Client, text: string, bits = 0): number {
  const positional = bits > 0 && text.charCodeAt(0) === 0x23; // '#'
  const n = parseInteger(positional ? text.slice(1) : text);
  if (n === undefined) fail(Err.bitOffset);
  const offset = positional ? n * bits : n;
  const limit = Math.min(client.server.config.get('proto-max-bulk-len'), MAX_BUFFER_LENGTH);
  if (offset < 0 || Math.floor(offset / 8) >= limit) fail(Err.bitOffset);
  return offset;
}

/** The bytes [first, last] of a value; a Buffer is not copied. */
function byteRange(value: StringValue, first: number, last: number): Buffer {
  return typeof value === 'string' ? Buffer.from(value.slice(first, last + 1), 'latin1') : value.subarray(first, last + 1);
}

/** SETBIT key offset value */
function setbit(client: Client, argv: string[]): void {
  const offset = bitOffsetArg(client, argv[2]);
  const on = parseInteger(argv[3]);
  if (on !== 0 && on !== 1) fail(Err.bitValue);
  const db = client.db;
  const key = argv[1];
  const value = writableString(db, key);
  const index = Math.floor(offset / 8);
  if (value !== undefined && index < value.length) {
    // Setting a bit to what it already is changes nothing: no write, no conversion.
    const current = getBit(byteAt(value, index), offset);
    if (current === on) {
      client.reply.integer(current);
      return;
    }
  }
  const bytes = writableBytes(value, index + 1);
  const previous = setBit(bytes, offset, on);
  db.set(key, bytes, true);
  keyModified(client, db, key, 'setbit');
  client.reply.integer(previous);
}

/** GETBIT key offset */
function getbit(client: Client, argv: string[]): void {
  const offset = bitOffsetArg(client, argv[2]);
  const value = readString(client, argv[1]);
  client.reply.integer(value === undefined ? 0 : getBit(byteAt(value, Math.floor(offset / 8)), offset));
}

/** An inclusive range of bits; empty when startBit > endBit. */
interface BitRange {
  startBit: number;
  endBit: number;
}

/** BIT or BYTE; anything else is a syntax error. */
function isBitUnit(text: string): boolean {
  if (isOption(text, 'BIT')) return true;
  if (!isOption(text, 'BYTE')) fail(Err.syntax);
  return false;
}

/**
 * Turns start/end (negative from the end, in bytes or bits) into a bit range within a value of
 * `length` bytes, clamped as BITCOUNT and BITPOS do.
 */
function bitRange(start: number, end: number, isBit: boolean, length: number): BitRange {
  const total = isBit ? length * 8 : length;
  if (start < 0) start = Math.max(0, total + start);
  if (end < 0) end = Math.max(0, total + end);
  if (end >= total) end = total - 1;
  if (start > end) return { startBit: 0, endBit: -1 };
  return isBit ? { startBit: start, endBit: end } : { startBit: start * 8, endBit: end * 8 + 7 };
}

/** BITCOUNT key [start end [BYTE | BIT]] */
function bitcount(client: Client, argv: string[]): void {
  // Redis 7.0 looks the key up first: a missing key counts 0 whatever the arguments.
  const value = readString(client, argv[1]);
  if (value === undefined) {
    client.reply.integer(0);
    return;
  }
  let range: BitRange = { startBit: 0, endBit: value.length * 8 - 1 };
  if (argv.length === 4 || argv.length === 5) {
    const start = integerArg(argv[2]);
    const end = integerArg(argv[3]);
    const isBit = argv.length === 5 && isBitUnit(argv[4]);
    if (start < 0 && end < 0 && start > end) {
      client.reply.integer(0);
      return;
    }
    range = bitRange(start, end, isBit, value.length);
  } else if (argv.length !== 2) {
    fail(Err.syntax);
  }
  const { startBit, endBit } = range;
  if (startBit > endBit) {
    client.reply.integer(0);
    return;
  }
  const first = Math.floor(startBit / 8);
  const bytes = byteRange(value, first, Math.floor(endBit / 8));
  client.reply.integer(countBits(bytes, startBit - first * 8, endBit - first * 8));
}

/** BITPOS key bit [start [end [BYTE | BIT]]] */
function bitpos(client: Client, argv: string[]): void {
  const bit = integerArg(argv[2]);
  if (bit !== 0 && bit !== 1) fail('ERR The bit argument must be 1 or 0.');
  const value = readString(client, argv[1]);
  if (value === undefined) {
    // A missing key is an endless run of zeros.
    client.reply.integer(bit === 1 ? -1 : 0);
    return;
  }
  const length = value.length;
  let range: BitRange = { startBit: 0, endBit: length * 8 - 1 };
  let endGiven = false;
  if (argv.length >= 4 && argv.length <= 6) {
    const start = integerArg(argv[3]);
    const isBit = argv.length === 6 && isBitUnit(argv[5]);
    endGiven = argv.length >= 5;
    const end = endGiven ? integerArg(argv[4]) : isBit ? length * 8 + 7 : length - 1;
    range = bitRange(start, end, isBit, length);
  } else if (argv.length !== 3) {
    fail(Err.syntax);
  }
  const { startBit, endBit } = range;
  if (startBit > endBit) {
    client.reply.integer(-1);
    return;
  }
  const first = Math.floor(startBit / 8);
  const bytes = byteRange(value, first, Math.floor(endBit / 8));
  const found = findBit(bytes, bit, startBit - first * 8, endBit - first * 8);
  // Looking for a clear bit without an explicit end, the value counts as zero-padded on the right.
  if (found !== -1) client.reply.integer(found + first * 8);
  else client.reply.integer(bit === 1 || endGiven ? -1 : endBit + 1);
}

const BIT_OPERATIONS: readonly BitOperation[] = ['and', 'or', 'xor', 'not'];

/** BITOP <AND | OR | XOR | NOT> destkey key [key ...] */
function bitopCommand(client: Client, argv: string[]): void {
  const operation = BIT_OPERATIONS.find((name) => isOption(argv[1], name.toUpperCase()));
  if (operation === undefined) fail(Err.syntax);
  if (operation === 'not' && argv.length !== 4) fail('ERR BITOP NOT must be called with a single source key.');
  const sources: Buffer[] = [];
  let length = 0;
  for (let j = 3; j < argv.length; j++) {
    const value = readString(client, argv[j]);
    const bytes = value === undefined ? EMPTY : bytesOf(value);
    sources.push(bytes);
    length = Math.max(length, bytes.length);
  }
  const db = client.db;
  const destination = argv[2];
  if (length > 0) {
    db.set(destination, bitop(operation, sources, length));
    keyModified(client, db, destination, 'set');
  } else if (db.delete(destination)) {
    keyModified(client, db, destination, 'del');
  }
  client.reply.integer(length);
}

const enum FieldOpKind {
  Get,
  Set,
  IncrBy,
}

interface FieldOp {
  kind: FieldOpKind;
  type: FieldType;
  offset: number;
  /** SET's value or INCRBY's increment. */
  value: bigint;
  overflow: Overflow;
}

const OVERFLOWS: readonly Overflow[] = ['wrap', 'sat', 'fail'];

/** Parses BITFIELD's subcommands, all of them before anything runs (Redis's bitfieldGeneric). */
function parseFieldOps(client: Client, argv: string[]): FieldOp[] {
  const ops: FieldOp[] = [];
  let overflow: Overflow = 'wrap';
  for (let j = 2; j < argv.length; j++) {
    const remaining = argv.length - j - 1;
    const name = argv[j];
    let kind: FieldOpKind;
    if (isOption(name, 'GET') && remaining >= 2) kind = FieldOpKind.Get;
    else if (isOption(name, 'SET') && remaining >= 3) kind = FieldOpKind.Set;
    else if (isOption(name, 'INCRBY') && remaining >= 3) kind = FieldOpKind.IncrBy;
    else if (isOption(name, 'OVERFLOW') && remaining >= 1) {
      const requested = argv[++j];
      const found = OVERFLOWS.find((o) => isOption(requested, o.toUpperCase()));
      if (found === undefined) fail('ERR Invalid OVERFLOW type specified');
      overflow = found;
      continue;
    } else {
      fail(Err.syntax);
    }
    const type = parseFieldType(argv[j + 1]);
    if (type === undefined) fail(INVALID_FIELD_TYPE);
    const offset = bitOffsetArg(client, argv[j + 2], type.bits);
    let value = 0n;
    if (kind !== FieldOpKind.Get) {
      const parsed = parseInt64(argv[j + 3]);
      if (parsed === undefined) fail(Err.notInteger);
      value = parsed;
    }
    ops.push({ kind, type, offset, value, overflow });
    j += kind === FieldOpKind.Get ? 2 : 3;
  }
  return ops;
}

/** The shared body of BITFIELD and BITFIELD_RO. */
function bitfieldGeneric(client: Client, argv: string[], readOnly: boolean): void {
  const ops = parseFieldOps(client, argv);
  const db = client.db;
  const key = argv[1];
  let highest = -1;
  for (const op of ops) if (op.kind !== FieldOpKind.Get) highest = Math.max(highest, op.offset + op.type.bits - 1);
  let value: StringValue | undefined;
  let grew = false;
  if (highest === -1) {
    value = readString(client, key);
  } else {
    if (readOnly) fail('ERR BITFIELD_RO only supports the GET subcommand');
    const current = writableString(db, key);
    const length = Math.floor(highest / 8) + 1;
    grew = current === undefined || length > current.length;
    // Like Redis, the key is created or padded even if every write then fails.
    value = writableBytes(current, length);
    db.set(key, value, true);
  }
  const reply = client.reply;
  reply.arrayHeader(ops.length);
  let changes = 0;
  const window = Buffer.alloc(9);
  for (const op of ops) {
    if (op.kind === FieldOpKind.Get) {
      // Read through a zero-padded copy of the (at most 9) bytes the field spans.
      const first = Math.floor(op.offset / 8);
      for (let i = 0; i < 9; i++) window[i] = value === undefined ? 0 : byteAt(value, first + i);
      reply.integer(readField(window, op.offset - first * 8, op.type));
      continue;
    }
    const bytes = value as Buffer;
    const old = readField(bytes, op.offset, op.type);
    const stored = op.kind === FieldOpKind.Set
      ? fieldSet(op.type, op.value, op.overflow)
      : fieldIncrement(op.type, old, op.value, op.overflow);
    if (stored === null) {
      reply.nullBulk();
      continue;
    }
    reply.integer(op.kind === FieldOpKind.Set ? old : stored);
    writeField(bytes, op.offset, op.type, stored);
    if (grew || old !== stored) changes++;
  }
  if (changes > 0) keyModified(client, db, key, 'setbit', changes);
}

/** BITFIELD key [GET encoding offset | [OVERFLOW <WRAP | SAT | FAIL>] <SET encoding offset value | INCRBY encoding offset increment> [GET encoding offset | [OVERFLOW <WRAP | SAT | FAIL>] <SET encoding offset value | INCRBY encoding offset increment> ...]] */
function bitfield(client: Client, argv: string[]): void {
  bitfieldGeneric(client, argv, false);
}

/** BITFIELD_RO key [GET encoding offset [GET encoding offset ...]] */
function bitfieldRo(client: Client, argv: string[]): void {
  bitfieldGeneric(client, argv, true);
}

const bitmapCommand = { group: 'bitmap' } as const;
const oneKey = [1, 1, 1] as const;

export const bitmapCommands: CommandSpec[] = [
  { ...bitmapCommand, name: 'setbit', arity: 4, flags: ['write', 'denyoom'], keys: oneKey, since: '2.2.0', summary: 'Sets or clears the bit at offset of the string value. Creates the key if it doesn\'t exist.', complexity: 'O(1)', handler: setbit },
  { ...bitmapCommand, name: 'getbit', arity: 3, flags: ['readonly', 'fast'], keys: oneKey, since: '2.2.0', summary: 'Returns a bit value by offset.', complexity: 'O(1)', handler: getbit },
  { ...bitmapCommand, name: 'bitcount', arity: -2, flags: ['readonly'], keys: oneKey, since: '2.6.0', summary: 'Counts the number of set bits (population counting) in a string.', complexity: 'O(N)', handler: bitcount },
  { ...bitmapCommand, name: 'bitpos', arity: -3, flags: ['readonly'], keys: oneKey, since: '2.8.7', summary: 'Finds the first set (1) or clear (0) bit in a string.', complexity: 'O(N)', handler: bitpos },
  { ...bitmapCommand, name: 'bitop', arity: -4, flags: ['write', 'denyoom'], keys: [2, -1, 1], since: '2.6.0', summary: 'Performs bitwise operations on multiple strings, and stores the result.', complexity: 'O(N)', handler: bitopCommand },
  { ...bitmapCommand, name: 'bitfield', arity: -2, flags: ['write', 'denyoom'], keys: oneKey, since: '3.2.0', summary: 'Performs arbitrary bitfield integer operations on strings.', complexity: 'O(1) for each subcommand specified', handler: bitfield },
  { ...bitmapCommand, name: 'bitfield_ro', arity: -2, flags: ['readonly', 'fast'], keys: oneKey, since: '6.0.0', summary: 'Performs arbitrary read-only bitfield integer operations on strings.', complexity: 'O(1) for each subcommand specified', handler: bitfieldRo },
];
