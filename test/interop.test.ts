import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { Redis } from 'ioredis';
import { ALL_BYTES, startTestServer } from './helpers.js';
import { requireBinary } from './external.js';
import type { Server } from '../src/index.js';

/** Runs a tool and resolves with its stdout as latin1 (stderr is folded in for diagnostics). */
function run(binary: string, args: string[], stdin?: Buffer): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(binary, args, { encoding: 'latin1', timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(Object.assign(error, { stdout, stderr }));
      else resolve({ stdout, stderr });
    });
    if (stdin !== undefined) child.stdin!.end(stdin);
  });
}

describe('interoperability', () => {
  let server: Server;
  let cli: (...args: string[]) => Promise<string>;

  before(async () => {
    server = await startTestServer();
    cli = async (...args) => (await run('redis-cli', ['-h', '127.0.0.1', '-p', String(server.port), ...args])).stdout;
  });

  after(async () => {
    await server.shutdown();
  });

  describe('redis-cli', () => {
    it('redis-cli PING', async function () {
      requireBinary(this, 'redis-cli');
      expect(await cli('PING')).to.equal('PONG\n');
    });

    it('redis-cli -3 HELLO 3 prints the RESP3 map', async function () {
      requireBinary(this, 'redis-cli');
      const out = await cli('-3', '--no-raw', 'HELLO', '3');
      expect(out.replace(/"id" => \(integer\) \d+/, '"id" => (integer) ID')).to.equal(
        '1# "server" => "redis"\n' +
          '2# "version" => "7.0.15"\n' +
          '3# "proto" => (integer) 3\n' +
          '4# "id" => (integer) ID\n' +
          '5# "mode" => "standalone"\n' +
          '6# "role" => "master"\n' +
          '7# "modules" => (empty array)\n',
      );
    });

    it('redis-cli SET / GET with binary-ish values', async function () {
      requireBinary(this, 'redis-cli');
      const quoted = 'a b\tc"\'\\';
      expect(await cli('SET', 'interop:quoted', quoted)).to.equal('OK\n');
      expect(await cli('--no-raw', 'GET', 'interop:quoted')).to.equal('"a b\\tc\\"\'\\\\"\n');
      expect(await cli('--raw', 'GET', 'interop:quoted')).to.equal(`${quoted}\n`);

      // -x reads the last argument from stdin: every byte value, NUL included.
      const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(server.port), '-x', 'SET', 'interop:bytes'], ALL_BYTES);
      expect(stdout).to.equal('OK\n');
      expect(await cli('STRLEN', 'interop:bytes')).to.equal('256\n');
      expect(await cli('--raw', 'GET', 'interop:bytes')).to.equal(`${ALL_BYTES.toString('latin1')}\n`);
      // redis-cli's sdscatrepr quoting.
      const named: Record<string, string> = { '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\x07': '\\a', '\b': '\\b' };
      let escaped = '';
      for (const byte of ALL_BYTES) {
        const c = String.fromCharCode(byte);
        if (named[c] !== undefined) escaped += named[c];
        else if (byte >= 0x20 && byte < 0x7f) escaped += c;
        else escaped += `\\x${byte.toString(16).padStart(2, '0')}`;
      }
      expect(await cli('--no-raw', 'GET', 'interop:bytes')).to.equal(`"${escaped}"\n`);
    });
  });

  describe('redis-benchmark', () => {
    it('redis-benchmark -t ping,set,get,incr,mset -n 20000 -q completes without errors', async function () {
      requireBinary(this, 'redis-benchmark');
      this.timeout(120_000);
      const { stdout, stderr } = await run('redis-benchmark', ['-h', '127.0.0.1', '-p', String(server.port), '-t', 'ping,set,get,incr,mset', '-n', '20000', '-q']);
      // -q rewrites a progress line with \r; the final result of each test ends with \n.
      const lines = `${stdout}\n${stderr}`.split(/[\r\n]+/).map((line) => line.trim()).filter((line) => line !== '');
      expect(lines.filter((line) => /error|warn/i.test(line))).to.deep.equal([]);
      for (const test of ['PING_INLINE', 'PING_MBULK', 'SET', 'GET', 'INCR', 'MSET (10 keys)']) {
        const pattern = new RegExp(`^${test.replace(/[()]/g, '\\$&')}: [0-9.]+ requests per second`);
        expect(lines.some((line) => pattern.test(line)), `a result line for ${test} in:\n${lines.join('\n')}`).to.equal(true);
      }
    });
  });

  describe('ioredis 6', () => {
    /** Exercises the string commands a typical application starts with. */
    async function smokeTest(redis: Redis, prefix: string): Promise<void> {
      expect(await redis.set(`${prefix}:k`, 'v')).to.equal('OK');
      expect(await redis.get(`${prefix}:k`)).to.equal('v');
      expect(await redis.incr(`${prefix}:n`)).to.equal(1);
      expect(await redis.mset(`${prefix}:a`, '1', `${prefix}:b`, '2')).to.equal('OK');
      expect(await redis.mget(`${prefix}:a`, `${prefix}:b`, `${prefix}:none`)).to.deep.equal(['1', '2', null]);
      expect(await redis.set(`${prefix}:bin`, ALL_BYTES)).to.equal('OK');
      expect(Buffer.compare((await redis.getBuffer(`${prefix}:bin`))!, ALL_BYTES)).to.equal(0);
      expect(await redis.multi().incr(`${prefix}:n`).get(`${prefix}:n`).exec()).to.deep.equal([[null, 2], [null, '2']]);
    }

    it('ioredis with default options (HELLO 3, INFO ready check)', async () => {
      const redis = new Redis({ port: server.port, host: '127.0.0.1' });
      try {
        await once(redis, 'ready');
        expect(redis.status).to.equal('ready');
        await smokeTest(redis, 'ioredis3');
        const info = await redis.info('server');
        expect(info).to.match(/redis_version:7\.0\.15/);
        expect(await redis.config('GET', 'databases')).to.deep.equal(['databases', '16']);
      } finally {
        redis.disconnect();
      }
    });

    it('ioredis with protocol: 2 (RESP2)', async () => {
      const redis = new Redis({ port: server.port, host: '127.0.0.1', protocol: 2 });
      try {
        await once(redis, 'ready');
        const hello = (await redis.call('hello')) as unknown[];
        expect(hello.slice(4, 6)).to.deep.equal(['proto', 2]);
        await smokeTest(redis, 'ioredis2');
        expect(await redis.config('GET', 'databases')).to.deep.equal(['databases', '16']);
      } finally {
        redis.disconnect();
      }
    });
  });
});
