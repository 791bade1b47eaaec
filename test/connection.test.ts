import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { connect, RawClient, startTestServer } from './helpers.js';
import type { Server } from '../src/index.js';

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
});
