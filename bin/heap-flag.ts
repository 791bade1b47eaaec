#!/usr/bin/env node
/**
 * Prints the node options that size nodis's heap for this machine (`npm start` runs
 * `node $(node dist/bin/heap-flag.js) dist/bin/nodis-server.js`): see serverNodeOptions.
 */
import { serverNodeOptions } from '../src/node-options.js';

console.log(serverNodeOptions().join(' '));
