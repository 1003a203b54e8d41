/**
 * `themis export <db> --format ipynb --out FILE`: the report's story as a Jupyter notebook (nbformat 4.5).
 * The tables it needs are exported next to it as Parquet (`<stem>_data/*.parquet`); its code cells hold the
 * same DuckDB SQL and Vega-Lite specs as the HTML report (Python `duckdb`), and every output is already
 * filled — tables as text/html, figures as application/vnd.vegalite.v5+json — so it reads without a kernel.
 */
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { groupStatsSql } from './analysis/groups.js';
import { rankSumSql, modePairs } from './analysis/comparisons.js';
import { FAILURES_SQL } from './analysis/failures.js';
import { axisExpressions } from './analysis/axes.js';
import type { Figure } from './charts/figure.js';
import { headlines } from './headline.js';
import { writeFileAtomic } from './atomic.js';
import { figureToSvg } from './render.js';
import { CellList, pyRaw, tableOutput, vegaLiteOutput } from './notebook/cells.js';
import { campaignsComparedCells } from './notebook/compare-cells.js';
import { COMPARE_FIGURE_IDS } from './html/compare.js';
import { CAMPAIGNS_SQL, gatherReportData, type ReportData } from './report-data.js';
import { openReportSource, plainRows, queryRows, RESULT_TABLES, sqlString, validateAxes } from './source.js';
import { formatMetric, formatPValue, formatSigned } from './format.js';
import type { DuckDBConnection } from '@duckdb/node-api';

export interface NotebookOptions {
  db: string;
  out: string;
  by?: string[];
}

/** Directory of the Parquet files, relative to the notebook, so notebook and data move together. */
export function dataDirName(out: string): string {
  return `${basename(out).replace(/\.ipynb$/, '')}_data`;
}

const SETUP = (dataDir: string) => `import json
import altair as alt
import duckdb
import pandas as pd

DATA = ${JSON.stringify(dataDir)}
con = duckdb.connect()
for table in ${JSON.stringify([...RESULT_TABLES])}:
    con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{DATA}/{table}.parquet')")
with open(f"{DATA}/${CHARTS_FILE}") as f:
    CHARTS = json.load(f)  # each figure's Vega-Lite spec without its data, as in the HTML report
# The spec as the cell's output (JupyterLab, VS Code), not HTML that fetches vega from a CDN.
alt.renderers.register("themis", lambda spec, **_: {"application/vnd.vegalite.v5+json": spec, "text/plain": f"<Altair chart: {spec.get('title', 'figure')}>"})
alt.renderers.enable("themis")


def sql(query):
    """DuckDB SQL as a DataFrame; whole-number columns (counts) as integers, not 800.0."""
    df = con.sql(query).df()
    for c in df.columns:
        s = df[c]
        if s.dtype.kind == "f" and s.notna().any() and (s.dropna() % 1 == 0).all():
            df[c] = s.astype("Int64")
    return df


def chart(figure, df):
    """The report's figure as an Altair chart over the query's rows."""
    spec = {**CHARTS[figure], "data": {"values": json.loads(df.to_json(orient="records", date_format="iso"))}}
    for key, kind in (("facet", alt.FacetChart), ("layer", alt.LayerChart), ("hconcat", alt.HConcatChart), ("vconcat", alt.VConcatChart)):
        if key in spec:
            return kind.from_dict(spec, validate=False)
    return alt.Chart.from_dict(spec, validate=False)`;

/** The figures' specs (without data) next to the Parquet files: chart cells stay one line. */
export const CHARTS_FILE = 'charts.json';

async function exportParquet(con: DuckDBConnection, dir: string): Promise<void> {
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  try {
    for (const t of RESULT_TABLES) {
      await con.run(`COPY (SELECT * FROM ${t}) TO ${sqlString(join(tmp, `${t}.parquet`))} (FORMAT parquet, COMPRESSION zstd)`);
    }
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

/** A figure as two cells: its DuckDB SQL (the data), then one line of Altair; outputs pre-filled with spec and SVG. */
async function figureCells(cells: CellList, f: Figure): Promise<void> {
  cells.markdown(`### ${f.title}\n\n${f.caption}`);
  cells.code(`df = sql(${pyRaw(f.sql)})\ndf`, [tableOutput(f.rows, 20)], { themis: { figure: f.id, role: 'data' } });
  cells.code(`chart(${JSON.stringify(f.id)}, df)`, [vegaLiteOutput(f.spec, await figureToSvg(f.spec))], { themis: { figure: f.id, role: 'chart' } });
}

/** Every figure's spec without its data, by id (the notebook's CHARTS). */
export function chartSpecs(figures: readonly Figure[]): Record<string, unknown> {
  return Object.fromEntries(figures.map((f) => {
    const { data: _data, ...spec } = f.spec;
    return [f.id, spec];
  }));
}

function comparisonMarkdown(comparisons: ReportData['comparisons'], axes: readonly string[] = []): string {
  const head =
    `| backend | ${axes.map((a) => `${a} | `).join('')}a vs b | metric | median a / b | shift a − b [95 % CI] | Cliff's δ [95 % CI] | p |\n` +
    `|---|${axes.map(() => '---|').join('')}---|---|---|---|---|---|`;
  const rows = comparisons.map(
    (c) =>
      `| ${c.backend} | ${axes.map((a) => `${String(c.axes[a])} | `).join('')}${c.mode_a} vs ${c.mode_b} | ${c.metric} | ${formatMetric(c.metric, c.median_a)} / ${formatMetric(c.metric, c.median_b)} | ` +
      `${formatSigned(c.metric, c.hl_shift)} [${formatSigned(c.metric, c.hl_lo)}, ${formatSigned(c.metric, c.hl_hi)}] | ` +
      `${c.cliffs_delta.toFixed(3)} [${c.cliffs_lo.toFixed(3)}, ${c.cliffs_hi.toFixed(3)}] | ${formatPValue(c.p_value)} |`,
  );
  return [head, ...rows].join('\n');
}

export async function buildNotebook(con: DuckDBConnection, data: ReportData, dataDir: string): Promise<Record<string, unknown>> {
  const cells = new CellList();
  const names = [...new Set(data.campaigns.map((c) => c.name))].join(', ');
  cells.markdown(
    `# Themis: ${names}\n\nHow available the VM stayed while it migrated, mode by mode. Generated ${data.generated_at} from \`${data.db}\`; ` +
      `the data is in \`${dataDir}/\` as Parquet. Outputs are pre-filled (charts also as SVG, for GitHub and nbviewer); to re-run: \`pip install duckdb pandas pyarrow altair\`.\n\n` +
      headlines(data).map((h) => `- ${h}`).join('\n'),
  );
  cells.code(SETUP(dataDir), []);
  cells.markdown('## Campaigns\n\nWhat ran, where, and from which spec (its SHA-256 identifies it).');
  const campaignRows = plainRows(await queryRows(con, CAMPAIGNS_SQL)).map(({ spec_yaml: _s, ...rest }) => rest);
  cells.code(`sql(${pyRaw(CAMPAIGNS_SQL)}).drop(columns=["spec_yaml"])`, [tableOutput(campaignRows)]);

  cells.markdown('## Per mode\n\nTrials, successes and the median / p95 / max of each quantity over succeeded trials (intervals are in the HTML report).');
  const modeSql = groupStatsSql([]);
  cells.code(`sql(${pyRaw(modeSql)})`, [tableOutput(plainRows(await queryRows(con, modeSql)))]);
  if (data.by.length > 0) {
    const axes = await axisExpressions(con, data.by);
    const bySql = groupStatsSql(axes);
    cells.markdown(`## By ${data.by.join(', ')}`);
    cells.code(`sql(${pyRaw(bySql)})`, [tableOutput(plainRows(await queryRows(con, bySql)), 60)]);
  }

  cells.markdown(
    '## Mode against mode\n\nWilcoxon rank-sum (Mann–Whitney) with tie correction over all succeeded trials; Hodges–Lehmann shift ' +
      "(negative: mode a saves that much) with Moses' interval; Cliff's δ = P(a > b) − P(a < b).\n\n" + comparisonMarkdown(data.comparisons),
  );
  if (data.comparisonsByAxes.length > 0) {
    cells.markdown(`### The first pair by ${data.by.join(', ')}\n\n` + comparisonMarkdown(data.comparisonsByAxes, data.by));
  }
  const modes = [...new Set(data.modes.map((m) => m.mode))];
  const pairs = modePairs(modes).slice(0, 1);
  if (pairs.length > 0) {
    const sql = rankSumSql('outage_ms', pairs[0]);
    cells.markdown(`The rank sums behind the first comparison (${pairs[0][0]} vs ${pairs[0][1]}, outage), computed by DuckDB: U₁ = r1 − n1(n1+1)/2.`);
    cells.code(`sql(${pyRaw(sql)})`, [tableOutput(plainRows(await queryRows(con, sql)))]);
  }

  cells.markdown('## Failures\n\nWhy trials failed, per mode, as a share of that mode\'s trials.');
  cells.code(`sql(${pyRaw(FAILURES_SQL)})`, [tableOutput(plainRows(await queryRows(con, FAILURES_SQL)))]);

  cells.markdown('## Figures');
  for (const f of data.figures.filter((x) => !COMPARE_FIGURE_IDS.includes(x.id))) await figureCells(cells, f);
  await campaignsComparedCells(cells, con, data.campaignsCompared, data.figures, figureCells);

  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' },
      language_info: { name: 'python' },
      themis: { db: data.db, generated_at: data.generated_at, campaigns: data.campaigns.map((c) => c.campaign_id) },
    },
    cells: cells.cells,
  };
}

export async function writeNotebook(opts: NotebookOptions): Promise<void> {
  const by = validateAxes(opts.by);
  const dataDir = dataDirName(opts.out);
  const src = await openReportSource(opts.db);
  try {
    // Parquet first: DuckDB's COPY and the report's sorted value arrays then do not peak together.
    await exportParquet(src.con, join(dirname(opts.out), dataDir));
    const data = await gatherReportData(src.con, opts.db, by);
    writeFileAtomic(join(dirname(opts.out), dataDir, CHARTS_FILE), `${JSON.stringify(chartSpecs(data.figures))}\n`);
    const nb = await buildNotebook(src.con, data, dataDir);
    writeFileAtomic(opts.out, `${JSON.stringify(nb, null, 1)}\n`);
  } finally {
    src.close();
  }
}
