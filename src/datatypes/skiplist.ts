/**
 * Redis's skiplist (t_zset.c, after William Pugh): members ordered by score, ties by member
 * bytes (latin1 strings compare char by char, which is memcmp order), a backward pointer at
 * level 0, and at every level the span (number of level-0 steps) of each forward link, so a
 * member's rank and the member at a rank are found in O(log n).
 *
 * Memory: nodes come in three shapes so that the common ones carry no array: a one-level node
 * (3 in 4) holds only its level-0 links, a two-level node (3 in 16) adds its level-1 link
 * in-object, taller ones keep levels 2 and up in an array. The level-0 span is always 1 and is
 * not stored.
 */

/** Redis's ZSKIPLIST_MAXLEVEL and ZSKIPLIST_P. */
const MAX_LEVEL = 32;
const P = 0.25;

export class SkipListNode {
  /** Successor at level 0 (the next member in order). */
  next: SkipListNode | null = null;
  backward: SkipListNode | null = null;

  constructor(
    readonly member: string,
    public score: number,
  ) {}
}

class TwoLevelNode extends SkipListNode {
  forward1: SkipListNode | null = null;
  span1 = 0;
}

class TallNode extends TwoLevelNode {
  /** Levels 2 and up, two slots each: the successor at that level, then the span to it. */
  higher: (SkipListNode | number | null)[];

  constructor(member: string, score: number, level: number) {
    super(member, score);
    this.higher = newLevels(level - 2);
  }
}

function newNode(member: string, score: number, level: number): SkipListNode {
  if (level === 1) return new SkipListNode(member, score);
  if (level === 2) return new TwoLevelNode(member, score);
  return new TallNode(member, score, level);
}

function newLevels(count: number): (SkipListNode | number | null)[] {
  const levels: (SkipListNode | number | null)[] = new Array(2 * count);
  for (let i = 0; i < levels.length; i += 2) {
    levels[i] = null;
    levels[i + 1] = 0;
  }
  return levels;
}

// Callers only reach a level a node has: the head has them all.
function forward(x: SkipListNode, level: number): SkipListNode | null {
  if (level === 0) return x.next;
  if (level === 1) return (x as TwoLevelNode).forward1;
  return (x as TallNode).higher[2 * level - 4] as SkipListNode | null;
}

function setForward(x: SkipListNode, level: number, to: SkipListNode | null): void {
  if (level === 0) x.next = to;
  else if (level === 1) (x as TwoLevelNode).forward1 = to;
  else (x as TallNode).higher[2 * level - 4] = to;
}

function span(x: SkipListNode, level: number): number {
  if (level === 0) return 1;
  if (level === 1) return (x as TwoLevelNode).span1;
  return (x as TallNode).higher[2 * level - 3] as number;
}

function setSpan(x: SkipListNode, level: number, value: number): void {
  if (level === 1) (x as TwoLevelNode).span1 = value;
  else if (level > 1) (x as TallNode).higher[2 * level - 3] = value;
}

/** True when `x` sorts before (score, member). */
function before(x: SkipListNode, score: number, member: string): boolean {
  return x.score < score || (x.score === score && x.member < member);
}

function randomLevel(): number {
  let level = 1;
  while (Math.random() < P && level < MAX_LEVEL) level++;
  return level;
}

/** A score interval; an exclusive bound is written "(" in commands. */
export interface ScoreRange {
  min: number;
  max: number;
  minExclusive: boolean;
  maxExclusive: boolean;
}

/** The "-" and "+" bounds of a lex range: before and after every string. */
export const LEX_MIN: unique symbol = Symbol('-');
export const LEX_MAX: unique symbol = Symbol('+');
export type LexBound = string | typeof LEX_MIN | typeof LEX_MAX;

export interface LexRange {
  min: LexBound;
  max: LexBound;
  minExclusive: boolean;
  maxExclusive: boolean;
}

export function scoreGteMin(value: number, range: ScoreRange): boolean {
  return range.minExclusive ? value > range.min : value >= range.min;
}

export function scoreLteMax(value: number, range: ScoreRange): boolean {
  return range.maxExclusive ? value < range.max : value <= range.max;
}

/** Redis's sdscmplex: byte order, "-" below and "+" above everything. */
export function compareLex(a: LexBound, b: LexBound): number {
  if (a === b) return 0;
  if (a === LEX_MIN || b === LEX_MAX) return -1;
  if (a === LEX_MAX || b === LEX_MIN) return 1;
  return a < b ? -1 : 1;
}

export function lexGteMin(value: string, range: LexRange): boolean {
  const cmp = compareLex(value, range.min);
  return range.minExclusive ? cmp > 0 : cmp >= 0;
}

export function lexLteMax(value: string, range: LexRange): boolean {
  const cmp = compareLex(value, range.max);
  return range.maxExclusive ? cmp < 0 : cmp <= 0;
}

/** True when no value can be in `range`. */
export function isEmptyScoreRange(range: ScoreRange): boolean {
  return range.min > range.max || (range.min === range.max && (range.minExclusive || range.maxExclusive));
}

export function isEmptyLexRange(range: LexRange): boolean {
  const cmp = compareLex(range.min, range.max);
  return cmp > 0 || (cmp === 0 && (range.minExclusive || range.maxExclusive));
}

// Scratch vectors of one operation (commands run one at a time): the last node before the
// target at each level, and the rank of that node.
const UPDATE: SkipListNode[] = new Array(MAX_LEVEL);
const RANK: number[] = new Array(MAX_LEVEL).fill(0);

/**
 * Empties UPDATE's first `levels` slots (all an operation filled) once it is done: a node left
 * there would keep its whole list alive (nodes link to their neighbours) after the sorted set
 * is deleted, memory that DEL or an eviction should free.
 */
function releaseUpdate(levels: number): void {
  for (let i = 0; i < levels; i++) UPDATE[i] = null as unknown as SkipListNode;
}

export class SkipList {
  /** Sentinel before the first node; its levels grow with the list's. */
  private readonly head = new TallNode('', 0, 2);
  tail: SkipListNode | null = null;
  length = 0;
  /** Levels in use (Redis's zsl->level). */
  level = 1;

  get first(): SkipListNode | null {
    return this.head.next;
  }

  /** Inserts a member that is not in the list yet (the caller checks). */
  insert(score: number, member: string): SkipListNode {
    let x: SkipListNode = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      RANK[i] = i === this.level - 1 ? 0 : RANK[i + 1];
      for (let f = forward(x, i); f !== null && before(f, score, member); f = forward(x, i)) {
        RANK[i] += span(x, i);
        x = f;
      }
      UPDATE[i] = x;
    }
    const level = randomLevel();
    if (level > this.level) {
      this.growHead(level);
      for (let i = this.level; i < level; i++) {
        RANK[i] = 0;
        UPDATE[i] = this.head;
        setSpan(this.head, i, this.length);
      }
      this.level = level;
    }
    const node = newNode(member, score, level);
    for (let i = 0; i < level; i++) {
      const prev = UPDATE[i];
      setForward(node, i, forward(prev, i));
      setForward(prev, i, node);
      setSpan(node, i, span(prev, i) - (RANK[0] - RANK[i]));
      setSpan(prev, i, RANK[0] - RANK[i] + 1);
    }
    for (let i = level; i < this.level; i++) setSpan(UPDATE[i], i, span(UPDATE[i], i) + 1);
    node.backward = UPDATE[0] === this.head ? null : UPDATE[0];
    if (node.next !== null) node.next.backward = node;
    else this.tail = node;
    this.length++;
    releaseUpdate(this.level);
    return node;
  }

  private growHead(level: number): void {
    const higher = this.head.higher;
    while (higher.length < 2 * (level - 2)) higher.push(null, 0);
  }

  /** Fills UPDATE with the last node before (score, member) at each level; returns the node after it. */
  private seek(score: number, member: string): SkipListNode | null {
    let x: SkipListNode = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let f = forward(x, i); f !== null && before(f, score, member); f = forward(x, i)) x = f;
      UPDATE[i] = x;
    }
    return x.next;
  }

  /** Unlinks `x`, UPDATE holding its predecessors (Redis's zslDeleteNode). */
  private unlink(x: SkipListNode): void {
    for (let i = 0; i < this.level; i++) {
      const prev = UPDATE[i];
      if (forward(prev, i) === x) {
        setSpan(prev, i, span(prev, i) + span(x, i) - 1);
        setForward(prev, i, forward(x, i));
      } else {
        setSpan(prev, i, span(prev, i) - 1);
      }
    }
    if (x.next !== null) x.next.backward = x.backward;
    else this.tail = x.backward;
    while (this.level > 1 && forward(this.head, this.level - 1) === null) this.level--;
    this.length--;
  }

  /** Removes the node holding exactly (score, member); returns whether there was one. */
  delete(score: number, member: string): boolean {
    const x = this.seek(score, member);
    const levels = this.level; // before unlink lowers it
    const found = x !== null && x.score === score && x.member === member;
    if (found) this.unlink(x);
    releaseUpdate(levels);
    return found;
  }

  /**
   * Gives `node` a new score (Redis's zslUpdateScore): in place when its position does not
   * change, else by unlinking it and inserting a new node, which is returned.
   */
  updateScore(node: SkipListNode, score: number): SkipListNode {
    const levels = this.level; // before unlink lowers it
    const x = this.seek(node.score, node.member);
    if ((x!.backward === null || x!.backward.score < score) && (x!.next === null || x!.next.score > score)) {
      x!.score = score;
      releaseUpdate(levels);
      return x!;
    }
    this.unlink(x!);
    const moved = this.insert(score, node.member);
    releaseUpdate(levels);
    return moved;
  }

  /** 1-based rank of (score, member), 0 when absent (Redis's zslGetRank). */
  rank(score: number, member: string): number {
    let x: SkipListNode = this.head;
    let rank = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let f = forward(x, i); f !== null && (before(f, score, member) || (f.score === score && f.member === member)); f = forward(x, i)) {
        rank += span(x, i);
        x = f;
      }
      if (x !== this.head && x.member === member) return rank;
    }
    return 0;
  }

  /** The node at 1-based `rank`, or null (Redis's zslGetElementByRank). */
  byRank(rank: number): SkipListNode | null {
    let x: SkipListNode = this.head;
    let traversed = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let f = forward(x, i); f !== null && traversed + span(x, i) <= rank; f = forward(x, i)) {
        traversed += span(x, i);
        x = f;
      }
      if (traversed === rank) return x === this.head ? null : x;
    }
    return null;
  }

  /** First node with a score in `range`, or null. */
  firstInRange(range: ScoreRange): SkipListNode | null {
    if (!this.inRange(range)) return null;
    let x: SkipListNode = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let f = forward(x, i); f !== null && !scoreGteMin(f.score, range); f = forward(x, i)) x = f;
    }
    const first = x.next!;
    return scoreLteMax(first.score, range) ? first : null;
  }

  /** Last node with a score in `range`, or null. */
  lastInRange(range: ScoreRange): SkipListNode | null {
    if (!this.inRange(range)) return null;
    let x: SkipListNode = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let f = forward(x, i); f !== null && scoreLteMax(f.score, range); f = forward(x, i)) x = f;
    }
    return scoreGteMin(x.score, range) ? x : null;
  }

  private inRange(range: ScoreRange): boolean {
    if (isEmptyScoreRange(range) || this.tail === null) return false;
    return scoreGteMin(this.tail.score, range) && scoreLteMax(this.head.next!.score, range);
  }

  /** First node with a member in the lex `range`, or null. */
  firstInLexRange(range: LexRange): SkipListNode | null {
    if (!this.inLexRange(range)) return null;
    let x: SkipListNode = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let f = forward(x, i); f !== null && !lexGteMin(f.member, range); f = forward(x, i)) x = f;
    }
    const first = x.next!;
    return lexLteMax(first.member, range) ? first : null;
  }

  /** Last node with a member in the lex `range`, or null. */
  lastInLexRange(range: LexRange): SkipListNode | null {
    if (!this.inLexRange(range)) return null;
    let x: SkipListNode = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let f = forward(x, i); f !== null && lexLteMax(f.member, range); f = forward(x, i)) x = f;
    }
    return lexGteMin(x.member, range) ? x : null;
  }

  private inLexRange(range: LexRange): boolean {
    if (isEmptyLexRange(range) || this.tail === null) return false;
    return lexGteMin(this.tail.member, range) && lexLteMax(this.head.next!.member, range);
  }

  /** Removes the nodes with a score in `range`; `removed` sees each one. Returns how many. */
  deleteRangeByScore(range: ScoreRange, removed: (node: SkipListNode) => unknown): number {
    const levels = this.level;
    let x: SkipListNode = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let f = forward(x, i); f !== null && !scoreGteMin(f.score, range); f = forward(x, i)) x = f;
      UPDATE[i] = x;
    }
    let count = 0;
    for (let node = x.next; node !== null && scoreLteMax(node.score, range); count++) {
      const next = node.next;
      this.unlink(node);
      removed(node);
      node = next;
    }
    releaseUpdate(levels);
    return count;
  }

  /** Removes the nodes with a member in the lex `range`; `removed` sees each one. Returns how many. */
  deleteRangeByLex(range: LexRange, removed: (node: SkipListNode) => unknown): number {
    const levels = this.level;
    let x: SkipListNode = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let f = forward(x, i); f !== null && !lexGteMin(f.member, range); f = forward(x, i)) x = f;
      UPDATE[i] = x;
    }
    let count = 0;
    for (let node = x.next; node !== null && lexLteMax(node.member, range); count++) {
      const next = node.next;
      this.unlink(node);
      removed(node);
      node = next;
    }
    releaseUpdate(levels);
    return count;
  }

  /** Removes the nodes of 1-based ranks start..end (inclusive); `removed` sees each one. Returns how many. */
  deleteRangeByRank(start: number, end: number, removed: (node: SkipListNode) => unknown): number {
    const levels = this.level;
    let x: SkipListNode = this.head;
    let traversed = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let f = forward(x, i); f !== null && traversed + span(x, i) < start; f = forward(x, i)) {
        traversed += span(x, i);
        x = f;
      }
      UPDATE[i] = x;
    }
    let count = 0;
    for (let node = x.next, rank = traversed + 1; node !== null && rank <= end; rank++, count++) {
      const next = node.next;
      this.unlink(node);
      removed(node);
      node = next;
    }
    releaseUpdate(levels);
    return count;
  }
}
