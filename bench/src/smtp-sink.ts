import type { AddressInfo, Socket } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface SmtpSink {
  port: number;
  /** Messages fully received so far. */
  received(): number;
  /** Messages received per recipient address (exactly-once checks). */
  recipients(): ReadonlyMap<string, number>;
  /** Resolves when `count` messages have arrived (rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

/** A real SMTP peer in this process that accepts every message and only counts it. */
export async function startSmtpSink(): Promise<SmtpSink> {
  let received = 0;
  const byRecipient = new Map<string, number>();
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    // No reverse DNS of 127.0.0.1 per connection: this machine has no resolver worth waiting for.
    disableReverseLookup: true,
    size: 1024 * 1024,
    onData(stream, session, callback) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        received++;
        for (const rcpt of session.envelope.rcptTo) {
          byRecipient.set(rcpt.address, (byRecipient.get(rcpt.address) ?? 0) + 1);
        }
        for (const waiter of waiters.filter((w) => received >= w.count)) waiter.resolve();
        callback();
      });
    },
  });
  // Replies go out at once: with Nagle on, a reply that follows another small write waits for
  // the client's delayed ACK (~40 ms on Linux), which would cap every connection at ~20 mails/s.
  server.server.on('connection', (socket: Socket) => socket.setNoDelay(true));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    received: () => received,
    recipients: () => byRecipient,
    waitFor(count, timeoutMs) {
      if (received >= count) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`${received} of ${count} mails arrived within ${timeoutMs} ms`)),
          timeoutMs,
        );
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
