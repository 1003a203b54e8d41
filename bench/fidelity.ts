/**
 * `npm run bench -- fidelity`: how far the simulator is from the real QEMU TCG migrations of datasets/qemu-tcg —
 * `themis validate sweeps/qemu-tcg-model.yaml --against datasets/qemu-tcg`, its table on stderr and, as figures,
 * per mode the median absolute % error of each outcome, the share of exact rounds and of agreeing convergence
 * (docs/fidelity.md; the targets: ≤ 10 % total and bytes, ≤ 25 % downtime, ≥ 80 % rounds, ≥ 95 % convergence).
 */
import { ERROR_METRICS } from '../calibration/validate/outcomes.js';
import { validate } from '../calibration/validate/validate.js';
import { formatValidation } from '../app/cli/validate.js';

export const FIDELITY_SWEEP = 'sweeps/qemu-tcg-model.yaml';
export const FIDELITY_DATASET = 'datasets/qemu-tcg';

const round1 = (v: number | null) => (v === null ? Number.NaN : Math.round(v * 10) / 10);

export async function benchFidelity(): Promise<Record<string, number>> {
  const t = performance.now();
  const v = await validate({ sweepPath: FIDELITY_SWEEP, against: FIDELITY_DATASET });
  const wall = Math.round(performance.now() - t);
  process.stderr.write(formatValidation(v));
  const out: Record<string, number> = { fidelity_validate_ms: wall };
  for (const m of v.modes) {
    for (const metric of ERROR_METRICS) out[`fidelity_${m.mode}_${metric}_p50_pct`] = round1(m.errors[metric].p50);
    out[`fidelity_${m.mode}_rounds_exact_pct`] = round1(m.rounds.compared === 0 ? null : (100 * m.rounds.exact) / m.rounds.compared);
    const c = m.convergence;
    out[`fidelity_${m.mode}_convergence_agree_pct`] = round1((100 * (c.real_yes_sim_yes + c.real_no_sim_no)) / m.trials);
  }
  return out;
}
