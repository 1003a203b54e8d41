/**
 * `suspend`: the VM is stopped, its whole state streamed to the destination and restored there — what
 * OpenNebula's non-live `onevm migrate` does through libvirt save/restore (virDomainSave → QEMU migration to
 * a file, then an incoming migration from it). The stream uses QEMU's page format (zero pages as 9-byte
 * headers, migration/ram.c) and runs without a rate limit (libvirt lifts max-bandwidth for save), so it
 * moves at line rate. The VM is paused from the start of the save until the restore resumes it.
 * Simplification: save and restore overlap as one stream over the link — one 'stopcopy' phase, as the qemu
 * backend records a suspend — and no file system in between.
 */
import type { Scratch } from './scratch.js';

/** Bytes of the saved state: every page in QEMU's format plus the device state. */
export function suspendBytes(s: Scratch, deviceStateBytes: number): number {
  return s.firstPassBytes + deviceStateBytes;
}
