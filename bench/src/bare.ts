import { mkdirSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { paths } from './paths.js';
import { type MeasuredProcess, startProcess } from './processes.js';
import type { Runtime } from './runtimes.js';

export interface BareServer {
  url: string;
  proc: MeasuredProcess;
}

/** Starts bench/runtime/bare-server.mjs on `runtime`, answering every request with `body`. */
export async function startBareServer(runtime: Runtime, body: Buffer, contentType: string): Promise<BareServer> {
  mkdirSync(paths.work, { recursive: true });
  const bodyFile = `${paths.work}bare-body-${process.pid}-${runtime.label}.bin`;
  writeFileSync(bodyFile, body);
  const proc = startProcess({
    name: `bare node:http (${runtime.label})`,
    runtime,
    entry: paths.bareServer,
    env: { BARE_BODY_FILE: bodyFile, BARE_CONTENT_TYPE: contentType },
  });
  const deadline = Date.now() + 10_000;
  for (;;) {
    const match = /listening (\d+)/.exec(proc.output());
    if (match) return { url: `http://127.0.0.1:${match[1]}`, proc };
    if (Date.now() > deadline) {
      await proc.stop();
      throw new Error(`bare server did not start:\n${proc.output()}`);
    }
    await sleep(50);
  }
}
