/**
 * Output paths are checked before any work, so a run of an hour does not end in "cannot write the report":
 * the nearest existing folder of the path must be a writable directory on a real file system. Linux's virtual
 * file systems are refused by name of their type — on procfs and sysfs `mkdir -p` can block for ever on this
 * Node (seen: `mkdirSync('/proc/x', { recursive: true })` never returned), and nothing written there is a file.
 */
import { accessSync, constants, existsSync, statfsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../../core/errors.js';

/** statfs(2) f_type of the file systems that hold no files (linux/magic.h). */
const VIRTUAL_FILE_SYSTEMS: ReadonlyMap<number, string> = new Map([
  [0x9fa0, 'procfs'],
  [0x62656572, 'sysfs'],
  [0x64626720, 'debugfs'],
  [0x27e0eb, 'cgroupfs'],
  [0x63677270, 'cgroup2fs'],
]);

/** The nearest folder of `path` that exists (the path itself when it is one). */
function nearestExisting(path: string): string {
  let dir = resolve(path);
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/**
 * Throws a UsageError (exit 2) naming the option when `path` cannot be created or replaced: its nearest existing
 * ancestor is not a writable folder, is on a virtual file system, or the path is a folder where a file is expected.
 */
export function checkOutputPath(option: string, path: string, kind: 'file' | 'folder' = 'file'): void {
  const refuse = (why: string): never => {
    throw new UsageError(`${option} ${path}: cannot write there (${why})`);
  };
  const target = resolve(path);
  if (existsSync(target)) {
    const isDir = statSync(target).isDirectory();
    if (kind === 'file' && isDir) refuse('it is a folder; expected a file name');
    if (kind === 'folder' && !isDir) refuse('it is a file; expected a folder');
  }
  const dir = nearestExisting(dirname(target));
  if (!statSync(dir).isDirectory()) refuse(`${dir} is not a folder`);
  const fs = VIRTUAL_FILE_SYSTEMS.get(statfsSync(dir).type);
  if (fs !== undefined) refuse(`${dir} is on ${fs}, which holds no files`);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    refuse(`${dir} is not writable`);
  }
}
