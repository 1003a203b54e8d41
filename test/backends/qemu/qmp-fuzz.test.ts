/**
 * QMP garbage from a unix socket to the qemu backend's QMP client: truncated lines, a wrong greeting, a huge
 * line, bad JSON, no reply — each a clear error within its bound (QmpError classes the trial reports), never a
 * hang or an unbounded buffer.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { MAX_QMP_LINE, QmpClient, QmpError } from '../../../backends/qemu/qmp.js';

const GREETING = '{"QMP": {"version": {"qemu": {"micro": 0, "minor": 0, "major": 10}}, "capabilities": []}}\n';
let dir: string;
let server: net.Server;
let sock: string;

/** A QMP peer: `greet` on connect, then `onLine(line, socket)` for every command it receives. */
async function peer(greet: (s: net.Socket) => void, onLine: (line: string, s: net.Socket) => void = () => undefined): Promise<void> {
  server = net.createServer((s) => {
    greet(s);
    let buf = '';
    s.on('data', (d) => {
      buf += d.toString();
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        onLine(buf.slice(0, nl), s);
        buf = buf.slice(nl + 1);
      }
    });
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(sock, r));
}
const capsOk = (line: string, s: net.Socket) => {
  const { id, execute } = JSON.parse(line) as { id: string; execute: string };
  if (execute === 'qmp_capabilities') s.write(`{"return": {}, "id": "${id}"}\n`);
};

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'themis-qmp-fuzz-'));
  sock = path.join(dir, 'qmp.sock');
});
afterEach(async () => {
  await new Promise((r) => server?.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe('QMP garbage', () => {
  test('a wrong greeting: connect fails within its time-out', async () => {
    await peer((s) => s.write('{"hello": "not qmp"}\n'));
    await expect(QmpClient.connect(sock, 1500)).rejects.toThrow(/QMP connect .*(greeting timeout|closed)/);
  });

  test('a greeting cut mid-line and the socket closed: a clear error', async () => {
    await peer((s) => s.end(GREETING.slice(0, 20)));
    await expect(QmpClient.connect(sock, 1500)).rejects.toThrow(/QMP connect .*closed before greeting/);
  });

  test('a huge line without newline: the client drops the peer at MAX_QMP_LINE, not later', async () => {
    await peer((s) => s.write(GREETING), (line, s) => {
      capsOk(line, s);
      if (line.includes('query-migrate')) s.write('{"return": "' + 'x'.repeat(MAX_QMP_LINE + 4096));
    });
    const c = await QmpClient.connect(sock, 2000);
    await expect(c.queryMigrate()).rejects.toSatisfy((e: unknown) => e instanceof QmpError && /Disconnected: .*longer than 1048576 bytes/.test(e.message));
    expect(c.isClosed).toBe(true);
  });

  test('a reply that is not JSON: the command fails as a ProtocolError at once', async () => {
    await peer((s) => s.write(GREETING), (line, s) => {
      capsOk(line, s);
      if (line.includes('query-status')) s.write('{"return": {"running": tru\n');
    });
    const c = await QmpClient.connect(sock, 2000);
    const t0 = performance.now();
    await expect(c.queryStatus()).rejects.toSatisfy((e: unknown) => e instanceof QmpError && e.errorClass === 'ProtocolError');
    expect(performance.now() - t0).toBeLessThan(1000);
    c.close();
  });

  test('no reply: the command times out with its bound', async () => {
    await peer((s) => s.write(GREETING), capsOk);
    const c = await QmpClient.connect(sock, 2000);
    await expect(c.execute('query-migrate', {}, 300)).rejects.toSatisfy((e: unknown) => e instanceof QmpError && e.errorClass === 'Timeout');
    c.close();
  });

  test('the peer closes mid-reply: Disconnected', async () => {
    await peer((s) => s.write(GREETING), (line, s) => {
      capsOk(line, s);
      if (line.includes('query-migrate')) s.end('{"return": {"status": "act');
    });
    const c = await QmpClient.connect(sock, 2000);
    await expect(c.queryMigrate()).rejects.toSatisfy((e: unknown) => e instanceof QmpError && e.errorClass === 'Disconnected');
  });
});
