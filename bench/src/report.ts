import { mkdirSync, writeFileSync } from 'node:fs';
import { paths } from './paths.js';

export interface TargetCheck {
  name: string;
  goal: string;
  value: string;
  met: boolean;
}

export interface ScenarioReport {
  id: number;
  title: string;
  /** Load shape, durations, runtimes: what a reader needs to reproduce the row. */
  setup: string;
  columns: string[];
  rows: Array<Array<string | number>>;
  targets: TargetCheck[];
  notes: string[];
  /** Raw figures behind the rows. */
  data: unknown;
  error?: string;
}

function cell(value: string | number): string {
  if (typeof value === 'string') return value;
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US');
  if (Math.abs(value) >= 100) return value.toFixed(0);
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** A scenario as markdown: readable in a terminal and pasteable into the README. */
export function renderScenario(report: ScenarioReport): string {
  const lines = [`### ${report.id}. ${report.title}`, '', report.setup, ''];
  if (report.error) {
    lines.push(`**failed:** ${report.error}`, '');
    return lines.join('\n');
  }
  lines.push(`| ${report.columns.join(' | ')} |`, `| ${report.columns.map(() => '---').join(' | ')} |`);
  for (const row of report.rows) lines.push(`| ${row.map(cell).join(' | ')} |`);
  lines.push('');
  for (const target of report.targets) {
    lines.push(`- target ${target.name}: ${target.goal} → **${target.value}** ${target.met ? '(met)' : '(MISSED)'}`);
  }
  for (const note of report.notes) lines.push(`- ${note}`);
  lines.push('');
  return lines.join('\n');
}

export interface RunReport {
  startedAt: string;
  finishedAt: string;
  profile: string;
  machine: { cpus: number; node: string; platform: string };
  scenarios: ScenarioReport[];
}

/** Writes bench/results/<timestamp>.json and bench/results/latest.json; returns the first path. */
export function writeRunReport(report: RunReport): string {
  mkdirSync(paths.results, { recursive: true });
  const stamp = report.startedAt.replaceAll(':', '-').replace(/\.\d+Z$/, 'Z');
  const file = `${paths.results}${stamp}.json`;
  const json = `${JSON.stringify(report, null, 2)}\n`;
  writeFileSync(file, json);
  writeFileSync(`${paths.results}latest.json`, json);
  return file;
}
