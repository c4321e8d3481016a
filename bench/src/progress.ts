import { readdirSync, readFileSync } from 'node:fs';
import { paths } from './paths.js';
import { runSchema } from './report.js';

export interface PlannedScenario {
  /** Unique within the run (a scenario runs twice under --compare). */
  key: string;
  label: string;
  /** Expected seconds: the last recorded run of this scenario and profile, else a default. */
  estimateS: number;
}

export function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

const TICK_MS = 20_000;

function minutes(seconds: number): string {
  return seconds >= 90 ? `${Math.round(seconds / 60)} min` : `${Math.max(0, Math.round(seconds))} s`;
}

/**
 * Progress on stderr while the bench runs: which scenario and step, and the time left
 * (what remains of the current scenario's estimate plus the estimates of those to come).
 * A tick every 20 s shows it is alive during long steps.
 */
export class Progress {
  private index = -1;
  private scenarioStarted = 0;
  private step = '';
  private timer: NodeJS.Timeout | undefined;
  private lastLineAt = 0;

  constructor(private readonly plan: readonly PlannedScenario[]) {}

  private secondsLeft(): number {
    const current = this.plan[this.index];
    const elapsed = (performance.now() - this.scenarioStarted) / 1000;
    const rest = this.plan.slice(this.index + 1).reduce((sum, s) => sum + s.estimateS, 0);
    return Math.max(0, (current?.estimateS ?? 0) - elapsed) + rest;
  }

  private print(): void {
    this.lastLineAt = performance.now();
    log(this.line());
  }

  private line(): string {
    const current = this.plan[this.index];
    const where = `${this.index + 1}/${this.plan.length} ${current?.label ?? ''}`;
    return `${where}${this.step ? ` · ${this.step}` : ''} · ~${minutes(this.secondsLeft())} left`;
  }

  startScenario(key: string): void {
    this.index = this.plan.findIndex((s) => s.key === key);
    this.scenarioStarted = performance.now();
    this.step = '';
    this.print();
    clearInterval(this.timer);
    this.timer = setInterval(() => {
      if (performance.now() - this.lastLineAt > TICK_MS / 2) this.print();
    }, TICK_MS);
    this.timer.unref();
  }

  /** A step inside the current scenario (e.g. "cached api, 10 s"). */
  stepTo(step: string): void {
    this.step = step;
    this.print();
  }

  endScenario(): number {
    clearInterval(this.timer);
    this.step = '';
    return (performance.now() - this.scenarioStarted) / 1000;
  }
}

/** Seconds each scenario took in the newest recorded run of `profile` that has it. */
export function recordedDurations(profile: string): Map<number, number> {
  const durations = new Map<number, number>();
  let files: string[];
  try {
    files = readdirSync(paths.results).filter((f) => /^\d{4}-.*Z\.json$/.test(f));
  } catch {
    return durations;
  }
  for (const file of files.sort().reverse()) {
    const parsed = runSchema.safeParse(JSON.parse(readFileSync(`${paths.results}${file}`, 'utf8')));
    if (!parsed.success || parsed.data.profile !== profile) continue;
    for (const scenario of parsed.data.scenarios) {
      if (scenario.durationS !== undefined && !durations.has(scenario.id))
        durations.set(scenario.id, scenario.durationS);
    }
  }
  return durations;
}
