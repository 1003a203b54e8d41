#!/usr/bin/env node
// `npm test`: installs what the tests need on this machine (Debian packages as root, the cached OpenNebula
// build), compiles, then runs vitest. Arguments are passed to vitest (e.g. `npm test -- test/core`).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

function step(label, command, args) {
  process.stderr.write(`\n== ${label}\n`);
  const r = spawnSync(command, args, { stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write(`npm test: '${label}' failed (exit ${r.status ?? r.signal})\n`);
    process.exit(r.status ?? 1);
  }
}

const root = process.getuid?.() === 0;
if (root) step('system packages', 'bash', ['scripts/install-system-packages.sh']);
else process.stderr.write('npm test: not root — skipping Debian package installation; tests of real components need it\n');
// The notebooks' Python (duckdb, pandas, altair, nbclient): test/reports/notebook-run.test.ts executes one.
step('python packages', 'bash', ['scripts/install-python-packages.sh']);
step('compile', 'npx', ['tsc', '-p', 'tsconfig.json']);
// vitest strips types without checking them: the tests' own types are checked here
step('type-check the tests', 'npx', ['tsc', '-p', 'tsconfig.test.json']);
if (root && existsSync('scripts/opennebula/build.sh')) step('OpenNebula build (cached)', 'bash', ['scripts/opennebula/build.sh']);
step('tests', 'npx', ['vitest', 'run', ...process.argv.slice(2)]);
