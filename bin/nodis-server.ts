#!/usr/bin/env node
import { fittingHeapMegabytes } from '../src/node-options.js';
import { startServer, StartupConfigError } from '../src/index.js';
import { VERSION, REDIS_VERSION } from '../src/version.js';

const USAGE = `Usage: nodis-server [/path/to/nodis.conf] [options]
       nodis-server -v or --version
       nodis-server -h or --help

Examples:
       nodis-server (run the server with the default config)
       nodis-server /etc/nodis/6379.conf
       nodis-server --port 7777
       nodis-server /etc/mynodis.conf --loglevel verbose --save ""

Options are the config file's directives, as in redis-server (see the README).`;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '-v' || args[0] === '--version') {
    console.log(`nodis-server v=${VERSION} redis-compat=${REDIS_VERSION} node=${process.version}`);
    return;
  }
  if (args[0] === '-h' || args[0] === '--help') {
    console.log(USAGE);
    return;
  }
  let server;
  try {
    server = await startServer(args);
  } catch (error) {
    if (error instanceof StartupConfigError) {
      console.error(error.message);
    } else {
      console.error(`Could not start nodis: ${(error as Error).message}`);
    }
    process.exit(1);
  }
  const heapMegabytes = Math.floor(server.heapGuard.limit / 2 ** 20);
  const fitting = fittingHeapMegabytes();
  if (heapMegabytes < fitting * 0.9) {
    server.log.warn({ heapLimitMB: heapMegabytes, machineAllowsMB: fitting }, `V8's heap limit is below what this machine allows: npm start raises it, or run node --max-old-space-size=${fitting}`);
  }
  // As Redis: a signal shuts down like SHUTDOWN (saving when save points are set), and a save
  // that fails keeps the server running rather than lose the data.
  const stop = (signal: string) => {
    server.log.info({ signal }, 'Received signal, scheduling shutdown');
    if (!server.persistence.prepareForShutdown(false, false)) {
      server.log.warn(`${signal} received but errors trying to shut down the server, check the logs for more information`);
      return;
    }
    void server.shutdown().then(() => process.exit(0));
  };
  server.onShutdownRequest = () => void server.shutdown().then(() => process.exit(0));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

void main();
