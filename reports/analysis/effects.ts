/**
 * Which varied axis moves a quantity most, per source and mode: for each axis, the succeeded trials are pooled
 * per axis value over the other axes (said in the text), and the effect is the spread between the highest
 * and the lowest value's median, with a conservative interval from the two medians' 95 % intervals
 * ([hi.lo − lo.hi, hi.hi − lo.lo]). The best and worst cells are the strata with the lowest and highest median.
 */
import { metricStats, type AxisValue, type GroupValues, type Metric } from './groups.js';
import { CAMPAIGN_AXIS } from './strata.js';

export const EFFECT_METRICS: Metric[] = ['outage_ms', 'downtime_ms', 'total_ms'];

export interface AxisLevel { value: AxisValue; n: number; median: number; lo: number; hi: number }

export interface AxisEffect {
  source: string;
  mode: string;
  metric: Metric;
  axis: string;
  low: AxisLevel;
  high: AxisLevel;
  spread: number;
  spread_lo: number;
  spread_hi: number;
}

export interface CellExtremes {
  source: string;
  mode: string;
  metric: Metric;
  best: { axes: Record<string, AxisValue>; median: number; n: number };
  worst: { axes: Record<string, AxisValue>; median: number; n: number };
}

export const sourceOf = (g: GroupValues) => (g.axes[CAMPAIGN_AXIS] !== undefined ? String(g.axes[CAMPAIGN_AXIS]) : g.backend);

function mergeSorted(parts: Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out.sort();
}

function bySourceMode(groups: readonly GroupValues[]): Map<string, GroupValues[]> {
  const m = new Map<string, GroupValues[]>();
  for (const g of groups) {
    const k = JSON.stringify([sourceOf(g), g.mode]);
    m.set(k, [...(m.get(k) ?? []), g]);
  }
  return m;
}

function levels(members: readonly GroupValues[], axis: string, metric: Metric): AxisLevel[] {
  const values = new Map<string, { value: AxisValue; parts: Float64Array[] }>();
  for (const g of members) {
    const k = JSON.stringify(g.axes[axis]);
    const e = values.get(k) ?? { value: g.axes[axis], parts: [] };
    e.parts.push(g.sorted[metric]);
    values.set(k, e);
  }
  const out: AxisLevel[] = [];
  for (const { value, parts } of values.values()) {
    const s = metricStats(mergeSorted(parts), false, 1);
    if (s.p50 !== null) out.push({ value, n: s.n, median: s.p50, lo: s.p50_lo!, hi: s.p50_hi! });
  }
  return out;
}

/** Every axis's effect on every metric, per source and mode, largest spread first within each. */
export function axisEffects(groups: readonly GroupValues[], axes: readonly string[]): AxisEffect[] {
  const out: AxisEffect[] = [];
  for (const members of bySourceMode(groups).values()) {
    const [source, mode] = [sourceOf(members[0]), members[0].mode];
    for (const metric of EFFECT_METRICS) {
      const mine: AxisEffect[] = [];
      for (const axis of axes.filter((a) => a !== CAMPAIGN_AXIS)) {
        const ls = levels(members, axis, metric);
        if (ls.length < 2) continue;
        const low = ls.reduce((a, b) => (b.median < a.median ? b : a));
        const high = ls.reduce((a, b) => (b.median > a.median ? b : a));
        mine.push({ source, mode, metric, axis, low, high, spread: high.median - low.median, spread_lo: high.lo - low.hi, spread_hi: high.hi - low.lo });
      }
      out.push(...mine.sort((a, b) => b.spread - a.spread));
    }
  }
  return out;
}

/** The strata with the lowest and highest median of each metric, per source and mode. */
export function cellExtremes(groups: readonly GroupValues[]): CellExtremes[] {
  const out: CellExtremes[] = [];
  for (const members of bySourceMode(groups).values()) {
    for (const metric of EFFECT_METRICS) {
      const cells = members
        .map((g) => ({ g, s: metricStats(g.sorted[metric], false, 1) }))
        .filter((c) => c.s.p50 !== null);
      if (cells.length < 2) continue;
      const best = cells.reduce((a, b) => (b.s.p50! < a.s.p50! ? b : a));
      const worst = cells.reduce((a, b) => (b.s.p50! > a.s.p50! ? b : a));
      const strip = (axes: Record<string, AxisValue>) => Object.fromEntries(Object.entries(axes).filter(([k]) => k !== CAMPAIGN_AXIS));
      out.push({
        source: sourceOf(members[0]), mode: members[0].mode, metric,
        best: { axes: strip(best.g.axes), median: best.s.p50!, n: best.s.n },
        worst: { axes: strip(worst.g.axes), median: worst.s.p50!, n: worst.s.n },
      });
    }
  }
  return out;
}
