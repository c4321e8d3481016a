import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';

export interface WorkerMetricsSources {
  /** Job counts per state, from the queue (may throw when Redis is down: the gauge keeps its last value). */
  queueCounts(): Promise<Record<'waiting' | 'active' | 'delayed' | 'failed', number>>;
  /** Undispatched outbox rows and the age of the oldest one, from PostgreSQL. */
  outboxBacklog(): Promise<{ count: number; oldestAgeSeconds: number }>;
}

/**
 * The worker's Prometheus metrics, in a registry of its own (several workers can share a test
 * process). Gauges read their sources when scraped, so an idle worker does no polling.
 */
export function createWorkerMetrics(sources: WorkerMetricsSources) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'inkwell_worker_' });
  const registers = [registry];

  const jobsCompleted = new Counter({
    name: 'inkwell_worker_jobs_completed_total',
    help: 'Mail jobs completed (sent, or found already sent).',
    registers,
  });
  const jobsFailed = new Counter({
    name: 'inkwell_worker_jobs_failed_total',
    help: 'Mail jobs failed for good (attempts exhausted or unrecoverable); kept in the failed set.',
    registers,
  });
  const jobsRetried = new Counter({
    name: 'inkwell_worker_jobs_retried_total',
    help: 'Mail job attempts that failed and were scheduled for a retry.',
    registers,
  });
  const mailsSent = new Counter({
    name: 'inkwell_worker_mails_sent_total',
    help: 'Mails accepted by the SMTP server, by event type.',
    labelNames: ['type'],
    registers,
  });
  const mailsFailed = new Counter({
    name: 'inkwell_worker_mails_failed_total',
    help: 'SMTP send attempts that failed, by event type (each retry counts).',
    labelNames: ['type'],
    registers,
  });
  const mailsResent = new Counter({
    name: 'inkwell_worker_mails_resent_after_stale_claim_total',
    help: 'Mails sent again because an earlier attempt crashed mid-send (possible duplicates).',
    registers,
  });
  const relayed = new Counter({
    name: 'inkwell_worker_outbox_relayed_total',
    help: 'Outbox events moved into the mail queue.',
    registers,
  });
  const relayErrors = new Counter({
    name: 'inkwell_worker_outbox_relay_errors_total',
    help: 'Relay passes that failed (for example Redis down); their events stay undispatched.',
    registers,
  });

  new Gauge({
    name: 'inkwell_worker_queue_jobs',
    help: 'Jobs in the mail queue, by state.',
    labelNames: ['queue', 'state'],
    registers,
    async collect() {
      const counts = await sources.queueCounts().catch(() => null);
      if (!counts) return;
      for (const [state, value] of Object.entries(counts)) this.set({ queue: 'mail', state }, value);
    },
  });
  new Gauge({
    name: 'inkwell_worker_outbox_lag_seconds',
    help: 'Age of the oldest undispatched outbox event (0 when none is waiting).',
    registers,
    async collect() {
      const backlog = await sources.outboxBacklog().catch(() => null);
      if (backlog) this.set(backlog.oldestAgeSeconds);
    },
  });
  new Gauge({
    name: 'inkwell_worker_outbox_undispatched',
    help: 'Outbox events not yet moved into the queue.',
    registers,
    async collect() {
      const backlog = await sources.outboxBacklog().catch(() => null);
      if (backlog) this.set(backlog.count);
    },
  });

  return {
    registry,
    jobsCompleted,
    jobsFailed,
    jobsRetried,
    mailsSent,
    mailsFailed,
    mailsResent,
    relayed,
    relayErrors,
  };
}

export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>;
