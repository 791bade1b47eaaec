import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { ALL_BYTES, arityError, connect, encodeCommand, errorOf, expectBytes, RawClients, startTestServer, until } from './helpers.js';
import type { Server } from '../src/index.js';

const BIN = ALL_BYTES.toString('latin1');
const NOT_ALLOWED = (name: string) => `-ERR Can't execute '${name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n`;

/** A RESP2 frame of bulk strings followed by an integer, as subscription confirmations are. */
function confirmation(action: string, name: string | null, count: number, push = '*'): string {
  const nameBytes = name === null ? (push === '>' ? '_\r\n' : '$-1\r\n') : `$${name.length}\r\n${name}\r\n`;
  return `${push}3\r\n$${action.length}\r\n${action}\r\n${nameBytes}:${count}\r\n`;
}

/** A message frame: the bulk strings `items` in an array (RESP2) or push (RESP3). */
function frame(items: string[], push = '*'): string {
  return push + encodeCommand(items).toString('latin1').slice(1);
}

describe('pub/sub', () => {
  let server: Server;
  let redis: Redis;
  const raws = new RawClients(() => server);
  const open = (resp3 = false) => raws.open(resp3);

  before(async () => {
    server = await startTestServer();
    redis = connect(server, { protocol: 2 });
  });

  afterEach(async () => {
    raws.closeAll();
    await until(() => server.pubsub.channels.size === 0 && server.pubsub.patterns.size === 0 && server.pubsub.shardChannels.size === 0);
  });

  after(async () => {
    redis.disconnect();
    await server.shutdown();
  });

  it('SUBSCRIBE confirms each channel with a running count; PUBLISH delivers and counts receivers', async () => {
    const [first, second] = [await open(), await open()];
    first.command('SUBSCRIBE', 'news', 'sport', 'news');
    await expectBytes(first, confirmation('subscribe', 'news', 1) + confirmation('subscribe', 'sport', 2) + confirmation('subscribe', 'news', 2));
    second.command('SUBSCRIBE', 'news');
    await expectBytes(second, confirmation('subscribe', 'news', 1));
    expect(await redis.publish('news', 'hello')).to.equal(2);
    await expectBytes(first, frame(['message', 'news', 'hello']));
    await expectBytes(second, frame(['message', 'news', 'hello']));
    expect(await redis.publish('nobody', 'x')).to.equal(0);
  });

  it('PSUBSCRIBE gets pmessage frames; a client matching by channel and by pattern gets both', async () => {
    const raw = await open();
    raw.command('SUBSCRIBE', 'hello');
    raw.command('PSUBSCRIBE', 'h?llo', 'h*');
    await expectBytes(raw, confirmation('subscribe', 'hello', 1) + confirmation('psubscribe', 'h?llo', 2) + confirmation('psubscribe', 'h*', 3));
    expect(await redis.publish('hello', 'm')).to.equal(3);
    await expectBytes(raw, frame(['message', 'hello', 'm']) + frame(['pmessage', 'h?llo', 'hello', 'm']) + frame(['pmessage', 'h*', 'hello', 'm']));
    expect(await redis.publish('hallo', 'n')).to.equal(2);
    await expectBytes(raw, frame(['pmessage', 'h?llo', 'hallo', 'n']) + frame(['pmessage', 'h*', 'hallo', 'n']));
  });

  it('UNSUBSCRIBE and PUNSUBSCRIBE without names leave all, or answer once with a nil name', async () => {
    const raw = await open();
    raw.command('UNSUBSCRIBE');
    await expectBytes(raw, confirmation('unsubscribe', null, 0));
    raw.command('SUBSCRIBE', 'a', 'b');
    raw.command('PSUBSCRIBE', 'p*');
    await expectBytes(raw, confirmation('subscribe', 'a', 1) + confirmation('subscribe', 'b', 2) + confirmation('psubscribe', 'p*', 3));
    raw.command('UNSUBSCRIBE');
    await expectBytes(raw, confirmation('unsubscribe', 'a', 2) + confirmation('unsubscribe', 'b', 1));
    raw.command('UNSUBSCRIBE', 'never');
    await expectBytes(raw, confirmation('unsubscribe', 'never', 1));
    raw.command('PUNSUBSCRIBE');
    await expectBytes(raw, confirmation('punsubscribe', 'p*', 0));
    raw.command('PUNSUBSCRIBE');
    await expectBytes(raw, confirmation('punsubscribe', null, 0));
    // Out of the subscribed context again: any command runs.
    raw.command('GET', 'x');
    await expectBytes(raw, '$-1\r\n');
  });

  it('a RESP2 subscriber may only (un)subscribe, PING, QUIT or RESET; PING answers in the message shape', async () => {
    const raw = await open();
    raw.command('SUBSCRIBE', 'c');
    await expectBytes(raw, confirmation('subscribe', 'c', 1));
    raw.command('GET', 'x');
    await expectBytes(raw, NOT_ALLOWED('get'));
    raw.command('CONFIG', 'GET', 'port');
    await expectBytes(raw, NOT_ALLOWED('config|get'));
    raw.command('PING');
    await expectBytes(raw, '*2\r\n$4\r\npong\r\n$0\r\n\r\n');
    raw.command('PING', 'hi');
    await expectBytes(raw, '*2\r\n$4\r\npong\r\n$2\r\nhi\r\n');
    raw.command('RESET');
    await expectBytes(raw, '+RESET\r\n');
    expect(server.pubsub.channels.size).to.equal(0);
    raw.command('PING');
    await expectBytes(raw, '+PONG\r\n');
  });

  it('RESP3 subscribers get push frames and may run any command; their own publish arrives before its count', async () => {
    const raw = await open(true);
    raw.command('SUBSCRIBE', 'c');
    await expectBytes(raw, confirmation('subscribe', 'c', 1, '>'));
    raw.command('GET', 'x');
    await expectBytes(raw, '_\r\n');
    raw.command('PUBLISH', 'c', 'self');
    await expectBytes(raw, frame(['message', 'c', 'self'], '>') + ':1\r\n');
    expect(await redis.publish('c', 'other')).to.equal(1);
    await expectBytes(raw, frame(['message', 'c', 'other'], '>'));
    raw.command('UNSUBSCRIBE');
    await expectBytes(raw, confirmation('unsubscribe', 'c', 0, '>'));
    raw.command('PUNSUBSCRIBE');
    await expectBytes(raw, confirmation('punsubscribe', null, 0, '>'));
  });

  it('channels, patterns and messages are binary safe', async () => {
    const raw = await open();
    raw.command('SUBSCRIBE', ALL_BYTES);
    raw.command('PSUBSCRIBE', Buffer.concat([ALL_BYTES.subarray(0, 10), Buffer.from('*')]));
    await expectBytes(raw, confirmation('subscribe', BIN, 1) + confirmation('psubscribe', BIN.slice(0, 10) + '*', 2));
    expect(await redis.publish(ALL_BYTES, ALL_BYTES)).to.equal(2);
    await expectBytes(raw, frame(['message', BIN, BIN]) + frame(['pmessage', BIN.slice(0, 10) + '*', BIN, BIN]));
  });

  it('a PUBLISH inside MULTI is delivered when EXEC runs', async () => {
    const raw = await open();
    raw.command('SUBSCRIBE', 'c');
    await expectBytes(raw, confirmation('subscribe', 'c', 1));
    const results = await redis.multi().publish('c', 'one').publish('c', 'two').exec();
    expect(results).to.deep.equal([[null, 1], [null, 1]]);
    await expectBytes(raw, frame(['message', 'c', 'one']) + frame(['message', 'c', 'two']));
  });

  it('shard channels are a namespace of their own', async () => {
    const raw = await open();
    raw.command('SSUBSCRIBE', 's1', 's2');
    raw.command('SUBSCRIBE', 's1');
    await expectBytes(raw, confirmation('ssubscribe', 's1', 1) + confirmation('ssubscribe', 's2', 2) + confirmation('subscribe', 's1', 1));
    expect(await redis.call('SPUBLISH', 's1', 'x')).to.equal(1);
    await expectBytes(raw, frame(['smessage', 's1', 'x']));
    expect(await redis.call('PUBSUB', 'SHARDCHANNELS')).to.have.members(['s1', 's2']);
    expect(await redis.call('PUBSUB', 'SHARDNUMSUB', 's1', 'nope')).to.deep.equal(['s1', 1, 'nope', 0]);
    expect(await redis.call('PUBSUB', 'CHANNELS')).to.deep.equal(['s1']);
    raw.command('SUNSUBSCRIBE');
    await expectBytes(raw, confirmation('sunsubscribe', 's1', 1) + confirmation('sunsubscribe', 's2', 0));
  });

  it('PUBSUB CHANNELS, NUMSUB, NUMPAT and HELP; a disconnected subscriber is forgotten', async () => {
    const [first, second] = [await open(), await open()];
    first.command('SUBSCRIBE', 'a1', 'b1');
    first.command('PSUBSCRIBE', 'x*');
    second.command('SUBSCRIBE', 'a1');
    second.command('PSUBSCRIBE', 'x*', 'y*');
    await until(() => server.pubsub.patterns.size === 2 && server.pubsub.channels.get('a1')?.size === 2);
    expect(await redis.call('PUBSUB', 'CHANNELS')).to.have.members(['a1', 'b1']);
    expect(await redis.call('PUBSUB', 'CHANNELS', 'a*')).to.deep.equal(['a1']);
    expect(await redis.call('PUBSUB', 'NUMSUB', 'a1', 'b1', 'zz')).to.deep.equal(['a1', 2, 'b1', 1, 'zz', 0]);
    expect(await redis.call('PUBSUB', 'NUMSUB')).to.deep.equal([]);
    expect(await redis.call('PUBSUB', 'NUMPAT')).to.equal(2);
    expect(((await redis.call('PUBSUB', 'HELP')) as string[])[0]).to.equal('PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
    const list = String(await redis.call('CLIENT', 'LIST'));
    expect(list).to.match(/flags=P .*sub=2 psub=1 ssub=0/);
    expect(String(await redis.info('stats'))).to.include('pubsub_channels:2').and.include('pubsub_patterns:2');
    expect(String(await redis.info('clients'))).to.include('pubsub_clients:2\r\n');
    first.close();
    await until(() => server.pubsub.channels.get('a1')?.size === 1 && !server.pubsub.channels.has('b1'));
    expect(await redis.call('PUBSUB', 'NUMPAT')).to.equal(2);
    expect(String(await redis.info('clients'))).to.include('pubsub_clients:1\r\n');
    expect(await redis.publish('a1', 'still')).to.equal(1);
  });

  it('argument errors', async () => {
    expect(await errorOf(redis.call('PUBLISH', 'c'))).to.equal(arityError('publish'));
    expect(await errorOf(redis.call('SUBSCRIBE'))).to.equal(arityError('subscribe'));
    expect(await errorOf(redis.call('PSUBSCRIBE'))).to.equal(arityError('psubscribe'));
    expect(await errorOf(redis.call('PUBSUB', 'NUMPAT', 'x'))).to.equal(arityError('pubsub|numpat'));
    expect(await errorOf(redis.call('PUBSUB', 'NOPE'))).to.match(/^ERR unknown subcommand 'NOPE'/);
  });

  it('pubsub_clients counts connections subscribed to anything, until their last UNSUBSCRIBE or RESET', async () => {
    const raw = await open();
    raw.command('SSUBSCRIBE', 's');
    raw.command('PSUBSCRIBE', 'p*');
    await until(() => server.pubsub.subscribedClients === 1);
    raw.command('SUNSUBSCRIBE');
    raw.command('PING');
    await until(() => server.pubsub.shardChannels.size === 0);
    expect(server.pubsub.subscribedClients).to.equal(1);
    raw.command('RESET');
    await until(() => server.pubsub.subscribedClients === 0);
    expect(String(await redis.info('clients'))).to.include('pubsub_clients:0\r\n');
  });

  it('ioredis subscribers receive messages and pattern messages', async () => {
    const subscriber = connect(server, { protocol: 2 });
    try {
      const received: string[] = [];
      subscriber.on('message', (channel: string, message: string) => received.push(`${channel}:${message}`));
      subscriber.on('pmessage', (pattern: string, channel: string, message: string) => received.push(`${pattern}|${channel}:${message}`));
      await subscriber.subscribe('room');
      await subscriber.psubscribe('ro*');
      expect(await redis.publish('room', 'hi')).to.equal(2);
      await until(() => received.length === 2);
      expect(received).to.deep.equal(['room:hi', 'ro*|room:hi']);
    } finally {
      subscriber.disconnect();
    }
  });

  it('pattern edge cases (as redis-server 7.0 answers them): classes, negation, ranges, escapes, ?, *, empty and long channels', async () => {
    const raw = await open();
    const patterns = ['a[bc]d', 'a[^b]d', 'a\\*d', '*', 'x?', '[a-c]*z', 'h[\\]]', ''];
    raw.command('PSUBSCRIBE', ...patterns);
    await raw.readLines(patterns.length * 6);
    const receivers = async (channel: string) => redis.publish(channel, 'm');
    // '*' matches every channel, the empty one included; as in Redis, the empty pattern matches nothing.
    expect(await receivers('')).to.equal(1);
    expect(await receivers('abd')).to.equal(2);
    expect(await receivers('acd')).to.equal(3);
    expect(await receivers('a*d')).to.equal(3);
    expect(await receivers('axd')).to.equal(2);
    expect(await receivers('x')).to.equal(1);
    expect(await receivers('xy')).to.equal(2);
    expect(await receivers('bz')).to.equal(2);
    expect(await receivers('b' + 'y'.repeat(10_000) + 'z')).to.equal(2);
    expect(await receivers('h]')).to.equal(2);
    expect(await redis.call('PUBSUB', 'NUMPAT')).to.equal(patterns.length);
  });

  it('one publisher\'s messages arrive in the order published, to every subscriber', async () => {
    const [first, second] = [await open(), await open(true)];
    first.command('SUBSCRIBE', 'seq');
    second.command('SUBSCRIBE', 'seq');
    await until(() => server.pubsub.channels.get('seq')?.size === 2);
    await first.readLines(6);
    await second.readLines(6);
    const pipeline = redis.pipeline();
    for (let i = 0; i < 1000; i++) pipeline.publish('seq', String(i));
    await pipeline.exec();
    for (const raw of [first, second]) {
      const lines = await raw.readLines(7000);
      const messages = lines.filter((_, i) => i % 7 === 6);
      expect(messages).to.deep.equal(Array.from({ length: 1000 }, (_, i) => String(i)));
    }
  });

  it('a publish hands every subscriber of a protocol the same encoded frame, not a copy each', async () => {
    const raws = [await open(), await open(), await open(), await open(true), await open(true)];
    for (const raw of raws) raw.command('SUBSCRIBE', 'shared');
    await until(() => server.pubsub.channels.get('shared')?.size === 5);
    const sent = new Map<number, Buffer>();
    const spied = [...server.pubsub.channels.get('shared')!];
    for (const client of spied) client.send = (chunk: Buffer) => void sent.set(client.id, chunk);
    expect(await redis.publish('shared', 'payload')).to.equal(5);
    const frames = spied.map((client) => sent.get(client.id)!);
    const resp2 = frames.filter((_, i) => spied[i].resp === 2);
    const resp3 = frames.filter((_, i) => spied[i].resp === 3);
    expect(new Set(resp2).size).to.equal(1);
    expect(new Set(resp3).size).to.equal(1);
    expect(resp2[0].toString('latin1')).to.equal(frame(['message', 'shared', 'payload']));
    expect(resp3[0].toString('latin1')).to.equal(frame(['message', 'shared', 'payload'], '>'));
  });

  it('an ioredis RESP3 subscriber receives messages and may run commands meanwhile', async () => {
    const subscriber = connect(server);
    try {
      const received: string[] = [];
      subscriber.on('message', (channel: string, message: string) => received.push(`${channel}:${message}`));
      await subscriber.subscribe('resp3room');
      expect(await subscriber.set('k', 'v')).to.equal('OK');
      expect(await redis.publish('resp3room', 'hello')).to.equal(1);
      await until(() => received.length === 1);
      expect(received).to.deep.equal(['resp3room:hello']);
      expect(await subscriber.get('k')).to.equal('v');
    } finally {
      subscriber.disconnect();
      await redis.del('k');
    }
  });
});
