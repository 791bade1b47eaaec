/**
 * A sorted set in its listpack form (Redis's zzl* functions): members and scores alternating in
 * one packed string (packed.ts), ordered by score, then by member bytes. Everything is O(n), as
 * a listpack is; sets are kept in this form only while small.
 *
 * A score is packed as Redis's listpack packs integers: an integral score in ±2^47 as the fewest
 * little-endian two's complement bytes that hold it (0 as none: 0-127 takes 2 chars with its
 * length, as in Redis), any other as the 8 bytes of its double. Unlike text, no score takes more
 * than 9 chars and none needs parsing to be compared. -0 is packed as 0, as a listpack keeps it.
 */
import { charsEqual, joinFlat, ownSlice, pack as packEntries, PackCursor, splice } from './packed.js';
import {
  isEmptyLexRange, isEmptyScoreRange, LEX_MIN, scoreGteMin, scoreLteMax, type LexBound, type LexRange, type ScoreRange,
} from './skiplist.js';
import type { ZSetWalk } from './zset.js';

const DOUBLE = new Float64Array(1);
const DOUBLE_BYTES = new Uint8Array(DOUBLE.buffer);
/** The same 8 bytes, to make score entries from. */
const SCORE_SCRATCH = Buffer.from(DOUBLE.buffer);
/** Most bytes an integral score is packed in; one with more is packed as a double. */
const INTEGER_BYTES_MAX = 6;

/** The packed bytes of `score`. */
export function scoreEntry(score: number): string {
  if (Number.isInteger(score)) {
    let length = 0;
    let half = 0.5; // half the values `length` bytes hold
    while (length <= INTEGER_BYTES_MAX && (score < -half || score >= half)) {
      length++;
      half *= 256;
    }
    if (length <= INTEGER_BYTES_MAX) {
      let bytes = score < 0 ? score + 2 * half : score;
      for (let i = 0; i < length; i++, bytes = Math.floor(bytes / 256)) SCORE_SCRATCH[i] = bytes % 256;
      return SCORE_SCRATCH.latin1Slice(0, length);
    }
  }
  DOUBLE[0] = score;
  return SCORE_SCRATCH.latin1Slice(0, 8);
}

/** The score of the entry `cursor` is on. */
function scoreAt({ pack, start, end }: PackCursor): number {
  const length = end - start;
  if (length === 8) {
    for (let i = 0; i < 8; i++) DOUBLE_BYTES[i] = pack.charCodeAt(start + i);
    return DOUBLE[0];
  }
  let value = 0;
  for (let i = end - 1; i >= start; i--) value = value * 256 + pack.charCodeAt(i);
  return length > 0 && pack.charCodeAt(end - 1) >= 0x80 ? value - 256 ** length : value;
}

/** A packed sorted set walked a pair at a time: after `nextPair`, the member's chars and the score's. */
export class PairCursor extends PackCursor {
  /** Offset of the current pair (its member's header); `end` is just past it. */
  pair = 0;
  memberStart = 0;
  memberEnd = 0;

  constructor(pack: string, from = 0) {
    super(pack, from);
  }

  nextPair(): boolean {
    if (!this.next()) return false;
    this.pair = this.at;
    this.memberStart = this.start;
    this.memberEnd = this.end;
    this.next();
    return true;
  }

  score(): number {
    return scoreAt(this);
  }

  isMember(text: string): boolean {
    return charsEqual(this.pack, this.memberStart, this.memberEnd, text);
  }

  /** The member compared with `text` in byte order: negative, 0 or positive. */
  compareMember(text: string): number {
    const { pack, memberStart } = this;
    const length = this.memberEnd - memberStart;
    const common = Math.min(length, text.length);
    for (let i = 0; i < common; i++) {
      const diff = pack.charCodeAt(memberStart + i) - text.charCodeAt(i);
      if (diff !== 0) return diff;
    }
    return length - text.length;
  }

  /** The member compared with a lex range bound, as compareLex does. */
  private compareBound(bound: LexBound): number {
    if (typeof bound === 'string') return this.compareMember(bound);
    return bound === LEX_MIN ? 1 : -1;
  }

  gteMin(range: LexRange): boolean {
    const cmp = this.compareBound(range.min);
    return range.minExclusive ? cmp > 0 : cmp >= 0;
  }

  lteMax(range: LexRange): boolean {
    const cmp = this.compareBound(range.max);
    return range.maxExclusive ? cmp < 0 : cmp <= 0;
  }

  /** The member: a long one is a view into the pack (see ownMember). */
  member(): string {
    return this.pack.slice(this.memberStart, this.memberEnd);
  }

  /** The member as a string of its own, to keep after the pack is gone. */
  ownMember(): string {
    return ownSlice(this.pack, this.memberStart, this.memberEnd);
  }
}

/**
 * A walk over a packed sorted set: forwards from the pair at `from`, or, given `backward` (the
 * offsets of the pairs to visit, the first one last), towards the start.
 */
export class PackedWalk implements ZSetWalk {
  member = '';
  score = 0;
  private readonly pairs: PairCursor;

  constructor(
    pack: string,
    from: number,
    private readonly backward: number[] | null = null,
  ) {
    this.pairs = new PairCursor(pack, from);
  }

  next(): boolean {
    const pairs = this.pairs;
    if (this.backward !== null) {
      const from = this.backward.pop();
      if (from === undefined) return false;
      pairs.end = from;
    }
    if (!pairs.nextPair()) return false;
    this.member = pairs.member();
    this.score = pairs.score();
    return true;
  }

  ownMember(): string {
    return this.pairs.ownMember();
  }
}

// Member lookups, the hot path, step with a plain PackCursor: V8 then allocates no cursor at all.

/** Offset of `member`'s pair (zzlFind), -1 when absent. */
export function pairOffset(pack: string, member: string): number {
  const cursor = new PackCursor(pack);
  while (cursor.next()) {
    const at = cursor.at;
    const found = charsEqual(pack, cursor.start, cursor.end, member);
    cursor.next();
    if (found) return at;
  }
  return -1;
}

/** The score of the pair at offset `at`. */
export function scoreOfPair(pack: string, at: number): number {
  const cursor = new PackCursor(pack, at);
  cursor.next();
  cursor.next();
  return scoreAt(cursor);
}

/** Offset just past the pair at offset `at`. */
function pairEnd(pack: string, at: number): number {
  const cursor = new PackCursor(pack, at);
  cursor.next();
  cursor.next();
  return cursor.end;
}

/** `pack` without the pair at offset `at`. */
export function deletePair(pack: string, at: number): string {
  return splice(pack, at, pairEnd(pack, at), []);
}

/**
 * Offset of the first pair after (score, member) in order, the pack's length when none: where
 * zzlInsert puts it. The pair at offset `skip`, if any, is passed over.
 */
function insertOffset(pack: string, score: number, member: string, skip = -1): number {
  const pairs = new PairCursor(pack);
  while (pairs.nextPair()) {
    if (pairs.pair === skip) continue;
    const current = pairs.score();
    if (current > score || (current === score && pairs.compareMember(member) > 0)) return pairs.pair;
  }
  return pack.length;
}

/** `pack` with `member` (known absent) inserted in order (zzlInsert). */
export function insertPair(pack: string, score: number, member: string): string {
  const at = insertOffset(pack, score, member);
  return splice(pack, at, at, [member, scoreEntry(score)]);
}

/**
 * `pack` with the pair of `member` at offset `at` given a new score, and moved where it now
 * belongs (zzlDelete then zzlInsert, building one new string rather than two).
 */
export function rescorePair(pack: string, at: number, score: number, member: string): string {
  const end = pairEnd(pack, at);
  const to = insertOffset(pack, score, member, at);
  const entries = [member, scoreEntry(score)];
  if (to === end) return splice(pack, at, end, entries);
  const pair = packEntries(entries);
  if (to < at) return joinFlat([pack.slice(0, to), pair, pack.slice(to, at), pack.slice(end)]);
  return joinFlat([pack.slice(0, at), pack.slice(end, to), pair, pack.slice(to)]);
}

/** 0-based rank of `member` from the lowest score, -1 when absent. */
export function rankOf(pack: string, member: string): number {
  const pairs = new PairCursor(pack);
  for (let rank = 0; pairs.nextPair(); rank++) if (pairs.isMember(member)) return rank;
  return -1;
}

/** Offset of the pair of 0-based `rank`, the pack's length past the last. */
export function rankOffset(pack: string, rank: number): number {
  const pairs = new PairCursor(pack);
  for (let i = 0; i < rank && pairs.nextPair(); i++);
  return pairs.end;
}

/** A walk from 0-based `rank`, counted from the highest score when `reverse`, of a pack of `size` pairs. */
export function walkFromRank(pack: string, size: number, rank: number, reverse: boolean): PackedWalk {
  if (!reverse) return new PackedWalk(pack, rankOffset(pack, rank));
  const backward: number[] = [];
  const pairs = new PairCursor(pack);
  for (let left = size - rank; left > 0 && pairs.nextPair(); left--) backward.push(pairs.pair);
  return new PackedWalk(pack, 0, backward);
}

/** Offset of the first pair with a score in `range` (zzlFirstInRange), -1 when none. */
export function firstInScoreRange(pack: string, range: ScoreRange): number {
  if (isEmptyScoreRange(range)) return -1;
  const pairs = new PairCursor(pack);
  while (pairs.nextPair()) {
    const score = pairs.score();
    if (scoreGteMin(score, range)) return scoreLteMax(score, range) ? pairs.pair : -1;
  }
  return -1;
}

/** Offsets of the pairs up to the last with a score in `range` (zzlLastInRange), none when it has none. */
function upToLastInScoreRange(pack: string, range: ScoreRange): number[] {
  const offsets: number[] = [];
  if (isEmptyScoreRange(range)) return offsets;
  const pairs = new PairCursor(pack);
  let last = 0;
  while (pairs.nextPair()) {
    const score = pairs.score();
    if (!scoreLteMax(score, range)) break;
    offsets.push(pairs.pair);
    last = score;
  }
  if (offsets.length > 0 && !scoreGteMin(last, range)) offsets.length = 0;
  return offsets;
}

/** A walk forwards from the pair at offset `first`, an empty one for -1. */
function walkForwardFrom(pack: string, first: number): PackedWalk {
  return new PackedWalk(pack, first < 0 ? pack.length : first);
}

/** A walk from the first pair in `range`, or (when `reverse`) back from the last one. */
export function walkScoreRange(pack: string, range: ScoreRange, reverse: boolean): PackedWalk {
  if (reverse) return new PackedWalk(pack, 0, upToLastInScoreRange(pack, range));
  return walkForwardFrom(pack, firstInScoreRange(pack, range));
}

/**
 * Whether the set can hold members of the lex `range`: the last member not below its min, the
 * first not above its max (zzlIsInLexRange). Lex ranges assume equal scores; with mixed scores
 * the answers of a listpack follow from these walks, and Redis's are the same.
 */
function inLexRange(pack: string, range: LexRange): boolean {
  if (isEmptyLexRange(range) || pack === '') return false;
  const pairs = new PairCursor(pack);
  pairs.nextPair();
  if (!pairs.lteMax(range)) return false;
  while (pairs.nextPair());
  return pairs.gteMin(range);
}

/** Offset of the first pair from the start with a member not below the range's min, if in range (zzlFirstInLexRange); -1 when none. */
export function firstInLexRange(pack: string, range: LexRange): number {
  if (!inLexRange(pack, range)) return -1;
  const pairs = new PairCursor(pack);
  while (pairs.nextPair()) if (pairs.gteMin(range)) return pairs.lteMax(range) ? pairs.pair : -1;
  return -1;
}

/**
 * Offsets of the pairs up to the first from the end with a member not above the range's max, if
 * in range (zzlLastInLexRange); none when there is none.
 */
function upToLastInLexRange(pack: string, range: LexRange): number[] {
  const offsets: number[] = [];
  if (!inLexRange(pack, range)) return offsets;
  const pairs = new PairCursor(pack);
  while (pairs.nextPair()) offsets.push(pairs.pair);
  while (offsets.length > 0) {
    pairs.end = offsets[offsets.length - 1];
    pairs.nextPair();
    if (pairs.lteMax(range)) break;
    offsets.pop();
  }
  if (offsets.length > 0 && !pairs.gteMin(range)) offsets.length = 0;
  return offsets;
}

/** A walk from the first pair in the lex `range`, or (when `reverse`) back from the last one. */
export function walkLexRange(pack: string, range: LexRange, reverse: boolean): PackedWalk {
  if (reverse) return new PackedWalk(pack, 0, upToLastInLexRange(pack, range));
  return walkForwardFrom(pack, firstInLexRange(pack, range));
}

/** The run of pairs from offset `from` (-1: none) while `within` holds: how many, and the offset past them. */
export function runFrom(pack: string, from: number, within: (pairs: PairCursor) => boolean): { count: number; end: number } {
  if (from < 0) return { count: 0, end: from };
  const pairs = new PairCursor(pack, from);
  let count = 0;
  let end = from;
  while (pairs.nextPair() && within(pairs)) {
    count++;
    end = pairs.end;
  }
  return { count, end };
}
