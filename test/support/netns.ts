/**
 * What a qemu lab could leave behind, for tests that prove it left nothing: its network namespaces, QEMU or
 * prober processes started with its run folder, the run folder itself, and tap devices in the root namespace.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';

export interface Leftovers {
  namespaces: string[];
  processes: { pid: number; cmdline: string }[];
  runDirExists: boolean;
  rootTaps: string[];
}

export function listNamespaces(): string[] {
  const out = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((l) => l.split(/\s+/)[0])
    .filter((n): n is string => Boolean(n));
}

/** Processes whose command line mentions `marker` (a lab's run folder or namespace prefix). */
export function processesMentioning(marker: string): { pid: number; cmdline: string }[] {
  const out: { pid: number; cmdline: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
      if (cmdline.includes(marker)) out.push({ pid: Number(entry), cmdline });
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

export function rootTapDevices(): string[] {
  const out = execFileSync('ip', ['-o', 'link', 'show', 'type', 'tun'], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((l) => l.split(':')[1]?.trim())
    .filter((n): n is string => Boolean(n));
}

export function labLeftovers(namespaces: readonly string[], runDir: string): Leftovers {
  const present = new Set(listNamespaces());
  return {
    namespaces: namespaces.filter((n) => present.has(n)),
    processes: [...processesMentioning(runDir), ...namespaces.flatMap((n) => processesMentioning(` ${n} `))],
    runDirExists: existsSync(runDir),
    rootTaps: rootTapDevices(),
  };
}
