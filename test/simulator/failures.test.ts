import { describe, expect, test } from 'vitest';
import { simulateTrial } from '../../simulator/simulate.js';
import { params } from './helpers.js';

describe('link failures', () => {
  test('during pre-copy: aborted, the VM keeps running at the source (no downtime, no outage)', () => {
    let seen = 0;
    for (let seed = 0; seed < 300; seed++) {
      const r = simulateTrial(params({ mode: 'live', link_failure_rate_per_s: 0.5, dirty_rate_pages_s: 2000 }), seed);
      if (r.failure_reason !== 'aborted') continue;
      const last = r.rounds_detail[r.rounds_detail.length - 1];
      if (last.phase !== 'precopy') continue;
      seen++;
      expect(r.status).toBe('failed');
      expect(r.downtime_ms).toBe(0);
      expect(r.outage_ms).toBe(0);
      expect(r.events.some((e) => e.kind === 'link-failure')).toBe(true);
      expect(r.events.some((e) => e.kind === 'vm-resumed')).toBe(false);
    }
    expect(seen).toBeGreaterThan(20);
  });

  test('during the post-copy push: vm_lost, downtime and outage unknown', () => {
    let seen = 0;
    for (let seed = 0; seed < 300; seed++) {
      const r = simulateTrial(params({ mode: 'postcopy', link_failure_rate_per_s: 5, memory_mib: 4096 }), seed);
      expect([null, 'aborted', 'vm_lost']).toContain(r.failure_reason);
      if (r.failure_reason !== 'vm_lost') continue;
      seen++;
      expect(r.downtime_ms).toBeNull();
      expect(r.outage_ms).toBeNull();
      expect(r.events.map((e) => e.kind)).toContain('vm-lost');
      // the last probe gap stays open to the end of the window
      const g = r.probe_gaps[r.probe_gaps.length - 1];
      expect(g.start_ms + g.duration_ms).toBeGreaterThan(r.total_ms!);
    }
    expect(seen).toBeGreaterThan(20);
  });

  test('no failure rate, no failures', () => {
    for (let seed = 0; seed < 50; seed++) expect(simulateTrial(params({ mode: 'postcopy' }), seed).status).toBe('succeeded');
  });

  test('a failure during cold disk copy boots the VM again at the source', () => {
    let seen = 0;
    for (let seed = 0; seed < 200; seed++) {
      const r = simulateTrial(params({ mode: 'cold', shared_storage: false, disk_gib: 50, link_failure_rate_per_s: 0.1 }), seed);
      if (r.failure_reason === null) continue;
      seen++;
      expect(r.failure_reason).toBe('aborted');
      expect(r.rounds_detail.map((x) => x.phase)).toEqual(['shutdown', 'disk-copy', 'boot', 'agent']);
      expect(r.downtime_ms).toBeGreaterThan(0);
    }
    expect(seen).toBeGreaterThan(20);
  });
});
