import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { paths } from './paths.js';
import type { Runtime } from './runtimes.js';

const lagReplySchema = z.object({
  type: z.literal('lag'),
  p50Ms: z.number(),
  p99Ms: z.number(),
  maxMs: z.number(),
  meanMs: z.number(),
  resolutionMs: z.number(),
  samples: z.number(),
});
export type LagStats = Omit<z.infer<typeof lagReplySchema>, 'type'>;

export interface MeasuredProcess {
  name: string;
  pid: number;
  runtime: Runtime;
  /** Resident set size from /proc/<pid>/status (VmRSS), in MiB. */
  rssMiB(): number;
  /** Event-loop delay since the previous call (the preloaded lag probe), then reset. */
  lag(): Promise<LagStats>;
  /** Last lines the process printed (for failure messages). */
  output(): string;
  /** SIGTERM and wait for the exit (SIGKILL after `timeoutMs`). */
  stop(timeoutMs?: number): Promise<void>;
  exited: Promise<number | null>;
}

export interface StartOptions {
  name: string;
  runtime: Runtime;
  entry: string;
  env: Record<string, string>;
  /** Working directory (default: this checkout's root). */
  cwd?: string;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeFlags?: string[];
}

const OUTPUT_TAIL = 20_000;

/** Every process started and not yet exited, so an interrupted bench can stop them all. */
const running = new Set<ChildProcess>();

/** SIGKILLs whatever the bench started that still runs (the interrupt handler's last resort). */
export function killStarted(): void {
  for (const child of running) child.kill('SIGKILL');
}

/** Starts a node entry file as a real process, with the lag probe preloaded and an IPC channel. */
export function startProcess(options: StartOptions): MeasuredProcess {
  const child: ChildProcess = spawn(
    options.runtime.node,
    [...(options.nodeFlags ?? []), '--import', paths.lagProbe, options.entry],
    {
      cwd: options.cwd ?? paths.repoRoot,
      env: { PATH: process.env.PATH ?? '', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    },
  );
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-OUTPUT_TAIL);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  running.add(child);
  const exited = once(child, 'exit').then(([code]) => {
    running.delete(child);
    return code as number | null;
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${options.name}: could not start ${options.runtime.node}`);

  return {
    name: options.name,
    pid,
    runtime: options.runtime,
    rssMiB() {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
      if (!match?.[1]) throw new Error(`${options.name}: no VmRSS in /proc/${pid}/status`);
      return Number(match[1]) / 1024;
    },
    lag() {
      return new Promise<LagStats>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${options.name}: lag probe did not answer`)), 5_000);
        const onMessage = (message: unknown) => {
          const parsed = lagReplySchema.safeParse(message);
          if (!parsed.success) return;
          clearTimeout(timer);
          child.off('message', onMessage);
          const { type: _type, ...stats } = parsed.data;
          resolve(stats);
        };
        child.on('message', onMessage);
        child.send({ type: 'lag' });
      });
    },
    output: () => tail,
    async stop(timeoutMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(timer);
    },
    exited,
  };
}

/** Polls `url` until it answers 200, failing early if the process exits. */
export async function waitUntilReady(proc: MeasuredProcess, url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | null | undefined;
  void proc.exited.then((code) => {
    exitCode = code;
  });
  for (;;) {
    if (exitCode !== undefined)
      throw new Error(`${proc.name} exited (${exitCode}) before it was ready:\n${proc.output()}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${proc.name} not ready within ${timeoutMs} ms:\n${proc.output()}`);
    await sleep(100);
  }
}

/** Waits for the `listening <port>` line of a runtime/ server; returns its URL (stops it on failure). */
export async function waitForListening(proc: MeasuredProcess, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = /listening (\d+)/.exec(proc.output());
    if (match) return `http://127.0.0.1:${match[1]}`;
    if (Date.now() > deadline) {
      await proc.stop();
      throw new Error(`${proc.name} did not start:\n${proc.output()}`);
    }
    await sleep(50);
  }
}

/** Stops every process, whatever happens to the others. */
export async function stopAll(processes: Iterable<MeasuredProcess | undefined>): Promise<void> {
  await Promise.allSettled([...processes].map((proc) => proc?.stop()));
}
