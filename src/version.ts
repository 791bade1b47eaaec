import { readFileSync } from 'node:fs';

/** The Redis version whose behaviour nodis reproduces (HELLO, INFO redis_version). */
export const REDIS_VERSION = '7.0.15';

/** Nodis's own version, from package.json. */
export const VERSION: string = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;
