import { expect } from 'chai';
import net from 'node:net';
import { readWithSharedBuffer, SHARED_READ_MEMORY } from '../src/shared-reads.js';

describe('shared reads', () => {
  it('an accepted connection reads into the shared buffer, and the server still waits for it to close', async () => {
    const reads: string[] = [];
    const server = net.createServer({ pauseOnConnect: true }, (accepted) => {
      const socket = readWithSharedBuffer(accepted, server, (chunk, length) => {
        expect(chunk.buffer).to.equal(SHARED_READ_MEMORY);
        reads.push(chunk.toString('latin1', 0, length));
        socket.end('bye');
      });
      expect(socket).to.not.equal(accepted);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
    client.write('hello');
    let answer = '';
    client.on('data', (data) => (answer += data.toString('latin1')));
    await new Promise((resolve) => client.on('close', resolve));
    expect(reads.join('')).to.equal('hello');
    expect(answer).to.equal('bye');
    // The moved connection was counted by the server and uncounted when it closed.
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('a socket without the stream handle Node gives accepted connections keeps its data events', () => {
    const socket = new net.Socket();
    const reads: [Buffer, number][] = [];
    const reading = readWithSharedBuffer(socket, net.createServer(), (chunk, length) => reads.push([chunk, length]));
    expect(reading).to.equal(socket);
    const chunk = Buffer.from('PING\r\n');
    socket.emit('data', chunk);
    expect(reads).to.deep.equal([[chunk, 6]]);
    socket.destroy();
  });
});
