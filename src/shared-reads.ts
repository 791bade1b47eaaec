import net from 'node:net';

/** Where every connection's reads land, one at a time (Node's default read size). */
const SHARED_READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

/** The memory of the shared read buffer, for a reader that must copy out what it keeps. */
export const SHARED_READ_MEMORY: ArrayBufferLike = SHARED_READ_BUFFER.buffer;

/** What Node keeps of an accepted connection that this module relies on. */
interface AcceptedSocket {
  _handle: { readStart?: unknown; useUserBuffer?: unknown } | null;
}

/**
 * Has an accepted connection (from a server made with `pauseOnConnect`) read into one buffer
 * shared by every connection, and passes each read to `onRead` (its first `length` bytes of
 * `chunk`); returns the socket to use from then on. The chunk is valid only during the call:
 * the reader copies what it keeps.
 *
 * Why: a 'data' event costs a Buffer per read (malloc, then a free once V8 collects it), a
 * pass through the Readable machinery and a tick. At `-P 16` that was a tenth of the server's
 * time, and the freed blocks left glibc's heap fragmented (about 9 bytes of RSS per field of a
 * 1,000,000-field hash load). Node gives the `onread` option only to sockets built by the caller, so the accepted
 * socket's handle moves into one. Where the handle is not the stream handle Node 20-22 have,
 * the connection keeps its 'data' events.
 */
export function readWithSharedBuffer(socket: net.Socket, server: net.Server, onRead: (chunk: Buffer, length: number) => void): net.Socket {
  const accepted = socket as unknown as AcceptedSocket;
  const handle = accepted._handle;
  if (handle === null || typeof handle.readStart !== 'function' || typeof handle.useUserBuffer !== 'function') {
    socket.on('data', (chunk: Buffer) => onRead(chunk, chunk.length));
    socket.resume();
    return socket;
  }
  accepted._handle = null;
  const reading = new net.Socket({
    handle,
    readable: true,
    writable: true,
    onread: {
      buffer: SHARED_READ_BUFFER,
      callback: (bytes: number) => {
        onRead(SHARED_READ_BUFFER, bytes);
        return true;
      },
    },
  } as net.SocketConstructorOpts);
  // The server counted the accepted socket among its connections: the new one uncounts it when
  // it closes, so that closing the server still waits for every connection.
  Object.assign(reading, { server, _server: server });
  return reading;
}
