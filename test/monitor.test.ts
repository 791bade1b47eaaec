import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { connect, encodeCommand, expectBytes, RawClient, RawClients, startTestServer, until } from './helpers.js';
import { useRealRedis } from './external.js';
import type { Server } from '../src/index.js';

/** A monitor line without its timestamp and client port, which differ from run to run. */
function normalized(line: string): string {
  return line.replace(/^\+\d+\.\d{6} \[(\d+) [^\]]+\]/, '+[$1]');
}

/** Sends every request of `script` on `raw`, pipelined. */
function sendAll(raw: RawClient, script: string[][]): void {
  raw.send(Buffer.concat(script.map((args) => encodeCommand(args))));
}

/**
 * Requests covering what MONITOR shows and hides: database changes, binary and quoted
 * arguments, passwords, transactions, blocking, commands that fail, are refused or are admin.
 */
const SCRIPT: string[][] = [
  ['SELECT', '1'], ['set', 'k', 'v'], ['SET', 'n', '12345'], ['SET', 'bin', '\x00\x01\xff "\\\n\r\t\x07\x08\xe9'], ['GET', 'k'],
  ['AUTH', 'secret'], ['AUTH', 'user', 'secret'], ['HELLO', '2', 'AUTH', 'default', 'pw'], ['HELLO', '2', 'SETNAME', 'x'],
  ['CONFIG', 'GET', 'port'], ['CLIENT', 'LIST', 'ID', '1'], ['NOSUCH', 'x'], ['GET'], ['MULTI'], ['SET', 'a', '1'], ['INCR', 'a'],
  ['EXEC'], ['LPUSH', 'k', 'x'], ['PING'], ['CLIENT', 'SETNAME', 'foo'], ['ECHO', ''], ['SELECT', '0'], ['SET', '-5', '-0'],
  ['BLPOP', 'empty', '0.01'], ['SUBSCRIBE', 'ch'], ['GET', 'k'], ['PING'], ['UNSUBSCRIBE'],
];
/** How many lines MONITOR shows for SCRIPT: all but CONFIG, CLIENT LIST, NOSUCH, GET without key, GET while subscribed. */
const SHOWN = SCRIPT.length - 5;

describe('MONITOR', () => {
  let server: Server;
  let redis: Redis;
  const raws = new RawClients(() => server);

  before(async () => {
    server = await startTestServer();
    redis = connect(server, { protocol: 2 });
  });

  afterEach(async () => {
    raws.closeAll();
    await until(() => server.monitors.size === 0);
    await redis.flushall();
  });

  after(async () => {
    redis.disconnect();
    await server.shutdown();
  });

  /** A raw connection in MONITOR mode, its +OK read. */
  async function monitor(target: Pick<Server, 'port'> = server): Promise<RawClient> {
    const raw = await RawClient.connect(target);
    raw.command('MONITOR');
    await expectBytes(raw, '+OK\r\n');
    return raw;
  }

  it('shows each command as Redis does: time, database, address, C-escaped arguments as sent', async () => {
    const watcher = await monitor();
    const other = await raws.open();
    try {
      const address = `${other.socket.localAddress}:${other.socket.localPort}`;
      const before = Date.now() / 1000;
      sendAll(other, [['SELECT', '3'], ['set', 'k\x00', 'a "quoted"\\ \r\n\xff']]);
      const lines = await watcher.readLines(2);
      expect(lines[0]).to.match(/^\+\d{10}\.\d{6} \[3 [^\]]+\] "SELECT" "3"$/);
      expect(lines[1].slice(lines[1].indexOf(' '))).to.equal(` [3 ${address}] "set" "k\\x00" "a \\"quoted\\"\\\\ \\r\\n\\xff"`);
      expect(Number(lines[0].slice(1, lines[0].indexOf(' '))) - before).to.be.within(-1, 5);
    } finally {
      watcher.close();
    }
  });

  it('redacts passwords, hides admin commands and refused requests, shows failed ones, EXEC after its commands', async () => {
    const watcher = await monitor();
    try {
      const other = await raws.open();
      sendAll(other, SCRIPT);
      const lines = (await watcher.readLines(SHOWN)).map(normalized);
      expect(lines.slice(0, 9)).to.deep.equal([
        '+[1] "SELECT" "1"', '+[1] "set" "k" "v"', '+[1] "SET" "n" "12345"', '+[1] "SET" "bin" "\\x00\\x01\\xff \\"\\\\\\n\\r\\t\\a\\b\\xe9"',
        '+[1] "GET" "k"', '+[1] "AUTH" "(redacted)"', '+[1] "AUTH" "(redacted)" "(redacted)"',
        '+[1] "HELLO" "2" "AUTH" "(redacted)" "(redacted)"', '+[1] "HELLO" "2" "SETNAME" "x"',
      ]);
      expect(lines.slice(9, 13)).to.deep.equal(['+[1] "MULTI"', '+[1] "SET" "a" "1"', '+[1] "INCR" "a"', '+[1] "EXEC"']);
      expect(lines.slice(13)).to.deep.equal([
        '+[1] "LPUSH" "k" "x"', '+[1] "PING"', '+[1] "CLIENT" "SETNAME" "foo"', '+[1] "ECHO" ""', '+[0] "SELECT" "0"',
        '+[0] "SET" "-5" "-0"', '+[0] "BLPOP" "empty" "0.01"', '+[0] "SUBSCRIBE" "ch"', '+[0] "PING"', '+[0] "UNSUBSCRIBE"',
      ]);
    } finally {
      watcher.close();
    }
  });

  it('a blocking command shows once, when it runs, not again when served', async () => {
    const watcher = await monitor();
    try {
      const waiter = await raws.open();
      waiter.command('BLPOP', 'q', '0');
      await until(() => server.blocking.blockedClients === 1);
      await redis.rpush('q', 'x');
      await expectBytes(waiter, '*2\r\n$1\r\nq\r\n$1\r\nx\r\n');
      await redis.ping();
      expect((await watcher.readLines(3)).map(normalized)).to.deep.equal(['+[0] "BLPOP" "q" "0"', '+[0] "rpush" "q" "x"', '+[0] "ping"']);
    } finally {
      watcher.close();
    }
  });

  it('a monitoring connection may not touch the keyspace; it sees its own commands after their replies', async () => {
    const watcher = await monitor();
    try {
      watcher.command('GET', 'k');
      await expectBytes(watcher, "-ERR Replica can't interact with the keyspace\r\n");
      watcher.command('PING');
      const lines = await watcher.readLines(2);
      expect(lines[0]).to.equal('+PONG');
      expect(normalized(lines[1])).to.equal('+[0] "PING"');
      // A second MONITOR gets no reply at all, as in Redis.
      watcher.command('MONITOR');
      watcher.command('ECHO', 'after');
      expect((await watcher.readLines(3)).map(normalized)).to.deep.equal(['$5', 'after', '+[0] "ECHO" "after"']);
      const list = await redis.client('LIST');
      expect(String(list)).to.match(/ flags=O db=0 .* cmd=echo /);
    } finally {
      watcher.close();
    }
  });

  it('RESET ends monitoring; so does disconnecting; MONITOR inside MULTI is refused at EXEC', async () => {
    const watcher = await monitor();
    watcher.command('RESET');
    await expectBytes(watcher, '+RESET\r\n');
    expect(server.monitors.size).to.equal(0);
    watcher.command('GET', 'k');
    await expectBytes(watcher, '$-1\r\n');
    watcher.close();
    const again = await monitor();
    expect(server.monitors.size).to.equal(1);
    again.close();
    await until(() => server.monitors.size === 0);
    const raw = await raws.open();
    sendAll(raw, [['MULTI'], ['MONITOR'], ['EXEC'], ['MONITOR', 'x']]);
    await expectBytes(raw, "+OK\r\n+QUEUED\r\n*1\r\n-ERR MONITOR isn't allowed for DENY BLOCKING client\r\n-ERR wrong number of arguments for 'monitor' command\r\n");
    expect(server.monitors.size).to.equal(0);
  });

  it('every monitor gets every line; other clients keep their replies', async () => {
    const [first, second] = [await monitor(), await monitor()];
    try {
      expect(await redis.set('k', 'v')).to.equal('OK');
      for (const watcher of [first, second]) expect(normalized((await watcher.readLines(1))[0])).to.equal('+[0] "set" "k" "v"');
    } finally {
      first.close();
      second.close();
    }
  });

  describe('differential test against redis-server', () => {
    const port = Number(process.env.NODIS_MONITOR_REDIS_PORT ?? 6436);
    useRealRedis(port);

    /** What a monitor of the server on `target` shows while another connection runs SCRIPT. */
    async function monitorOutput(target: Pick<Server, 'port'>): Promise<string[]> {
      const watcher = await monitor(target);
      const other = await RawClient.connect(target);
      try {
        sendAll(other, SCRIPT);
        return (await watcher.readLines(SHOWN)).map(normalized);
      } finally {
        watcher.close();
        other.close();
      }
    }

    it('shows the same lines as Redis for the same requests', async () => {
      expect(await monitorOutput(server)).to.deep.equal(await monitorOutput({ port }));
    });
  });
});
