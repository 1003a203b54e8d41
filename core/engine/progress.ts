/**
 * Progress on stderr: a bar when stderr is a terminal, nothing otherwise (logs and CI stay clean).
 */
import cliProgress from 'cli-progress';

export interface Progress {
  start(total: number, label: string): void;
  advance(n: number): void;
  stop(): void;
}

export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return silentProgress();
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: '{label} [{bar}] {percentage}% | {value}/{total} trials | {rate}/s | ETA {eta_formatted}',
      hideCursor: true,
      etaBuffer: 50,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  const startedAt = Date.now();
  let label = '';
  let done = 0;
  return {
    start(total, l) {
      label = l;
      bar.start(total, 0, { label, rate: '0' });
    },
    advance(n) {
      done += n;
      const seconds = (Date.now() - startedAt) / 1000;
      bar.increment(n, { label, rate: seconds > 0 ? Math.round(done / seconds).toLocaleString('en') : '0' });
    },
    stop() {
      bar.stop();
    },
  };
}

export function silentProgress(): Progress {
  return { start() {}, advance() {}, stop() {} };
}
