#!/usr/bin/env node
/**
 * Prints the node option that gives nodis a heap fitting this machine (`npm start` runs
 * `node $(node dist/bin/heap-flag.js) dist/bin/nodis-server.js`), or nothing when NODE_OPTIONS
 * already sets one: the user's choice wins.
 */
import { fittingHeapMegabytes } from '../src/heap-guard.js';

if (!(process.env.NODE_OPTIONS ?? '').includes('--max-old-space-size')) console.log(`--max-old-space-size=${fittingHeapMegabytes()}`);
