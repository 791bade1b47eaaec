/**
 * The commands of an append-only file: RESP arrays of bulk strings, as Redis writes them
 * (catAppendOnlyGenericCommand, here encodeBulkArray). Strings are latin1, one char per byte.
 */

/** A command read from the file, with where it ends (the offset a truncation would keep). */
export interface FileCommand {
  argv: string[];
  end: number;
}

/** What is wrong with an append-only file, and at which byte. `truncated`: the file ends mid-command. */
export class AofError extends Error {
  constructor(message: string, readonly offset: number, readonly truncated: boolean) {
    super(message);
  }
}

/**
 * The commands from `start` to the end of `data`. Throws AofError at the first malformed
 * command, or when the file ends inside one (truncated: the previous command's end is where a
 * fix would cut).
 */
export function* readCommands(data: Buffer, start: number): Generator<FileCommand> {
  let pos = start;
  while (pos < data.length) {
    const commandStart = pos;
    const truncated = (): never => {
      throw new AofError('the file ends in the middle of a command', commandStart, true);
    };
    const line = (prefix: number): number => {
      if (pos >= data.length) truncated();
      if (data[pos] !== prefix) throw new AofError(`expected '${String.fromCharCode(prefix)}'`, pos, false);
      const end = data.indexOf('\r\n', pos, 'latin1');
      if (end === -1) truncated();
      const text = data.toString('latin1', pos + 1, end);
      if (!/^[0-9]{1,10}$/.test(text)) throw new AofError(`bad length '${text}'`, pos, false);
      pos = end + 2;
      return Number(text);
    };
    const count = line(0x2a /* '*' */);
    if (count < 1) throw new AofError('empty command', commandStart, false);
    const argv: string[] = [];
    for (let i = 0; i < count; i++) {
      const length = line(0x24 /* '$' */);
      if (pos + length + 2 > data.length) truncated();
      if (data[pos + length] !== 0x0d || data[pos + length + 1] !== 0x0a) throw new AofError('bulk string not followed by CRLF', pos + length, false);
      argv.push(data.toString('latin1', pos, pos + length));
      pos += length + 2;
    }
    yield { argv, end: pos };
  }
}

/** What replays as one: a command, or the commands of a MULTI ... EXEC transaction; and where it ends. */
export interface FileUnit {
  commands: string[][];
  end: number;
}

/**
 * The file's commands from `start`, transactions gathered whole. Throws AofError as
 * readCommands does, and also for EXEC without MULTI, MULTI inside MULTI, and a MULTI whose EXEC
 * never comes (truncated: the transaction was cut short).
 */
export function* readUnits(data: Buffer, start: number): Generator<FileUnit> {
  let transaction: string[][] | null = null;
  let lastEnd = start;
  for (const { argv, end } of readCommands(data, start)) {
    const name = argv[0].toUpperCase();
    if (name === 'MULTI') {
      if (transaction !== null) throw new AofError('MULTI inside MULTI', lastEnd, false);
      transaction = [];
    } else if (name === 'EXEC') {
      if (transaction === null) throw new AofError('EXEC without MULTI', lastEnd, false);
      yield { commands: transaction, end };
      transaction = null;
    } else if (transaction !== null) {
      transaction.push(argv);
    } else {
      yield { commands: [argv], end };
    }
    if (transaction === null) lastEnd = end;
  }
  if (transaction !== null) throw new AofError('MULTI without EXEC', lastEnd, true);
}

/** How much of a file's commands can be replayed: up to `validUpTo`, and why not further. */
export interface CommandsCheck {
  validUpTo: number;
  problem: AofError | null;
}

/** Checks the commands from `start`, as nodis-check-aof reports them. */
export function checkCommands(data: Buffer, start: number): CommandsCheck {
  let validUpTo = start;
  try {
    for (const unit of readUnits(data, start)) validUpTo = unit.end;
  } catch (error) {
    if (!(error instanceof AofError)) throw error;
    return { validUpTo, problem: error };
  }
  return { validUpTo, problem: null };
}
