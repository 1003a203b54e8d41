/**
 * `npm run bench`: every benchmark in turn, each figure printed as it is measured, then all of them as one
 * JSON object on stdout. `npm run bench -- simulator ingest` runs only the named ones.
 */
type Bench = () => Promise<Record<string, number>> | Record<string, number>;

const BENCHES: Record<string, () => Promise<Bench>> = {
  simulator: async () => (await import('./simulator.js')).benchSimulator,
  ingest: async () => async () => {
    const { benchIngest } = await import('./ingest.js');
    return { ...(await benchIngest(200_000, true)), ...(await benchIngest(500_000, false)) };
  },
  'store-routes': async () => async () => (await import('./store-routes.js')).benchStoreRoutes(),
  'end-to-end': async () => (await import('./end-to-end.js')).benchEndToEnd,
  report: async () => async () => (await import('./report.js')).benchReportSynthetic(),
  datasets: async () => (await import('./datasets.js')).benchDatasets,
  fidelity: async () => (await import('./fidelity.js')).benchFidelity,
  qemu: async () => (await import('./qemu.js')).benchQemu,
  workbench: async () => (await import('./workbench.js')).benchWorkbench,
  peer: async () => async () => (await import('./peer.js')).benchPeer(),
  lab: async () => (await import('../backends/opennebula/lab/bench.js')).benchLab,
};

const only = process.argv.slice(2);
const unknown = only.filter((name) => !(name in BENCHES));
if (unknown.length > 0) {
  process.stderr.write(`bench: unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(BENCHES).join(', ')}\n`);
  process.exit(2);
}
const all: Record<string, number> = {};
for (const [name, load] of Object.entries(BENCHES)) {
  if (only.length > 0 && !only.includes(name)) continue;
  process.stderr.write(`bench ${name}…\n`);
  const figures = await (await load())();
  for (const [k, v] of Object.entries(figures)) process.stderr.write(`  ${k.padEnd(44)} ${v}\n`);
  Object.assign(all, figures);
}
process.stdout.write(JSON.stringify(all, null, 2) + '\n');
