/**
 * Minimal writer for the newc cpio format the kernel unpacks as an initramfs. Written here (not GNU cpio)
 * so the archive can hold /dev/console without mknod and without depending on the host's file modes.
 */
export interface CpioEntry {
  path: string;
  /** 'dir', 'file' (with data) or 'char' (device node with major/minor) */
  kind: 'dir' | 'file' | 'char';
  mode: number;
  data?: Buffer;
  major?: number;
  minor?: number;
}

const TYPE_BITS = { dir: 0o040000, file: 0o100000, char: 0o020000 } as const;

const hex8 = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');
const pad4 = (n: number): Buffer => Buffer.alloc((4 - (n % 4)) % 4);

function header(ino: number, e: CpioEntry, size: number, nameSize: number): string {
  return (
    '070701' +
    hex8(ino) +
    hex8(TYPE_BITS[e.kind] | e.mode) +
    hex8(0) + // uid
    hex8(0) + // gid
    hex8(e.kind === 'dir' ? 2 : 1) +
    hex8(0) + // mtime: fixed, so the archive is reproducible
    hex8(size) +
    hex8(0) +
    hex8(0) +
    hex8(e.major ?? 0) +
    hex8(e.minor ?? 0) +
    hex8(nameSize) +
    hex8(0)
  );
}

export function buildCpio(entries: readonly CpioEntry[]): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  const push = (b: Buffer): void => {
    parts.push(b);
    offset += b.length;
  };
  const all: CpioEntry[] = [...entries, { path: 'TRAILER!!!', kind: 'file', mode: 0 }];
  all.forEach((e, i) => {
    const data = e.data ?? Buffer.alloc(0);
    const name = Buffer.from(e.path.replace(/^\/+/, '') + '\0');
    push(Buffer.from(header(i + 1, e, data.length, name.length), 'ascii'));
    push(name);
    push(pad4(offset));
    push(data);
    push(pad4(offset));
  });
  return Buffer.concat(parts);
}
