import type { RedisValue } from '../src/keyspace/values.js';
import { crc64 } from './crc64.js';
import { decodeValue, type LoadLimits } from './rdb-reader.js';
import { encodeValue } from './rdb-writer.js';

/** The RDB version DUMP stamps (Redis 7.0's). */
const DUMP_RDB_VERSION = 10;
/** Newest RDB version RESTORE accepts: Redis 7.2's, whose encodings the reader knows. */
const NEWEST_READABLE_VERSION = 11;
/** Version (2 bytes) and CRC64 (8 bytes) after the value. */
const FOOTER_BYTES = 10;

/**
 * DUMP's payload, as Redis's createDumpPayload: the value's RDB type byte and encoding, the RDB
 * version as two little-endian bytes, and the CRC64 of all that, so payloads move between nodis
 * and Redis.
 */
export function createDumpPayload(value: RedisValue, compression: boolean): Buffer {
  const encoded = encodeValue(value, compression);
  const body = Buffer.allocUnsafe(1 + encoded.payload.length + 2);
  body[0] = encoded.type;
  encoded.payload.copy(body, 1);
  body.writeUInt16LE(DUMP_RDB_VERSION, body.length - 2);
  return Buffer.concat([body, crc64(body)]);
}

/** As Redis's verifyDumpPayload: long enough, a version we read, and a matching checksum. */
export function verifyDumpPayload(payload: Buffer): boolean {
  if (payload.length < FOOTER_BYTES + 1) return false;
  const version = payload.readUInt16LE(payload.length - FOOTER_BYTES);
  if (version > NEWEST_READABLE_VERSION) return false;
  return crc64(payload.subarray(0, payload.length - 8)).equals(payload.subarray(payload.length - 8));
}

/** The value of a verified payload; throws when its body is not a well-formed RDB value. */
export function decodeDumpPayload(payload: Buffer, limits: LoadLimits): RedisValue {
  return decodeValue(payload[0], payload.subarray(1, payload.length - FOOTER_BYTES), limits);
}
