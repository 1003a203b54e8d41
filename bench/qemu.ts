/**
 * Wall time of one real live trial and one real cold trial on the qemu backend (TCG, 512 MiB guest,
 * 2,000 pages/s), plus what they measured; then one live trial across each network design (docs/network.md:
 * the lab rebuilt per design, a fresh 512 MiB guest each time) with its outage and TCP stall. Needs root. Run alone: `npm run build && node dist/bench/qemu.js`.
 */
import { pathToFileURL } from 'node:url';
import { buildPlan, trialAt } from '../core/plan/plan.js';
import { NETWORK_DESIGNS } from '../core/spec/parameters.js';
import { sweepSchema } from '../core/spec/sweep.js';
import { QemuBackend } from '../backends/qemu/backend.js';

export async function benchQemu(): Promise<Record<string, number>> {
  if (process.getuid?.() !== 0) {
    process.stderr.write('bench qemu: needs root (network namespaces, taps); skipped\n');
    return {};
  }
  const sweep = sweepSchema.parse({
    name: 'bench-qemu',
    backend: 'qemu',
    parameters: { memory_mib: 512, working_set_mib: 256, dirty_rate_pages_s: 2000, max_bandwidth_mib_s: 128, timeout_s: 30 },
    axes: [{ grid: { mode: ['live', 'cold'] } }],
    qemu: { accelerator: 'tcg', verify_memory: true, trial_timeout_s: 120 },
  });
  const plan = buildPlan(sweep);
  const backend = new QemuBackend();
  const signal = new AbortController().signal;
  const figures: Record<string, number> = {};
  try {
    let t0 = performance.now();
    await backend.prepare({ campaign_id: 'bench', spec: { sweep, source_yaml: '', source_sha256: '', source_path: '' }, spec_dir: '.' }, signal);
    figures.qemu_prepare_ms = Math.round(performance.now() - t0);
    for (let i = 0; i < plan.size; i++) {
      const trial = trialAt(plan, i);
      const mode = trial.params.mode;
      t0 = performance.now();
      const r = await backend.runTrial(trial, signal);
      figures[`qemu_${mode}_trial_wall_ms`] = Math.round(performance.now() - t0);
      figures[`qemu_${mode}_succeeded`] = r.status === 'succeeded' ? 1 : 0;
      figures[`qemu_${mode}_downtime_ms`] = Math.round(r.downtime_ms ?? Number.NaN);
      figures[`qemu_${mode}_outage_ms`] = Math.round(r.outage_ms ?? Number.NaN);
    }
    for (const [k, network] of NETWORK_DESIGNS.entries()) {
      const trial = { ...trialAt(buildPlan(sweepSchema.parse({ ...sweep, axes: [], parameters: { ...sweep.parameters, mode: 'live', network, hosts: 4 } })), 0), index: plan.size + k };
      t0 = performance.now();
      const r = await backend.runTrial(trial, signal);
      figures[`qemu_net_${network}_trial_wall_ms`] = Math.round(performance.now() - t0);
      figures[`qemu_net_${network}_succeeded`] = r.status === 'succeeded' ? 1 : 0;
      figures[`qemu_net_${network}_outage_ms`] = Math.round(r.outage_ms ?? Number.NaN);
      figures[`qemu_net_${network}_tcp_stall_ms`] = Math.round(r.tcp_stall_ms ?? Number.NaN);
    }
  } finally {
    await backend.dispose();
  }
  return figures;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const figures = await benchQemu();
  for (const [k, v] of Object.entries(figures)) process.stderr.write(`  ${k.padEnd(44)} ${v}\n`);
  process.stdout.write(JSON.stringify(figures, null, 2) + '\n');
}
