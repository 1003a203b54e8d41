/** The built `themis` command run as a user runs it (npm test compiles dist/ first), in a given folder. */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

export const THEMIS = resolve('bin/themis.js');

export function themisCli(cwd: string, ...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [THEMIS, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
