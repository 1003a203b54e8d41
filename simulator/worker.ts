/**
 * Worker thread of the simulator backend: receives the plan once (workerData), then chunks of plan
 * indices; answers each with a ResultBatch whose typed columns are transferred, not copied.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runChunk, batchTransferList, type ChunkPlan } from './chunk.js';
import type { RecordPolicy } from './simulate.js';

export interface WorkerInit {
  plan: ChunkPlan;
  record: RecordPolicy;
  startedAtMs: number;
  /** One Int32 the main thread sets to 1 on abort (SharedArrayBuffer): running chunks end at their next check. */
  abort: SharedArrayBuffer;
}

export interface ChunkRequest {
  id: number;
  indices: Int32Array;
}

export type ChunkReply =
  | { id: number; ok: true; batch: import('../core/results/batch.js').ResultBatch }
  | { id: number; ok: false; error: string };

function isChunkRequest(m: unknown): m is ChunkRequest {
  return typeof m === 'object' && m !== null && typeof (m as ChunkRequest).id === 'number' && (m as ChunkRequest).indices instanceof Int32Array;
}

if (parentPort) {
  const port = parentPort;
  const init = workerData as WorkerInit;
  const abort = new Int32Array(init.abort);
  const stopped = () => Atomics.load(abort, 0) !== 0;
  port.on('message', (msg: unknown) => {
    if (!isChunkRequest(msg)) return;
    try {
      const batch = runChunk(init.plan, msg.indices, init.record, init.startedAtMs, stopped);
      const reply: ChunkReply = { id: msg.id, ok: true, batch };
      port.postMessage(reply, batchTransferList(batch));
    } catch (e) {
      const reply: ChunkReply = { id: msg.id, ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
      port.postMessage(reply);
    }
  });
}
