import { describe, expect, test } from 'vitest';
import { isMode, MODE_PROPERTIES, MODES, modeRank, modesWhere } from '../../core/modes.js';
import { trialParametersSchema } from '../../core/spec/parameters.js';

describe('core/modes.ts', () => {
  test('MODES lists the table in report order, and the schema accepts exactly them', () => {
    expect(MODES).toEqual(['live', 'postcopy', 'hybrid', 'suspend', 'cold', 'cold-hard']);
    expect(MODES.map((m) => MODE_PROPERTIES[m].order)).toEqual([0, 1, 2, 3, 4, 5]);
    for (const m of MODES) expect(trialParametersSchema.parse({ mode: m }).mode).toBe(m);
    expect(() => trialParametersSchema.parse({ mode: 'teleport' })).toThrow();
  });

  test('the properties hang together', () => {
    for (const m of MODES) {
      const p = MODE_PROPERTIES[m];
      // a mode either streams its memory (QEMU migration) or reboots the guest
      expect(p.migration_stream).toBe(!p.reboots);
      if (p.reboots) expect(p.paused_throughout).toBe(true);
      if (p.precopy || p.postcopy_phase) expect(p.paused_throughout).toBe(false);
      if (!p.reboots) expect(p.graceful_shutdown).toBe(false);
      expect(p.meaning.length).toBeGreaterThan(10);
    }
    expect(modesWhere('precopy')).toEqual(['live', 'hybrid']);
    expect(modesWhere('postcopy_phase')).toEqual(['postcopy', 'hybrid']);
    expect(modesWhere('reboots')).toEqual(['cold', 'cold-hard']);
    expect(modesWhere('paused_throughout')).toEqual(['suspend', 'cold', 'cold-hard']);
  });

  test('names that are no mode sort last', () => {
    expect(isMode('cold')).toBe(true);
    expect(isMode('toString')).toBe(false);
    expect(modeRank('teleport')).toBeGreaterThan(modeRank('cold-hard'));
  });
});
