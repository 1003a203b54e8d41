/**
 * Where the time goes, campaign against campaign: per mode measured by two or more campaigns, one horizontal
 * bar per campaign stacking the medians of before (request → outage: orchestration, pre-copy), outage and after
 * (outage → done). Durations elsewhere use log scales, which cannot stack, so this one is linear, faceted by mode
 * with independent x scales (a cold migration's seconds would flatten a live one's milliseconds).
 */
import { TIMELINE_PARTS, TRIAL_TIMELINE_SQL } from '../../core/store/timeline.js';
import { COMPARED_CAMPAIGNS_CTE } from '../analysis/campaigns.js';
import { baseSpec, modeSort, type FigureDef } from './figure.js';
import { PART_COLOURS } from '../palette.js';

const partLabel = (column: string) => TIMELINE_PARTS.find((p) => p.column === column)!.label;
const PART_LABELS = TIMELINE_PARTS.map((p) => p.label);

export const TIMELINE_PARTS_SQL = `WITH ${COMPARED_CAMPAIGNS_CTE},
m AS (
  SELECT tl.mode, tl.campaign_id, count(*)::DOUBLE AS n,
    ${TIMELINE_PARTS.map((p) => `quantile_cont(tl.${p.column}, 0.5) AS ${p.column}`).join(',\n    ')}
  FROM (${TRIAL_TIMELINE_SQL}) tl JOIN compared c ON c.mode = tl.mode AND c.campaign_id = tl.campaign_id
  GROUP BY tl.mode, tl.campaign_id
),
u AS (UNPIVOT m ON ${TIMELINE_PARTS.map((p) => p.column).join(', ')} INTO NAME part_column VALUE median_ms)
SELECT u.mode, c.label AS campaign, c.backend, c.campaign_rank::INTEGER AS campaign_rank, c.campaign_rank = 1 AS reference,
  CASE u.part_column ${TIMELINE_PARTS.map((p, i) => `WHEN '${p.column}' THEN ${i}`).join(' ')} END AS part_order,
  CASE u.part_column ${TIMELINE_PARTS.map((p) => `WHEN '${p.column}' THEN '${partLabel(p.column)}'`).join(' ')} END AS part,
  u.median_ms, u.n
FROM u JOIN compared c ON c.mode = u.mode AND c.campaign_id = u.campaign_id
ORDER BY u.mode, campaign_rank, part_order`;

export const timelinePartsFigure: FigureDef = {
  id: 'timeline-parts',
  title: 'Campaigns compared: where the time goes',
  caption:
    'Per mode measured by two or more campaigns, one bar per campaign (reference first): the median time the VM still ran at its source after the request, the median outage, and the median time from the outage\'s end until the backend called the migration done; medians of parts do not add up exactly to the median total.',
  sql: TIMELINE_PARTS_SQL,
  spec: (rows) => {
    const modes = modeSort(rows);
    const compared = modes.filter((mode) => new Set(rows.filter((r) => r.mode === mode).map((r) => r.campaign)).size > 1);
    if (compared.length === 0) return null;
    return {
      ...baseSpec('Where the time goes: median before | outage | after, per campaign', rows),
      facet: { row: { field: 'mode', type: 'nominal', sort: modes, title: null, header: { labelAngle: 0, labelAlign: 'left' } } },
      resolve: { scale: { x: 'independent', y: 'independent' } },
      spec: {
        width: 620,
        height: { step: 26 },
        mark: { type: 'bar' },
        encoding: {
          y: { field: 'campaign', type: 'nominal', sort: { field: 'campaign_rank', op: 'min' }, title: null, axis: { labelLimit: 320 } },
          x: {
            field: 'median_ms', type: 'quantitative', stack: 'zero', title: 'median ms (linear; each mode its own scale)',
            axis: { tickCount: 8, labelOverlap: 'greedy', labelFlush: true },
          },
          color: {
            field: 'part', type: 'nominal', title: 'part of the trial',
            scale: { domain: PART_LABELS, range: PART_COLOURS }, legend: { orient: 'bottom', direction: 'vertical', labelLimit: 420 },
          },
          order: { field: 'part_order', type: 'quantitative' },
          tooltip: [
            { field: 'mode' }, { field: 'campaign' }, { field: 'reference' }, { field: 'part' },
            { field: 'median_ms', type: 'quantitative', format: '.1f' }, { field: 'n', title: 'trials with a timeline' },
          ],
        },
      },
    };
  },
};
