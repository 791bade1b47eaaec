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

/** How much of a file's commands can be replayed: up to `validUpTo`, and why not further. */
export interface CommandsCheck {
  commands: number;
  validUpTo: number;
  problem: AofError | null;
}

/**
 * Checks the commands from `start`, as nodis-check-aof reports them: the first malformed or
 * cut-short command, or a MULTI whose EXEC never comes, ends the valid part.
 */
export function checkCommands(data: Buffer, start: number): CommandsCheck {
  let commands = 0;
  let validUpTo = start;
  let transactionStart: number | null = null;
  try {
    for (const { argv, end } of readCommands(data, start)) {
      commands++;
      const name = argv[0].toUpperCase();
      if (name === 'MULTI') {
        if (transactionStart !== null) return { commands, validUpTo, problem: new AofError('MULTI inside MULTI', validUpTo, false) };
        transactionStart = validUpTo;
      } else if (name === 'EXEC') {
        if (transactionStart === null) return { commands, validUpTo, problem: new AofError('EXEC without MULTI', validUpTo, false) };
        transactionStart = null;
      }
      if (transactionStart === null) validUpTo = end;
    }
  } catch (error) {
    if (!(error instanceof AofError)) throw error;
    return { commands, validUpTo, problem: error };
  }
  const unfinished = transactionStart === null ? null : new AofError('MULTI without EXEC', transactionStart, true);
  return { commands, validUpTo, problem: unfinished };
}
