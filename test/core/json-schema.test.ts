/**
 * sweeps/schema.json, as an editor uses it, agrees with `themis check`: a real JSON Schema validator (ajv 8, draft
 * 2020-12, the dialect the file declares) rejects the bad sweeps the check tests use (test/core/spec.test.ts,
 * spec-limits.test.ts) and accepts every sweep in sweeps/. What JSON Schema cannot say (YAML syntax, zip lists
 * of equal length, random min < max, the opennebula section a backend needs, plan size) is listed apart: the
 * check rejects those and the schema, by design, lets them through.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { diagnosticsOf } from '../support/spec.js';

const schema = JSON.parse(readFileSync('sweeps/schema.json', 'utf8')) as Record<string, unknown>;
const ajv = new Ajv2020({ strict: false, allErrors: true });
const validate = ajv.compile(schema);

/** Bad sweeps both validators reject, with the instance path ajv names. */
const BAD: Record<string, string> = {
  'an unknown axis value (mode warm)': 'name: x\naxes:\n  - grid:\n      mode: [live, warm]\n',
  'axis values of the wrong type or range': 'name: x\naxes:\n  - grid:\n      mode: [live, hot]\n      dirty_rate_pages_s: [0, -5]\n',
  'an empty axis': 'name: x\naxes:\n  - grid:\n      mode: []\n',
  'an axis of no known kind': 'name: x\naxes:\n  - grids:\n      mode: [live]\n',
  'an unknown parameter in a list axis': 'name: x\naxes:\n  - list:\n      - { mode: live, bandwith_mib_s: 3 }\n',
  'a zip value out of range': 'name: x\naxes:\n  - zip:\n      mode: [live, cold]\n      memory_mib: [512, 0]\n',
  'a random range of a bad value': 'name: x\naxes:\n  - random: { seed: 1, count: 3, ranges: { boot_s: { min: -1, max: 2 } } }\n',
  'a random choice of a bad value': 'name: x\naxes:\n  - random: { seed: 1, count: 3, ranges: { network: { choice: [l2-announce, ethernet] } } }\n',
  'a random min/max for a non-numeric parameter': 'name: x\naxes:\n  - random: { seed: 1, count: 3, ranges: { mode: { min: 1, max: 2 } } }\n',
  'a bandwidth cap that is neither a number nor unlimited': 'name: x\nparameters: { max_bandwidth_mib_s: fast }\n',
  'an unlimited cap misspelt in an axis': 'name: x\naxes:\n  - grid: { max_bandwidth_mib_s: [32, unlimted] }\n',
  'a wrong type': 'name: x\nrepetitions: two\n',
  'an unknown parameter': 'name: x\nparameters:\n  memory_mib: 512\n  dirty_rate: 4000\n',
  'an unknown top-level key': 'name: x\nrepetiton: 3\n',
  'several problems': 'name: bad name\nrepetitions: 0\nseed: -1\n',
  'a count beyond its bound': 'name: x\nparameters: { announce_rounds: 1000000000 }\n',
  'a grid value beyond its bound': 'name: x\naxes:\n  - grid: { hosts: [10000000] }\n',
  'a 100,000-character name': `name: ${'a'.repeat(100_000)}\n`,
  'a document that is not a map': '- a\n- b\n',
};

/** Bad sweeps only `themis check` can reject (JSON Schema has no words for them). */
const CHECK_ONLY: Record<string, string> = {
  'zip lists of unequal length': 'name: x\naxes:\n  - zip:\n      mode: [live, cold]\n      memory_mib: [512]\n',
  'a random max not above its min': 'name: x\naxes:\n  - random:\n      seed: 3\n      count: 4\n      ranges:\n        dirty_rate_pages_s: { min: 10, max: 5 }\n',
  'the opennebula backend without its section': 'name: x\nbackend: opennebula\n',
  'a plan over the trial limit': 'name: r\nrepetitions: 1000000000\n',
};

describe('sweeps/schema.json with a JSON Schema validator (ajv, draft 2020-12)', () => {
  it('declares draft 2020-12', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
  });

  for (const [what, text] of Object.entries(BAD)) {
    it(`rejects ${what}, as themis check does`, () => {
      expect(diagnosticsOf(text).length).toBeGreaterThan(0);
      expect(validate(parseYaml(text)), what).toBe(false);
    });
  }

  it('points at the axis value: grid mode [live, warm] fails at /axes/0/grid/mode/1', () => {
    validate(parseYaml(BAD['an unknown axis value (mode warm)']));
    expect(validate.errors?.map((e) => e.instancePath)).toContain('/axes/0/grid/mode/1');
  });

  for (const [what, text] of Object.entries(CHECK_ONLY)) {
    it(`lets ${what} through; themis check rejects it`, () => {
      expect(diagnosticsOf(text).length).toBeGreaterThan(0);
      expect(validate(parseYaml(text)), JSON.stringify(validate.errors)).toBe(true);
    });
  }

  it('accepts every sweep in sweeps/', () => {
    const files = readdirSync('sweeps').filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const f of files) {
      const ok = validate(parseYaml(readFileSync(`sweeps/${f}`, 'utf8')));
      expect(ok, `${f}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });
});
