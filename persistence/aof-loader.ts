import { Socket } from 'node:net';
import { Client } from '../src/client.js';
import { call } from '../src/dispatcher.js';
import type { Server } from '../src/server.js';
import { AofError, readUnits } from './aof-format.js';
import { nextTurn } from './slices.js';

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
 * loop runs, each transaction whole. A file cut short inside a command, or inside a transaction
 * whose EXEC never comes, ends the replay at the last whole unit (the caller decides whether
 * that is acceptable, as Redis drops such a transaction); any other damage throws AofError.
 */
export async function replayCommands(
  server: Server, data: Buffer, start: number, progress: (offset: number) => void, sliceMs: number,
): Promise<ReplayResult> {
  const client = new ReplayClient(0, new Socket(), server);
  const writer = server.writer;
  let commands = 0;
  let lastWholeEnd = start;
  try {
    let deadline = performance.now() + sliceMs;
    for (const unit of readUnits(data, start)) {
      for (const argv of unit.commands) {
        const command = server.table.resolve(argv);
        if (command === undefined) throw new AofError(`unknown command '${argv[0]}' in the append only file`, lastWholeEnd, false);
        server.commandTime = Date.now();
        writer.begin(client);
        call(client, command, argv);
        commands++;
      }
      lastWholeEnd = unit.end;
      if (performance.now() >= deadline) {
        progress(lastWholeEnd);
        writer.flush();
        await nextTurn();
        deadline = performance.now() + sliceMs;
      }
    }
  } catch (error) {
    // Cut short inside a command or a transaction: the caller decides whether that is acceptable.
    if (!(error instanceof AofError) || !error.truncated) throw error;
    return { commands, truncatedAt: lastWholeEnd };
  } finally {
    writer.flush();
  }
  return { commands, truncatedAt: null };
}
