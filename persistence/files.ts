import { closeSync, fsyncSync, openSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';

/** Makes a rename durable: the directory entry itself is flushed. */
export function fsyncDirectoryOf(path: string): void {
  const fd = openSync(dirname(path), 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Removes a temporary file that may not exist (never created, or already renamed). */
export function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone, or never created.
  }
}
