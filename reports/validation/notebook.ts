/**
 * `themis validate --notebook FILE`: the validation as a Jupyter notebook. The paired trials are written next to
 * it (`<stem>_data/pairs.parquet`: one row per real trial with its real and simulated values); its cells hold the
 * plain DuckDB SQL that recomputes the error table and the convergence counts from those rows, and a scatter per
 * outcome — every output pre-filled (computed by the same SQL here), so it reads without a kernel.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../atomic.js';
import { CellList, pyRaw, tableOutput, vegaLiteOutput } from '../notebook/cells.js';
import { dataDirName } from '../notebook.js';
import { figureToSvg } from '../render.js';
import { plainRows, queryRows, sqlIdent, sqlString } from '../source.js';
import type { ValidationView } from './data.js';
import { validationFigures } from './figures.js';

const SETUP = (dataDir: string) => `import json
import altair as alt
import duckdb

DATA = ${JSON.stringify(dataDir)}
con = duckdb.connect()
con.execute(f"CREATE VIEW pairs AS SELECT * FROM read_parquet('{DATA}/pairs.parquet')")
with open(f"{DATA}/charts.json") as f:
    CHARTS = json.load(f)
alt.renderers.register("themis", lambda spec, **_: {"application/vnd.vegalite.v5+json": spec, "text/plain": f"<Altair chart: {spec.get('title', 'figure')}>"})
alt.renderers.enable("themis")


def sql(query):
    return con.sql(query).df()


def scatter(figure, df):
    spec = {**CHARTS[figure], "data": {"values": json.loads(df.to_json(orient="records"))}}
    return alt.LayerChart.from_dict(spec, validate=False)`;

/** The outcomes both sides carry, as `real_<o>` and `sim_<o>` columns. */
const outcomesOf = (v: ValidationView) => Object.keys(v.pairs[0]?.real ?? {});

/** The error of one metric per trial, as validate defines it (equal: 0; real 0, simulated not: undefined). */
const errorSql = (m: string) =>
  `CASE WHEN real_${m} = sim_${m} THEN 0 WHEN real_${m} = 0 THEN NULL ELSE abs(sim_${m} - real_${m}) / abs(real_${m}) * 100 END`;

export function errorTableSql(v: ValidationView): string {
  const modes = v.modes.map((m) => sqlString(m.mode)).join(', ');
  return `WITH e AS (
  SELECT mode, real_converged AND sim_converged AS both_converged,
    ${v.metrics.map((m) => `${errorSql(m)} AS ${m}_err`).join(',\n    ')}
  FROM pairs)
SELECT coalesce(mode, 'all') AS mode, count(*) AS trials, count(*) FILTER (WHERE both_converged) AS compared,
  ${v.metrics.map((m) => `quantile_cont(${m}_err, 0.5) FILTER (WHERE both_converged) AS ${m}_p50, quantile_cont(${m}_err, 0.9) FILTER (WHERE both_converged) AS ${m}_p90`).join(',\n  ')}
FROM e GROUP BY GROUPING SETS ((mode), ()) ORDER BY list_position([${modes}], coalesce(mode, 'all'))`;
}

export function convergenceSql(v: ValidationView): string {
  const modes = v.modes.map((m) => sqlString(m.mode)).join(', ');
  const both = 'real_converged AND sim_converged';
  return `SELECT coalesce(mode, 'all') AS mode,
  count(*) FILTER (WHERE ${both} AND real_rounds = sim_rounds) AS rounds_exact,
  count(*) FILTER (WHERE ${both} AND abs(real_rounds - sim_rounds) <= 1) AS rounds_within_one,
  count(*) FILTER (WHERE ${both} AND real_rounds IS NOT NULL AND sim_rounds IS NOT NULL) AS rounds_compared,
  count(*) FILTER (WHERE ${both}) AS real_yes_sim_yes, count(*) FILTER (WHERE real_converged AND NOT sim_converged) AS real_yes_sim_no,
  count(*) FILTER (WHERE NOT real_converged AND sim_converged) AS real_no_sim_yes, count(*) FILTER (WHERE NOT real_converged AND NOT sim_converged) AS real_no_sim_no
FROM pairs GROUP BY GROUPING SETS ((mode), ()) ORDER BY list_position([${modes}], coalesce(mode, 'all'))`;
}

async function writePairs(con: DuckDBConnection, v: ValidationView, file: string): Promise<void> {
  const outcomes = outcomesOf(v);
  const cols = [
    'trial_id VARCHAR', 'point_id VARCHAR', 'mode VARCHAR', ...v.axes.map((a) => `${sqlIdent(a)} VARCHAR`),
    'real_converged BOOLEAN', 'sim_converged BOOLEAN', ...outcomes.flatMap((o) => [`real_${o} DOUBLE`, `sim_${o} DOUBLE`]),
  ];
  await con.run(`CREATE TABLE pairs (${cols.join(', ')})`);
  const a = await con.createAppender('pairs');
  const num = (x: number | null) => (x === null ? a.appendNull() : a.appendDouble(x));
  for (const p of v.pairs) {
    a.appendVarchar(p.trial_id);
    a.appendVarchar(p.point_id);
    a.appendVarchar(p.mode);
    for (const ax of v.axes) (p.axes[ax] === null ? a.appendNull() : a.appendVarchar(String(p.axes[ax])));
    a.appendBoolean(p.real_converged);
    a.appendBoolean(p.sim_converged);
    for (const o of outcomes) {
      num(p.real[o]);
      num(p.sim[o]);
    }
    a.endRow();
  }
  a.closeSync();
  await con.run(`COPY pairs TO ${sqlString(file)} (FORMAT parquet)`);
}

const scatterSql = (v: ValidationView, m: string) =>
  `SELECT trial_id, mode, ${v.axes.map(sqlIdent).map((a) => `${a}, `).join('')}real_${m} AS real, sim_${m} AS simulated FROM pairs
WHERE real_converged AND sim_converged AND real_${m} IS NOT NULL AND sim_${m} IS NOT NULL`;

async function cellsOf(con: DuckDBConnection, v: ValidationView, dataDir: string): Promise<CellList> {
  const cells = new CellList();
  const rows = async (q: string) => plainRows(await queryRows(con, q)) as Record<string, string | number | boolean | null>[];
  cells.markdown(
    `# Themis validation — ${v.sweep.name} against ${v.real.campaign_id}\n\nEvery real trial of ${v.real.campaign_id} (${v.real.backend}, ` +
      `${v.real.trials} trials) paired with the point of \`${v.sweep.path}\` of the same parameters, whose prediction is its median over ` +
      `${v.sweep.repetitions} simulated repetitions (\`pairs\`: one row per real trial). Written by \`themis validate --notebook\`; docs/fidelity.md.`,
  );
  cells.code(SETUP(dataDir), []);
  cells.markdown('## Absolute % error per mode\n\n|simulated − real| / real per trial; median and p90 over the trials that converged on both sides.');
  const errors = errorTableSql(v);
  cells.code(`sql(${pyRaw(errors)})`, [tableOutput(await rows(errors))], { themis: { role: 'errors' } });
  cells.markdown('## Rounds and convergence\n\nCounts of trials: rounds exact and within one (converged on both sides), and the 2×2 convergence table.');
  const conv = convergenceSql(v);
  cells.code(`sql(${pyRaw(conv)})`, [tableOutput(await rows(conv))], { themis: { role: 'convergence' } });
  cells.markdown('## Simulated against real\n\nOne dot per trial; on the dashed line the simulator is exact.');
  for (const f of validationFigures(v).filter((x) => x.id.startsWith('validation-') && v.metrics.includes(x.id.slice('validation-'.length)))) {
    const m = f.id.slice('validation-'.length);
    cells.code(`scatter(${JSON.stringify(f.id)}, sql(${pyRaw(scatterSql(v, m))}))`, [vegaLiteOutput(f.spec, await figureToSvg(f.spec))], { themis: { figure: f.id } });
  }
  return cells;
}

export async function writeValidationNotebook(v: ValidationView, out: string): Promise<void> {
  const dataDir = dataDirName(out);
  const dir = join(dirname(out), dataDir);
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  try {
    await writePairs(con, v, join(tmp, 'pairs.parquet'));
    const specs = Object.fromEntries(validationFigures(v).map((f) => [f.id, { ...f.spec, data: undefined }]));
    writeFileAtomic(join(tmp, 'charts.json'), `${JSON.stringify(specs)}\n`);
    const cells = await cellsOf(con, v, dataDir);
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
    const nb = {
      nbformat: 4, nbformat_minor: 5,
      metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' }, language_info: { name: 'python' } },
      cells: cells.cells,
    };
    writeFileAtomic(out, `${JSON.stringify(nb, null, 1)}\n`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    con.closeSync();
    db.closeSync();
  }
}
