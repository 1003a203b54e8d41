/**
 * What the validation page reads: plain data, as `themis validate` computes it (calibration/validate/). The
 * reports layer does not import calibration; app/cli passes the computed figures in, and the compiler checks
 * that they fit this shape.
 */
export type AxisValue = string | number | boolean | null;

export interface ErrorView {
  compared: number;
  p50: number | null;
  p90: number | null;
  bias_p50: number | null;
}

export interface ModeView {
  mode: string;
  trials: number;
  both_converged: number;
  errors: Readonly<Record<string, ErrorView>>;
  rounds: { compared: number; exact: number; within_one: number };
  convergence: { real_yes_sim_yes: number; real_yes_sim_no: number; real_no_sim_yes: number; real_no_sim_no: number };
  postcopy_faults: { compared: number; within_factor_2: number };
}

export interface PairView {
  trial_id: string;
  point_id: string;
  mode: string;
  axes: Readonly<Record<string, AxisValue>>;
  real_converged: boolean;
  sim_converged: boolean;
  real: Readonly<Record<string, number | null>>;
  sim: Readonly<Record<string, number | null>>;
}

export interface ValidationView {
  sweep: { path: string; name: string; repetitions: number; simulated_points: number };
  real: { input: string; campaign_id: string; backend: string; trials: number; points: number };
  /** The outcomes with an error figure, in order */
  metrics: readonly string[];
  axes: readonly string[];
  /** One per mode, then 'all' */
  modes: readonly ModeView[];
  byAxis: readonly { axis: string; value: AxisValue; trials: number; errors: Readonly<Record<string, ErrorView>> }[];
  worst: readonly { mode: string; axes: Readonly<Record<string, AxisValue>>; metric: string; real: number; sim: number; error_pct: number }[];
  pairs: readonly PairView[];
  notes: readonly string[];
}
