/**
 * Malformed XML-RPC from a local HTTP server (a free 127.0.0.1 port) against the opennebula client and its
 * wait: every answer ends as the rule says, never a crash or a hang —
 * - oned does not answer usably (truncated body, an XML-RPC fault, wrong types, no answer at all): retried
 *   within the patience bound, then BackendUnavailableError (the campaign stops, nothing stored);
 * - oned answers with a refusal ([false, message, code]): OneApiError at once (→ orchestrator_error);
 * - an answer whose VM document is garbage: the wait gives up as lost_contact (→ orchestrator_error);
 * - a slow answer within the call's time-out: just an answer.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { OneApiError, OneClient } from '../../../backends/opennebula/client.js';
import { waitForMigration } from '../../../backends/opennebula/wait.js';
import { BackendUnavailableError } from '../../../core/errors.js';

type Reply = (req: IncomingMessage, res: ServerResponse) => void;
let reply: Reply = () => undefined;
let server: Server;
let endpoint: string;
const hung: ServerResponse[] = [];

const response = (value: string) => `<?xml version="1.0"?><methodResponse><params><param><value>${value}</value></param></params></methodResponse>`;
const okArray = (inner: string) => response(`<array><data><value><boolean>1</boolean></value><value>${inner}</value><value><int>0</int></value></data></array>`);
const send = (body: string, delay_ms = 0): Reply => (_req, res) => {
  setTimeout(() => res.writeHead(200, { 'Content-Type': 'text/xml' }).end(body), delay_ms);
};

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => reply(req, res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}/RPC2`;
});
afterAll(async () => {
  for (const res of hung) res.destroy();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const patience = { give_up_after_ms: 1500, first_retry_ms: 100, max_retry_ms: 400, slow_answer_ms: 2000 };
const client = () => new OneClient({ endpoint, session: 'u:p', call_timeout_ms: 500, patience });
const unavailable = (e: unknown) => e instanceof BackendUnavailableError && /did not answer for \d+ s \(one\.vm\.info/.test(e.message);

describe('answers that are no answer: retried within the bound, then BackendUnavailableError', () => {
  const cases: Record<string, Reply> = {
    'a truncated body': send(okArray('<string>&lt;VM&gt;').slice(0, 80)),
    'an XML-RPC fault': send(`<?xml version="1.0"?><methodResponse><fault><value><struct><member><name>faultCode</name><value><int>4</int></value></member><member><name>faultString</name><value><string>boom</string></value></member></struct></value></fault></methodResponse>`),
    'wrong types (ok is a string)': send(response('<array><data><value><string>yes</string></value></data></array>')),
    'not an array': send(response('<int>7</int>')),
    'HTML from a proxy': (_q, res) => res.writeHead(502, { 'Content-Type': 'text/html' }).end('<html>bad gateway</html>'),
    'the connection reset': (q) => q.socket.destroy(),
    'no answer at all': (_q, res) => void hung.push(res),
  };
  for (const [name, r] of Object.entries(cases)) {
    test(name, async () => {
      reply = r;
      const t0 = performance.now();
      await expect(client().vmInfo(1)).rejects.toSatisfy(unavailable);
      expect(performance.now() - t0).toBeLessThan(4000); // the bound (1.5 s) plus one call's time-out (0.5 s)
    });
  }
});

describe('answers', () => {
  test("oned's refusal: OneApiError at once, not retried", async () => {
    let calls = 0;
    reply = (q, res) => {
      calls++;
      send(response('<array><data><value><boolean>0</boolean></value><value><string>[one.vm.info] Error getting virtual machine [1].</string></value><value><int>1024</int></value></data></array>'))(q, res);
    };
    await expect(client().vmInfo(1)).rejects.toSatisfy((e: unknown) => e instanceof OneApiError && e.code === 1024);
    expect(calls).toBe(1);
  });

  test('a slow answer within the time-out is an answer', async () => {
    reply = send(okArray('<string>ok</string>'), 300);
    expect(await client().call('one.system.version', [])).toBe('ok');
  });

  test('a garbage VM document: the wait gives up as lost_contact (orchestrator_error), within its bounds', async () => {
    reply = send(okArray('<string>&lt;VM&gt;&lt;ID&gt;nope</string>'));
    const t0 = performance.now();
    const w = await waitForMigration(client(), {
      vm_id: 1, source_host_id: 0, dest_host_id: 1, seq_before: 0, t0,
      poll_interval_ms: 10, max_poll_interval_ms: 20, timeout_ms: 10_000, signal: new AbortController().signal,
    });
    expect(w.outcome.kind).toBe('lost_contact');
    expect(performance.now() - t0).toBeLessThan(5000);
  });

  test('oned gone during the wait: lost_contact carrying the BackendUnavailableError, states seen kept', async () => {
    // a VM document oned sent during a real migration (test/fixtures/opennebula), escaped into the answer
    const running = readFileSync(new URL('../../fixtures/opennebula/vm-migrating.xml', import.meta.url), 'utf8').replaceAll('&', '&amp;').replaceAll('<', '&lt;');
    let n = 0;
    reply = (q, res) => (n++ < 2 ? send(okArray(`<string>${running}</string>`))(q, res) : void hung.push(res));
    const w = await waitForMigration(client(), {
      vm_id: 1, source_host_id: 0, dest_host_id: 1, seq_before: 0, t0: performance.now(),
      poll_interval_ms: 10, max_poll_interval_ms: 20, timeout_ms: 10_000, signal: new AbortController().signal,
    });
    expect(w.outcome.kind).toBe('lost_contact');
    expect(w.outcome.kind === 'lost_contact' && w.outcome.error instanceof BackendUnavailableError).toBe(true);
    expect(w.changes.map((c) => c.label)).toEqual(['MIGRATE']);
  });
});
