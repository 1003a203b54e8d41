/**
 * The architecture's import rule as data: which layer may import which. A layer imports itself and what its
 * row lists; anything else is a violation. Files are given to the checker as repository-relative paths.
 */

/** Lowest first. Siblings share a level and may not import each other unless their row says so. */
export const LAYERS = [
  'core',
  'simulator',
  'backends/shared',
  'backends/qemu',
  'backends/opennebula',
  'backends/registry',
  'calibration',
  'reports',
  'bench',
  'app',
] as const;
export type Layer = (typeof LAYERS)[number];

const BELOW_BACKENDS: readonly Layer[] = ['core', 'simulator', 'backends/shared'];
const BACKENDS: readonly Layer[] = [...BELOW_BACKENDS, 'backends/qemu', 'backends/opennebula', 'backends/registry'];

/** The one table of allowed edges: layer → the other layers it may import. */
export const ALLOWED: Readonly<Record<Layer, readonly Layer[]>> = {
  core: [],
  simulator: ['core'],
  'backends/shared': ['core', 'simulator'],
  // siblings: neither real backend imports the other; what both need lives in backends/shared
  'backends/qemu': BELOW_BACKENDS,
  'backends/opennebula': BELOW_BACKENDS,
  // loads a backend by name, lazily
  'backends/registry': [...BELOW_BACKENDS, 'backends/qemu', 'backends/opennebula'],
  // siblings: calibration and reports do not import each other
  calibration: BACKENDS,
  reports: BACKENDS,
  // the programs on top: the bench measures everything, the CLI included; the app never imports the bench
  bench: [...BACKENDS, 'calibration', 'reports', 'app'],
  app: [...BACKENDS, 'calibration', 'reports'],
};

/** The source folders the rule covers (every .ts file under them belongs to a layer). */
export const SOURCE_FOLDERS = ['core', 'simulator', 'backends', 'calibration', 'reports', 'bench', 'app'] as const;

/** The layer of a repository-relative path, or null when it is in none (tests, scripts, outside the repo). */
export function layerOf(path: string): Layer | null {
  const p = path.replaceAll('\\', '/');
  if (p === 'backends/registry.ts' || p === 'backends/registry.js') return 'backends/registry';
  for (const layer of ['backends/shared', 'backends/qemu', 'backends/opennebula'] as const) {
    if (p.startsWith(`${layer}/`)) return layer;
  }
  if (p.startsWith('backends/')) return null;
  const top = p.split('/')[0];
  return (LAYERS as readonly string[]).includes(top) ? (top as Layer) : null;
}

/** One import found in a source file: `target` is the imported file, repository-relative. */
export interface ImportEdge {
  file: string;
  line: number;
  specifier: string;
  /** null when the import is not a string literal (a computed `import(x)`): the rule cannot check it */
  target: string | null;
}

export interface Violation {
  edge: ImportEdge;
  reason: string;
}

export function violations(edges: readonly ImportEdge[]): Violation[] {
  const out: Violation[] = [];
  for (const edge of edges) {
    const from = layerOf(edge.file);
    if (from === null) {
      out.push({ edge, reason: `${edge.file} belongs to no layer: add its folder to LAYERS` });
      continue;
    }
    if (edge.target === null) {
      out.push({ edge, reason: 'a computed import cannot be checked: import a string literal' });
      continue;
    }
    const to = layerOf(edge.target);
    if (to === null) out.push({ edge, reason: `${from} imports ${edge.target}, which belongs to no layer` });
    else if (to !== from && !ALLOWED[from].includes(to)) out.push({ edge, reason: `${from} may not import ${to}` });
  }
  return out;
}

export function formatViolation(v: Violation): string {
  return `${v.edge.file}:${v.edge.line}: import '${v.edge.specifier}': ${v.reason}`;
}
