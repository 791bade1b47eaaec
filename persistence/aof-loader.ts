import { Socket } from 'node:net';
import { Client } from '../src/client.js';
import { call } from '../src/dispatcher.js';
import type { Server } from '../src/server.js';
import { AofError, readCommands, type FileCommand } from './aof-format.js';

/** Runs the file's commands as a client would, with nowhere to send replies. */
class ReplayClient extends Client {
  override send(): void {}
}

/** What a replay found: the commands it ran, and where the file stops being valid if it was cut short. */
export interface ReplayResult {
  commands: number;
  /** Offset of the end of the last whole command, when the file ends inside one. */
  truncatedAt: number | null;
}

/**
 * Replays the commands of an append-only file from `start`, in slices between which the event
 * loop runs (`pause`). A transaction whose EXEC is missing at the end of the file is dropped, as
 * Redis does. A file cut short inside a command ends the replay there (the caller decides whether
 * that is acceptable); any other damage throws AofError with its offset.
 */
export async function replayCommands(
  server: Server, data: Buffer, start: number, progress: (offset: number) => void, sliceMs: number,
): Promise<ReplayResult> {
  const client = new ReplayClient(0, new Socket(), server);
  const writer = server.writer;
  let commands = 0;
  let transaction: FileCommand[] | null = null;
  let lastWholeEnd = start;
  const run = (argv: string[], offset: number) => {
    const command = server.table.resolve(argv);
    if (command === undefined) throw new AofError(`unknown command '${argv[0]}' in the append only file`, offset, false);
    server.commandTime = Date.now();
    writer.begin(client);
    call(client, command, argv);
    commands++;
  };
  const iterator = readCommands(data, start);
  try {
    let deadline = performance.now() + sliceMs;
    for (let next = iterator.next(); !next.done; next = iterator.next()) {
      const { argv, end } = next.value;
      const name = argv[0].toUpperCase();
      if (name === 'MULTI') {
        transaction = [];
      } else if (name === 'EXEC' && transaction !== null) {
        for (const queued of transaction) run(queued.argv, lastWholeEnd);
        transaction = null;
        lastWholeEnd = end;
      } else if (transaction !== null) {
        transaction.push(next.value);
      } else {
        run(argv, lastWholeEnd);
        lastWholeEnd = end;
      }
      if (performance.now() >= deadline) {
        progress(end);
        writer.flush();
        await new Promise((resolve) => setImmediate(resolve));
        deadline = performance.now() + sliceMs;
      }
    }
  } catch (error) {
    if (!(error instanceof AofError) || !error.truncated) throw error;
    return { commands, truncatedAt: lastWholeEnd };
  } finally {
    writer.flush();
  }
  // A MULTI without its EXEC: the transaction never completed.
  return { commands, truncatedAt: transaction === null ? null : lastWholeEnd };
}
