/**
 * Splits a line into arguments exactly as Redis's sdssplitargs does (inline commands, config
 * files): whitespace separates arguments, "double quotes" take \n \r \t \b \a \\ \" and \xHH
 * escapes, 'single quotes' take only \'. A closing quote must be followed by a space or the end.
 * Returns null for unbalanced quotes. Works on latin1 strings, so any byte is allowed.
 */
export function splitArgs(line: string): string[] | null {
  const args: string[] = [];
  const nul = line.indexOf('\0'); // C strings end at NUL, and so does the line for Redis
  const n = nul === -1 ? line.length : nul;
  if (line.indexOf('"') === -1 && line.indexOf("'") === -1) return splitUnquoted(line, n);
  let p = 0;
  for (;;) {
    while (p < n && isSpace(line.charCodeAt(p))) p++;
    if (p >= n) return args;
    let inDouble = false;
    let inSingle = false;
    let current = '';
    let done = false;
    while (!done) {
      if (inDouble) {
        if (p >= n) return null;
        const c = line[p];
        if (c === '\\' && p + 3 < n && line[p + 1] === 'x' && isHex(line.charCodeAt(p + 2)) && isHex(line.charCodeAt(p + 3))) {
          current += String.fromCharCode(parseInt(line.substr(p + 2, 2), 16));
          p += 3;
        } else if (c === '\\' && p + 1 < n) {
          p++;
          current += unescape(line[p]);
        } else if (c === '"') {
          if (p + 1 < n && !isSpace(line.charCodeAt(p + 1))) return null;
          done = true;
        } else {
          current += c;
        }
      } else if (inSingle) {
        if (p >= n) return null;
        const c = line[p];
        if (c === '\\' && p + 1 < n && line[p + 1] === "'") {
          p++;
          current += "'";
        } else if (c === "'") {
          if (p + 1 < n && !isSpace(line.charCodeAt(p + 1))) return null;
          done = true;
        } else {
          current += c;
        }
      } else if (p >= n) {
        done = true;
      } else {
        const c = line[p];
        if (endsUnquotedToken(line.charCodeAt(p))) done = true;
        else if (c === '"') inDouble = true;
        else if (c === "'") inSingle = true;
        else current += c;
      }
      if (p < n) p++;
    }
    args.push(current);
  }
}

/** The common case without quotes: tokens are slices of the line, no char-by-char building. */
function splitUnquoted(line: string, n: number): string[] {
  const args: string[] = [];
  let p = 0;
  for (;;) {
    while (p < n && isSpace(line.charCodeAt(p))) p++;
    if (p >= n) return args;
    const start = p;
    while (p < n && !endsUnquotedToken(line.charCodeAt(p))) p++;
    args.push(line.slice(start, p));
  }
}

/** What ends an unquoted token in sdssplitargs: fewer chars than isspace(). */
function endsUnquotedToken(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function unescape(c: string): string {
  switch (c) {
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    case 'b': return '\b';
    case 'a': return '\x07';
    default: return c;
  }
}

function isSpace(c: number): boolean {
  // C isspace(): space, \t, \n, \v, \f, \r
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}
