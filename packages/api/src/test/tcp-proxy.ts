import { once } from 'node:events';
import { createConnection, createServer, type Socket } from 'node:net';

export interface TcpProxy {
  url: string;
  /**
   * `blackhole`: connections stay open and swallow every byte, so commands time out (a hung
   * Redis or a network partition); the data behind the proxy stays as it was.
   * `pass`: forwards again; hung connections are dropped so clients reconnect.
   */
  setMode(mode: 'pass' | 'blackhole'): void;
  close(): Promise<void>;
}

/** A TCP proxy to 127.0.0.1:`targetPort` that a test can turn into a blackhole and back. */
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  let mode: 'pass' | 'blackhole' = 'pass';
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const server = createServer((client) => {
    track(client);
    if (mode === 'blackhole') {
      client.resume();
      return;
    }
    const upstream = createConnection(targetPort, '127.0.0.1');
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const dropAll = () => {
    for (const socket of sockets) socket.destroy();
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    setMode(next) {
      if (next === mode) return;
      if (next === 'blackhole') {
        // Stop forwarding on open connections without closing them: replies never arrive.
        for (const socket of sockets) {
          socket.unpipe();
          socket.resume();
        }
      } else {
        dropAll();
      }
      mode = next;
    },
    async close() {
      dropAll();
      server.close();
      await once(server, 'close');
    },
  };
}
