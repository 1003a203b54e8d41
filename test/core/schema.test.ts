import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sweepJsonSchema } from '../../core/spec/sweep.js';
import { loadSweepFile } from '../../core/spec/load.js';

describe('sweep JSON Schema', () => {
  it('sweeps/schema.json is exactly what `themis schema` prints (regenerate: themis schema --out sweeps/schema.json)', () => {
    const committed = JSON.parse(readFileSync('sweeps/schema.json', 'utf8')) as unknown;
    expect(committed).toEqual(sweepJsonSchema());
  });

  it('describes parameters with their defaults and rejects unknown keys, like the loader', () => {
    const schema = sweepJsonSchema() as {
      properties: { parameters: { properties: Record<string, { default?: unknown }>; additionalProperties: boolean } };
      additionalProperties: boolean;
    };
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.parameters.additionalProperties).toBe(false);
    expect(schema.properties.parameters.properties.downtime_limit_ms.default).toBe(300);
  });

  it('every example sweep is valid', () => {
    const files = readdirSync('sweeps').filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const f of files) expect(() => loadSweepFile(`sweeps/${f}`), f).not.toThrow();
  });
});
