/**
 * Headline sentences for a stratified report (headline.ts decides which): per stratum when there are few,
 * or, when there are many, the varied axes ranked by how much they move each quantity (with intervals) and
 * the best and worst cells.
 */
import type { Comparison } from './analysis/comparisons.js';
import type { AxisValue, GroupStats } from './analysis/groups.js';
import { CAMPAIGN_AXIS } from './analysis/strata.js';
import { formatPValue, formatShare, formatSigned, formatWithUnit } from './format.js';
import type { ReportData } from './report-data.js';

export const STRATUM_NOTE = 'Shifts are Hodges–Lehmann with 95 % intervals; p-values are Holm-corrected over every stratum\'s comparisons.';

/** Up to this many strata per source, the headline speaks of each one. */
export const MAX_STRATA_SENTENCES = 6;

type Sourced = { backend: string; axes: Record<string, AxisValue> };

/** The source's name in prose: the backend, or "campaign name (backend)" when campaigns are kept apart. */
export function sourceLabeller(data: ReportData): (x: Sourced) => string {
  const names = new Map(data.campaigns.map((c) => [c.campaign_id, `${c.name} (${c.backend})`]));
  return (x) => {
    const id = x.axes[CAMPAIGN_AXIS];
    return id === undefined || id === null ? x.backend : (names.get(String(id)) ?? String(id));
  };
}

export function stratumName(axes: Record<string, AxisValue>): string {
  return Object.entries(axes).filter(([k]) => k !== CAMPAIGN_AXIS).map(([k, v]) => `${k}=${String(v)}`).join(', ');
}

function compact(cs: readonly Comparison[]): string {
  if (cs.length === 0) return '';
  const { mode_a, mode_b } = cs[0];
  const unit = (m: string) => (m.endsWith('_bytes') ? '' : ' ms');
  const parts = cs.map((c) =>
    `${c.metric.replace(/_ms$/, '')} ${formatSigned(c.metric, c.hl_shift)}${unit(c.metric)} [${formatSigned(c.metric, c.hl_lo)}, ${formatSigned(c.metric, c.hl_hi)}] (p ${formatPValue(c.p_holm ?? c.p_value)})`);
  return `; ${mode_a} − ${mode_b}: ${parts.join(', ')}`;
}

export function stratumSentences(data: ReportData, source: string, label: (x: Sourced) => string): string[] {
  const mine = data.byAxes.filter((g) => label(g) === source);
  const keys = [...new Set(mine.map((g) => JSON.stringify(g.axes)))];
  const out = keys.map((k) => {
    const groups = mine.filter((g) => JSON.stringify(g.axes) === k);
    const axes = groups[0].axes;
    const rates = groups.map((m) => `${m.mode} ${formatShare(m.success_rate)}${medianOutage(m)}`).join('; ');
    const cs = data.comparisonsByAxes.filter((c) => label(c) === source && JSON.stringify(c.axes) === k);
    return `${source}, ${stratumName(axes)}: success ${rates}${compact(cs)}.`;
  });
  return out;
}

function medianOutage(g: GroupStats): string {
  const s = g.metrics.outage_ms;
  const tcp = g.metrics.tcp_stall_ms;
  const stall = tcp.p50 === null ? '' : `, TCP stall ${formatWithUnit('tcp_stall_ms', tcp.p50)}`;
  return s.p50 === null ? '' : ` (outage median ${formatWithUnit('outage_ms', s.p50)}${stall})`;
}

export function effectSentences(data: ReportData, source: string, label: (x: Sourced) => string): string[] {
  const out: string[] = [];
  const sourceOf = (x: { source: string }) => label({ backend: x.source, axes: data.strata.perCampaign ? { [CAMPAIGN_AXIS]: x.source } : {} });
  const modes = [...new Set(data.modes.filter((m) => label(m) === source).map((m) => m.mode))];
  for (const mode of modes) {
    const mine = data.effects.filter((e) => sourceOf(e) === source && e.mode === mode);
    for (const metric of ['outage_ms', 'downtime_ms', 'total_ms'] as const) {
      const ranked = mine.filter((e) => e.metric === metric && e.spread > 0);
      if (ranked.length === 0) continue;
      const u = (v: number) => formatWithUnit(metric, v);
      const parts = ranked.map((e) =>
        `${e.axis} ${u(e.spread)} [${u(Math.max(0, e.spread_lo))}, ${u(e.spread_hi)}] (median ${u(e.low.median)} at ${String(e.low.value)} → ${u(e.high.median)} at ${String(e.high.value)})`);
      out.push(`${source}, ${mode}: what moves ${metric.replace(/_ms$/, '')} most — ${parts.join('; ')}; each axis pooled over the others.`);
    }
    const ex = data.extremes.find((x) => sourceOf(x) === source && x.mode === mode && x.metric === 'outage_ms');
    if (ex) {
      out.push(`${source}, ${mode}: best cell for outage ${stratumName(ex.best.axes)} (median ${formatWithUnit('outage_ms', ex.best.median)}); ` +
        `worst ${stratumName(ex.worst.axes)} (median ${formatWithUnit('outage_ms', ex.worst.median)}).`);
    }
  }
  return out;
}
