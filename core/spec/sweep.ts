/**
 * The sweep file: fixed parameters, axes that vary them, repetitions, seed, backend and backend options.
 * This zod schema is the single definition; `themis schema` and sweeps/schema.json are generated from it.
 */
import { z } from 'zod';
import { BACKEND_NAMES } from '../backend.js';
import { parameterValueDefs, typedAxisJsonSchema } from './axes-json-schema.js';
import { trialParametersSchema } from './parameters.js';

/**
 * The fixed parameters as the file sets them, with no default filled in. zod 4's `.partial()` still applies each
 * field's inner default, which put every default into every point's values — so point ids, seeds and
 * `points.params` changed whenever Themis added a parameter or changed a default. Defaults are applied per point
 * by the plan (plan.ts parameterResolver); the JSON Schema still shows them.
 */
const fixedParametersSchema = z.strictObject(
  Object.fromEntries(
    Object.entries(trialParametersSchema.shape).map(([name, field]) => {
      const inner: z.ZodType = field instanceof z.ZodDefault ? (field.removeDefault() as z.ZodType) : field;
      const meta = { description: field.description, ...(field instanceof z.ZodDefault ? { default: field.def.defaultValue } : {}) };
      return [name, inner.optional().meta(meta)];
    }),
  ),
) as unknown as ReturnType<typeof trialParametersSchema.partial>;

/**
 * Axis values are checked against their parameter's schema later (load.ts checkAxes; plan.ts parses each point), so here they
 * are loose; the JSON Schema types them per parameter (axes-json-schema.ts).
 */
const axisValue = z.union([z.string(), z.number(), z.boolean()]);
const axisValues = z.array(axisValue).min(1, 'an axis needs at least one value');

const randomRange = z.union([
  z.strictObject({
    min: z.number(),
    max: z.number(),
    scale: z.enum(['linear', 'log']).default('linear'),
    integer: z.boolean().default(false),
  }),
  z.strictObject({ choice: axisValues }),
]);

export const axisSchema = z.union([
  z.strictObject({ grid: z.record(z.string(), axisValues).describe('Every combination of the listed values') }),
  z.strictObject({ zip: z.record(z.string(), axisValues).describe('Lists of equal length, taken element by element') }),
  z.strictObject({
    list: z
      .array(z.record(z.string(), axisValue))
      .min(1, 'a list axis needs at least one point')
      .describe('Explicit points, each a map of parameter values'),
  }),
  z.strictObject({
    random: z.strictObject({
      seed: z.number().int().nonnegative().describe('Seed of this axis (independent of the campaign seed)'),
      count: z.number().int().positive(),
      ranges: z.record(z.string(), randomRange).describe('Per parameter: {min, max, scale, integer} or {choice: [...]}'),
    }),
  }),
]);
export type Axis = z.output<typeof axisSchema>;

export const qemuOptionsSchema = z
  .strictObject({
    accelerator: z.enum(['auto', 'kvm', 'tcg']).default('tcg').describe('kvm hangs on some hosts; auto tries kvm then tcg'),
    vcpus: z.number().int().positive().default(1),
    verify_memory: z.boolean().default(true).describe("Checksum the guest's memory after each migration"),
    guest_cache_dir: z.string().optional().describe('Where the guest image is built and cached'),
    trial_timeout_s: z.number().positive().default(180),
  })
  .default({ accelerator: 'tcg', vcpus: 1, verify_memory: true, trial_timeout_s: 180 });

export const opennebulaOptionsSchema = z
  .strictObject({
    themis_user: z.string().min(1).describe('Value of THEMIS_USER in the context of the VMs to use'),
    lab: z
      .boolean()
      .default(false)
      .describe("The lab cloud (themis lab cloud up): endpoint from its state, plus libvirt's live downtime and a memory check"),
    destinations: z.union([z.literal('round-robin'), z.array(z.number().int().nonnegative())]).default('round-robin'),
    datastore_id: z.number().int().default(-1),
    enforce_capacity: z.boolean().default(false),
    poll_interval_ms: z.number().positive().default(100),
    trial_timeout_s: z.number().positive().default(300),
    probe: z.enum(['themis-prober', 'iperf3']).default('themis-prober'),
    probe_port: z.number().int().positive().default(5201).describe('Port of the probe agent (iperf3 server) on the VM under test'),
    recover_on_timeout: z
      .boolean()
      .default(true)
      .describe('After a timeout, tell oned the migration failed (one.vm.recover failure) so the VM returns to its source'),
    recover: z
      .enum(['retry', 'stop'])
      .default('retry')
      .describe('A VM found in BOOT_FAILURE / BOOT_MIGRATE_FAILURE before a trial: retry (one.vm.recover retry, wait RUNNING) or stop the campaign (exit 3)'),
    outage_wait_s: z
      .number()
      .positive()
      .default(120)
      .describe('How long oned may be unreachable (retries back off 1 s ×2 up to 10 s) before the campaign stops as interrupted (exit 3)'),
    idle_wait_s: z
      .number()
      .positive()
      .default(60)
      .describe('How long a VM found migrating before a trial (a restarted oned, an abandoned migration) may take to be RUNNING before it is recovered'),
    ssh: z
      .strictObject({
        user: z.string().default('root'),
        port: z.number().int().positive().default(22),
        key_file: z.string().optional().describe('Private key file; otherwise the SSH agent (SSH_AUTH_SOCK)'),
        known_hosts: z.string().optional().describe('Default ~/.ssh/known_hosts'),
        accept_new_host_keys: z.boolean().default(false),
        jump_host: z.string().optional().describe('user@host[:port] of a jump host, e.g. the front-end'),
      })
      .default({ user: 'root', port: 22, accept_new_host_keys: false }),
  })
  .optional();

export const sweepSchema = z.strictObject({
  name: z
    .string()
    // A file name part (results/<name>.duckdb, shards add ~20 characters): at most 100 characters of a safe set
    .max(100)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, dot, dash and underscore')
    .describe('Campaign name; also the default file name of its results'),
  description: z.string().optional(),
  backend: z.enum(BACKEND_NAMES).default('simulator'),
  seed: z.number().int().nonnegative().default(1).describe('Campaign seed: every trial seed derives from it'),
  repetitions: z.number().int().positive().default(1),
  parameters: fixedParametersSchema.default({}).describe('Fixed parameters of every point'),
  axes: z.array(axisSchema).default([]).describe('Axes, combined as a cartesian product in this order'),
  store: z
    .strictObject({
      rounds: z.enum(['all', 'failed', 'none']).default('all').describe('Which trials keep their per-round rows'),
      probe_gaps: z.enum(['all', 'failed', 'none']).default('all'),
      events: z.enum(['all', 'failed', 'none']).default('all'),
    })
    .default({ rounds: 'all', probe_gaps: 'all', events: 'all' }),
  qemu: qemuOptionsSchema,
  opennebula: opennebulaOptionsSchema,
});

export type SweepSpec = z.output<typeof sweepSchema>;
export type QemuOptions = z.output<typeof qemuOptionsSchema>;
export type OpenNebulaOptions = NonNullable<z.output<typeof opennebulaOptionsSchema>>;

/** A validated sweep plus where it came from. */
export interface CampaignSpec {
  readonly sweep: SweepSpec;
  /** The file's text, stored verbatim with the campaign. */
  readonly source_yaml: string;
  readonly source_sha256: string;
  readonly source_path: string;
}

/** JSON Schema of the sweep file, for editors and `themis schema`. */
export function sweepJsonSchema(): Record<string, unknown> {
  type Json = Record<string, unknown>;
  const schema = z.toJSONSchema(sweepSchema, { io: 'input', unrepresentable: 'any' }) as Json;
  const properties = schema.properties as Record<string, Json>;
  const parameters = properties.parameters.properties as Record<string, Json>;
  const axes = properties.axes;
  const random = ((axes.items as { anyOf: Json[] }).anyOf[3].properties as Record<string, Json>).random;
  // Axis values typed per parameter (axes-json-schema.ts), as `themis check` checks them.
  const typedAxes = { ...axes, items: typedAxisJsonSchema(parameters, random) };
  return { ...schema, properties: { ...properties, axes: typedAxes }, $defs: parameterValueDefs(parameters, random), $id: 'https://themis.dev/schema/sweep.json', title: 'Themis sweep file' };
}
