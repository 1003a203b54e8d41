/**
 * Telling a migration that cannot converge from one that stopped moving. Both reach `timeout_s` and are
 * cancelled, but they are different findings: `not_converged` is a stream that kept sending while the guest
 * dirtied memory faster; a stream that sent nothing for the last STALL_MS (the migration link down, the
 * destination not reading) is a `timeout`. QEMU itself does not notice a dead peer: its socket write blocks
 * while TCP retransmits (tcp_retries2, ~15 min), so `ram.transferred` (bytes QEMU's QEMUFile wrote,
 * migration/ram.c) simply stops growing; that is what is measured here, from the query-migrate samples.
 */
import type { MigrateSample } from './rounds.js';

/** No byte moved for this long before the cancel: the stream was stalled, not merely behind. */
export const STALL_MS = 2_000;

/** ms between the last sample and the last one whose `ram.transferred` grew (0 when it grew at the last one). */
export function msWithoutProgress(samples: readonly MigrateSample[]): number {
  const last = samples.at(-1);
  if (!last) return 0;
  const bytes = (s: MigrateSample): number | undefined => s.info.ram?.transferred;
  const finalBytes = bytes(last);
  if (finalBytes === undefined) return 0;
  for (let i = samples.length - 2; i >= 0; i--) {
    const b = bytes(samples[i]);
    if (b === undefined || b < finalBytes) return last.t_ms - samples[i + 1].t_ms;
  }
  return last.t_ms - samples[0].t_ms;
}
