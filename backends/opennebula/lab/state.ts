/**
 * The lab's state file (<state_dir>/state.json): what `up` made, so that `status` and `down` know it. `down`
 * never depends on it alone — namespaces are also found by name prefix and processes by namespace.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

export const LabStateSchema = z.object({
  prefix: z.string(),
  state_dir: z.string(),
  hosts: z.number().int(),
  namespaces: z.array(z.string()),
  one_xmlrpc: z.string(),
  one_auth: z.string(),
  oned_pid: z.number().int(),
  host_ids: z.array(z.number().int()),
  vnet_id: z.number().int().nullable(),
  vm: z.object({ template_id: z.number().int(), vm_id: z.number().int(), address: z.string() }).nullable(),
  supervisor: z.object({ template_id: z.number().int(), vm_id: z.number().int(), address: z.string() }).nullable(),
  ssh: z.object({ key_file: z.string(), known_hosts: z.string() }),
  up_ms: z.number(),
  created_at: z.string(),
});
export type LabState = z.infer<typeof LabStateSchema>;

export const stateFile = (state_dir: string) => path.join(state_dir, 'state.json');

export async function readState(state_dir: string): Promise<LabState | null> {
  let text: string;
  try {
    text = await readFile(stateFile(state_dir), 'utf8');
  } catch {
    return null;
  }
  const parsed = LabStateSchema.safeParse(JSON.parse(text));
  return parsed.success ? parsed.data : null;
}

export async function writeState(s: LabState): Promise<void> {
  await writeFile(stateFile(s.state_dir), JSON.stringify(s, null, 2) + '\n');
}
