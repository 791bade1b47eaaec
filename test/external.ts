import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';

/** Whether `binary` can be run (Debian's redis-tools and redis-server provide the ones we use). */
export function installed(binary: string): boolean {
  return spawnSync(binary, ['--version'], { stdio: 'ignore' }).error === undefined;
}

/**
 * Skips the running test or hook, visibly, when `binary` is missing; under CI a missing binary
 * is a failure, so the interop and differential checks cannot silently stop running.
 */
export function requireBinary(context: Mocha.Context, binary: string): void {
  if (installed(binary)) return;
  if (process.env.CI) throw new Error(`${binary} is required when CI is set, but it is not installed (apt-get install redis-tools redis-server)`);
  console.log(`      skipped: ${binary} is not installed (apt-get install redis-tools redis-server)`);
  context.skip();
}

/** A real redis-server for differential tests: `client` speaks RESP2 to it once `before` ran. */
export interface RealRedis {
  client: Redis;
}

/**
 * Registers hooks in the enclosing `describe` that start a throwaway redis-server on `port`
 * (no persistence) and stop it afterwards.
 */
export function useRealRedis(port: number): RealRedis {
  const real = {} as RealRedis;
  let child: ChildProcess | null = null;
  before(async function () {
    requireBinary(this, 'redis-server');
    child = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no', '--enable-debug-command', 'local'], { stdio: 'ignore' });
    for (let tries = 0; spawnSync('redis-cli', ['-p', String(port), 'ping']).stdout?.toString().trim() !== 'PONG'; tries++) {
      if (tries > 50) throw new Error(`redis-server did not start on port ${port}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    real.client = new Redis({ port, host: '127.0.0.1', protocol: 2, enableReadyCheck: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
  });
  after(() => {
    real.client?.disconnect();
    child?.kill();
  });
  return real;
}

/** mulberry32: a small seeded generator with well-mixed low bits; returns an integer in [0, n). */
export function seededRandom(seed: number): (n: number) => number {
  return (n: number): number => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

/** The reply to `args` (sent as latin1 bytes) as Buffers, or the error's message. */
export async function replyOrError(client: Redis, args: string[]): Promise<unknown> {
  try {
    return await client.callBuffer(args[0], ...args.slice(1).map((a) => Buffer.from(a, 'latin1')));
  } catch (error) {
    return (error as Error).message;
  }
}
