/**
 * The migration modes and what each one means, in one table. Every backend, the simulator and the reports
 * ask this table (`MODE_PROPERTIES[mode].reboots`, …) instead of testing a mode's name, and the order in
 * which reports list modes is the table's. `MODES` and the `Mode` type (core/spec/parameters.ts) derive
 * from it. Pure data, no imports: the simulator's worker threads load it.
 */

export interface ModeProperties {
  /** One line: what the mode does. */
  meaning: string;
  /** Pre-copy rounds run while the VM keeps running at the source (live, hybrid). */
  precopy: boolean;
  /** The VM runs at the destination while its remaining memory is fetched from the source (postcopy, hybrid). */
  postcopy_phase: boolean;
  /** The VM is stopped for the whole move, from the start of the move until it runs at the destination. */
  paused_throughout: boolean;
  /** The guest is shut down at the source and boots at the destination: its memory does not move. */
  reboots: boolean;
  /** reboots only: the guest shuts itself down (ACPI power button) instead of having its power cut. */
  graceful_shutdown: boolean;
  /** A QEMU migration stream carries the VM's memory and device state to the destination. */
  migration_stream: boolean;
  /** Position in reports and figures (live first … cold-hard last). */
  order: number;
}

const TABLE = {
  live: {
    meaning: 'pre-copy: memory is copied in rounds while the VM runs, then a short stop copies the rest',
    precopy: true,
    postcopy_phase: false,
    paused_throughout: false,
    reboots: false,
    graceful_shutdown: false,
    migration_stream: true,
    order: 0,
  },
  postcopy: {
    meaning: 'post-copy from the start: the VM moves at once and fetches its memory from the source on demand',
    precopy: false,
    postcopy_phase: true,
    paused_throughout: false,
    reboots: false,
    graceful_shutdown: false,
    migration_stream: true,
    order: 1,
  },
  hybrid: {
    meaning: 'pre-copy for postcopy_after_rounds rounds, then post-copy',
    precopy: true,
    postcopy_phase: true,
    paused_throughout: false,
    reboots: false,
    graceful_shutdown: false,
    migration_stream: true,
    order: 2,
  },
  suspend: {
    meaning: 'the VM is paused, its whole memory sent, and it continues at the destination',
    precopy: false,
    postcopy_phase: false,
    paused_throughout: true,
    reboots: false,
    graceful_shutdown: false,
    migration_stream: true,
    order: 3,
  },
  cold: {
    meaning: 'the guest shuts down at the source and boots at the destination',
    precopy: false,
    postcopy_phase: false,
    paused_throughout: true,
    reboots: true,
    graceful_shutdown: true,
    migration_stream: false,
    order: 4,
  },
  'cold-hard': {
    meaning: "the guest's power is cut at the source and it boots at the destination",
    precopy: false,
    postcopy_phase: false,
    paused_throughout: true,
    reboots: true,
    graceful_shutdown: false,
    migration_stream: false,
    order: 5,
  },
} as const satisfies Record<string, ModeProperties>;

export type Mode = keyof typeof TABLE;

export const MODE_PROPERTIES: Readonly<Record<Mode, Readonly<ModeProperties>>> = TABLE;

/** Every mode, in the table's order (a tuple, so zod's enum and the Mode type derive from it). */
export const MODES = (Object.keys(TABLE) as Mode[]).sort((a, b) => TABLE[a].order - TABLE[b].order) as unknown as readonly [
  Mode,
  ...Mode[],
];

export function isMode(mode: string): mode is Mode {
  return Object.prototype.hasOwnProperty.call(TABLE, mode);
}

/** The report position of a mode by its name; names that are no mode come after every mode. */
export function modeRank(mode: string): number {
  return isMode(mode) ? TABLE[mode].order : MODES.length;
}

/** The modes that have a property, in order (e.g. the modes that pre-copy, for the convergence map). */
export function modesWhere(property: Exclude<keyof ModeProperties, 'meaning' | 'order'>): Mode[] {
  return MODES.filter((m) => TABLE[m][property]);
}
