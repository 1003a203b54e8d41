/**
 * The guest image's contract with every orchestrator that powers it off: once it answers probes, an ACPI power-button
 * press is heard. A press that reaches the kernel before the watcher has the input device open is lost for good (the
 * kernel keeps no events for later readers), and the guest then ignores the power-off — OpenNebula waits its
 * 180 s SHUTDOWN_TIMEOUT (seen in the lab cloud). Real QEMU, the real image and the backend's prober, in a network
 * namespace of the test's own with a tap (198.18.77.0/24).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monoMs } from '../../../backends/shared/exec.js';
import { ensureGuestImage, type GuestImage } from '../../../backends/shared/guest/image.js';
import { ProberProcess } from '../../../backends/qemu/prober-process.js';
import { QmpClient } from '../../../backends/qemu/qmp.js';
import { listNamespaces } from '../../support/netns.js';

const isRoot = process.getuid?.() === 0;
if (process.env.CI === 'true' && !isRoot) throw new Error('the guest image tests need root in CI (namespaces, taps, QEMU)');

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' });
const GUEST_MAC = '52:54:00:18:77:10';

function exitOf(p: ChildProcess, timeout_ms: number): Promise<number | null> {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve(Date.now());
  return new Promise((resolve) => {
    const limit = setTimeout(() => resolve(null), timeout_ms);
    p.once('exit', () => { clearTimeout(limit); resolve(Date.now()); });
  });
}

describe.runIf(isRoot)('the guest powers off when asked as soon as it answers', () => {
  const ns = `thpb${process.pid}`;
  let image: GuestImage;
  let dir: string;
  const started: ChildProcess[] = [];
  beforeAll(async () => {
    image = await ensureGuestImage();
    dir = mkdtempSync(join(tmpdir(), 'themis-powerbtn-'));
    ip('netns', 'add', ns);
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    ip('-n', ns, 'tuntap', 'add', 'dev', 'tap0', 'mode', 'tap');
    ip('-n', ns, 'addr', 'add', '198.18.77.1/24', 'dev', 'tap0');
    ip('-n', ns, 'link', 'set', 'tap0', 'up');
    // Known in advance, so the first probe after the responder starts is answered at once (no ARP retry delay):
    // the test presses the button as early as any orchestrator could.
    ip('-n', ns, 'neigh', 'replace', '198.18.77.10', 'lladdr', GUEST_MAC, 'dev', 'tap0', 'nud', 'permanent');
  }, 300_000);
  afterAll(() => {
    for (const p of started) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    try { ip('netns', 'delete', ns); } catch { /* not created */ }
    rmSync(dir, { recursive: true, force: true });
    expect(listNamespaces()).not.toContain(ns);
  });

  it.each([0, 1, 2])('boot %i: a press right after the first answer powers it off', async (i) => {
    const qmpPath = join(dir, `qmp${i}.sock`);
    const consolePath = join(dir, `console${i}.log`);
    const qemu = spawn('ip', ['netns', 'exec', ns, 'qemu-system-x86_64',
      '-accel', 'tcg', '-machine', 'pc', '-m', '256', '-smp', '1', '-nodefaults', '-no-user-config', '-display', 'none',
      '-kernel', image.kernel, '-initrd', image.initrd, '-append', 'console=ttyS0 quiet panic=-1 themis.ip=198.18.77.10/24',
      '-chardev', `file,id=con,path=${consolePath}`, '-serial', 'chardev:con',
      '-netdev', 'tap,id=n0,ifname=tap0,script=no,downscript=no', '-device', `virtio-net-pci,netdev=n0,mac=${GUEST_MAC},romfile=`,
      '-qmp', `unix:${qmpPath},server=on,wait=off`,
    ], { stdio: 'ignore' });
    started.push(qemu);
    const qmp = await QmpClient.connect(qmpPath);
    const prober = new ProberProcess(image.prober, ns, '198.18.77.10', 5, 60, join(dir, `probes${i}.txt`));
    prober.start();
    let pressedAt = 0;
    try {
      expect(await prober.waitReply(monoMs(), 45_000), 'the guest never answered').toBe(true);
      // at once: the old image lost presses made within ~100 ms of its first answer
      pressedAt = Date.now();
      await qmp.execute('system_powerdown');
    } finally {
      await prober.stop();
    }
    const offAt = await exitOf(qemu, 10_000);
    qmp.close();
    expect(readFileSync(consolePath, 'utf8')).toContain('themis-powerbtn: power button pressed');
    expect(offAt, 'QEMU still running 10 s after the press').not.toBeNull();
    expect(offAt! - pressedAt).toBeLessThan(10_000);
  }, 120_000);
});
