/**
 * The outcome columns are declared once (core/results/outcomes.ts): the store's columns, the recorder's result
 * and the docs follow the declaration, and no other file of core/ spells an outcome's name.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OUTCOMES, OUTCOME_NAMES, outcomeTableMarkdown } from '../../core/results/outcomes.js';
import { TrialRecorder } from '../../core/results/recorder.js';
import { Store } from '../../core/store/store.js';

const dir = mkdtempSync(join(tmpdir(), 'themis-outcomes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sourceFiles(root: string): string[] {
  return readdirSync(root).flatMap((name) => {
    const path = join(root, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

describe('outcome columns', () => {
  it('each outcome name is spelled in one file of core/ (others refer to it through OUT)', () => {
    const files = sourceFiles('core').map((f) => ({ f, text: readFileSync(f, 'utf8') }));
    // `rounds` is also the rounds table's name; the compiler checks its uses as an outcome
    for (const name of OUTCOME_NAMES.filter((n) => n !== 'rounds')) {
      const spelled = files.filter(({ text }) => new RegExp(`(?<!OUT\\.)\\b${name}\\b`).test(text)).map(({ f }) => f);
      expect(spelled, name).toEqual(['core/results/outcomes.ts']);
    }
  });

  it('a fresh store has each outcome column with its declared type, nullable', async () => {
    const store = await Store.open(join(dir, 'fresh.duckdb'));
    try {
      const cols = (await store.connection.runAndReadAll(
        `SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_name = 'trial_results'`,
      )).getRowObjectsJS();
      for (const o of OUTCOMES) {
        expect(cols.find((c) => c.column_name === o.name), o.name).toEqual({ column_name: o.name, data_type: o.sql, is_nullable: 'YES' });
      }
      const view = (await store.connection.runAndReadAll('DESCRIBE trials')).getRowObjectsJS().map((c) => c.column_name);
      expect(view).toEqual(expect.arrayContaining([...OUTCOME_NAMES]));
    } finally {
      store.close();
    }
  });

  it('a failed trial from the recorder has every outcome NULL, measured ones kept', () => {
    const rec = new TrialRecorder();
    rec.measure({ total_ms: 12 });
    const r = rec.failed('timeout', 'no answer in 5 s', 12);
    for (const name of OUTCOME_NAMES) expect(r[name], name).toBe(name === 'total_ms' ? 12 : null);
    expect(r.detail.failure_message).toBe('no answer in 5 s');
    expect(r.events).toEqual([{ t_ms: 12, source: 'themis', kind: 'failed', detail: { reason: 'timeout', message: 'no answer in 5 s' } }]);
  });

  it('docs/design.md holds the declaration as its outcome table', () => {
    expect(readFileSync('docs/design.md', 'utf8')).toContain(outcomeTableMarkdown());
  });
});
