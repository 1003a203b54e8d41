/**
 * The notebook's "Campaigns compared: where the time goes": the medians and their ratios to the reference as
 * one DuckDB query (intervals are in the HTML report), the settings that differ (the query narrowed to the
 * differing parameters), and the stacked-parts figure. Absent when no mode was measured by two campaigns.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { CampaignsCompared } from '../analysis/campaigns-compared.js';
import { CAMPAIGN_MEDIANS_SQL } from '../analysis/campaigns.js';
import { settingsSql, type ModeSettings } from '../analysis/settings.js';
import type { Figure } from '../charts/figure.js';
import { COMPARE_FIGURE_IDS, formatValues } from '../html/compare.js';
import { plainRows, queryRows } from '../source.js';
import { pyRaw, tableOutput, type CellList } from './cells.js';

const mdCell = (s: string) => s.replace(/\|/g, '\\|');

function settingsMarkdown(s: ModeSettings): string {
  if (s.differences.length === 0) return `- **${s.mode}**: every parameter had the same values in the ${s.campaigns.length} compared campaigns.`;
  const head = `| ${s.mode}: parameter | ${s.campaigns.map((c, i) => mdCell(c.label) + (i === 0 ? ' (reference)' : '')).join(' | ')} |\n` +
    `|---|${s.campaigns.map(() => '---|').join('')}`;
  const rows = s.differences.map((d) => `| ${d.parameter} | ${d.values.map((v) => mdCell(formatValues(v))).join(' | ')} |`);
  return [head, ...rows].join('\n');
}

export async function campaignsComparedCells(
  cells: CellList,
  con: DuckDBConnection,
  compared: CampaignsCompared | null,
  figures: readonly Figure[],
  figureCells: (cells: CellList, f: Figure) => Promise<void>,
): Promise<void> {
  if (compared === null) return;
  const refs = [...new Map(compared.rows.filter((r) => r.is_reference).map((r) => [r.mode, r.label])).entries()];
  cells.markdown(
    '## Campaigns compared: where the time goes\n\nEvery mode measured by two or more campaigns, one row per campaign: medians over ' +
      'succeeded trials and their ratio to the reference campaign (an `opennebula` campaign if any, else `qemu`, else the first by name): ' +
      `${refs.map(([m, l]) => `${m}: ${l}`).join('; ')}. Before / outage / after split each succeeded trial at its longest probe gap ` +
      '(the `trial_timeline` SQL); the 95 % intervals are in the HTML report.',
  );
  cells.code(`sql(${pyRaw(CAMPAIGN_MEDIANS_SQL)})`, [tableOutput(plainRows(await queryRows(con, CAMPAIGN_MEDIANS_SQL)), 60)], {
    themis: { section: 'campaigns-compared', role: 'medians' },
  });
  cells.markdown(
    '### Settings that differ\n\nParameter columns whose values differ between the compared campaigns of a mode (also those a real backend ignores).\n\n' +
      compared.settings.map(settingsMarkdown).join('\n\n'),
  );
  const differing = [...new Set(compared.settings.flatMap((s) => s.differences.map((d) => d.parameter)))];
  if (differing.length > 0) {
    const sql = settingsSql(differing);
    cells.code(`sql(${pyRaw(sql)})`, [tableOutput(plainRows(await queryRows(con, sql)), 60)], {
      themis: { section: 'campaigns-compared', role: 'settings' },
    });
  }
  for (const f of figures.filter((x) => COMPARE_FIGURE_IDS.includes(x.id))) await figureCells(cells, f);
}
