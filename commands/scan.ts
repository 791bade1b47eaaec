import type { Client } from '../src/client.js';
import { Err, fail } from '../src/errors.js';
import { globMatch } from '../src/glob.js';
import type { ReplyWriter } from '../src/protocol/reply-writer.js';
import { integerArg, isOption } from './arguments.js';

const DEFAULT_COUNT = 10;

/** The options of the SCAN family, as Redis's scanGenericCommand reads them. */
export interface ScanOptions {
  /** null matches everything (a lone `*` included). */
  pattern: string | null;
  count: number;
  /** Only SCAN takes TYPE; lower case. */
  type: string | null;
}

/** Reads MATCH, COUNT and (when `allowType`, SCAN only) TYPE from `argv[first]` on. */
export function scanOptions(argv: string[], first: number, allowType: boolean): ScanOptions {
  const options: ScanOptions = { pattern: null, count: DEFAULT_COUNT, type: null };
  for (let i = first; i < argv.length; i += 2) {
    if (i + 1 >= argv.length) fail(Err.syntax);
    const option = argv[i];
    if (isOption(option, 'COUNT')) {
      options.count = integerArg(argv[i + 1]);
      if (options.count < 1) fail(Err.syntax);
    } else if (isOption(option, 'MATCH')) {
      options.pattern = argv[i + 1] === '*' ? null : argv[i + 1];
    } else if (allowType && isOption(option, 'TYPE')) {
      options.type = argv[i + 1].toLowerCase();
    } else {
      fail(Err.syntax);
    }
  }
  return options;
}

/** The two-element reply of the SCAN family: the next cursor and what was found. */
export function replyScan(reply: ReplyWriter, next: number, found: string[]): void {
  reply.arrayHeader(2);
  reply.bulk(String(next));
  reply.bulkArray(found);
}

/**
 * HSCAN, SSCAN and ZSCAN once the key is looked up (`argv` is `key cursor [options]`, the
 * cursor already parsed). A compactly encoded collection is returned whole in `compact`'s
 * order, as Redis returns a listpack or intset in one call; otherwise `entries` is walked from
 * the cursor. Neither: the key is missing. `emit` pushes what one entry contributes to the reply.
 */
export function scanCollection<V>(
  client: Client,
  argv: string[],
  cursor: number,
  entries: Map<string, V> | undefined,
  compact: Iterable<[string, V]> | null,
  emit: (found: string[], member: string, value: V) => void,
): void {
  if (entries === undefined && compact === null) {
    replyScan(client.reply, 0, []);
    return;
  }
  const { pattern, count } = scanOptions(argv, 3, false);
  const found: string[] = [];
  const visit = (member: string, value: V): void => {
    if (pattern === null || globMatch(pattern, member)) emit(found, member, value);
  };
  let next = 0;
  if (compact !== null) for (const [member, value] of compact) visit(member, value);
  else if (entries !== undefined) next = client.server.scanCursors.scan(entries, cursor, count, visit);
  replyScan(client.reply, next, found);
}
