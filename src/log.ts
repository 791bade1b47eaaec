import pino, { type Logger } from 'pino';
import type { ConfigValues } from './config.js';

/** Redis log levels mapped onto pino's. */
const LEVELS: Record<ConfigValues['loglevel'], pino.LevelWithSilent> = {
  debug: 'debug',
  verbose: 'debug',
  notice: 'info',
  warning: 'warn',
  nothing: 'silent',
};

/**
 * The root logger: JSON lines to the log file or stdout, human-readable (pino-pretty) when stdout
 * is a terminal and no log file is set. Writes are synchronous: nothing is logged per command,
 * and the lines before an exit must not be lost.
 */
export function createLogger(level: ConfigValues['loglevel'], logfile: string): Logger {
  const options = { name: 'nodis', level: LEVELS[level] };
  if (logfile !== '') return pino(options, pino.destination({ dest: logfile, mkdir: true }));
  if (process.stdout.isTTY) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:standard' } } });
  }
  return pino(options, pino.destination(1));
}

export function setLogLevel(logger: Logger, level: ConfigValues['loglevel']): void {
  logger.level = LEVELS[level];
}

export type { Logger };
