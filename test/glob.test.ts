import { expect } from 'chai';
import { globMatch } from '../src/glob.js';

/** [pattern, text, expected] with case-sensitive matching. */
const CASES: [string, string, boolean][] = [
  ['*', 'anything', true],
  ['*', '', false], // stringmatchlen needs text for '*': KEYS/SCAN special-case a lone '*'
  ['', '', true],
  ['', 'a', false],
  ['a*', 'a', true],
  ['a**', 'a', true],
  ['*b', 'ab', true],
  ['h?llo', 'hello', true],
  ['h?llo', 'hllo', false],
  ['h*llo', 'hllo', true],
  ['h*llo', 'heeeello', true],
  ['h[ae]llo', 'hello', true],
  ['h[ae]llo', 'hallo', true],
  ['h[ae]llo', 'hillo', false],
  ['h[^e]llo', 'hallo', true],
  ['h[^e]llo', 'hello', false],
  ['h[a-b]llo', 'hbllo', true],
  ['h[a-b]llo', 'hcllo', false],
  ['h[b-a]llo', 'hallo', true], // reversed range
  ['[a-]', '-', false], // 'a-]' is the range ']'..'a', the class then ends at the pattern end
  ['[a-]', '^', true],
  ['h\\*llo', 'h*llo', true],
  ['h\\*llo', 'hello', false],
  ['[\\]]', ']', true],
  ['[\\^a]', '^', true],
  ['\\', '\\', true], // a trailing backslash matches itself
  ['[', 'a', false], // unterminated classes match what they list
  ['[^', 'x', true],
  ['[ab', 'b', true],
  ['a[', 'a', false],
  ['[a-\xff]', 'b', false], // bounds compare as signed chars: 0xff is -1, below 'a'
  ['[a-\xff]', 'A', true],
  ['\xe9*', '\xe9t\xe9', true],
  ['*\x00*', 'a\x00b', true],
  ['foo*bar', 'foobar', true],
  ['foo*bar', 'foo_bar_baz', false],
  ['*a*b*c', 'xaybzc', true],
  ['HELLO', 'hello', false],
];

describe('globMatch', () => {
  it('stringmatchlen rules', () => {
    for (const [pattern, text, expected] of CASES) {
      expect(globMatch(pattern, text), `${JSON.stringify(pattern)} ~ ${JSON.stringify(text)}`).to.equal(expected);
    }
  });

  it('nocase folds ASCII letters only', () => {
    expect(globMatch('HELLO', 'hello', true)).to.equal(true);
    expect(globMatch('H[A-Z]LLO', 'hello', true)).to.equal(true);
    expect(globMatch('h[E]llo', 'hello', true)).to.equal(true);
    expect(globMatch('\xc9', '\xe9', true)).to.equal(false);
    expect(globMatch('\\E', 'e', true)).to.equal(true);
    expect(globMatch('[\\E]', 'e', true)).to.equal(false); // escapes in a class compare exactly, as in Redis
  });

  it('Regression for pattern matching long nested loops', () => {
    expect(globMatch('a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b', 'a'.repeat(40))).to.equal(false);
    expect(globMatch('a*'.repeat(200) + 'b', 'a'.repeat(10000))).to.equal(false);
  });

  it('Regression for pattern matching very long nested loops', () => {
    // Redis gives up beyond 1000 nested stars instead of exhausting the stack.
    expect(globMatch('*?'.repeat(50000), 'a'.repeat(50000))).to.equal(false);
  });
});
