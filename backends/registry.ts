/**
 * Backend by name. Each backend module is imported only when used, so the simulator never loads ssh2 or
 * the QEMU lab code.
 */
import type { Backend, BackendName } from '../core/backend.js';

export async function createBackend(name: BackendName): Promise<Backend> {
  switch (name) {
    case 'simulator':
      return (await import('../simulator/backend.js')).createBackend();
    case 'qemu':
      return (await import('./qemu/backend.js')).createBackend();
    case 'opennebula':
      return (await import('./opennebula/backend.js')).createBackend();
  }
}
