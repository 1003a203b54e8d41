/**
 * Headless Chromium (Debian's /usr/bin/chromium) through playwright-core, with a fresh profile and every
 * background service off, so a page can make no request we did not ask for. Used to turn SVG figures into
 * PNG and, in tests, to check the HTML report renders.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM_PATH = process.env.THEMIS_CHROMIUM ?? '/usr/bin/chromium';

export interface HeadlessChromium {
  /** A persistent context on the fresh profile (playwright refuses --user-data-dir in plain launch). */
  context: BrowserContext;
  close: () => Promise<void>;
}

export async function launchChromium(timeoutMs = 60_000, deviceScaleFactor = 1): Promise<HeadlessChromium> {
  const profile = mkdtempSync(join(tmpdir(), 'themis-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      timeout: timeoutMs,
      args: [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
      ],
      viewport: { width: 1280, height: 900 },
      deviceScaleFactor,
    });
  } catch (e) {
    rmSync(profile, { recursive: true, force: true });
    throw new Error(`cannot start Chromium at ${CHROMIUM_PATH} (install it: scripts/install-system-packages.sh reports): ${String(e)}`);
  }
  return {
    context,
    close: async () => {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
