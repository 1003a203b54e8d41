/**
 * The guest's memory verified across live and suspend migrations, over the same SSH the backend's agents use:
 * before the trial, 32 MiB of random data are written to the guest's /tmp (its initramfs: RAM) and hashed;
 * after a successful trial the hash must be the same, else the trial becomes `verification_failed`. Cold modes
 * reboot the guest, so its memory is gone by design and is not checked. A decorator: the backend is unchanged
 * (the qemu backend does the same with its serial-console agent; see docs/lab.md).
 */
import type { Backend, TrialResult } from '../../../core/backend.js';
import { MODE_PROPERTIES } from '../../../core/modes.js';
import { SshConnection, type SshEndpoint, type SshSettings } from '../ssh.js';

const FILE = '/tmp/themis-memcheck';
const WRITE = `dd if=/dev/urandom of=${FILE} bs=1048576 count=32 2>/dev/null && md5sum ${FILE}`;
const READ = `md5sum ${FILE}`;
const hashOf = (out: string) => /^([0-9a-f]{32})\s/.exec(out.trim())?.[1] ?? null;

async function onVm(ep: SshEndpoint, s: SshSettings, command: string): Promise<string> {
  const conn = await SshConnection.open(ep, s);
  try {
    const r = await conn.exec(command, 60_000);
    if (r.code !== 0) throw new Error(`'${command}' on the VM exited ${r.code}: ${r.stderr.trim().slice(0, 200)}`);
    return r.stdout;
  } finally {
    conn.close();
  }
}

export function withMemoryCheck(inner: Backend, vm: SshEndpoint, ssh: SshSettings): Backend {
  return {
    name: inner.name,
    maxConcurrency: inner.maxConcurrency,
    prepare: (c, s) => inner.prepare(c, s),
    dispose: () => inner.dispose(),
    runTrial: async (t, signal): Promise<TrialResult> => {
      // A rebooted guest's memory is gone by design (the backend's prepare refuses modes OpenNebula cannot run).
      if (MODE_PROPERTIES[t.params.mode].reboots) return inner.runTrial(t, signal);
      let before: string | null = null;
      let setupError: string | null = null;
      try {
        before = hashOf(await onVm(vm, ssh, WRITE));
      } catch (e) {
        setupError = (e as Error).message;
      }
      const r = await inner.runTrial(t, signal);
      if (r.status !== 'succeeded') return r;
      const t_ms = r.total_ms ?? 0;
      if (before === null) {
        r.events.push({ t_ms, source: 'themis', kind: 'memory_check_skipped', detail: { message: setupError ?? 'no hash' } });
        return r;
      }
      let after: string | null = null;
      try {
        after = hashOf(await onVm(vm, ssh, READ));
      } catch (e) {
        r.events.push({ t_ms, source: 'themis', kind: 'memory_check_error', detail: { message: (e as Error).message } });
      }
      r.detail.memory_check = { bytes: 32 * 1048576, before, after };
      if (after !== before) {
        r.status = 'failed';
        r.failure_reason = 'verification_failed';
        r.events.push({ t_ms, source: 'themis', kind: 'memory_mismatch', detail: { before, after } });
      } else {
        r.events.push({ t_ms, source: 'themis', kind: 'memory_verified', detail: { md5: after } });
      }
      return r;
    },
  };
}
