/**
 * Backend by name. Each backend module is imported only when used, so the simulator never loads ssh2 or
 * the QEMU lab code.
 */
import type { Backend, BackendName } from '../core/backend.js';
import type { SweepSpec } from '../core/spec/sweep.js';

export async function createBackend(name: BackendName, sweep?: SweepSpec): Promise<Backend> {
  switch (name) {
    case 'simulator':
      return (await import('../simulator/backend.js')).createBackend();
    case 'qemu':
      return (await import('./qemu/backend.js')).createBackend();
    case 'opennebula':
      if (sweep?.opennebula?.lab) return (await import('./opennebula/lab/lab-backend.js')).createLabBackend();
      return (await import('./opennebula/backend.js')).createBackend();
  }
}
