/** Longest stretch of loading work between two turns of the event loop. */
export const LOAD_SLICE_MS = 5;

/** Resolves on the next turn of the event loop, after the I/O that waits (clients are served between slices). */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
