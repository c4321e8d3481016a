import type { Chart, TargetCheck } from './report.js';

/*
 * A small SVG writer for the bench's charts (bars against targets, latency by percentile,
 * lines): plain strings, no dependencies, text a reader can diff. Colours: met green, missed
 * red, no target grey; series take the palette in order.
 */

const WIDTH = 760;
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif"';
const MET = '#2e8540';
const MISSED = '#c62828';
const NEUTRAL = '#8a8f98';
const INK = '#222';
const GRID = '#e3e5e8';
const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];

const escapeXml = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

function number(value: number): string {
  if (!Number.isFinite(value) || value === 0) return String(value);
  const abs = Math.abs(value);
  if (abs >= 10_000) return `${Math.round(value / 1000)}k`;
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 0.1) return value.toFixed(2);
  return value.toPrecision(2);
}

function text(x: number, y: number, content: string, attributes = ''): string {
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${attributes}>${escapeXml(content)}</text>`;
}

function svg(height: number, title: string, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" ${FONT} font-size="12" fill="${INK}" role="img" aria-label="${escapeXml(title)}">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="${WIDTH}" height="${height}" fill="#fff"/>`,
    text(12, 22, title, 'font-size="14" font-weight="600"'),
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

const metColour = (met: boolean | undefined) => (met === undefined ? NEUTRAL : met ? MET : MISSED);

/** Horizontal bars on one linear scale; a bar with a target gets its tick and its colour. */
function bars(chart: Extract<Chart, { kind: 'bars' }>): string {
  const left = 12;
  const right = WIDTH - 245;
  const top = 40;
  const row = 38;
  const max = Math.max(...chart.bars.flatMap((b) => [b.value, b.target?.threshold ?? 0]), 1e-9) * 1.05;
  const x = (value: number) => left + (Math.max(0, value) / max) * (right - left);
  const body: string[] = [];
  chart.bars.forEach((bar, i) => {
    const y = top + i * row;
    const met = bar.target
      ? bar.target.direction === 'min'
        ? bar.value >= bar.target.threshold
        : bar.value <= bar.target.threshold
      : undefined;
    body.push(text(left, y + 11, bar.label));
    body.push(`<rect x="${left}" y="${y + 16}" width="${(right - left).toFixed(1)}" height="14" fill="${GRID}"/>`);
    body.push(
      `<rect x="${left}" y="${y + 16}" width="${Math.max(1, x(bar.value) - left).toFixed(1)}" height="14" fill="${metColour(met)}"/>`,
    );
    const goal = bar.target
      ? ` (target ${bar.target.direction === 'min' ? '≥' : '≤'} ${number(bar.target.threshold)}: ${met ? 'met' : 'missed'})`
      : '';
    body.push(text(right + 8, y + 27, `${number(bar.value)}${chart.unit}${goal}`, `fill="${metColour(met)}"`));
    if (bar.target) {
      const tx = x(bar.target.threshold).toFixed(1);
      body.push(`<line x1="${tx}" x2="${tx}" y1="${y + 13}" y2="${y + 33}" stroke="${INK}" stroke-width="2"/>`);
    }
  });
  return svg(top + chart.bars.length * row + 8, chart.title, body);
}

interface Axis {
  at(value: number): number;
  ticks: Array<{ value: number; label: string }>;
}

/** 1-2-5 ticks on a log scale covering [min, max]. */
function logAxis(min: number, max: number, from: number, to: number): Axis {
  const lo = 10 ** Math.floor(Math.log10(Math.max(min, 1e-3)));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(max, lo * 10)));
  const at = (value: number) =>
    from + ((Math.log10(Math.max(value, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * (to - from);
  const ticks: Axis['ticks'] = [];
  for (let decade = lo; decade < hi * 1.001; decade *= 10) {
    for (const m of [1, 2, 5])
      if (decade * m <= hi * 1.001) ticks.push({ value: decade * m, label: number(decade * m) });
  }
  return { at, ticks };
}

function linearAxis(max: number, from: number, to: number): Axis {
  const step = 10 ** (Math.floor(Math.log10(Math.max(max, 1e-9))) - 1);
  const unit = [1, 2, 5, 10].map((m) => m * step).find((s) => max / s <= 6) ?? step * 10;
  const top = Math.ceil(max / unit) * unit || 1;
  const ticks = Array.from({ length: Math.round(top / unit) + 1 }, (_, i) => ({
    value: i * unit,
    label: number(i * unit),
  }));
  return { at: (value) => from + (value / top) * (to - from), ticks };
}

/** The percentile axis spreads the tail: 0, 50, 90, 99, 99.9 are evenly spaced "nines". */
const nines = (p: number) => -Math.log10(1 - Math.min(p, 99.9) / 100);

type Series = Extract<Chart, { kind: 'lines' }>['series'][number];

function plot(
  title: string,
  series: Series[],
  x: (from: number, to: number) => Axis,
  y: (from: number, to: number) => Axis,
  labels: { x: string; y: string },
): string {
  const left = 64;
  const right = WIDTH - 20;
  const top = 40 + 18 * Math.ceil(series.length / 3);
  const bottom = top + 240;
  const xAxis = x(left, right);
  const yAxis = y(bottom, top);
  const body: string[] = [];
  // A dashed series takes the colour of the solid one at its place (writes next to their reads).
  const colourOf = (i: number) => {
    const dashed = series[i]?.dashed === true;
    const place = series.slice(0, i).filter((s) => (s.dashed === true) === dashed).length;
    return PALETTE[place % PALETTE.length];
  };
  series.forEach((s, i) => {
    const lx = 12 + (i % 3) * 250;
    const ly = 40 + Math.floor(i / 3) * 18;
    const colour = colourOf(i);
    const dash = s.dashed ? ' stroke-dasharray="4 3"' : '';
    body.push(
      `<line x1="${lx}" x2="${lx + 16}" y1="${ly - 7}" y2="${ly - 7}" stroke="${colour}" stroke-width="3"${dash}/>`,
    );
    body.push(text(lx + 20, ly - 3, s.label));
  });
  for (const tick of yAxis.ticks) {
    const ty = yAxis.at(tick.value);
    body.push(`<line x1="${left}" x2="${right}" y1="${ty.toFixed(1)}" y2="${ty.toFixed(1)}" stroke="${GRID}"/>`);
    body.push(text(left - 6, ty + 4, tick.label, 'text-anchor="end"'));
  }
  for (const tick of xAxis.ticks) {
    const tx = xAxis.at(tick.value);
    body.push(`<line x1="${tx.toFixed(1)}" x2="${tx.toFixed(1)}" y1="${top}" y2="${bottom}" stroke="${GRID}"/>`);
    body.push(text(tx, bottom + 16, tick.label, 'text-anchor="middle"'));
  }
  body.push(
    `<rect x="${left}" y="${top}" width="${right - left}" height="${bottom - top}" fill="none" stroke="${INK}"/>`,
  );
  body.push(text((left + right) / 2, bottom + 34, labels.x, 'text-anchor="middle"'));
  body.push(
    text(14, (top + bottom) / 2, labels.y, `transform="rotate(-90 14 ${(top + bottom) / 2})" text-anchor="middle"`),
  );
  series.forEach((s, i) => {
    const colour = colourOf(i);
    const d = s.points
      .map(([px, py], j) => `${j ? 'L' : 'M'}${xAxis.at(px).toFixed(1)},${yAxis.at(py).toFixed(1)}`)
      .join(' ');
    body.push(`<path d="${d}" fill="none" stroke="${colour}" stroke-width="2"/>`);
    for (const [px, py] of s.points) {
      body.push(`<circle cx="${xAxis.at(px).toFixed(1)}" cy="${yAxis.at(py).toFixed(1)}" r="2.5" fill="${colour}"/>`);
    }
  });
  return svg(bottom + 44, title, body);
}

function percentiles(chart: Extract<Chart, { kind: 'percentiles' }>): string {
  const values = chart.series.flatMap((s) => s.points.map((p) => p[1])).filter((v) => v > 0);
  const points = chart.series.map((s) => ({
    label: s.label,
    points: s.points.map(([p, ms]): [number, number] => [nines(p), ms]),
  }));
  const xTicks = [0, 50, 90, 99, 99.9].map((p) => ({ value: nines(p), label: p === 0 ? 'min' : `p${p}` }));
  return plot(
    chart.title,
    points,
    (from, to) => ({ at: (v) => from + (v / nines(99.9)) * (to - from), ticks: xTicks }),
    (from, to) => logAxis(Math.min(...values), Math.max(...values), from, to),
    { x: 'percentile (tail spread out: each step is one more nine)', y: 'ms (log scale)' },
  );
}

function lines(chart: Extract<Chart, { kind: 'lines' }>): string {
  const xs = chart.series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = chart.series.flatMap((s) => s.points.map((p) => p[1]));
  return plot(
    chart.title,
    chart.series,
    (from, to) => linearAxis(Math.max(...xs), from, to),
    (from, to) => linearAxis(Math.max(...ys) * 1.05, from, to),
    { x: chart.xLabel, y: chart.yLabel },
  );
}

export function renderChart(chart: Chart): string {
  if (chart.kind === 'bars') return bars(chart);
  if (chart.kind === 'percentiles') return percentiles(chart);
  return lines(chart);
}

/**
 * Every numeric target of a run on one page: how far each figure is from its target, as
 * actual / target (or target / actual for "at most" targets) on a log scale where 1 is the target.
 */
export function renderTargetsOverview(
  title: string,
  targets: Array<{ scenario: number; target: TargetCheck }>,
): string {
  const numeric = targets.flatMap(({ scenario, target }) =>
    target.numeric ? [{ scenario, target, n: target.numeric }] : [],
  );
  const left = 24;
  const right = WIDTH - 150;
  const top = 52;
  const row = 34;
  const axis = logAxis(0.01, 10, left, right);
  const body: string[] = [
    text(
      left,
      40,
      'bar length: how far each figure is from its target (log scale; the black line is the target)',
      'font-size="11"',
    ),
  ];
  const one = axis.at(1);
  numeric.forEach(({ scenario, target, n }, i) => {
    const y = top + i * row;
    const score = n.direction === 'min' ? n.actual / n.threshold : n.actual === 0 ? 10 : n.threshold / n.actual;
    const width = Math.max(1, axis.at(Math.min(10, Math.max(0.01, score))) - left);
    body.push(text(left, y + 11, `${scenario}. ${target.name}`, 'font-size="11"'));
    body.push(`<rect x="${left}" y="${y + 15}" width="${(right - left).toFixed(1)}" height="12" fill="${GRID}"/>`);
    body.push(
      `<rect x="${left}" y="${y + 15}" width="${width.toFixed(1)}" height="12" fill="${metColour(target.met)}"/>`,
    );
    body.push(
      text(right + 8, y + 25, `${target.value} (${target.goal})`, `fill="${metColour(target.met)}" font-size="11"`),
    );
  });
  const bottom = top + numeric.length * row;
  body.push(
    `<line x1="${one.toFixed(1)}" x2="${one.toFixed(1)}" y1="${top}" y2="${bottom}" stroke="${INK}" stroke-width="2"/>`,
  );
  for (const tick of [0.01, 0.1, 1, 10])
    body.push(text(axis.at(tick), bottom + 14, `${tick}×`, 'text-anchor="middle" font-size="10"'));
  return svg(bottom + 24, title, body);
}
