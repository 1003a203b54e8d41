/**
 * Sweep files the page may start: `*.yaml` / `*.yml` directly in the sweeps directory, named by their base
 * name only. A name is checked against a strict pattern and its resolved real path must still be inside the
 * directory, so neither `../` nor a symlink leads anywhere else.
 */
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, join, sep } from 'node:path';
import { planPointCount } from '../../core/plan/plan.js';
import type { Diagnostic } from '../../core/spec/diagnostics.js';
import { SpecError } from '../../core/errors.js';
import { loadSweepFile } from '../../core/spec/load.js';
import type { CampaignSpec } from '../../core/spec/sweep.js';
import { campaignIdOf } from '../../core/engine/engine.js';

const SWEEP_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,200}\.ya?ml$/;

export class SweepNameError extends Error {
  override readonly name = 'SweepNameError';
}

export interface SweepEntry {
  name: string;
  size_bytes: number;
  modified_at: string;
}

export function listSweeps(dir: string): SweepEntry[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => SWEEP_NAME.test(n))
    .flatMap((name) => {
      try {
        const path = resolveSweep(dir, name);
        const st = statSync(path);
        return st.isFile() ? [{ name, size_bytes: st.size, modified_at: st.mtime.toISOString() }] : [];
      } catch {
        return [];
      }
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The file behind a sweep name, or SweepNameError. */
export function resolveSweep(dir: string, name: string): string {
  if (!SWEEP_NAME.test(name) || basename(name) !== name) throw new SweepNameError(`not a sweep file name: ${JSON.stringify(name)}`);
  let root: string;
  let real: string;
  try {
    root = realpathSync(dir);
    real = realpathSync(join(dir, name));
  } catch {
    throw new SweepNameError(`no sweep file ${JSON.stringify(name)} in the sweeps directory`);
  }
  if (!real.startsWith(root + sep)) throw new SweepNameError(`${JSON.stringify(name)} leads outside the sweeps directory`);
  return real;
}

export interface SweepCheck {
  name: string;
  ok: boolean;
  text: string | null;
  /** present when ok */
  campaign_id?: string;
  campaign_name?: string;
  backend?: string;
  points?: number;
  repetitions?: number;
  trials?: number;
  /** present when not ok; `file` is the sweep's name, not the server's path */
  diagnostics?: Diagnostic[];
}

export type LoadedSweep = { ok: true; spec: CampaignSpec; check: SweepCheck } | { ok: false; check: SweepCheck };

/** Loads and validates a sweep by name; validation problems are data (diagnostics), not exceptions. */
export function loadSweep(dir: string, name: string): LoadedSweep {
  return checkSweepFile(resolveSweep(dir, name), name);
}

/**
 * Loads and validates the sweep at `path` (already resolved), shown as `name`. Parsing a 10 MiB file takes
 * seconds, so the server calls this in a worker thread (sweep-checker.ts); the result is plain data.
 */
export function checkSweepFile(path: string, name: string): LoadedSweep {
  try {
    // Bounded on the request path: the file's size (load.ts), a linear check, the plan's size by arithmetic
    // (core/plan/size.ts), and a point count that does not build the points.
    const spec = loadSweepFile(path);
    // `points` is an upper bound when overlapping axes make an exact count expensive (plan.ts EXACT_COUNT_LIMIT)
    const { points } = planPointCount(spec.sweep);
    const check: SweepCheck = {
      name,
      ok: true,
      text: spec.source_yaml,
      campaign_id: campaignIdOf(spec),
      campaign_name: spec.sweep.name,
      backend: spec.sweep.backend,
      points,
      repetitions: spec.sweep.repetitions,
      trials: points * spec.sweep.repetitions,
    };
    return { ok: true, spec, check };
  } catch (err) {
    if (!(err instanceof SpecError)) throw err;
    return { ok: false, check: { name, ok: false, text: textOrNull(path), diagnostics: err.diagnostics.map((d) => ({ ...d, file: name })) } };
  }
}

/** The sweep's text for the page to show next to its diagnostics; a huge or unreadable file is not echoed. */
function textOrNull(path: string): string | null {
  try {
    return statSync(path).size > 1_000_000 ? null : readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}
