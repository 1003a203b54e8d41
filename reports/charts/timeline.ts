/**
 * Timelines of a few chosen trials: per backend and mode, the succeeded trial with detail rows whose outage
 * is closest to that mode's median — a typical trial, not an outlier. Rounds are bars coloured by phase,
 * probe gaps are bars on their own lane, events are ticks named in a lane below them (timeline-labels.ts).
 */
import { modeRank } from '../../core/modes.js';
import { baseSpec, type FigureDef, type Row } from './figure.js';
import { PHASE_COLOURS, fixedScale } from '../palette.js';
import { labelEvents, LABEL_LANE } from './timeline-labels.js';

const LANES = ['rounds', 'probe gaps', 'events', LABEL_LANE];
/** Width of one trial's panel, px (the label lane places its labels by it). */
const PANEL_WIDTH_PX = 620;

export const TIMELINE_SQL = `WITH detailed AS (
  -- Trials that kept detail rows; at most 20,000 of them (a deterministic pick by hash) so a million-trial
  -- campaign that kept every trial's rounds costs no more than a small one.
  SELECT campaign_id, trial_id FROM (
    SELECT campaign_id, trial_id FROM rounds
    UNION SELECT campaign_id, trial_id FROM probe_gaps
    UNION SELECT campaign_id, trial_id FROM events
  ) ORDER BY hash(campaign_id, trial_id), campaign_id, trial_id LIMIT 20000
), cand AS (
  SELECT t.campaign_id, t.trial_id, t.backend, t.mode, t.status, t.failure_reason,
    abs(t.outage_ms - quantile_cont(t.outage_ms, 0.5) OVER (PARTITION BY t.campaign_id, t.mode)) AS distance_ms
  FROM trials t JOIN detailed d ON t.campaign_id = d.campaign_id AND t.trial_id = d.trial_id
), chosen AS (
  -- A typical succeeded trial per mode; a failed one only when no succeeded trial kept its details.
  SELECT campaign_id, trial_id,
    backend || ' · ' || mode || ' · ' || trial_id || coalesce(' · ' || failure_reason, '') AS trial
  FROM cand
  QUALIFY row_number() OVER (PARTITION BY campaign_id, mode ORDER BY status <> 'succeeded', distance_ms NULLS LAST, trial_id) = 1
  ORDER BY backend, mode
  LIMIT 12
)
SELECT c.trial, 'rounds' AS lane, r.phase AS what, r.start_ms, r.start_ms + r.duration_ms AS end_ms, r.round AS round
  FROM rounds r JOIN chosen c USING (campaign_id, trial_id)
UNION ALL
SELECT c.trial, 'probe gaps', 'probe gap', g.start_ms, g.start_ms + g.duration_ms, NULL
  FROM probe_gaps g JOIN chosen c USING (campaign_id, trial_id)
UNION ALL
SELECT c.trial, 'events', e.kind, e.t_ms, e.t_ms, NULL
  FROM events e JOIN chosen c USING (campaign_id, trial_id)
ORDER BY trial, lane, start_ms`;

/** Phase colours from the one palette (reports/palette.ts): the probe gap red, each phase its fixed colour. */
export function phaseColours(rows: Row[]): { domain: string[]; range: string[] } {
  const phases = [...new Set(rows.filter((r) => r.lane === 'rounds').map((r) => String(r.what)))];
  return fixedScale([...phases, 'probe gap'], PHASE_COLOURS);
}

/** Panels by backend, then mode in the schema's order (labels are 'backend · mode · trial'). */
export function trialOrder(rows: Row[]): string[] {
  const labels = [...new Set(rows.map((r) => String(r.trial)))];
  const rank = (l: string) => {
    const [backend, mode] = l.split(' · ');
    return [backend, modeRank(mode)] as const;
  };
  return labels.sort((a, b) => {
    const [ba, ma] = rank(a);
    const [bb, mb] = rank(b);
    return ba.localeCompare(bb) || ma - mb || a.localeCompare(b);
  });
}

export const timelineFigure: FigureDef = {
  id: 'timeline',
  title: 'Timelines of typical trials',
  caption:
    'One panel per chosen trial (a succeeded trial whose outage is the median of its mode, or a failed one — named with its reason — when only failures kept their details), time in ms since the migration was requested: coloured bars are pre-copy rounds and the switch-over, the red bar is the longest stretch of lost probes, and the ticks mark events such as the pause and the resume, named below them (a name that would overlap another is left out; hover a tick for it).',
  sql: TIMELINE_SQL,
  spec: (rows) => ({
    ...baseSpec('Timelines of typical trials', labelEvents(rows, PANEL_WIDTH_PX)),
    facet: { row: { field: 'trial', type: 'nominal', title: null, sort: trialOrder(rows), header: { labelAngle: 0, labelAlign: 'left', labelLimit: 600, labelOrient: 'top' } } },
    resolve: { scale: { x: 'independent' } },
    spec: {
      width: PANEL_WIDTH_PX,
      height: { step: 24 },
      encoding: {
        // One fixed lane order, the names under the ticks (the text layers' y is a datum, which would otherwise come first).
        y: { field: 'lane', type: 'nominal', title: null, scale: { domain: LANES } },
        // Not niced, from 0: the label lane places its labels by this exact span (timeline-labels.ts).
        x: {
          field: 'start_ms', type: 'quantitative', title: 'ms since migration request',
          scale: { nice: false, zero: true }, axis: { tickCount: 8, labelOverlap: true },
        },
        tooltip: [
          { field: 'trial' }, { field: 'what' }, { field: 'round', type: 'quantitative' },
          { field: 'start_ms', type: 'quantitative', format: ',.1f' }, { field: 'end_ms', type: 'quantitative', format: ',.1f' },
        ],
      },
      layer: [
        {
          transform: [{ filter: "datum.lane !== 'events'" }],
          mark: { type: 'bar', stroke: 'white', strokeWidth: 0.5 },
          encoding: {
            x2: { field: 'end_ms' },
            color: { field: 'what', type: 'nominal', title: 'phase', scale: phaseColours(rows) },
          },
        },
        {
          transform: [{ filter: "datum.lane === 'events'" }],
          mark: { type: 'tick', color: 'black', thickness: 2 },
        },
        ...[0, 1].map((line) => ({
          name: `event_labels_${line}`,
          transform: [{ filter: `datum.lane === 'events' && datum.line === ${line}` }],
          // 9 px text (boxes ~10.5 px high) on two lines ±5.5 px from the lane's middle: the lines do not touch each
          // other (±4.5 overlapped by a pixel in Chromium) and the lower one clears the x axis (lanes are 24 px).
          mark: { type: 'text', fontSize: 9, baseline: 'middle', dy: line === 0 ? -5.5 : 5.5, align: { expr: 'datum.align' } },
          encoding: { y: { datum: LABEL_LANE, type: 'nominal', scale: { domain: LANES } }, text: { field: 'label' } },
        })),
      ],
    },
  }),
};
