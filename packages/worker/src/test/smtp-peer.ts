import { once } from 'node:events';
import { SMTPServer } from 'smtp-server';

/** An error smtp-server turns into an SMTP reply with this code. */
class SmtpReply extends Error {
  constructor(
    readonly responseCode: number,
    message: string,
  ) {
    super(message);
  }
}

export interface ReceivedMail {
  messageId: string;
  to: string[];
  raw: Buffer;
}

export interface SmtpPeer {
  port: number;
  url: string;
  received: ReceivedMail[];
  /** Every DATA transfer that started (including ones still being delayed). */
  dataStarted(): number;
  /** Replies with `code` to every RCPT TO until called with null. */
  refuseWith(code: number | null): void;
  /** Holds every message this long before accepting it (to catch jobs in flight). */
  delayAcceptMs(ms: number): void;
  /** Never answers DATA (a hung server) until close(). */
  hangOnData(): void;
  /** Client connections currently open. */
  openConnections(): number;
  refusals(): number;
  uniqueMessageIds(): number;
  duplicates(): number;
  close(): Promise<void>;
}

/** A real SMTP server in-process (smtp-server), collecting what the worker sends. */
export async function startSmtpPeer(): Promise<SmtpPeer> {
  const received: ReceivedMail[] = [];
  let refuseCode: number | null = null;
  let refusals = 0;
  let delayMs = 0;
  let started = 0;
  let hang = false;
  let open = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onConnect(_session, callback) {
      open += 1;
      callback();
    },
    onClose() {
      open -= 1;
    },
    onRcptTo(_address, _session, callback) {
      if (refuseCode !== null) {
        refusals += 1;
        return callback(new SmtpReply(refuseCode, 'mailbox busy, try again later'));
      }
      callback();
    },
    onData(stream, session, callback) {
      started += 1;
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (hang) return;
        const raw = Buffer.concat(chunks);
        const accept = () => {
          const messageId = /^Message-ID:\s*(\S+)/im.exec(raw.toString('utf8'))?.[1] ?? '';
          received.push({ messageId, to: session.envelope.rcptTo.map((rcpt) => rcpt.address), raw });
          callback();
        };
        if (delayMs) setTimeout(accept, delayMs);
        else accept();
      });
    },
  });
  // A client that dies mid-session (the SIGKILL test) resets its connection: expected here.
  server.on('error', () => undefined);
  server.listen(0, '127.0.0.1');
  await once(server.server, 'listening');
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    received,
    dataStarted: () => started,
    refuseWith(code) {
      refuseCode = code;
    },
    delayAcceptMs(ms) {
      delayMs = ms;
    },
    hangOnData() {
      hang = true;
    },
    openConnections: () => open,
    refusals: () => refusals,
    uniqueMessageIds: () => new Set(received.map((mail) => mail.messageId)).size,
    duplicates: () => received.length - new Set(received.map((mail) => mail.messageId)).size,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
