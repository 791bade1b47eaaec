/**
 * Glob-style matching as Redis's stringmatchlen (util.c), rule for rule, on latin1 strings:
 * `*`, `?`, `[abc]`, `[^abc]`, `[a-z]` (reversed ranges too), `\` escapes, optional ASCII case
 * folding. Used by KEYS, SCAN MATCH, PSUBSCRIBE and CONFIG GET.
 */

const STAR = 0x2a;
const QUESTION = 0x3f;
const OPEN = 0x5b;
const CLOSE = 0x5d;
const CARET = 0x5e;
const BACKSLASH = 0x5c;
const DASH = 0x2d;

/** Deepest `*` recursion Redis allows before giving up (its guard against abusive patterns). */
const MAX_NESTING = 1000;

/** Does `text` match `pattern`? `nocase` folds ASCII letters only, as C's tolower does. */
export function globMatch(pattern: string, text: string, nocase = false): boolean {
  const state = { skipLongerMatches: false };
  return matchFrom(pattern, 0, text, 0, nocase, state, 0);
}

interface MatchState {
  /**
   * Set once the rest of a pattern after some `*` matched nowhere in the remaining text: earlier
   * `*`s then need not try longer stretches, which keeps patterns like `a*a*a*...b` linear.
   */
  skipLongerMatches: boolean;
}

function matchFrom(
  pattern: string, p: number, text: string, s: number, nocase: boolean, state: MatchState, nesting: number,
): boolean {
  if (nesting > MAX_NESTING) return false;
  const pEnd = pattern.length;
  const sEnd = text.length;
  while (p < pEnd && s < sEnd) {
    switch (pattern.charCodeAt(p)) {
      case STAR: {
        while (pattern.charCodeAt(p + 1) === STAR) p++;
        if (p + 1 === pEnd) return true;
        while (s < sEnd) {
          if (matchFrom(pattern, p + 1, text, s, nocase, state, nesting + 1)) return true;
          if (state.skipLongerMatches) return false;
          s++;
        }
        state.skipLongerMatches = true;
        return false;
      }
      case QUESTION:
        s++;
        break;
      case OPEN: {
        p++;
        const not = pattern.charCodeAt(p) === CARET;
        if (not) p++;
        let match = false;
        const c = text.charCodeAt(s);
        for (;;) {
          const left = pEnd - p;
          const pc = pattern.charCodeAt(p);
          if (pc === BACKSLASH && left >= 2) {
            p++;
            if (pattern.charCodeAt(p) === c) match = true;
          } else if (pc === CLOSE) {
            break;
          } else if (left === 0) {
            // Unterminated class: step back so the advance after the switch ends the pattern.
            p--;
            break;
          } else if (left >= 3 && pattern.charCodeAt(p + 1) === DASH) {
            if (inRange(pc, pattern.charCodeAt(p + 2), c, nocase)) match = true;
            p += 2;
          } else if (pc === c || (nocase && fold(pc) === fold(c))) {
            match = true;
          }
          p++;
        }
        if (not) match = !match;
        if (!match) return false;
        s++;
        break;
      }
      default: {
        // A backslash escapes the next character, unless it ends the pattern.
        if (pattern.charCodeAt(p) === BACKSLASH && pEnd - p >= 2) p++;
        const pc = pattern.charCodeAt(p);
        const c = text.charCodeAt(s);
        if (pc !== c && !(nocase && fold(pc) === fold(c))) return false;
        s++;
        break;
      }
    }
    p++;
    if (s === sEnd) {
      while (pattern.charCodeAt(p) === STAR) p++;
      break;
    }
  }
  return p === pEnd && s === sEnd;
}

/** C's tolower in the C locale: ASCII letters only. */
function fold(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c + 0x20 : c;
}

/** Redis compares range bounds as (signed) C chars: bytes 0x80-0xFF sort below 0x00. */
function signedChar(c: number): number {
  return c >= 0x80 ? c - 0x100 : c;
}

function inRange(startCode: number, endCode: number, code: number, nocase: boolean): boolean {
  let start = signedChar(startCode);
  let end = signedChar(endCode);
  let c = signedChar(code);
  if (start > end) [start, end] = [end, start];
  if (nocase) {
    start = fold(start);
    end = fold(end);
    c = fold(c);
  }
  return c >= start && c <= end;
}
