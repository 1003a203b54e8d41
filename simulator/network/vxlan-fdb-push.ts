/**
 * VXLAN with FDB entries pushed by a controller (learning off; e.g. OpenNebula's or an SDN controller's
 * `bridge fdb replace` on every host, or EVPN-like distribution). After the VM resumes at the destination
 * the controller reacts in controller_latency_ms (seeded jitter controller_jitter_share), then updates the
 * hosts one after another, fdb_update_per_host_ms each. The supervisor's host is taken to be the LAST of
 * the `hosts` updated — the worst case, and the one a uniform push order reaches on average only at
 * (hosts + 1)/2; announces do not help since remote VTEPs do not learn.
 */

export function fdbPushReconvergedAtMs(
  moveAtMs: number,
  controllerLatencyMs: number,
  controllerJitter: number,
  hosts: number,
  perHostMs: number,
): number {
  return moveAtMs + controllerLatencyMs * controllerJitter + hosts * perHostMs;
}
