/**
 * The browser builds of vega, vega-lite and vega-embed, read from node_modules so the report works offline
 * and matches the versions the specs were written for. Read once per process.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/**
 * The package's root directory (its `exports` may hide build/ from require.resolve): the nearest ancestor
 * that is `node_modules/<name>` (vega-lite ships a second package.json inside build/).
 */
export function packageDir(name: string): string {
  let dir = dirname(require.resolve(name));
  for (;;) {
    const pj = join(dir, 'package.json');
    if (existsSync(pj) && dir.endsWith(join('node_modules', name))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the package directory of ${name}`);
    dir = up;
  }
}

export const LIBRARY_FILES = [
  ['vega', 'build/vega.min.js'],
  ['vega-lite', 'build/vega-lite.min.js'],
  ['vega-embed', 'build/vega-embed.min.js'],
] as const;

let cache: { name: string; version: string; code: string }[] | null = null;

export function browserLibraries(): { name: string; version: string; code: string }[] {
  if (cache) return cache;
  cache = LIBRARY_FILES.map(([name, file]) => {
    const dir = packageDir(name);
    const version = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
    return { name, version, code: readFileSync(join(dir, file), 'utf8') };
  });
  return cache;
}
