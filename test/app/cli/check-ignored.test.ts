/**
 * Each real backend declares the parameters it ignores (backends/registry.ts ignoredParametersOf); the
 * opennebula backend records them per trial as qemu does, and `themis check` warns about a sweep that sets them.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatIgnoredParameterWarning, ignoredParameterWarnings } from '../../../app/cli/ignored-parameters.js';
import { HONOURED_PARAMETERS, IGNORED_PARAMETERS, ignoredParameters } from '../../../backends/opennebula/parameters.js';
import { ignoredParametersOf } from '../../../backends/registry.js';
import { parseSweep } from '../../../core/spec/load.js';
import { defaultParameters, PARAMETER_NAMES } from '../../../core/spec/parameters.js';
import { themisCli } from '../../support/cli.js';

const ONE_SWEEP = `name: one-ignored
backend: opennebula
parameters:
  probe_interval_ms: 5
  memory_mib: 256
axes:
  - grid:
      mode: [live, cold]
      dirty_rate_pages_s: [0, 1000]
opennebula:
  themis_user: lab
`;

const spec = (text: string, file = 'x.yaml') => ({ sweep: parseSweep(text, file), source_yaml: text, source_sha256: '', source_path: file });

describe('ignored parameters', () => {
  it('opennebula honours mode and probe_interval_ms only, and lists the others set away from the default', () => {
    expect([...HONOURED_PARAMETERS].sort()).toEqual(['mode', 'probe_interval_ms']);
    expect(IGNORED_PARAMETERS.length).toBe(PARAMETER_NAMES.length - 2);
    const d = defaultParameters();
    expect(ignoredParameters({ ...d, mode: 'cold', probe_interval_ms: 3 }, d)).toEqual([]);
    expect(ignoredParameters({ ...d, memory_mib: 256, timeout_s: 5 }, d)).toEqual(['memory_mib', 'timeout_s']);
  });

  it('the registry gives each real backend its list; the simulator ignores nothing', () => {
    const d = defaultParameters();
    expect(ignoredParametersOf('simulator')).toBeNull();
    expect(ignoredParametersOf('qemu')!({ ...d, boot_s: 9, memory_mib: 256 }, d)).toEqual(['boot_s']);
    expect(ignoredParametersOf('opennebula')!({ ...d, boot_s: 9, memory_mib: 256 }, d)).toEqual(['memory_mib', 'boot_s']);
  });

  it('warns for fixed parameters and axes, with the line where the sweep sets them', () => {
    const w = ignoredParameterWarnings(spec(ONE_SWEEP));
    expect(w.map((x) => [x.parameter, x.where?.path, x.where?.line])).toEqual([
      ['memory_mib', 'parameters.memory_mib', 5],
      ['dirty_rate_pages_s', 'axes[0].grid.dirty_rate_pages_s', 9],
    ]);
    expect(w.every((x) => x.backend === 'opennebula')).toBe(true);
  });

  it('no warning for a simulator sweep, nor for a qemu sweep of what qemu honours', () => {
    expect(ignoredParameterWarnings(spec(ONE_SWEEP.replace('backend: opennebula', 'backend: simulator')))).toEqual([]);
    const qemu = `name: q\nbackend: qemu\nparameters:\n  memory_mib: 256\naxes:\n  - list:\n      - { mode: cold, shared_storage: false, disk_gib: 1 }\n      - { mode: live, boot_s: 5 }\n`;
    expect(ignoredParameterWarnings(spec(qemu)).map((x) => [x.parameter, x.where?.path])).toEqual([['boot_s', 'axes[0].list[1].boot_s']]);
  });

  it('a parameter one network design uses is ignored only in the points of the others, and the warning says so', () => {
    const qemu = `name: q\nbackend: qemu\nparameters:\n  hosts: 4\naxes:\n  - grid:\n      network: [l2-announce, vxlan-fdb-push]\n      mode: [live, cold]\n`;
    const [w, ...rest] = ignoredParameterWarnings(spec(qemu, 'q.yaml'));
    expect(rest).toEqual([]);
    expect([w!.parameter, w!.points_ignored, w!.points_honoured]).toEqual(['hosts', 2, 2]);
    expect(formatIgnoredParameterWarning(w!, 'q.yaml')).toBe(
      "q.yaml:4:3: parameters.hosts: warning: the qemu backend ignores 'hosts' in 2 of the 4 points that set it (its trials record it in detail.ignored_parameters)",
    );
    const fdbOnly = qemu.replace('[l2-announce, vxlan-fdb-push]', '[vxlan-fdb-push]');
    expect(ignoredParameterWarnings(spec(fdbOnly))).toEqual([]);
  });

  it('themis check prints them on stderr and still exits 0', () => {
    const dir = mkdtempSync(join(tmpdir(), 'themis-check-'));
    writeFileSync(join(dir, 'one.yaml'), ONE_SWEEP);
    const r = themisCli(dir, 'check', 'one.yaml');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/one\.yaml: ok/);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toEqual([
      "one.yaml:5:3: parameters.memory_mib: warning: the opennebula backend ignores 'memory_mib' (its trials record it in detail.ignored_parameters)",
      "one.yaml:9:7: axes[0].grid.dirty_rate_pages_s: warning: the opennebula backend ignores 'dirty_rate_pages_s' (its trials record it in detail.ignored_parameters)",
    ]);
  });
});
