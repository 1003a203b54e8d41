/**
 * OpenNebula's own account of a migration, from the HISTORY records (whole seconds): the source's record closed by
 * the migration and the destination's record it opened. Kept next to Themis's polled ms timings, so the two can be
 * compared (and oned's clock checked) in SQL.
 */
import type { OneHistory } from './xml.js';

export interface OnedTimes {
  /** destination record opened (the request) → VM running there */
  total_s: number | null;
  /** prolog (transfer) on the destination */
  prolog_s: number | null;
  /** VM stopped running on the source → running on the destination (non-live modes) */
  stopped_s: number | null;
  /** epilog (clean-up) on the source */
  epilog_s: number | null;
  source_action: number | null;
}

const span = (from: number, to: number) => (from > 0 && to >= from ? to - from : null);

export function onedTimes(records: readonly OneHistory[], seq_before: number): OnedTimes {
  const source = records.find((h) => h.seq === seq_before) ?? null;
  const dest = records.find((h) => h.seq === seq_before + 1) ?? null;
  return {
    total_s: dest ? span(dest.stime_s, dest.rstime_s) : null,
    prolog_s: dest ? span(dest.pstime_s, dest.petime_s) : null,
    stopped_s: source && dest ? span(source.retime_s, dest.rstime_s) : null,
    epilog_s: source ? span(source.estime_s, source.eetime_s) : null,
    source_action: source ? source.action : null,
  };
}
