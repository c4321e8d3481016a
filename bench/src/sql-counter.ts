import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';

/** PostgreSQL's startup-phase request codes (no type byte): SSL and GSS encryption requests. */
const SSL_REQUEST = 80_877_103;
const GSSENC_REQUEST = 80_877_104;

export interface StatementCounter {
  /** `databaseUrl` with host and port pointing at the counter instead of the server. */
  via(databaseUrl: string): string;
  /** Statements sent since the start: simple queries ('Q') plus extended-protocol executions ('E'). */
  statements(): number;
  close(): Promise<void>;
}

/**
 * A TCP proxy in front of PostgreSQL that counts the statements its clients send, from the
 * frontend messages of the wire protocol (every statement is one Query or one Execute message,
 * prepared or not). It forwards every byte unchanged; only the bench's scenario 10 api goes
 * through it, never a timed one.
 */
export async function startStatementCounter(server: { host: string; port: number }): Promise<StatementCounter> {
  let statements = 0;
  const sockets = new Set<Socket>();
  const proxy = createServer((client) => {
    const upstream = connect(server.port, server.host);
    sockets.add(client).add(upstream);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    upstream.pipe(client);
    let buffered = Buffer.alloc(0);
    let startup = true;
    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk);
      buffered = Buffer.concat([buffered, chunk]);
      for (;;) {
        if (startup) {
          if (buffered.length < 8) break;
          const length = buffered.readInt32BE(0);
          if (buffered.length < length) break;
          const code = buffered.readInt32BE(4);
          // After an SSL/GSS request the client sends the real startup message, also untyped.
          startup = code === SSL_REQUEST || code === GSSENC_REQUEST;
          buffered = buffered.subarray(length);
          continue;
        }
        if (buffered.length < 5) break;
        const length = buffered.readInt32BE(1);
        if (buffered.length < length + 1) break;
        const type = String.fromCharCode(buffered[0] ?? 0);
        if (type === 'Q' || type === 'E') statements++;
        buffered = buffered.subarray(length + 1);
      }
    });
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });
  proxy.listen(0, '127.0.0.1');
  await once(proxy, 'listening');
  const address = proxy.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    via(databaseUrl) {
      const url = new URL(databaseUrl);
      url.hostname = '127.0.0.1';
      url.port = String(port);
      return url.toString();
    },
    statements: () => statements,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    },
  };
}
