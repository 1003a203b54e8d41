/**
 * `cold` and `cold-hard`: the VM is powered off at the source (cold: graceful ACPI shutdown of shutdown_s;
 * cold-hard: destroyed at once), its disk is copied when storage is not shared (disk_gib at the link rate
 * — scp/rsync by the orchestrator's transfer manager, not QEMU, so max-bandwidth does not apply), then it
 * boots at the destination (boot_s) and the probe agent starts (agent_start_s). Downtime runs from the
 * shutdown to the agent answering. Shutdown and boot vary between repetitions by boot_jitter_share.
 * A link failure during the disk copy aborts the move: the VM boots again at the source.
 */

/** Shutdown time: none for cold-hard (virsh destroy), else shutdown_s scaled by its seeded jitter. */
export function shutdownMs(hard: boolean, shutdownS: number, jitter: number): number {
  return hard ? 0 : shutdownS * 1000 * jitter;
}

export function bootMs(bootS: number, jitter: number): number {
  return bootS * 1000 * jitter;
}

export function diskCopyBytes(sharedStorage: boolean, diskGiB: number, gibBytes: number): number {
  return sharedStorage ? 0 : diskGiB * gibBytes;
}
