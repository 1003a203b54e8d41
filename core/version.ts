/** Themis's version and the repository root, found from this file whether it runs from source or from dist/. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'themis') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the themis package.json above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

export function themisVersion(): string {
  return (JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}
