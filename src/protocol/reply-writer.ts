import { formatDouble } from '../datatypes/double.js';

/**
 * Encodes replies for the client whose input is being processed.
 *
 * All replies of one read burst are appended to a slab shared by every connection (the event
 * loop runs one connection's burst at a time) and flushed with one socket write at the end of
 * the burst, or earlier when the slab fills up. A flush hands the sink a slice of the slab, not
 * a copy; the next replies go after it, and a full slab is left to the slices still pending and
 * replaced. Strings are latin1: one char per byte, so every byte value round-trips.
 */
export interface ReplySink {
  /** RESP protocol version negotiated by HELLO (2 or 3). */
  resp: 2 | 3;
  /** Receives the encoded bytes; the buffer is owned by the sink afterwards. */
  send(chunk: Buffer): void;
}

const CRLF = 0x0a0d; // "\r\n" as a little-endian uint16
/** As Redis's reply buffer (PROTO_REPLY_CHUNK_BYTES): a slow client's pending slice keeps at most this much alive. */
const SLAB_SIZE = 16 * 1024;
/** Replies this long are written by themselves instead of through the slab. */
const LARGE_REPLY = 16 * 1024;

/** Strings up to this long are copied in JS: cheaper than a call into latin1Write. */
const SHORT_STRING = 32;
/** Integers up to this are written digit by digit by writeDecimal. */
const MAX_DIRECT_DECIMAL = 2 ** 31 - 1;

const RESP2_NULL_BULK = '$-1\r\n';
const RESP2_NULL_ARRAY = '*-1\r\n';
const RESP3_NULL = '_\r\n';

export class ReplyWriter {
  private buf = Buffer.allocUnsafe(SLAB_SIZE);
  /** Where the replies not yet flushed start in `buf`. */
  private start = 0;
  private pos = 0;
  /**
   * Bytes flushed (or dropped) before `start`, over the writer's life. Marks count from there,
   * so a mark taken before a flush still tells what the flush took.
   */
  private flushed = 0;
  /** From this mark on, what is written is dropped instead of sent (CLIENT REPLY OFF, SKIP); -1 when nothing is. */
  private dropFrom = -1;
  private sink: ReplySink | null = null;
  resp: 2 | 3 = 2;
  /** Error replies sent, in all and by error code (the first word), for INFO. */
  errorReplies = 0;
  readonly errorCodes = new Map<string, number>();

  /** Starts collecting replies for `sink`; replies still pending for another sink are flushed first. */
  begin(sink: ReplySink): void {
    if (this.sink !== sink) {
      this.flush();
      this.sink = sink;
    }
    this.resp = sink.resp;
  }

  /** The sink replies currently go to. */
  get target(): ReplySink | null {
    return this.sink;
  }

  /** Sends what was collected to the current sink, but for what is being dropped. */
  flush(): void {
    const start = this.start;
    const pos = this.pos;
    if (pos === start || this.sink === null) return;
    const end = this.dropFrom < 0 ? pos : Math.min(pos, Math.max(start, this.dropFrom - this.flushed + start));
    this.flushed += pos - start;
    this.start = pos;
    if (end > start) this.sink.send(this.buf.subarray(start, end));
  }

  /** Where the reply of the command about to run starts: to roll back to, or to drop from. */
  mark(): number {
    return this.flushed + this.pos - this.start;
  }

  /**
   * Drops what was written after `mark` and is not sent yet. Returns false when some of it was
   * already sent (flushed while a long reply was written).
   */
  rollback(mark: number): boolean {
    const kept = mark - this.flushed;
    if (kept > this.pos - this.start) return true;
    this.pos = this.start + Math.max(kept, 0);
    return kept >= 0;
  }

  /**
   * Drops, instead of sending, whatever is written from `mark` on (the reply of a silenced
   * command); -1 sends everything again. Returns the previous setting, to restore it.
   */
  dropAfter(mark: number): number {
    const previous = this.dropFrom;
    this.dropFrom = mark;
    return previous;
  }

  private reserve(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    this.flush();
    // The flushed slices may still wait for their sockets: the next replies go to a new slab.
    this.buf = Buffer.allocUnsafe(Math.max(SLAB_SIZE, bytes));
    this.start = 0;
    this.pos = 0;
  }

  private ascii(s: string): void {
    this.reserve(s.length);
    this.pos += this.buf.latin1Write(s, this.pos);
  }

  private crlf(): void {
    this.buf.writeUInt16LE(CRLF, this.pos);
    this.pos += 2;
  }

  private header(prefix: string, n: number): void {
    if (n < 0 || n > MAX_DIRECT_DECIMAL) {
      this.ascii(prefix + n + '\r\n');
      return;
    }
    this.reserve(16);
    const buf = this.buf;
    let pos = this.pos;
    buf[pos++] = prefix.charCodeAt(0);
    pos = writeDecimal(buf, pos, n);
    buf[pos++] = 0x0d;
    buf[pos++] = 0x0a;
    this.pos = pos;
  }

  /** Writes a preencoded constant reply. */
  private raw(encoded: Buffer): void {
    this.reserve(encoded.length);
    encoded.copy(this.buf, this.pos);
    this.pos += encoded.length;
  }

  ok(): void {
    this.raw(OK);
  }

  simple(s: string): void {
    this.ascii('+' + s + '\r\n');
  }

  /** An error reply; `message` is the full text after '-', e.g. "ERR syntax error". */
  error(message: string): void {
    this.errorReplies++;
    const space = message.indexOf(' ');
    const code = space === -1 ? message : message.slice(0, space);
    this.errorCodes.set(code, (this.errorCodes.get(code) ?? 0) + 1);
    const clean = message.indexOf('\r') === -1 && message.indexOf('\n') === -1 ? message : message.replace(/[\r\n]/g, ' ');
    this.ascii('-' + clean + '\r\n');
  }

  integer(n: number | bigint): void {
    if (typeof n === 'number' && n >= 0 && n <= MAX_DIRECT_DECIMAL && Number.isInteger(n)) this.header(':', n);
    else this.ascii(':' + n + '\r\n');
  }

  bulk(value: string | Buffer): void {
    const len = value.length;
    if (len >= LARGE_REPLY) {
      this.bulkLarge(value);
      return;
    }
    this.reserve(len + 16);
    this.pos = writeBulk(this.buf, this.pos, value);
  }

  /** The bulk string of `text`'s chars from `start` to `end`, a short one copied without making the substring. */
  bulkSubstring(text: string, start: number, end: number): void {
    if (end - start > SHORT_STRING) {
      this.bulk(start === 0 && end === text.length ? text : text.slice(start, end));
      return;
    }
    this.reserve(end - start + 16);
    this.pos = writeShortBulk(this.buf, this.pos, text, start, end);
  }

  private bulkLarge(value: string | Buffer): void {
    this.ascii('$' + value.length + '\r\n');
    this.flush();
    this.flushed += value.length;
    if (this.dropFrom < 0) this.sink?.send(typeof value === 'string' ? Buffer.from(value, 'latin1') : Buffer.from(value));
    this.reserve(2);
    this.crlf();
  }

  /** A bulk string, or the null reply when `value` is undefined. */
  bulkOrNull(value: string | Buffer | undefined | null): void {
    if (value === undefined || value === null) this.nullBulk();
    else this.bulk(value);
  }

  nullBulk(): void {
    this.ascii(this.resp === 2 ? RESP2_NULL_BULK : RESP3_NULL);
  }

  nullArray(): void {
    this.ascii(this.resp === 2 ? RESP2_NULL_ARRAY : RESP3_NULL);
  }

  arrayHeader(n: number): void {
    this.header('*', n);
  }

  /** A map of `n` pairs: RESP3 map, or a flat array of 2n items in RESP2. */
  mapHeader(n: number): void {
    if (this.resp === 2) this.header('*', n * 2);
    else this.header('%', n);
  }

  /** An out-of-band message (pub/sub): RESP3 push type, or a plain array in RESP2. */
  pushHeader(n: number): void {
    this.header(this.resp === 2 ? '*' : '>', n);
  }

  /** A set: RESP3 set type, or a plain array in RESP2. */
  setHeader(n: number): void {
    this.header(this.resp === 2 ? '*' : '~', n);
  }

  bulkArray(values: readonly (string | Buffer)[]): void {
    this.arrayHeader(values.length);
    for (let i = 0; i < values.length; i++) this.bulk(values[i]);
  }

  /** A double as Redis 7.0 prints it ("%.17g", inf/-inf): RESP3 double type, bulk string in RESP2. */
  double(d: number): void {
    const text = formatDouble(d);
    if (this.resp === 2) this.bulk(text);
    else this.ascii(',' + text + '\r\n');
  }

  /** Text meant for humans (INFO, CLIENT LIST): RESP3 verbatim string, bulk string in RESP2. */
  verbatim(text: string, format = 'txt'): void {
    if (this.resp === 2) {
      this.bulk(text);
      return;
    }
    this.ascii('=' + (text.length + 4) + '\r\n' + format + ':');
    this.bulkBody(text);
  }

  private bulkBody(text: string): void {
    this.reserve(text.length + 2);
    this.pos += this.buf.latin1Write(text, this.pos);
    this.crlf();
  }
}

const OK = Buffer.from('+OK\r\n');

/**
 * Writes the decimal digits of an integer from 0 to MAX_DIRECT_DECIMAL at `pos`; returns the end.
 * Digit by digit in JS: a call into latin1Write with a new string costs more than the reply.
 */
function writeDecimal(buf: Buffer, pos: number, n: number): number {
  let digits = 1;
  for (let bound = 10; n >= bound && digits < 10; bound *= 10) digits++;
  const end = pos + digits;
  let at = end;
  while (n >= 10) {
    const quotient = (n / 10) | 0;
    buf[--at] = 0x30 + n - quotient * 10;
    n = quotient;
  }
  buf[--at] = 0x30 + n;
  return end;
}

/**
 * An array of bulk strings (`*`, a request or a RESP2 message) or a push (`>`, a RESP3 message),
 * in one Buffer of its exact size: published messages, the append-only file's commands.
 */
export function encodeBulkArray(items: readonly string[], type: '*' | '>' = '*'): Buffer {
  const header = `${type}${items.length}\r\n`;
  let length = header.length;
  for (const item of items) length += 5 + String(item.length).length + item.length;
  const bytes = Buffer.allocUnsafe(length);
  let pos = bytes.latin1Write(header, 0);
  for (const item of items) pos = writeBulk(bytes, pos, item);
  return bytes;
}

/**
 * Writes `value` as a RESP bulk string at `pos` (the caller makes room: its length + 16 bytes)
 * and returns where it ends. Short strings and lengths are copied in JS, cheaper than a call
 * into latin1Write.
 */
export function writeBulk(buf: Buffer, pos: number, value: string | Buffer): number {
  const len = value.length;
  if (typeof value === 'string' && len <= SHORT_STRING) return writeShortBulk(buf, pos, value, 0, len);
  pos = writeBulkHeader(buf, pos, len);
  pos += typeof value === 'string' ? buf.latin1Write(value, pos) : value.copy(buf, pos);
  buf[pos++] = 0x0d;
  buf[pos++] = 0x0a;
  return pos;
}

/** Writes `text`'s chars from `start` to `end` (at most SHORT_STRING) as a bulk string, as writeBulk. */
function writeShortBulk(buf: Buffer, pos: number, text: string, start: number, end: number): number {
  pos = writeBulkHeader(buf, pos, end - start);
  for (let i = start; i < end; i++) buf[pos++] = text.charCodeAt(i);
  buf[pos++] = 0x0d;
  buf[pos++] = 0x0a;
  return pos;
}

function writeBulkHeader(buf: Buffer, pos: number, length: number): number {
  buf[pos++] = 0x24; // '$'
  pos = writeDecimal(buf, pos, length);
  buf[pos++] = 0x0d;
  buf[pos++] = 0x0a;
  return pos;
}
