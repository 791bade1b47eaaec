import type { Logger } from 'pino';
import { commands } from '../commands/index.js';
import { loadConfig } from './config.js';
import { createLogger } from './log.js';
import { Server } from './server.js';
import { VERSION } from './version.js';

export { Server } from './server.js';
export { loadConfig, StartupConfigError } from './config.js';

/**
 * Starts a server from redis-server style arguments (`[config file] [--name value ...]`).
 * Resolves once it listens and has loaded its snapshot (clients connecting meanwhile get
 * -LOADING); `server.port` is the bound port (useful with `--port 0`).
 */
export async function startServer(args: readonly string[] = [], logger?: Logger): Promise<Server> {
  const config = loadConfig(args);
  const log = logger ?? createLogger(config.get('loglevel'), config.get('logfile'));
  const server = new Server(config, log, commands);
  await server.listen();
  try {
    await server.persistence.load();
  } catch (error) {
    await server.shutdown();
    throw error;
  }
  server.persistence.scheduleCron();
  // As Redis, ready once the data is in: a client connecting now gets answers, not -LOADING.
  server.log.info({ version: VERSION, port: server.port, pid: process.pid, config: config.file || null }, 'Ready to accept connections');
  return server;
}
