/**
 * HTML reports of campaigns (reports/html.ts), written once per campaign into a private temp directory and
 * served from there until the file changes (a run ends) or the server closes. Reports are read while no run
 * writes: after a run they are rebuilt, and one already built is still served while a run is going.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeHtmlReport } from '../../reports/html.js';

export class ReportCache {
  private readonly dir = mkdtempSync(join(tmpdir(), 'themis-workbench-reports-'));
  private readonly built = new Map<string, string>();
  private readonly building = new Map<string, Promise<string>>();
  private serial = 0;

  constructor(private readonly dbPath: string) {}

  /** The report already built for a campaign, if any (no database access). */
  cached(campaignId: string): string | null {
    const file = this.built.get(campaignId);
    return file ? readFileSync(file, 'utf8') : null;
  }

  /** Builds (once, even when asked concurrently) and returns the report's HTML. */
  async html(campaignId: string): Promise<string> {
    const hit = this.cached(campaignId);
    if (hit !== null) return hit;
    let job = this.building.get(campaignId);
    if (!job) {
      const out = join(this.dir, `report-${++this.serial}.html`);
      job = writeHtmlReport({ db: this.dbPath, out, campaignId })
        .then(() => {
          this.built.set(campaignId, out);
          return out;
        })
        .finally(() => this.building.delete(campaignId));
      this.building.set(campaignId, job);
    }
    return readFileSync(await job, 'utf8');
  }

  /** Forgets every report (the database changed). */
  invalidate(): void {
    for (const file of this.built.values()) rmSync(file, { force: true });
    this.built.clear();
  }

  dispose(): void {
    this.built.clear();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
