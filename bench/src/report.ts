import { mkdirSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { paths } from './paths.js';

/** The results file's shape, in one place: written by the bench, read back by the doc writer. */
const cellSchema = z.union([z.string(), z.number()]);

const targetSchema = z.object({
  name: z.string(),
  goal: z.string(),
  value: z.string(),
  met: z.boolean(),
  /** The numbers behind `goal` and `value`, for the charts; absent for yes/no targets. */
  numeric: z
    .object({ actual: z.number(), threshold: z.number(), direction: z.enum(['min', 'max']), unit: z.string() })
    .optional(),
});
export type TargetCheck = z.infer<typeof targetSchema>;

/** A headline figure of a scenario: what `--compare` sets side by side (new / old). */
const figureSchema = z.object({
  name: z.string(),
  value: z.number(),
  unit: z.string(),
  better: z.enum(['higher', 'lower']),
});
export type Figure = z.infer<typeof figureSchema>;

const seriesSchema = z.object({
  label: z.string(),
  points: z.array(z.tuple([z.number(), z.number()])),
  /** Drawn dashed (e.g. the writes next to the reads of the same api). */
  dashed: z.boolean().optional(),
});

/** What the doc writer draws next to a scenario's table (charts.ts renders them as SVG). */
const chartSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('bars'),
    title: z.string(),
    unit: z.string(),
    bars: z.array(
      z.object({
        label: z.string(),
        value: z.number(),
        target: z.object({ threshold: z.number(), direction: z.enum(['min', 'max']) }).optional(),
      }),
    ),
  }),
  /** Latency distributions: x is a percentile (0–99.9), y milliseconds. */
  z.object({ kind: z.literal('percentiles'), title: z.string(), series: z.array(seriesSchema) }),
  z.object({
    kind: z.literal('lines'),
    title: z.string(),
    xLabel: z.string(),
    yLabel: z.string(),
    series: z.array(seriesSchema),
  }),
]);
export type Chart = z.infer<typeof chartSchema>;

const scenarioSchema = z.object({
  id: z.number(),
  title: z.string(),
  /** Load shape, durations, runtimes: what a reader needs to reproduce the row. */
  setup: z.string(),
  columns: z.array(z.string()),
  rows: z.array(z.array(cellSchema)),
  targets: z.array(targetSchema),
  notes: z.array(z.string()),
  figures: z.array(figureSchema).default([]),
  charts: z.array(chartSchema).default([]),
  /** Raw figures behind the rows. */
  data: z.unknown(),
  /** Wall-clock seconds the scenario took (the progress estimate of the next run). */
  durationS: z.number().optional(),
  /** The scenario could not run on this build or machine, by design (not a failure). */
  skipped: z.string().optional(),
  error: z.string().optional(),
});
export type ScenarioReport = z.input<typeof scenarioSchema>;

const comparisonSchema = z.object({
  old: z.object({ label: z.string(), commit: z.string() }),
  new: z.object({ label: z.string(), commit: z.string() }),
  scenarios: z.array(
    z.object({
      id: z.number(),
      title: z.string(),
      rows: z.array(
        z.object({
          name: z.string(),
          unit: z.string(),
          better: z.enum(['higher', 'lower']),
          old: z.number(),
          new: z.number(),
        }),
      ),
      error: z.string().optional(),
      /** Skipped on one build or both (e.g. a feature the old build lacks): not comparable, not a regression. */
      skipped: z.string().optional(),
    }),
  ),
  notes: z.array(z.string()),
});
export type Comparison = z.infer<typeof comparisonSchema>;

export const runSchema = z.object({
  startedAt: z.string(),
  finishedAt: z.string(),
  profile: z.string(),
  machine: z.object({
    cpus: z.number(),
    node: z.string(),
    platform: z.string(),
    /** os.loadavg() (1, 5, 15 min) when the run started and ended: the machine is shared. */
    loadAtStart: z.array(z.number()).optional(),
    loadAtEnd: z.array(z.number()).optional(),
  }),
  build: z.object({ label: z.string(), commit: z.string() }).optional(),
  scenarios: z.array(scenarioSchema),
  comparison: comparisonSchema.optional(),
});
export type RunReport = z.input<typeof runSchema>;
export type ParsedRun = z.output<typeof runSchema>;

/** A numeric target: `actual` against `threshold` (`min`: at least, `max`: at most). */
export function numericTarget(
  name: string,
  actual: number,
  direction: 'min' | 'max',
  threshold: number,
  unit: string,
  format: (value: number) => string = (value) => cell(value),
): TargetCheck {
  const met = Number.isFinite(actual) && (direction === 'min' ? actual >= threshold : actual <= threshold);
  return {
    name,
    goal: `${direction === 'min' ? '≥' : '≤'} ${format(threshold)}${unit}`,
    value: Number.isFinite(actual) ? `${format(actual)}${unit}` : 'not measured',
    met,
    numeric: { actual, threshold, direction, unit },
  };
}

export function cell(value: string | number): string {
  if (typeof value === 'string') return value;
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US');
  if (Math.abs(value) >= 100) return value.toFixed(0);
  if (Math.abs(value) >= 10) return value.toFixed(1);
  if (Math.abs(value) >= 0.1) return value.toFixed(2);
  return value.toPrecision(2);
}

function table(columns: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>): string[] {
  return [
    `| ${columns.join(' | ')} |`,
    `| ${columns.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
  ];
}

/** A scenario as markdown: readable in a terminal and pasteable into the docs. */
export function renderScenario(report: ScenarioReport, heading = '###'): string {
  const lines = [`${heading} ${report.id}. ${report.title}`, '', report.setup, ''];
  if (report.error) return [...lines, `**failed:** ${report.error}`, ''].join('\n');
  if (report.skipped) return [...lines, `**skipped:** ${report.skipped}`, ''].join('\n');
  lines.push(...table(report.columns, report.rows), '');
  for (const target of report.targets) {
    lines.push(`- target ${target.name}: ${target.goal} → **${target.value}** ${target.met ? '(met)' : '(MISSED)'}`);
  }
  for (const note of report.notes) lines.push(`- ${note}`);
  lines.push('');
  return lines.join('\n');
}

/** How far `new` may fall behind `old` before a figure counts as a regression (#15: 10 %). */
export const COMPARE_TOLERANCE = 0.1;

/** new / old, 1 when both are equal (0 statements before and after). */
export const newOverOld = (row: { old: number; new: number }) => (row.new === row.old ? 1 : row.new / row.old);

export function withinTolerance(row: { better: 'higher' | 'lower'; old: number; new: number }): boolean {
  const ratio = newOverOld(row);
  if (!Number.isFinite(ratio)) return false;
  return row.better === 'higher' ? ratio >= 1 - COMPARE_TOLERANCE : ratio <= 1 + COMPARE_TOLERANCE;
}

/** The --compare section: each scenario's headline figures, old and new build, new/old. */
export function renderComparison(comparison: Comparison, heading = '###'): string {
  const lines = [
    `${heading} Compare: ${comparison.new.label} (${comparison.new.commit}) vs ${comparison.old.label} (${comparison.old.commit})`,
    '',
  ];
  let all = true;
  for (const scenario of comparison.scenarios) {
    lines.push(`**${scenario.id}. ${scenario.title}**`, '');
    if (scenario.error) {
      all = false;
      lines.push(`failed: ${scenario.error}`, '');
      continue;
    }
    if (scenario.skipped) {
      lines.push(`not compared (skipped): ${scenario.skipped}`, '');
      continue;
    }
    const rows = scenario.rows.map((row) => {
      const ok = withinTolerance(row);
      all &&= ok;
      return [
        `${row.name}${row.unit ? ` (${row.unit})` : ''}`,
        row.old,
        row.new,
        newOverOld(row),
        `${row.better} is better`,
        ok ? 'yes' : '**NO**',
      ];
    });
    lines.push(...table(['figure', 'old', 'new', 'new / old', '', `within ${COMPARE_TOLERANCE * 100} %`], rows), '');
  }
  for (const note of comparison.notes) lines.push(`- ${note}`);
  lines.push(
    `- **${all ? 'within' : 'NOT within'} ${COMPARE_TOLERANCE * 100} % of the old build on every figure** (same run; both builds on the same database, Redis server and machine).`,
    '',
  );
  return lines.join('\n');
}

/**
 * Writes bench/results/<timestamp>.json; a complete run (every scenario, full profile, no
 * --compare) also becomes bench/results/latest.json, the one the docs are generated from.
 */
export function writeRunReport(report: RunReport, complete: boolean): string {
  mkdirSync(paths.results, { recursive: true });
  const stamp = report.startedAt.replaceAll(':', '-').replace(/\.\d+Z$/, 'Z');
  const file = `${paths.results}${stamp}.json`;
  const json = `${JSON.stringify(report, null, 2)}\n`;
  writeFileSync(file, json);
  if (complete) writeFileSync(`${paths.results}latest.json`, json);
  return file;
}
