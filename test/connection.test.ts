import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { ALL_BYTES, connect, RawClient, startTestServer } from './helpers.js';
import type { Client } from '../src/client.js';
import type { Server } from '../src/index.js';

const NOAUTH = '-NOAUTH Authentication required.\r\n';
const WRONGPASS = '-WRONGPASS invalid username-password pair or user is disabled.\r\n';
const HELLO_NOAUTH =
  '-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time\r\n';

/** The HELLO reply for protocol `proto`, with the client id left as `ID`. */
function helloReply(proto: 2 | 3): string {
  const body = `$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:${proto}\r\n$2\r\nid\r\n:ID\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n`;
  return (proto === 2 ? '*14\r\n' : '%7\r\n') + body;
}

/** A raw connection plus the server-side Client it talks to. */
async function rawWithClient(server: Server): Promise<[RawClient, Client]> {
  const raw = await RawClient.connect(server);
  raw.send('PING a\r\n'); // a round trip: the server has accepted the connection by now
  await raw.expect('$1\r\na\r\n');
  const client = [...server.clients.values()].at(-1)!;
  return [raw, client];
}

/** Sends `payload` and reads back `expected.length` bytes, with client ids replaced by ID. */
async function roundTrip(raw: RawClient, payload: string, expected: string): Promise<string> {
  raw.send(payload);
  let got = '';
  // Client ids vary in length: read until the normalised text is as long as expected.
  while (got.replace(/\$2\r\nid\r\n:\d+\r\n/g, '$2\r\nid\r\n:ID\r\n').length < expected.length) {
    const more = await raw.read(1, 2000);
    if (more === '') break;
    got += more;
  }
  return got.replace(/\$2\r\nid\r\n:\d+\r\n/g, '$2\r\nid\r\n:ID\r\n');
}

describe('connection commands', () => {
  let server: Server;
  let redis: Redis;

  before(async () => {
    server = await startTestServer();
    redis = connect(server);
  });

  after(async () => {
    redis.disconnect();
    await server.shutdown();
  });

  describe('PING / ECHO', () => {
    it('PING replies PONG, or echoes its argument', async () => {
      expect(await redis.ping()).to.equal('PONG');
      expect(await redis.ping('hello')).to.equal('hello');
    });

    it('PING with two arguments is an arity error', async () => {
      const raw = await RawClient.connect(server);
      raw.send('PING a b\r\n');
      expect(await raw.expect("-ERR wrong number of arguments for 'ping' command\r\n")).to.equal("-ERR wrong number of arguments for 'ping' command\r\n");
      raw.close();
    });

    it('PING and ECHO are binary safe', async () => {
      expect(Buffer.compare(await redis.pingBuffer(ALL_BYTES), ALL_BYTES)).to.equal(0);
      expect(Buffer.compare(await redis.echoBuffer(ALL_BYTES), ALL_BYTES)).to.equal(0);
    });

    it('ECHO replies its argument as a bulk string', async () => {
      const raw = await RawClient.connect(server);
      expect(await roundTrip(raw, 'ECHO hello\r\nECHO ""\r\n', '$5\r\nhello\r\n$0\r\n\r\n')).to.equal('$5\r\nhello\r\n$0\r\n\r\n');
      raw.close();
    });

    it('ECHO arity errors', async () => {
      const raw = await RawClient.connect(server);
      const expected = "-ERR wrong number of arguments for 'echo' command\r\n".repeat(2);
      expect(await roundTrip(raw, 'ECHO\r\nECHO a b\r\n', expected)).to.equal(expected);
      raw.close();
    });
  });

  describe('SELECT', () => {
    it('SELECT changes the database of the connection', async () => {
      const [raw, client] = await rawWithClient(server);
      expect(await roundTrip(raw, 'SELECT 15\r\n', '+OK\r\n')).to.equal('+OK\r\n');
      expect(client.db.id).to.equal(15);
      expect(await roundTrip(raw, 'SELECT 0\r\n', '+OK\r\n')).to.equal('+OK\r\n');
      expect(client.db.id).to.equal(0);
      raw.close();
    });

    it('SELECT keeps keys of each database apart', async () => {
      const other = connect(server);
      try {
        await other.select(3);
        await other.set('selectkey', 'in3');
        await redis.select(4);
        expect(await redis.get('selectkey')).to.equal(null);
        await redis.select(3);
        expect(await redis.get('selectkey')).to.equal('in3');
      } finally {
        await redis.select(0);
        other.disconnect();
      }
    });

    it('SELECT errors', async () => {
      const [raw, client] = await rawWithClient(server);
      const expected =
        '-ERR DB index is out of range\r\n-ERR DB index is out of range\r\n' +
        '-ERR value is not an integer or out of range\r\n-ERR value is not an integer or out of range\r\n' +
        "-ERR wrong number of arguments for 'select' command\r\n-ERR wrong number of arguments for 'select' command\r\n";
      expect(await roundTrip(raw, 'SELECT 16\r\nSELECT -1\r\nSELECT x\r\nSELECT 1.5\r\nSELECT\r\nSELECT 1 2\r\n', expected)).to.equal(expected);
      expect(client.db.id).to.equal(0);
      raw.close();
    });
  });

  describe('HELLO', () => {
    it('HELLO without arguments describes the connection in its current protocol', async () => {
      const raw = await RawClient.connect(server);
      expect(await roundTrip(raw, 'HELLO\r\n', helloReply(2))).to.equal(helloReply(2));
      raw.close();
    });

    it('HELLO 3 switches to RESP3, HELLO 2 back to RESP2', async () => {
      const [raw, client] = await rawWithClient(server);
      expect(await roundTrip(raw, 'HELLO 3\r\n', helloReply(3))).to.equal(helloReply(3));
      expect(client.resp).to.equal(3);
      expect(await roundTrip(raw, 'HELLO\r\n', helloReply(3))).to.equal(helloReply(3));
      expect(await roundTrip(raw, 'HELLO 2\r\n', helloReply(2))).to.equal(helloReply(2));
      expect(client.resp).to.equal(2);
      raw.close();
    });

    it('HELLO reports the connection id', async () => {
      const [raw, client] = await rawWithClient(server);
      raw.send('HELLO 3\r\n');
      const reply = await raw.read(1000, 300);
      expect(reply).to.include(`$2\r\nid\r\n:${client.id}\r\n`);
      raw.close();
    });

    it('HELLO with an unsupported protocol version is NOPROTO and changes nothing', async () => {
      const [raw, client] = await rawWithClient(server);
      const expected = '-NOPROTO unsupported protocol version\r\n'.repeat(3);
      expect(await roundTrip(raw, 'HELLO 4\r\nHELLO 1\r\nHELLO -3\r\n', expected)).to.equal(expected);
      expect(client.resp).to.equal(2);
      raw.close();
    });

    it('HELLO errors', async () => {
      const [raw, client] = await rawWithClient(server);
      const expected =
        '-ERR Protocol version is not an integer or out of range\r\n' +
        '-ERR Protocol version is not an integer or out of range\r\n' +
        "-ERR Syntax error in HELLO option 'FOO'\r\n" +
        "-ERR Syntax error in HELLO option 'AUTH'\r\n" +
        "-ERR Syntax error in HELLO option 'SETNAME'\r\n" +
        '-ERR Client names cannot contain spaces, newlines or special characters.\r\n';
      const payload = 'HELLO x\r\nHELLO 3.0\r\nHELLO 3 FOO\r\nHELLO 3 AUTH default\r\nHELLO 3 SETNAME\r\nHELLO 3 SETNAME "a b"\r\n';
      expect(await roundTrip(raw, payload, expected)).to.equal(expected);
      expect(client.resp).to.equal(2);
      raw.close();
    });

    it('HELLO SETNAME names the connection', async () => {
      const [raw, client] = await rawWithClient(server);
      expect(await roundTrip(raw, 'HELLO 2 SETNAME myname\r\n', helloReply(2))).to.equal(helloReply(2));
      expect(client.name).to.equal('myname');
      raw.close();
    });

    it('HELLO SETNAME takes effect even when a later option fails, as in Redis 7.0', async () => {
      const [raw, client] = await rawWithClient(server);
      const expected = "-ERR Syntax error in HELLO option 'FOO'\r\n";
      expect(await roundTrip(raw, 'HELLO 3 SETNAME early FOO\r\n', expected)).to.equal(expected);
      expect(client.name).to.equal('early');
      expect(client.resp).to.equal(2);
      raw.close();
    });

    it('HELLO AUTH without a password configured accepts the default user', async () => {
      const raw = await RawClient.connect(server);
      expect(await roundTrip(raw, 'HELLO 3 AUTH default anything\r\n', helloReply(3))).to.equal(helloReply(3));
      expect(await roundTrip(raw, 'HELLO 2 AUTH nobody anything\r\n', WRONGPASS)).to.equal(WRONGPASS);
      raw.close();
    });

    it('HELLO is answered in RESP3 by ioredis in its default mode', async () => {
      const reply = (await redis.call('hello', '3')) as unknown[];
      expect(reply.slice(0, 6)).to.deep.equal(['server', 'redis', 'version', '7.0.15', 'proto', 3]);
    });
  });

  describe('AUTH', () => {
    it('AUTH without a password configured', async () => {
      const raw = await RawClient.connect(server);
      const expected =
        '-ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?\r\n' +
        '+OK\r\n' + WRONGPASS +
        "-ERR wrong number of arguments for 'auth' command\r\n" +
        '-ERR syntax error\r\n';
      expect(await roundTrip(raw, 'AUTH foo\r\nAUTH default foo\r\nAUTH other foo\r\nAUTH\r\nAUTH a b c\r\n', expected)).to.equal(expected);
      raw.close();
    });
  });

  describe('QUIT', () => {
    it('QUIT replies OK then closes the connection', async () => {
      const raw = await RawClient.connect(server);
      raw.send('QUIT\r\nPING\r\n');
      expect(await raw.expect('+OK\r\n')).to.equal('+OK\r\n');
      expect(await raw.waitClosed()).to.equal(true);
      expect(await raw.read(1, 100)).to.equal('');
    });

    it('QUIT ignores extra arguments', async () => {
      const raw = await RawClient.connect(server);
      raw.send('QUIT now please\r\n');
      expect(await raw.expect('+OK\r\n')).to.equal('+OK\r\n');
      expect(await raw.waitClosed()).to.equal(true);
    });
  });

  describe('RESET', () => {
    it('RESET returns the connection to its initial state', async () => {
      const [raw, client] = await rawWithClient(server);
      raw.send('HELLO 3 SETNAME resetme\r\nSELECT 5\r\nMULTI\r\n');
      await raw.read(10_000, 300);
      expect(client.resp).to.equal(3);
      expect(client.db.id).to.equal(5);
      expect(client.multi).to.not.equal(null);
      expect(await roundTrip(raw, 'RESET\r\n', '+RESET\r\n')).to.equal('+RESET\r\n');
      expect(client.resp).to.equal(2);
      expect(client.db.id).to.equal(0);
      expect(client.name).to.equal('');
      expect(client.multi).to.equal(null);
      // Back to RESP2: HELLO without arguments answers with a flat array.
      expect(await roundTrip(raw, 'HELLO\r\n', helloReply(2))).to.equal(helloReply(2));
      raw.close();
    });

    it('RESET forgets WATCHed keys', async () => {
      const [raw, client] = await rawWithClient(server);
      expect(await roundTrip(raw, 'WATCH a b\r\n', '+OK\r\n')).to.equal('+OK\r\n');
      expect(client.watched.length).to.equal(2);
      expect(await roundTrip(raw, 'RESET\r\n', '+RESET\r\n')).to.equal('+RESET\r\n');
      expect(client.watched.length).to.equal(0);
      raw.close();
    });

    it('RESET arity error', async () => {
      const raw = await RawClient.connect(server);
      const expected = "-ERR wrong number of arguments for 'reset' command\r\n";
      expect(await roundTrip(raw, 'RESET x\r\n', expected)).to.equal(expected);
      raw.close();
    });
  });

  describe('with requirepass', () => {
    let secured: Server;

    before(async () => {
      secured = await startTestServer(['--requirepass', 'secret']);
    });

    after(async () => {
      await secured.shutdown();
    });

    it('commands before AUTH are NOAUTH; unknown commands and arity errors come first', async () => {
      const raw = await RawClient.connect(secured);
      const expected =
        NOAUTH + NOAUTH + NOAUTH +
        "-ERR unknown command 'FOO', with args beginning with: \r\n" +
        "-ERR wrong number of arguments for 'echo' command\r\n";
      expect(await roundTrip(raw, 'PING\r\nSELECT 1\r\nECHO x\r\nFOO\r\nECHO\r\n', expected)).to.equal(expected);
      raw.close();
    });

    it('AUTH with a wrong password is WRONGPASS', async () => {
      const raw = await RawClient.connect(secured);
      const expected = WRONGPASS + WRONGPASS + NOAUTH;
      expect(await roundTrip(raw, 'AUTH wrong\r\nAUTH default wrong\r\nPING\r\n', expected)).to.equal(expected);
      raw.close();
    });

    it('AUTH password, and AUTH default password', async () => {
      for (const auth of ['AUTH secret', 'AUTH default secret']) {
        const raw = await RawClient.connect(secured);
        expect(await roundTrip(raw, `${auth}\r\nPING\r\n`, '+OK\r\n+PONG\r\n')).to.equal('+OK\r\n+PONG\r\n');
        raw.close();
      }
    });

    it('AUTH of another user is WRONGPASS even with the right password', async () => {
      const raw = await RawClient.connect(secured);
      expect(await roundTrip(raw, 'AUTH other secret\r\nPING\r\n', WRONGPASS + NOAUTH)).to.equal(WRONGPASS + NOAUTH);
      raw.close();
    });

    it('HELLO without AUTH is refused before authentication', async () => {
      const raw = await RawClient.connect(secured);
      expect(await roundTrip(raw, 'HELLO 3\r\nHELLO\r\n', HELLO_NOAUTH + HELLO_NOAUTH)).to.equal(HELLO_NOAUTH + HELLO_NOAUTH);
      // The refused HELLO 3 left the connection in RESP2.
      expect(await roundTrip(raw, 'HELLO 2 AUTH default secret\r\n', helloReply(2))).to.equal(helloReply(2));
      raw.close();
    });

    it('HELLO AUTH authenticates and switches protocol at once', async () => {
      const raw = await RawClient.connect(secured);
      expect(await roundTrip(raw, 'HELLO 3 AUTH default wrong\r\n', WRONGPASS)).to.equal(WRONGPASS);
      expect(await roundTrip(raw, 'PING\r\n', NOAUTH)).to.equal(NOAUTH);
      expect(await roundTrip(raw, 'HELLO 3 AUTH default secret\r\n', helloReply(3))).to.equal(helloReply(3));
      expect(await roundTrip(raw, 'PING\r\n', '+PONG\r\n')).to.equal('+PONG\r\n');
      raw.close();
    });

    it('RESET makes the connection unauthenticated again', async () => {
      const raw = await RawClient.connect(secured);
      const expected = '+OK\r\n+PONG\r\n+RESET\r\n' + NOAUTH;
      expect(await roundTrip(raw, 'AUTH secret\r\nPING\r\nRESET\r\nPING\r\n', expected)).to.equal(expected);
      raw.close();
    });

    it('QUIT works before AUTH', async () => {
      const raw = await RawClient.connect(secured);
      raw.send('QUIT\r\n');
      expect(await raw.expect('+OK\r\n')).to.equal('+OK\r\n');
      expect(await raw.waitClosed()).to.equal(true);
    });

    it('MULTI refused before AUTH leaves no transaction; EXEC says why it aborts', async () => {
      const raw = await RawClient.connect(secured);
      const expected = NOAUTH + NOAUTH + '-EXECABORT Transaction discarded because of: NOAUTH Authentication required.\r\n';
      expect(await roundTrip(raw, 'MULTI\r\nPING\r\nEXEC\r\n', expected)).to.equal(expected);
      raw.close();
    });
  });
});
