/**
 * Source-MAC learning, shared by the bridge (l2-announce) and the VTEP (vxlan-learn) designs: a forwarding
 * entry moves when a frame from the VM arrives from its new place, or — when the VM sends nothing the
 * network can see — when the stale entry ages out `ageingS` after the VM's last frame at the source, after
 * which the next probe is flooded and the VM's reply is learned. Learning itself takes `learnMs`.
 */
export function learnedAtMs(moveAtMs: number, firstFrameAtMs: number, lastFrameAtSourceMs: number, ageingS: number, learnMs: number): number {
  const from = Number.isNaN(firstFrameAtMs) ? Math.max(moveAtMs, lastFrameAtSourceMs + ageingS * 1000) : firstFrameAtMs;
  return from + learnMs;
}
