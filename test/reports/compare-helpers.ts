/** Shared by the report tests: the CLI as a user calls it, the "Campaigns compared" section's data, a relative difference. */
import { main } from '../../core/cli/main.js';
import { gatherCampaignsCompared } from '../../reports/analysis/campaigns-compared.js';
import { openReportSource } from '../../reports/source.js';

/** `themis …` through main(), its stdout kept out of the test log; returns the exit code. */
export async function themis(...argv: string[]): Promise<number> {
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    return await main(argv);
  } finally {
    process.stdout.write = write;
    process.exitCode = undefined;
  }
}

/** The section's data for a database, as the report gathers it. */
export async function compared(path: string) {
  const src = await openReportSource(path);
  try {
    return await gatherCampaignsCompared(src.con);
  } finally {
    src.close();
  }
}

export const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
