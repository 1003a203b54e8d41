/**
 * The `themis` command line. Results and paths go to stdout, progress and errors to stderr; bad input
 * exits with 2 and writes nothing.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
// Only what parsing the command line needs is imported here: each command loads its own modules when it runs
// (`themis --version` loads neither DuckDB nor zod nor a report; `run` on the simulator no report until it writes one).
import type { Shard } from '../../core/plan/plan.js';
import type { RunCommandOptions } from './run.js';
import { FAILURE_REASONS, type FailureReason } from '../../core/backend.js';
import { themisVersion } from '../../core/version.js';
import { reportError } from './exit.js';
import { UsageError } from '../../core/errors.js';
import type { SqlFormat } from './sql.js';
import { SQL_FORMATS, quietOnClosedPipe } from './sql-format.js';
import { formatFromExtension, parseBy, sqlToParquet } from './report-options.js';
import { addValidateCommand } from './validate.js';
import { checkOutputPath } from './output-path.js';

function parseShard(text: string): Shard | 'auto' {
  if (text === 'auto') return 'auto';
  const m = /^(\d+)\/(\d+)$/.exec(text);
  if (!m) throw new InvalidArgumentError(`expected i/N (e.g. 0/4) or auto; found '${text}'`);
  const shard = { index: Number(m[1]), count: Number(m[2]) };
  if (shard.count < 1 || shard.index >= shard.count) throw new InvalidArgumentError(`expected 0 ≤ i < N; found '${text}'`);
  return shard;
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError(`expected a port 0–65535; found '${text}'`);
  return port;
}

function parsePositiveInt(text: string, name: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name}: expected a whole number ≥ 1; found '${text}'`);
  return n;
}

/** --retry-failed's reasons, each from the closed list (repeatable, and comma-separated lists too). */
function parseReasons(text: string, previous: FailureReason[] = []): FailureReason[] {
  const out = [...previous];
  for (const r of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (!(FAILURE_REASONS as readonly string[]).includes(r)) {
      throw new InvalidArgumentError(`'${r}' is not a failure reason; expected one of ${FAILURE_REASONS.join(', ')}`);
    }
    out.push(r as FailureReason);
  }
  return out;
}

type ReportOptions = { out?: string; by?: string[]; campaign?: string; format: 'html' | 'svg' | 'png' };

/** A folder (dataset or root of shards) is merged into a scratch database first, as `themis merge` would. */
async function reportDatabase(input: string): Promise<{ db: string; done: () => void }> {
  const { mkdtempSync, rmSync, statSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  let isFolder = false;
  try {
    isFolder = statSync(input).isDirectory();
  } catch {
    // a missing path: the report says so
  }
  if (!isFolder) return { db: input, done: () => undefined };
  const scratch = mkdtempSync(join(tmpdir(), 'themis-report-'));
  const done = () => rmSync(scratch, { recursive: true, force: true });
  try {
    const db = join(scratch, 'merged.duckdb');
    const { mergeDatabases } = await import('../../core/store/merge.js');
    await mergeDatabases(db, [input]);
    return { db, done };
  } catch (err) {
    done();
    throw err;
  }
}

async function reportCommand(input: string, db: string, o: ReportOptions): Promise<void> {
  const base = input.replace(/\/+$/, '').replace(/\.duckdb$/, '');
  if (o.format === 'html') {
    const out = o.out ?? base + '.html';
    checkOutputPath('--out', out);
    const { writeHtmlReport } = await import('../../reports/html.js');
    await writeHtmlReport({ db, out, by: o.by, campaignId: o.campaign });
    process.stdout.write(`${out}\n`);
    return;
  }
  const outDir = o.out ?? base + '-figures';
  checkOutputPath('--out', outDir, 'folder');
  const { renderFigures } = await import('../../reports/render.js');
  const files = await renderFigures({ db, outDir, format: o.format, by: o.by });
  process.stdout.write(files.join('\n') + '\n');
}

function addRunCommand(program: Command): void {
  program
    .command('run')
    .description('Run a campaign from a sweep file and store every trial in DuckDB')
    .argument('<sweep>', 'sweep file (YAML)')
    .option('--db <file>', 'DuckDB file (default results/<name>.duckdb; with --dataset-root a scratch file, removed)')
    .option('--report <file>', 'HTML report (default results/<name>.html; with --dataset-root only when given)')
    .option('--no-report', 'do not write the report')
    .option('--resume', 'continue an interrupted campaign, skipping stored trials')
    .option('--fresh', "replace the campaign's stored trials and start over")
    .option(
      '--shard <i/N|auto>',
      'run only shard i of N (0-based); auto: from SLURM_ARRAY_TASK_ID/_COUNT/_MIN or JOB_COMPLETION_INDEX; merge with themis merge',
      parseShard,
    )
    .option('--shard-count <n>', 'with --shard auto under Kubernetes: the number of shards (or THEMIS_SHARD_COUNT)', (v) => parsePositiveInt(v, '--shard-count'))
    .option('--dataset-root <dir>', "publish the shard as <dir>/shard=NNNN/ (five Parquet files), replacing an earlier copy; query all in place, or themis merge <out> <dir>")
    .option('--retry-failed <reasons...>', 'with --resume implied: run again the stored failed trials with these failure reasons', parseReasons)
    .option('--by <axes>', "the report's breakdown (comma-separated; default: the axes the sweep varies; none: no breakdown)", parseBy)
    .action(async (sweepPath: string, o: RunCommandOptions) => {
      const { runCommand } = await import('./run.js');
      await runCommand(sweepPath, o);
    });
}

function addCheckCommand(program: Command): void {
  program
    .command('check')
    .description('Validate a sweep file and show the size of its plan')
    .argument('<sweep>', 'sweep file (YAML)')
    .action(async (sweepPath: string) => {
      const { loadSweepFile } = await import('../../core/spec/load.js');
      const { planPointCount } = await import('../../core/plan/plan.js');
      const { warnIgnoredParameters } = await import('./ignored-parameters.js');
      const spec = loadSweepFile(sweepPath);
      const { points, exact } = planPointCount(spec.sweep);
      const atMost = exact ? '' : 'at most ';
      process.stdout.write(
        `${sweepPath}: ok — campaign '${spec.sweep.name}' on ${spec.sweep.backend}: ${atMost}${points} points × ` +
          `${spec.sweep.repetitions} repetitions = ${atMost}${points * spec.sweep.repetitions} trials\n`,
      );
      warnIgnoredParameters(spec);
    });
}

function addReportCommand(program: Command): void {
  program
    .command('report')
    .description('Write the report of a database: self-contained HTML, or the figures as SVG/PNG files')
    .argument('<db>', 'DuckDB file, dataset folder, or dataset root of shard=N folders (merged into a scratch database first)')
    .option('--out <file>', 'output file (HTML) or directory (svg/png); default next to the database')
    .option('--by <axes>', 'break statistics down by these parameters (comma-separated; default: the axes the campaigns vary; none: no breakdown)', parseBy)
    .option('--campaign <id>', 'only this campaign')
    .addOption(new Option('--format <format>', 'html, svg or png').choices(['html', 'svg', 'png']).default('html'))
    .action(async (input: string, o: ReportOptions) => {
      const { db, done } = await reportDatabase(input);
      try {
        await reportCommand(input, db, o);
      } finally {
        done();
      }
    });
}

function addExportCommand(program: Command): void {
  program
    .command('export')
    .description('Export a table or query (parquet, arrow, csv), the analysis notebook (ipynb), or a dataset folder (dataset)')
    .argument('<db>', 'DuckDB file')
    .addOption(
      new Option('--format <format>', 'output format (default: from the --out extension); dataset: the five Parquet files themis merge reads back (datasets/README.md)')
        .choices(['parquet', 'arrow', 'csv', 'ipynb', 'dataset']),
    )
    .requiredOption('--out <path>', 'output file (dataset: folder)')
    .option('--table <name>', 'table or view to export (default trials)')
    .option('--query <sql>', 'query to export instead of a table')
    .option('--campaign <id>', 'dataset: only this campaign')
    .option('--by <axes>', 'ipynb: the breakdown (default: the axes the campaigns vary; none: no breakdown)', parseBy)
    .action(async (db: string, o: { format?: 'parquet' | 'arrow' | 'csv' | 'ipynb' | 'dataset'; out: string; table?: string; query?: string; campaign?: string; by?: string[] }) => {
      o.format ??= formatFromExtension(o.out);
      checkOutputPath('--out', o.out, o.format === 'dataset' ? 'folder' : 'file');
      if (o.campaign !== undefined && o.format !== 'dataset') throw new UsageError('--campaign: only with --format dataset');
      if (o.format === 'dataset') {
        if (o.table || o.query) throw new UsageError('--format dataset writes all five tables: --table and --query do not apply');
        const { exportDataset } = await import('../../core/store/dataset-export.js');
        const { files } = await exportDataset({ db, outDir: o.out, campaignId: o.campaign });
        process.stdout.write(files.join('\n') + '\n');
        return;
      }
      if (o.format === 'ipynb') {
        const { writeNotebook } = await import('../../reports/notebook.js');
        await writeNotebook({ db, out: o.out, by: o.by });
      } else {
        if (o.table && o.query) throw new UsageError('--table and --query: choose one');
        const { exportData } = await import('../../reports/export.js');
        await exportData({ db, format: o.format, out: o.out, table: o.query ? undefined : (o.table ?? 'trials'), query: o.query });
      }
      process.stdout.write(`${o.out}\n`);
    });
}

function addSqlCommand(program: Command): void {
  program
    .command('sql')
    .description('Run one SQL query on a read-only connection without file access (--allow-files: with it)')
    .argument('<db>', 'DuckDB file')
    .argument('<query>', 'SQL')
    .addOption(new Option('--format <format>', 'output format (parquet: needs --out)').choices([...SQL_FORMATS]).default('table'))
    .option('--out <file>', 'parquet: the file to write')
    .option('--allow-files', 'let the query read and write files (COPY … TO, read_csv, glob); off by default')
    .action(async (db: string, query: string, o: { format: SqlFormat; out?: string; allowFiles?: boolean }) => {
      if (o.format === 'parquet' && o.out !== undefined) checkOutputPath('--out', o.out);
      if (o.format === 'parquet') return sqlToParquet(db, query, o.out);
      if (o.out !== undefined) throw new UsageError('--out: only with --format parquet');
      const { formatQueryResult, queryReadOnly } = await import('./sql.js');
      process.stdout.write(formatQueryResult(await queryReadOnly(db, query, { allowFiles: o.allowFiles }), o.format));
    });
}

function addMergeCommand(program: Command): void {
  program
    .command('merge')
    .description(
      'Union databases (e.g. shards) and dataset folders (e.g. datasets/qemu-tcg) into one database, in one ' +
        'transaction: a trial present twice, or any bad input, is an error and nothing is written',
    )
    .argument('<out>', 'DuckDB file to write into (created if missing; removed again if the merge fails)')
    .argument('<input...>', 'DuckDB files and/or dataset folders (campaigns, trials, rounds, probe_gaps, events .parquet)')
    .action(async (out: string, inputs: string[]) => {
      checkOutputPath('<out>', out);
      const { mergeDatabases } = await import('../../core/store/merge.js');
      const counts = await mergeDatabases(out, inputs);
      process.stdout.write(`${out}: ${counts.campaigns} campaigns, ${counts.trials} trials\n`);
    });
}

function addCalibrateCommand(program: Command): void {
  program
    .command('calibrate')
    .description("Learn a real cloud's orchestrator overheads from one of its campaigns: writes a calibrated simulator sweep")
    .argument('<db>', 'DuckDB file or dataset folder (datasets/README.md) holding the real campaign')
    .requiredOption('--sweep <file>', "simulator sweep with the real cloud's settings (memory, bandwidth, boot time…)")
    .option('--campaign <id>', 'the real campaign (default: the only non-simulator campaign in <db>)')
    .option('--out <file>', 'write the calibrated sweep here (default: stdout, and the table to stderr)')
    .option('--name <name>', "the calibrated sweep's name (default: the sweep's name + '-calibrated')")
    .action(async (db: string, o: { sweep: string; campaign?: string; out?: string; name?: string }) => {
      if (o.out !== undefined) checkOutputPath('--out', o.out);
      const { calibrate } = await import('../../calibration/calibrate.js');
      const { formatCalibration } = await import('./calibrate.js');
      const result = await calibrate({ db, campaignId: o.campaign, sweepPath: o.sweep, name: o.name });
      if (o.out === undefined) {
        process.stderr.write(formatCalibration(result));
        process.stdout.write(result.sweepText);
        return;
      }
      const { writeFileAtomic } = await import('../../reports/atomic.js');
      writeFileAtomic(o.out, result.sweepText);
      process.stdout.write(`${formatCalibration(result)}sweep: ${o.out}\n`);
    });
}

function addServeCommand(program: Command): void {
  program
    .command('serve')
    .description('The local web workbench: campaigns, reports, SQL, and runs with live progress')
    .argument('<db>', 'DuckDB file (created by the first run if missing)')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port (0: any free port)', parsePort, 8737)
    .option('--sweeps <dir>', 'directory of sweep files the page can start', 'sweeps')
    .option('--token', 'require the printed token on a loopback bind too (always required on any other)')
    .action(async (db: string, o: { host: string; port: number; sweeps: string; token?: boolean }) => {
      const { serve } = await import('../workbench/serve.js');
      await serve({ db, host: o.host, port: o.port, sweepsDir: o.sweeps, token: o.token === true });
    });
}

function addLabCommand(program: Command): void {
  program
    .command('lab')
    .description('A whole real OpenNebula cloud on this machine (root): oned and libvirt/QEMU hosts in namespaces')
    .command('cloud')
    .description('up: bring it up and print ONE_XMLRPC/ONE_AUTH; down: remove everything; status: what runs')
    .argument('<action>', 'up | down | status')
    .option('--hosts <n>', 'hypervisor hosts (up)', (v) => parsePositiveInt(v, '--hosts'))
    .option('--state-dir <dir>', 'where the lab keeps its state (default ~/.cache/themis/lab-cloud)')
    .action(async (action: string, o: { hosts?: number; stateDir?: string }) => {
      if (!['up', 'down', 'status'].includes(action)) throw new UsageError(`unknown action '${action}': expected up, down or status`);
      const { labCloudCommand, optionsFromEnv } = await import('../../backends/opennebula/lab/command.js');
      const opts = { ...optionsFromEnv(process.env), ...(o.hosts ? { hosts: o.hosts } : {}), ...(o.stateDir ? { state_dir: o.stateDir } : {}) };
      process.exitCode = await labCloudCommand(action, opts);
    });
}

function addSchemaCommand(program: Command): void {
  program
    .command('schema')
    .description('Print the JSON Schema of sweep files')
    .option('--out <file>', 'write it to a file instead')
    .action(async (o: { out?: string }) => {
      const { sweepJsonSchema } = await import('../../core/spec/sweep.js');
      const text = JSON.stringify(sweepJsonSchema(), null, 2) + '\n';
      const { writeFileAtomic } = await import('../../reports/atomic.js');
      if (o.out) checkOutputPath('--out', o.out);
      if (o.out) writeFileAtomic(o.out, text);
      else process.stdout.write(text);
    });
}

export function buildProgram(): Command {
  const program = new Command('themis')
    .description('Measures how available a virtual machine stays while it migrates, and explains why.')
    .version(themisVersion())
    .showHelpAfterError()
    .exitOverride();

  addRunCommand(program);
  addCheckCommand(program);
  addReportCommand(program);
  addExportCommand(program);
  addSqlCommand(program);
  addMergeCommand(program);
  addCalibrateCommand(program);
  addValidateCommand(program);
  addServeCommand(program);
  addLabCommand(program);
  addSchemaCommand(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  quietOnClosedPipe();
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (typeof code === 'string' && code.startsWith('commander.')) {
      // commander already printed its message; help and version are not errors.
      return code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help' ? 0 : 2;
    }
    return reportError(err);
  }
}
