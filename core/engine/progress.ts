/**
 * Progress of a run, in two counts: trials the backend finished (`advance`) and trials committed to DuckDB
 * (`stored`, called by the engine after each commit returns). Only stored trials survive a crash, and a big
 * commit takes seconds (a 21,600-trial simulator run sat at "100 %" for 5–8 s while storing), so the bar counts
 * stored trials and says when it is storing. On stderr: a bar when stderr is a terminal, nothing otherwise
 * (logs and CI stay clean).
 */
import cliProgress from 'cli-progress';

export interface Progress {
  start(total: number, label: string): void;
  /** The backend finished `n` more trials (held in memory, not stored yet). */
  advance(n: number): void;
  /** A commit of `trials` results began: the storing phase, until `stored`. */
  storing?(trials: number): void;
  /** A commit returned: `storedTrials` of this run are in DuckDB now (monotone; the last call is the run's stored count). */
  stored?(storedTrials: number): void;
  stop(): void;
}

/** How often the storing phase's clock is redrawn while a commit runs (the bar would otherwise look frozen). */
const STORING_TICK_MS = 500;

const fmt = (n: number) => n.toLocaleString('en');

export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return silentProgress();
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: '{label} [{bar}] {percentage}% | {value}/{total} stored | {phase} | {rate}/s | {duration_formatted}',
      hideCursor: true,
      etaBuffer: 50,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  const startedAt = Date.now();
  let label = '';
  let computed = 0;
  let stored = 0;
  let tick: NodeJS.Timeout | undefined;
  const rate = () => {
    const seconds = (Date.now() - startedAt) / 1000;
    return seconds > 0 ? fmt(Math.round(stored / seconds)) : '0';
  };
  const endTick = () => {
    if (tick) clearInterval(tick);
    tick = undefined;
  };
  return {
    start(total, l) {
      label = l;
      bar.start(total, 0, { label, rate: '0', phase: 'running' });
    },
    advance(n) {
      computed += n;
      if (!tick) bar.update(stored, { label, rate: rate(), phase: `${fmt(computed)} run` });
    },
    storing(trials) {
      const since = Date.now();
      const show = () => bar.update(stored, { label, rate: rate(), phase: `storing ${fmt(trials)} trials… ${((Date.now() - since) / 1000).toFixed(1)} s` });
      endTick();
      show();
      tick = setInterval(show, STORING_TICK_MS);
    },
    stored(n) {
      endTick();
      stored = n;
      bar.update(stored, { label, rate: rate(), phase: `${fmt(computed)} run` });
    },
    stop() {
      endTick();
      bar.stop();
    },
  };
}

export function silentProgress(): Progress {
  return { start() {}, advance() {}, storing() {}, stored() {}, stop() {} };
}
