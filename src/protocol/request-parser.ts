import { constants } from 'node:buffer';
import { splitArgs } from './split-args.js';
import { Err } from '../errors.js';

/** Longest inline request or header line Redis accepts (PROTO_INLINE_MAX_SIZE). */
const INLINE_MAX = 64 * 1024;
const INT_MAX = 2147483647;
/** Before AUTH, Redis refuses requests larger than these (so strangers cannot make it buffer much). */
const UNAUTHENTICATED_MAX_ARGS = 10;
const UNAUTHENTICATED_MAX_BULK = 16384;
const CR = 13;
const LF = 10;
const EMPTY = Buffer.alloc(0);
/** Recently seen command names, so the names of a pipeline are not allocated again and again. */
const NAME_CACHE_SLOTS = 256;
const NAME_CACHE_MAX_LENGTH = 24;
const nameCache: (string | undefined)[] = new Array(NAME_CACHE_SLOTS).fill(undefined);

export interface ParserContext {
  /** Current proto-max-bulk-len. */
  maxBulkLength(): number;
  /** True while the connection must still authenticate. */
  authRequired(): boolean;
  /** Current client-query-buffer-limit. */
  queryBufferLimit(): number;
}

/**
 * Arguments up to this long are made by String.fromCharCode with one parameter per byte: 15 ns
 * for a 16-byte key, against 35 for latin1Slice, whose call into C++ costs more than the copy.
 * One function per length, generated once (`new Function`), as spelling out 32 would be noise.
 */
const SHORT_TEXT_MAX = 32;
const shortTextMakers = Array.from(
  { length: SHORT_TEXT_MAX + 1 },
  (_, length) => new Function('buf', 'start', `return String.fromCharCode(${Array.from({ length }, (_, i) => `buf[start + ${i}]`).join(', ')});`) as (buf: Buffer, start: number) => string,
);

/** The latin1 string of buf[start, end): one char per byte. */
function latin1Text(buf: Buffer, start: number, end: number): string {
  const length = end - start;
  return length <= SHORT_TEXT_MAX ? shortTextMakers[length](buf, start) : buf.latin1Slice(start, end);
}

/** Requests of up to this many arguments get their array at once. */
const PRESIZED_ARGS = 8;

/**
 * Splits a connection's byte stream into commands, following Redis's processMultibulkBuffer and
 * processInlineBuffer: RESP arrays of bulk strings, or inline lines split like sdssplitargs.
 * Arguments come out as latin1 strings (one char per byte, so binary safe). The parser resumes
 * mid-frame, allocates no more than PRESIZED_ARGS slots from a declared length alone, and
 * gathers the chunks of a large bulk before joining them once.
 */
export class RequestParser {
  private buf: Buffer = EMPTY;
  private pos = 0;
  /** Where the input in `buf` ends: a read may fill only part of its buffer. */
  private end = 0;
  /** Arguments of the multibulk request being read, or null between requests. */
  private argv: string[] | null = null;
  private argsLeft = 0;
  /** Arguments of `argv` read so far. */
  private argsFilled = 0;
  /** Length of the bulk whose payload is awaited, or -1 while its header is awaited. */
  private bulkLen = -1;
  /** Chunks held back until a large bulk is complete. */
  private held: Buffer[] = [];
  private heldBytes = 0;
  /** Bytes needed beyond `pos` before parsing can make progress (0 = any new data may help). */
  private needed = 0;
  /** Set when the stream is malformed: the text of Redis's error reply. No command follows. */
  error: string | null = null;
  /** Bytes of the request in progress already parsed into arguments. */
  private requestBytes = 0;
  /** Set when the request in progress outgrew client-query-buffer-limit: close, no reply. */
  overflowed = false;

  constructor(private readonly context: ParserContext) {}

  /** Bytes received and not yet run: the unparsed input and the request in progress. */
  get bufferedBytes(): number {
    return this.requestBytes + this.end - this.pos + this.heldBytes;
  }

  /** Takes the next `length` bytes received (all of `chunk` by default), at the start of `chunk`. */
  feed(chunk: Buffer, length = chunk.length): void {
    const buffered = this.end - this.pos;
    if (this.requestBytes + buffered + this.heldBytes + length > this.context.queryBufferLimit()) {
      // As Redis, a client whose pending request outgrows client-query-buffer-limit is dropped
      // without a reply: it is desynchronised or hostile, and its memory must not grow further.
      this.overflowed = true;
      return;
    }
    if (buffered === 0 && this.heldBytes === 0) {
      this.buf = chunk;
      this.pos = 0;
      this.end = length;
      return;
    }
    const input = length === chunk.length ? chunk : chunk.subarray(0, length);
    if (this.needed > 0 && buffered + this.heldBytes + length < this.needed) {
      this.held.push(input);
      this.heldBytes += length;
      return;
    }
    const parts = [this.buf.subarray(this.pos, this.end), ...this.held, input];
    this.buf = Buffer.concat(parts, buffered + this.heldBytes + length);
    this.pos = 0;
    this.end = this.buf.length;
    this.held = [];
    this.heldBytes = 0;
  }

  /** Copies what the parser still holds of `memory`, a read buffer about to be reused. */
  detach(memory: ArrayBufferLike): void {
    if (this.buf.buffer === memory && this.pos < this.end) {
      this.buf = Buffer.from(this.buf.subarray(this.pos, this.end));
      this.pos = 0;
      this.end = this.buf.length;
    }
    const held = this.held;
    for (let i = 0; i < held.length; i++) if (held[i].buffer === memory) held[i] = Buffer.from(held[i]);
  }

  /** Returns the next complete command, or null when more input is needed or `error` is set. */
  next(): string[] | null {
    if (this.error !== null || this.overflowed) return null;
    const buf = this.buf;
    const inputEnd = this.end;
    const maxBulkLength = this.maxBulkLength();
    for (;;) {
      if (this.argv === null) {
        if (this.pos >= inputEnd) return this.drained();
        if (buf[this.pos] !== 0x2a /* '*' */) {
          const inline = this.inline();
          if (inline === null) return null;
          if (inline.length === 0) continue;
          return inline;
        }
        const nl = findCR(buf, this.pos, inputEnd);
        if (nl === -1 || nl + 1 >= inputEnd) {
          if (inputEnd - this.pos > INLINE_MAX) return this.fail('too big mbulk count string');
          return this.wait(0);
        }
        const count = parseLength(buf, this.pos + 1, nl);
        if (Number.isNaN(count) || count > INT_MAX) return this.fail('invalid multibulk length');
        if (count > UNAUTHENTICATED_MAX_ARGS && this.context.authRequired()) {
          return this.fail('unauthenticated multibulk length');
        }
        this.pos = nl + 2;
        if (count <= 0) continue;
        // Room for the usual few arguments at once (an empty array's first push allocates room
        // for 16, 150 bytes a request); a longer request grows as it arrives, never from its
        // declared count alone.
        this.argv = count <= PRESIZED_ARGS ? new Array<string>(count) : [];
        this.argsFilled = 0;
        this.argsLeft = count;
        this.bulkLen = -1;
      }
      while (this.argsLeft > 0) {
        if (this.bulkLen < 0) {
          if (this.pos >= inputEnd) return this.wait(0);
          const nl = findCR(buf, this.pos, inputEnd);
          if (nl === -1 || nl + 1 >= inputEnd) {
            if (inputEnd - this.pos > INLINE_MAX) return this.fail('too big bulk count string');
            return this.wait(0);
          }
          if (buf[this.pos] !== 0x24 /* '$' */) {
            return this.fail(`expected '$', got '${String.fromCharCode(buf[this.pos])}'`);
          }
          const len = parseLength(buf, this.pos + 1, nl);
          if (Number.isNaN(len) || len < 0 || len > maxBulkLength) return this.fail('invalid bulk length');
          if (len > UNAUTHENTICATED_MAX_BULK && this.context.authRequired()) {
            return this.fail('unauthenticated bulk length');
          }
          this.requestBytes += nl + 2 - this.pos;
          this.pos = nl + 2;
          this.bulkLen = len;
        }
        const end = this.pos + this.bulkLen;
        if (end + 2 > inputEnd) return this.wait(end + 2 - this.pos);
        this.argv![this.argsFilled] = this.argsFilled === 0 && this.bulkLen <= NAME_CACHE_MAX_LENGTH ? commandName(buf, this.pos, end) : latin1Text(buf, this.pos, end);
        this.argsFilled++;
        this.pos = end + 2;
        this.requestBytes += this.bulkLen + 2;
        this.bulkLen = -1;
        this.argsLeft--;
      }
      const argv = this.argv!;
      this.argv = null;
      this.requestBytes = 0;
      return argv;
    }
  }

  private maxBulkLength(): number {
    // A JavaScript string cannot be longer than MAX_STRING_LENGTH (just under 512 MB).
    return Math.min(this.context.maxBulkLength(), constants.MAX_STRING_LENGTH);
  }

  /** Parses one inline line; returns [] for an empty line, null when incomplete or malformed. */
  private inline(): string[] | null {
    const buf = this.buf;
    const inputEnd = this.end;
    // Redis looks for the newline with strchr, which stops at a NUL byte: a line holding one
    // never completes, until it grows past the inline limit.
    const nl = lineEnd(buf, this.pos, inputEnd);
    if (nl === -1) {
      if (inputEnd - this.pos > INLINE_MAX) return this.fail('too big inline request');
      return this.wait(0);
    }
    const end = nl > this.pos && buf[nl - 1] === CR ? nl - 1 : nl;
    const line = latin1Text(buf, this.pos, end);
    this.pos = nl + 1;
    const args = splitArgs(line);
    if (args === null) return this.fail('unbalanced quotes in request');
    return args;
  }

  private wait(needed: number): null {
    this.needed = needed;
    return null;
  }

  /** Everything was consumed: release the buffer so an idle connection holds no input. */
  private drained(): null {
    this.buf = EMPTY;
    this.pos = 0;
    this.end = 0;
    this.needed = 0;
    return null;
  }

  private fail(what: string): null {
    this.error = Err.protocol(what);
    return null;
  }
}

/** Index of the next CR in buf[from, end), or -1. Header lines are short: a JS loop beats indexOf's native call. */
function findCR(buf: Buffer, from: number, end: number): number {
  for (let i = from; i < end; i++) if (buf[i] === CR) return i;
  return -1;
}

/** Inline lines this long are scanned in JS; longer ones by indexOf, whose native call then pays. */
const SHORT_LINE = 64;

/**
 * Index of the LF ending the line that starts at `from`, or -1 when none comes before `end` or
 * a NUL byte comes first (strchr's view of the line).
 */
function lineEnd(buf: Buffer, from: number, end: number): number {
  const shortEnd = Math.min(end, from + SHORT_LINE);
  for (let i = from; i < shortEnd; i++) {
    const byte = buf[i];
    if (byte === LF) return i;
    if (byte === 0) return -1;
  }
  if (shortEnd === end) return -1;
  const rest = buf.subarray(shortEnd, end);
  const lf = rest.indexOf(LF);
  return lf === -1 || rest.subarray(0, lf).indexOf(0) !== -1 ? -1 : shortEnd + lf;
}

/** The command name in buf[start, end), shared with earlier requests that named the same command. */
function commandName(buf: Buffer, start: number, end: number): string {
  const length = end - start;
  let hash = length;
  for (let i = start; i < end; i++) hash = (hash * 31 + buf[i]) | 0;
  const slot = hash & (NAME_CACHE_SLOTS - 1);
  const cached = nameCache[slot];
  if (cached !== undefined && cached.length === length) {
    let i = 0;
    while (i < length && cached.charCodeAt(i) === buf[start + i]) i++;
    if (i === length) return cached;
  }
  const name = latin1Text(buf, start, end);
  nameCache[slot] = name;
  return name;
}

/**
 * Parses the decimal between `start` and `end` as Redis's string2ll does: optional '-', no '+',
 * no leading zeros, no spaces. Returns NaN when malformed.
 */
function parseLength(buf: Buffer, start: number, end: number): number {
  const len = end - start;
  if (len <= 0 || len > 20) return NaN;
  let i = start;
  let negative = false;
  if (buf[i] === 0x2d /* '-' */) {
    negative = true;
    i++;
    if (i === end) return NaN;
  }
  if (buf[i] === 0x30 /* '0' */) return i + 1 === end && !negative ? 0 : NaN;
  let value = 0;
  for (; i < end; i++) {
    const digit = buf[i] - 0x30;
    if (digit < 0 || digit > 9) return NaN;
    value = value * 10 + digit;
  }
  return negative ? -value : value;
}
