import { describe, expect, it } from 'vitest';
import { diagnosticsOf } from '../support/spec.js';
import { parseSweep } from '../../core/spec/load.js';


describe('sweep files', () => {
  it('accepts a minimal sweep and fills in defaults', () => {
    const sweep = parseSweep('name: tiny\n', 'tiny.yaml');
    expect(sweep).toMatchObject({ name: 'tiny', backend: 'simulator', seed: 1, repetitions: 1, axes: [] });
    expect(sweep.store).toEqual({ rounds: 'all', probe_gaps: 'all', events: 'all' });
  });

  it('reports bad YAML with its line and column', () => {
    const [d] = diagnosticsOf('name: x\nparameters:\n  mode: [live\n');
    expect(d.line).toBeGreaterThanOrEqual(3);
    expect(d.message).toMatch(/^invalid YAML/);
  });

  it('reports a duplicate key as bad YAML', () => {
    const [d] = diagnosticsOf('name: x\nseed: 1\nseed: 2\n');
    expect(d).toMatchObject({ line: 3, column: 1 });
    expect(d.message).toMatch(/unique|duplicate/i);
  });

  it('names the field, what was expected and what was found for a wrong type', () => {
    const [d] = diagnosticsOf('name: x\nrepetitions: two\n');
    expect(d).toEqual({ file: 'sweep.yaml', line: 2, column: 14, path: 'repetitions', message: 'expected a number; found string "two"' });
  });

  it('rejects an unknown key with a did-you-mean hint pointing at the key', () => {
    const [d] = diagnosticsOf('name: x\nparameters:\n  memory_mib: 512\n  dirty_rate: 4000\n');
    expect(d).toMatchObject({ line: 4, column: 3, path: 'parameters.dirty_rate' });
    expect(d.message).toContain("unknown key 'dirty_rate' — did you mean 'dirty_rate_pages_s'?");
  });

  it('suggests the closest top-level key for a typo', () => {
    const [d] = diagnosticsOf('name: x\nrepetiton: 3\n');
    expect(d.message).toContain("did you mean 'repetitions'?");
  });

  it('rejects an empty axis', () => {
    const [d] = diagnosticsOf('name: x\naxes:\n  - grid:\n      mode: []\n');
    expect(d).toMatchObject({ line: 4, column: 13, path: 'axes[0].grid.mode', message: 'expected at least 1 item; found an empty list' });
  });

  it('explains an axis that is none of grid, zip, list, random', () => {
    const [d] = diagnosticsOf('name: x\naxes:\n  - grids:\n      mode: [live]\n');
    expect(d.path).toBe('axes[0]');
    expect(d.message).toBe("expected a map with one of grid, zip, list, random; found key 'grids' — did you mean 'grid'?");
  });

  it('checks axis values against the parameter they set', () => {
    const ds = diagnosticsOf('name: x\naxes:\n  - grid:\n      mode: [live, hot]\n      dirty_rate_pages_s: [0, -5]\n');
    expect(ds.map((d) => [d.path, d.line, d.column])).toEqual([
      ['axes[0].grid.mode[1]', 4, 20],
      ['axes[0].grid.dirty_rate_pages_s[1]', 5, 31],
    ]);
    expect(ds[0].message).toMatch(/^expected one of "live", "postcopy".*; found string "hot"$/);
    expect(ds[1].message).toBe('expected a number ≥ 0; found number -5');
  });

  it('rejects an unknown parameter in an axis with a hint', () => {
    const [d] = diagnosticsOf('name: x\naxes:\n  - list:\n      - { mode: live, bandwith_mib_s: 3 }\n');
    expect(d.path).toBe('axes[0].list[0].bandwith_mib_s');
    expect(d.message).toMatch(/^unknown parameter 'bandwith_mib_s' — did you mean '(link|max)_bandwidth_mib_s'\?$/);
  });

  it('requires zip lists of equal length', () => {
    const [d] = diagnosticsOf('name: x\naxes:\n  - zip:\n      mode: [live, cold]\n      memory_mib: [512]\n');
    expect(d).toMatchObject({ path: 'axes[0].zip.memory_mib', line: 5 });
    expect(d.message).toBe("expected 2 values (as many as 'mode'); found 1");
  });

  it("accepts a number or 'unlimited' for the bandwidth cap, and nothing else", () => {
    expect(parseSweep('name: x\nparameters: { max_bandwidth_mib_s: unlimited }\n', 'f').parameters.max_bandwidth_mib_s).toBe('unlimited');
    const [d] = diagnosticsOf('name: x\nparameters: { max_bandwidth_mib_s: fast }\n');
    expect(d.message).toBe('expected a number or "unlimited"; found string "fast"');
  });

  it('reports every problem at once, in file order', () => {
    const ds = diagnosticsOf('name: bad name\nrepetitions: 0\nseed: -1\n');
    expect(ds.map((d) => d.line)).toEqual([1, 2, 3]);
  });

  it('rejects a random range whose max is not above its min', () => {
    const [d] = diagnosticsOf(
      'name: x\naxes:\n  - random:\n      seed: 3\n      count: 4\n      ranges:\n        dirty_rate_pages_s: { min: 10, max: 5 }\n',
    );
    expect(d.path).toBe('axes[0].random.ranges.dirty_rate_pages_s.max');
    expect(d.message).toBe('expected a number > min (10); found 5');
  });

  it('requires the opennebula section for the opennebula backend', () => {
    const [d] = diagnosticsOf('name: x\nbackend: opennebula\n');
    expect(d).toMatchObject({ path: 'backend', line: 2 });
  });

  it('rejects a document that is not a map', () => {
    const [d] = diagnosticsOf('- a\n- b\n');
    expect(d.message).toBe('expected a map of sweep settings; found a list of 2');
  });
});
