/**
 * Server-Sent Events on a raw Node response: named events with JSON data, a comment every few seconds so
 * proxies and browsers keep the stream open, and one cleanup however the stream ends.
 */
import type { ServerResponse } from 'node:http';

const HEARTBEAT_MS = 15_000;

export interface SseStream {
  send(event: string, data: unknown): void;
  end(): void;
  readonly closed: boolean;
}

export function openSse(res: ServerResponse, headers: Record<string, string>, onClose: () => void): SseStream {
  res.writeHead(200, {
    ...headers,
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  let closed = false;
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
  const cleanup = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    onClose();
  };
  res.on('close', cleanup);
  return {
    send(event, data) {
      if (closed) return;
      // JSON has no raw newlines, so one data: line per event is enough.
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    end() {
      if (closed) return;
      cleanup();
      res.end();
    },
    get closed() {
      return closed;
    },
  };
}
