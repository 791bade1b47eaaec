import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, StartupConfigError } from '../src/config.js';
import { formatEventFlags } from '../src/keyspace/events.js';

const BIN = fileURLToPath(new URL('../bin/nodis-server.js', import.meta.url));

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs nodis-server with `args`; `whenReady` runs once it logs that it accepts connections. */
function runServer(args: string[], whenReady?: (port: number, stop: (signal: NodeJS.Signals) => void) => void): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const ready = /"port":(\d+).*Ready to accept connections/.exec(stdout);
      if (ready !== null && whenReady !== undefined) {
        const callback = whenReady;
        whenReady = undefined;
        callback(Number(ready[1]), (signal) => child.kill(signal));
      }
    });
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

function ping(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      resolve(data.toString());
      socket.destroy();
    });
    socket.once('error', reject);
  });
}

describe('start-up and configuration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nodis-startup-'));

  it('defaults to 127.0.0.1:6379 and the documented values', () => {
    const config = loadConfig([]);
    expect(config.get('port')).to.equal(6379);
    expect(config.get('bind')).to.deep.equal(['127.0.0.1']);
    expect(config.get('databases')).to.equal(16);
    expect(config.get('proto-max-bulk-len')).to.equal(536870912);
  });

  it('reads a config file in redis.conf syntax, then command-line overrides', () => {
    const file = join(dir, 'nodis.conf');
    writeFileSync(file, '# comment\nport 7000\nrequirepass "a secret"\nsave 900 1\nsave 300 10\nproto-max-bulk-len 2mb\nnotify-keyspace-events "Elx"\n\n');
    const config = loadConfig([file, '--port', '7001', '--databases', '4']);
    expect(config.file).to.equal(file);
    expect(config.get('port')).to.equal(7001);
    expect(config.get('requirepass')).to.equal('a secret');
    expect(config.get('save')).to.equal('900 1 300 10');
    expect(config.get('databases')).to.equal(4);
    expect(config.get('proto-max-bulk-len')).to.equal(2 * 1024 * 1024);
    expect(formatEventFlags(config.get('notify-keyspace-events'))).to.equal('lxE');
  });

  it('--save "" disables save points', () => {
    expect(loadConfig(['--save', '']).get('save')).to.equal('');
  });

  it('rejects unknown directives, bad values and stray arguments', () => {
    expect(() => loadConfig(['--no-such-option', '1'])).to.throw(StartupConfigError, /Bad directive/);
    expect(() => loadConfig(['--port', 'abc'])).to.throw(StartupConfigError, /couldn't be parsed into an integer/);
    expect(() => loadConfig(['--port', '70000'])).to.throw(StartupConfigError, /between 0 and 65535/);
    expect(() => loadConfig(['--protected-mode', 'maybe'])).to.throw(StartupConfigError, /'yes' or 'no'/);
    expect(() => loadConfig(['--save', '900'])).to.throw(StartupConfigError, /Invalid save parameters/);
    expect(() => loadConfig(['--notify-keyspace-events', 'KEq'])).to.throw(StartupConfigError, /Invalid event class character/);
    expect(() => loadConfig([join(dir, 'missing.conf')])).to.throw(StartupConfigError, /can't open config file/);
    const file = join(dir, 'bad.conf');
    writeFileSync(file, 'port 7000\nfrobnicate yes\n');
    expect(() => loadConfig([file])).to.throw(StartupConfigError, /at line 2[\s\S]*frobnicate yes/);
    writeFileSync(file, 'requirepass "unterminated\n');
    expect(() => loadConfig([file])).to.throw(StartupConfigError, /Unbalanced quotes/);
  });

  it('nodis-server exits with code 1 and a message on a bad option', async () => {
    const run = await runServer(['--port', 'nope']);
    expect(run.code).to.equal(1);
    expect(run.stderr).to.match(/FATAL CONFIG FILE ERROR[\s\S]*port nope/);
  });

  it('nodis-server --version prints the version and the Redis version it follows', async () => {
    const run = await runServer(['--version']);
    expect(run.code).to.equal(0);
    expect(run.stdout).to.match(/^nodis-server v=\d+\.\d+\.\d+ redis-compat=7\.\d+\.\d+/);
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`nodis-server serves, logs its start-up line and exits 0 on ${signal}`, async () => {
      let reply = '';
      const run = await runServer(['--port', '0', '--save', ''], (port, stop) => {
        void ping(port).then((answer) => {
          reply = answer;
          stop(signal);
        });
      });
      expect(reply).to.equal('+PONG\r\n');
      expect(run.code).to.equal(0);
      expect(run.stdout).to.match(/"version":"\d+\.\d+\.\d+".*"pid":\d+.*Ready to accept connections/);
    });
  }

  it('npm start runs node with a heap fitting the machine, 4 MB semi-spaces scavenged on one thread and 2 malloc arenas', () => {
    const launchOptions = fileURLToPath(new URL('../bin/launch-options.js', import.meta.url));
    const printed = (env: Record<string, string>) => spawnSync(process.execPath, [launchOptions], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '', ...env } }).stdout.trim();
    const bare: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: '' };
    delete bare.MALLOC_ARENA_MAX;
    const [arenas, node, heap, semiSpace, ...more] = spawnSync(process.execPath, [launchOptions], { encoding: 'utf8', env: bare }).stdout.trim().split(' ');
    expect([arenas, node, semiSpace, more]).to.deep.equal(['MALLOC_ARENA_MAX=2', 'node', '--max-semi-space-size=4', ['--no-parallel-scavenge']]);
    const megabytes = Number(/^--max-old-space-size=(\d+)$/.exec(heap)?.[1]);
    expect(megabytes).to.be.at.least(Math.floor((totalmem() * 0.75) / 2 ** 20));
    expect(printed({ MALLOC_ARENA_MAX: '8', NODE_OPTIONS: '--max-old-space-size=512' })).to.equal('node --max-semi-space-size=4 --no-parallel-scavenge');
    expect(printed({ MALLOC_ARENA_MAX: '8', NODE_OPTIONS: '--max-semi-space-size=16' })).to.equal(`node ${heap} --no-parallel-scavenge`);
    expect(printed({ MALLOC_ARENA_MAX: '8', NODE_OPTIONS: '--max-old-space-size=512 --max-semi-space-size=16' })).to.equal('node --no-parallel-scavenge');
    const start = JSON.parse(readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8')).scripts.start;
    expect(start).to.include('env $(node dist/bin/launch-options.js) dist/bin/nodis-server.js');
  });
});
