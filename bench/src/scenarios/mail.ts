import { randomUUID } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import nodemailer from 'nodemailer';
import { type BenchContext, startBenchWorker } from '../context.js';
import { insertWelcomeEvents } from '../outbox.js';
import { type MeasuredProcess, stopAll } from '../processes.js';
import { numericTarget, type ScenarioReport } from '../report.js';
import { type SmtpSink, startSmtpSink } from '../smtp-sink.js';
import { median } from '../stats.js';

const MAIL_TIMEOUT_MS = 120_000;

/** Connections of the baseline transports: the worker's default WORKER_CONCURRENCY (= its SMTP pool). */
const BASELINE_CONNECTIONS = 10;

/**
 * Bare SMTP: nodemailer's pooled transport straight to the sink, the last hop's limit. With
 * `noDelay`, its sockets come from `getSocket` with Nagle off: nodemailer writes the message and
 * the closing dot separately, and with Nagle on the second write waits for the server's delayed
 * ACK (~40 ms on Linux) — about 20 mails/s per connection, whatever the machine.
 */
export async function bareSmtp(port: number, mails: number, noDelay: boolean): Promise<number> {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port,
    secure: false,
    pool: true,
    maxConnections: BASELINE_CONNECTIONS,
    maxMessages: Number.POSITIVE_INFINITY,
    ...(noDelay
      ? {
          getSocket: (_options: unknown, callback: (error: Error | null, socket?: { connection: Socket }) => void) => {
            const socket = connect(port, '127.0.0.1');
            socket.setNoDelay(true);
            socket.once('connect', () => callback(null, { connection: socket }));
            socket.once('error', (error) => callback(error));
          },
        }
      : {}),
  });
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: BASELINE_CONNECTIONS }, async () => {
      while (next < mails) {
        const n = next++;
        await transport.sendMail({
          from: 'Inkwell <no-reply@inkwell.test>',
          to: `reader${n}@bench.inkwell.test`,
          subject: 'Welcome to Inkwell',
          text: 'Hello from the bench: a plain text part of about the size of a real mail.\n'.repeat(8),
          html: `<p>${'Hello from the bench: an html part of about the size of a real mail. '.repeat(8)}</p>`,
        });
      }
    }),
  );
  transport.close();
  return (mails * 1000) / (performance.now() - started);
}

/** Commits `mails` mail.welcome events in one insert; resolves when the sink has them all (mails/s from the insert). */
async function oneRound(ctx: BenchContext, sink: SmtpSink, mails: number): Promise<number> {
  const expected = sink.received() + mails;
  const authors = ctx.seeded.authors;
  const started = await insertWelcomeEvents(
    ctx.db.url,
    Array.from({ length: mails }, (_, n) => {
      const author = authors[n % authors.length];
      return {
        userId: author?.id ?? randomUUID(),
        email: author?.email ?? 'x@bench.inkwell.test',
        displayName: author?.username ?? 'bench',
      };
    }),
  );
  await sink.waitFor(expected, MAIL_TIMEOUT_MS);
  return (mails * 1000) / (performance.now() - started);
}

const MAIL_GOAL = 300;

/**
 * Scenario 5: `rounds` consecutive rounds through one worker, each `mails` outbox events
 * committed in one transaction, timed until the sink has received all of them through relay →
 * BullMQ → worker → SMTP. #16 asks for the target in every round, not on average.
 */
export async function mailScenario(ctx: BenchContext): Promise<ScenarioReport> {
  const { mails, rounds } = ctx.settings.mail;
  const sink = await startSmtpSink();
  let worker: MeasuredProcess | undefined;
  try {
    ctx.step('bare nodemailer baselines');
    const nagleRate = await bareSmtp(sink.port, Math.min(mails, 500), false);
    const bareRate = await bareSmtp(sink.port, mails, true);

    worker = startBenchWorker(ctx, 'worker', sink.port);
    // Let the worker connect and start listening before the clock starts.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    if (worker.output().trim()) ctx.log(`worker said: ${worker.output().slice(0, 500)}`);
    const rates: number[] = [];
    for (let round = 1; round <= rounds; round++) {
      ctx.step(`worker round ${round}/${rounds}: ${mails} mails`);
      rates.push(await oneRound(ctx, sink, mails));
    }
    return {
      id: 5,
      title: 'Mail: outbox → relay → BullMQ → one worker → SMTP sink',
      setup: `${ctx.runtime.label}; ${rounds} consecutive rounds through one worker process, each ${mails} mail.welcome events committed in one insert and timed from the insert to the last message received by an in-process smtp-server sink; baselines: nodemailer (pool of ${BASELINE_CONNECTIONS}) straight to the same sink, with and without Nagle.`,
      columns: ['path', 'mails/s', '× bare SMTP'],
      rows: [
        [`bare nodemailer → sink, TCP_NODELAY (baseline)`, bareRate, 1],
        [`bare nodemailer → sink, default sockets (Nagle on)`, nagleRate, nagleRate / bareRate],
        ...rates.map((rate, i) => [`Inkwell worker (1 process), round ${i + 1}`, rate, rate / bareRate]),
      ],
      targets: rates.map((rate, i) =>
        numericTarget(`mails/s with one worker, round ${i + 1} of ${rounds}`, rate, 'min', MAIL_GOAL, '', (v) =>
          v.toFixed(0),
        ),
      ),
      notes: [],
      figures: [
        { name: 'worker mails/s, slowest round', value: Math.min(...rates), unit: 'mails/s', better: 'higher' },
        {
          name: 'worker mails/s × bare SMTP (median round)',
          value: median(rates) / bareRate,
          unit: '×',
          better: 'higher',
        },
      ],
      charts: [
        {
          kind: 'bars',
          title: 'Scenario 5: mails/s with one worker, each round against the target',
          unit: ' mails/s',
          bars: [
            { label: 'bare nodemailer, TCP_NODELAY', value: bareRate },
            ...rates.map((rate, i) => ({
              label: `worker, round ${i + 1}`,
              value: rate,
              target: { threshold: MAIL_GOAL, direction: 'min' as const },
            })),
          ],
        },
      ],
      data: { mails, rounds, bareRate, nagleRate, rates },
    };
  } finally {
    await stopAll([worker]);
    await sink.close();
  }
}
