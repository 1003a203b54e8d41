/**
 * The page: three small hand-written files in app/workbench/page/, read once at start, and /palette.css made
 * from the reports' palette (palette-css.ts). tsc compiles only .ts, so
 * from dist/app/workbench/ the files are found in the source tree (../../../app/workbench/page/), from sources
 * next door.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { paletteCss } from './palette-css.js';

export interface Asset {
  body: string;
  type: string;
}

const FILES: Record<string, string> = {
  '/': 'index.html',
  '/app.js': 'app.js',
  '/style.css': 'style.css',
};

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};

function pageDir(): string {
  const candidates = [new URL('./page/', import.meta.url), new URL('../../../app/workbench/page/', import.meta.url)];
  const found = candidates.map((u) => fileURLToPath(u)).find((d) => existsSync(`${d}index.html`));
  if (!found) throw new Error(`workbench page files not found (looked in ${candidates.map((u) => fileURLToPath(u)).join(', ')})`);
  return found;
}

/** URL path → file contents and content type. */
export function loadAssets(): Map<string, Asset> {
  const dir = pageDir();
  const out = new Map<string, Asset>();
  for (const [url, file] of Object.entries(FILES)) {
    out.set(url, { body: readFileSync(dir + file, 'utf8'), type: TYPES[file.split('.').pop() ?? 'html'] });
  }
  out.set('/palette.css', { body: paletteCss(), type: TYPES.css });
  return out;
}
