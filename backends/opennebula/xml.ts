/**
 * OpenNebula's XML documents (one.vm.info, one.vmpool.info, one.hostpool.info) parsed into typed objects.
 * fast-xml-parser does the parsing; the shapes are then checked with zod, so a surprising answer is a clear
 * error here rather than an `undefined` deep in the backend. Tags are read as text (parseTagValue: false) and
 * converted field by field, because OpenNebula writes numbers, names and CDATA alike.
 */
import { XMLParser } from 'fast-xml-parser';
import { z } from 'zod';

/** Elements that can repeat; fast-xml-parser would otherwise give an object for one and an array for two. */
const ARRAY_PATHS = new Set([
  'VM_POOL.VM',
  'HOST_POOL.HOST',
  'VM.HISTORY_RECORDS.HISTORY',
  'VM_POOL.VM.HISTORY_RECORDS.HISTORY',
  'VM.TEMPLATE.NIC',
  'VM_POOL.VM.TEMPLATE.NIC',
  'HOST_POOL.HOST.VMS.ID',
]);

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  isArray: (_name, jpath) => ARRAY_PATHS.has(String(jpath)),
});

const text = z.union([z.string(), z.number()]).transform((v) => String(v));
const int = text.pipe(z.string().regex(/^-?\d+$/, 'an integer')).transform((v) => Number.parseInt(v, 10));
const optionalText = z.union([text, z.literal(''), z.undefined()]).optional();
/** A template section: a map of names to text (nested sections are kept as they are). */
const section = z.union([z.record(z.string(), z.unknown()), z.literal('')]).optional();

const historySchema = z.object({
  SEQ: int,
  HOSTNAME: text,
  HID: int,
  CID: int.optional(),
  DS_ID: int.optional(),
  STIME: int,
  ETIME: int,
  PSTIME: int,
  PETIME: int,
  RSTIME: int,
  RETIME: int,
  ESTIME: int,
  EETIME: int,
  ACTION: int,
  // Older servers only: 7.x dropped REASON from HISTORY.
  REASON: int.optional(),
});

const vmSchema = z.object({
  ID: int,
  NAME: text,
  STATE: int,
  LCM_STATE: int,
  TEMPLATE: z
    .object({ CONTEXT: section, NIC: z.array(z.record(z.string(), z.unknown())).optional() })
    .loose()
    .optional(),
  // An empty element parses as '' — the same as no records.
  HISTORY_RECORDS: z.preprocess((v) => (v === '' ? {} : v), z.object({ HISTORY: z.array(historySchema).optional() })).optional(),
});

const hostSchema = z.object({
  ID: int,
  NAME: text,
  STATE: int,
  CLUSTER_ID: int,
  CLUSTER: optionalText,
  IM_MAD: optionalText,
  VM_MAD: optionalText,
});

/** One HISTORY record: one stay of the VM on one host. Times are epoch seconds, 0 = not yet. */
export interface OneHistory {
  seq: number;
  hostname: string;
  hid: number;
  /** record open / closed */
  stime_s: number;
  etime_s: number;
  /** prolog (transfer) start / end */
  pstime_s: number;
  petime_s: number;
  /** running start / end: RSTIME > 0 means the VM has started running on this host */
  rstime_s: number;
  retime_s: number;
  /** epilog start / end */
  estime_s: number;
  eetime_s: number;
  /** action that closed the record: 1 migrate (save), 2 live-migrate, 48 poweroff-migrate, 49 poweroff-hard-migrate */
  action: number;
  /** 0 none, 1 error, 2 user; null on servers that no longer send it (7.x) */
  reason: number | null;
}

export interface OneNic {
  ip: string | null;
  ip6: string | null;
  mac: string | null;
  network: string | null;
}

export interface OneVm {
  id: number;
  name: string;
  state: number;
  lcm_state: number;
  /** CONTEXT variables (empty in one.vmpool.info, which sends a reduced template) */
  context: Record<string, string>;
  nics: OneNic[];
  history: OneHistory[];
}

export interface OneHost {
  id: number;
  name: string;
  state: number;
  cluster_id: number;
  cluster: string;
  im_mad: string;
  vm_mad: string;
}

export class OneXmlError extends Error {
  override readonly name = 'OneXmlError';
}

function parseRoot(xml: string, root: string): unknown {
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(xml) as Record<string, unknown>;
  } catch (e) {
    throw new OneXmlError(`OpenNebula answered with XML that does not parse: ${(e as Error).message}`);
  }
  if (!(root in doc)) throw new OneXmlError(`expected a <${root}> document, got <${Object.keys(doc).join(', ')}>`);
  return doc[root];
}

/** The entries of a pool document (<VM_POOL><VM/>…</VM_POOL>); an empty pool parses as ''. */
function poolEntries(xml: string, root: string, entry: string): unknown[] {
  const pool = parseRoot(xml, root);
  if (pool === '' || pool === null || pool === undefined) return [];
  return (pool as Record<string, unknown[] | undefined>)[entry] ?? [];
}

function check<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new OneXmlError(`unexpected ${what} from OpenNebula: ${z.prettifyError(r.error)}`);
  return r.data;
}

function stringMap(v: unknown): Record<string, string> {
  if (v === undefined || v === null || v === '' || typeof v !== 'object') return {};
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean') out[k] = String(x);
  }
  return out;
}

function nicOf(raw: Record<string, unknown>): OneNic {
  const m = stringMap(raw);
  return { ip: m.IP || null, ip6: m.IP6 || m.IP6_GLOBAL || null, mac: m.MAC || null, network: m.NETWORK || null };
}

function historyOf(h: z.output<typeof historySchema>): OneHistory {
  return {
    seq: h.SEQ,
    hostname: h.HOSTNAME,
    hid: h.HID,
    stime_s: h.STIME,
    etime_s: h.ETIME,
    pstime_s: h.PSTIME,
    petime_s: h.PETIME,
    rstime_s: h.RSTIME,
    retime_s: h.RETIME,
    estime_s: h.ESTIME,
    eetime_s: h.EETIME,
    action: h.ACTION,
    reason: h.REASON ?? null,
  };
}

/** A pool entry: one.vmpool.info sends short HISTORY records (no times), so they are not read from it. */
const vmBriefSchema = vmSchema.omit({ HISTORY_RECORDS: true });

function vmOf(raw: unknown): OneVm {
  const v = check(vmSchema, raw, 'VM document');
  const history = v.HISTORY_RECORDS?.HISTORY ?? [];
  return {
    id: v.ID,
    name: v.NAME,
    state: v.STATE,
    lcm_state: v.LCM_STATE,
    context: stringMap(v.TEMPLATE?.CONTEXT),
    nics: (v.TEMPLATE?.NIC ?? []).map(nicOf),
    history: history.map(historyOf).sort((a, b) => a.seq - b.seq),
  };
}

/** The answer of one.vm.info. */
export function parseVm(xml: string): OneVm {
  return vmOf(parseRoot(xml, 'VM'));
}

/** The answer of one.vmpool.info (entries without HISTORY: read a VM with one.vm.info for those). */
export function parseVmPool(xml: string): OneVm[] {
  return poolEntries(xml, 'VM_POOL', 'VM').map((raw) => {
    const v = check(vmBriefSchema, raw, 'VM_POOL entry');
    return {
      id: v.ID,
      name: v.NAME,
      state: v.STATE,
      lcm_state: v.LCM_STATE,
      context: stringMap(v.TEMPLATE?.CONTEXT),
      nics: (v.TEMPLATE?.NIC ?? []).map(nicOf),
      history: [],
    };
  });
}

/** The answer of one.hostpool.info. */
export function parseHostPool(xml: string): OneHost[] {
  return poolEntries(xml, 'HOST_POOL', 'HOST').map((raw) => {
    const h = check(hostSchema, raw, 'HOST document');
    return {
      id: h.ID,
      name: h.NAME,
      state: h.STATE,
      cluster_id: h.CLUSTER_ID,
      cluster: h.CLUSTER ?? '',
      im_mad: h.IM_MAD ?? '',
      vm_mad: h.VM_MAD ?? '',
    };
  });
}

/** The last HISTORY record (the VM's current or latest placement), or null before the first deploy. */
export function lastHistory(vm: OneVm): OneHistory | null {
  return vm.history.length === 0 ? null : vm.history[vm.history.length - 1];
}
