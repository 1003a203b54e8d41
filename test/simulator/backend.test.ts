import { OUTCOME_INDEX as O } from '../../core/results/outcomes.js';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildPlan, trialAt, type Plan } from '../../core/plan/plan.js';
import type { ResultBatch } from '../../core/results/batch.js';
import { sweepSchema } from '../../core/spec/sweep.js';
import { createBackend } from '../../simulator/backend.js';
import { simulateTrial } from '../../simulator/simulate.js';
import type { CampaignContext } from '../../core/backend.js';

const repo = resolve(import.meta.dirname, '../..');

function campaign(store: 'all' | 'failed' | 'none'): { ctx: CampaignContext; plan: Plan } {
  const sweep = sweepSchema.parse({
    name: 'backend-test',
    seed: 9,
    repetitions: 7,
    store: { rounds: store, probe_gaps: store, events: store },
    axes: [
      { grid: { mode: ['live', 'postcopy', 'cold', 'suspend', 'hybrid'] } },
      { grid: { dirty_rate_pages_s: [0, 20000, 90000], network: ['l2-announce', 'routed-ospf'] } },
    ],
  });
  const ctx: CampaignContext = { campaign_id: 'c', spec: { sweep, source_yaml: '', source_sha256: '', source_path: 'x.yaml' }, spec_dir: '.' };
  return { ctx, plan: buildPlan(sweep) };
}

async function collect(it: AsyncIterable<ResultBatch>): Promise<ResultBatch[]> {
  const out: ResultBatch[] = [];
  for await (const b of it) out.push(b);
  return out;
}

/** total_ms per plan index, checking each index comes exactly once. */
function byIndex(batches: ResultBatch[]): Map<number, { total: number; failure: number; rounds: number }> {
  const m = new Map<number, { total: number; failure: number; rounds: number }>();
  for (const b of batches) {
    for (let i = 0; i < b.nTrials; i++) {
      const idx = b.trials.index[i];
      expect(m.has(idx)).toBe(false);
      m.set(idx, { total: b.trials.outcomes[O.total_ms][i], failure: b.trials.failure_reason[i], rounds: b.trials.outcomes[O.rounds][i] });
    }
  }
  return m;
}

const signal = (): AbortSignal => new AbortController().signal;

describe('simulator backend', () => {
  test('runTrial = simulateTrial(params, seed)', async () => {
    const { ctx, plan } = campaign('all');
    const b = createBackend();
    expect(b.name).toBe('simulator');
    expect(b.maxConcurrency).toBeGreaterThanOrEqual(1);
    await b.prepare(ctx, signal());
    const t = trialAt(plan, 17);
    expect(await b.runTrial(t, signal())).toEqual(simulateTrial(t.params, t.seed));
    await b.dispose();
  });

  test('runBatches in-thread: every index once, batch size bounded, numbers as runTrial', async () => {
    const { ctx, plan } = campaign('failed');
    const b = createBackend({ batchTrials: 32 });
    await b.prepare(ctx, signal());
    const indices = Int32Array.from({ length: plan.size }, (_, i) => plan.size - 1 - i).filter((i) => i % 3 !== 1);
    const batches = await collect(b.runBatches(plan, indices, signal()));
    for (const x of batches) expect(x.nTrials).toBeLessThanOrEqual(32);
    const m = byIndex(batches);
    expect([...m.keys()].sort((a, c) => a - c)).toEqual([...indices].sort((a, c) => a - c));
    for (const idx of [0, 5, 40, plan.size - 1].filter((i) => m.has(i))) {
      const t = trialAt(plan, idx);
      expect(m.get(idx)!.total).toBe(simulateTrial(t.params, t.seed).total_ms);
    }
    // store policy 'failed': detail rows only for failed trials
    const failedRows = batches.reduce((a, x) => a + x.nRounds, 0);
    const anyFailed = [...m.values()].some((v) => v.failure >= 0);
    expect(failedRows > 0).toBe(anyFailed);
  });

  test('runBatches stops promptly on abort and never repeats an index', async () => {
    const { ctx, plan } = campaign('none');
    const b = createBackend({ batchTrials: 8 });
    await b.prepare(ctx, signal());
    const ac = new AbortController();
    const seen: ResultBatch[] = [];
    for await (const x of b.runBatches(plan, Int32Array.from({ length: plan.size }, (_, i) => i), ac.signal)) {
      seen.push(x);
      if (seen.length === 3) ac.abort();
    }
    expect(seen.length).toBeLessThan(Math.ceil(plan.size / 8));
    byIndex(seen);
  });

  describe('worker threads (compiled worker)', () => {
    let out = '';
    beforeAll(() => {
      // compile the simulator (and the core files it imports) where Node finds node_modules, as dist/ would be
      const cache = join(repo, 'node_modules', '.cache');
      mkdirSync(cache, { recursive: true });
      out = mkdtempSync(join(cache, 'themis-sim-'));
      const cfg = join(out, 'tsconfig.json');
      writeFileSync(
        cfg,
        JSON.stringify({
          extends: join(repo, 'tsconfig.json'),
          compilerOptions: { outDir: join(out, 'build'), rootDir: repo, sourceMap: false, noEmit: false },
          include: [join(repo, 'simulator/**/*.ts')],
        }),
      );
      writeFileSync(join(out, 'package.json'), '{"type":"module"}');
      execFileSync(process.execPath, [join(repo, 'node_modules/typescript/bin/tsc'), '-p', cfg], { stdio: 'pipe' });
    }, 120_000);
    afterAll(() => {
      if (out) rmSync(out, { recursive: true, force: true });
    });

    test('two workers give the same trials as in-thread', async () => {
      const { ctx, plan } = campaign('all');
      const workerUrl = pathToFileURL(join(out, 'build/simulator/worker.js'));
      const threaded = createBackend({ workers: 2, workerUrl, batchTrials: 16 });
      const local = createBackend({ workers: 1, batchTrials: 16 });
      await threaded.prepare(ctx, signal());
      await local.prepare(ctx, signal());
      const indices = Int32Array.from({ length: plan.size }, (_, i) => i);
      const a = byIndex(await collect(threaded.runBatches(plan, indices, signal())));
      const b = byIndex(await collect(local.runBatches(plan, indices, signal())));
      expect(a.size).toBe(plan.size);
      expect(a).toEqual(b);
    });

    test('a slow consumer holds the workers back but still gets every trial once', async () => {
      const { ctx, plan } = campaign('none');
      const workerUrl = pathToFileURL(join(out, 'build/simulator/worker.js'));
      const b = createBackend({ workers: 2, workerUrl, batchTrials: 2 });
      await b.prepare(ctx, signal());
      const seen: ResultBatch[] = [];
      for await (const x of b.runBatches(plan, Int32Array.from({ length: plan.size }, (_, i) => i), signal())) {
        seen.push(x);
        await new Promise((r) => setTimeout(r, 2));
      }
      expect(byIndex(seen).size).toBe(plan.size);
    });

    test('abort with workers: stops, yields what is done, terminates the workers', async () => {
      const { ctx, plan } = campaign('none');
      const workerUrl = pathToFileURL(join(out, 'build/simulator/worker.js'));
      const b = createBackend({ workers: 2, workerUrl, batchTrials: 4 });
      await b.prepare(ctx, signal());
      const ac = new AbortController();
      const seen: ResultBatch[] = [];
      for await (const x of b.runBatches(plan, Int32Array.from({ length: plan.size }, (_, i) => i), ac.signal)) {
        seen.push(x);
        ac.abort();
      }
      expect(seen.length).toBeGreaterThanOrEqual(1);
      expect(seen.length).toBeLessThan(Math.ceil(plan.size / 4));
      byIndex(seen);
    });
  });
});
