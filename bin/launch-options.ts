#!/usr/bin/env node
/**
 * Prints how nodis is started, for `env`: npm start runs
 * `env $(node dist/bin/launch-options.js) dist/bin/nodis-server.js`, that is
 * `MALLOC_ARENA_MAX=2 node --max-old-space-size=... --max-semi-space-size=4 dist/bin/nodis-server.js`
 * (see src/node-options.ts); what the environment or NODE_OPTIONS already set is left to them.
 */
import { serverEnvironment, serverNodeOptions } from '../src/node-options.js';

const assignments = Object.entries(serverEnvironment()).map(([name, value]) => `${name}=${value}`);
console.log([...assignments, 'node', ...serverNodeOptions()].join(' '));
