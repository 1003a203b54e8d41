/**
 * The published-dataset path a user takes (docs/lab.md): load a dataset folder (`themis merge`), calibrate the
 * simulator on it (`themis calibrate`), and export a campaign back as a dataset folder. Wall times of each, on the
 * committed lab dataset and the lab's simulator sweeps.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calibrate } from '../calibration/calibrate.js';
import { mergeDatabases } from '../core/store/merge.js';
import { exportDataset } from '../core/store/dataset-export.js';

export async function benchDatasets(): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'themis-bench-datasets-'));
  try {
    const timed = async (f: () => Promise<unknown>) => {
      const t = performance.now();
      await f();
      return Math.round(performance.now() - t);
    };
    const db = join(dir, 'lab.duckdb');
    return {
      dataset_merge_lab_40_trials_ms: await timed(() => mergeDatabases(db, ['datasets/opennebula-lab'])),
      calibrate_lab_4_modes_ms: await timed(() => calibrate({ db, sweepPath: 'sweeps/opennebula-lab-model.yaml' })),
      dataset_export_lab_ms: await timed(() => exportDataset({ db, outDir: join(dir, 'exported') })),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
