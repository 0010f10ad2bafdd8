import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's chromium, driven by playwright-core (which never downloads a browser). CI installs it with apt. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Fails at once, saying how to install it, when there is no Chromium to drive. */
export function requireChromium(): void {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`No Chromium at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (or set CHROMIUM_PATH).`);
  }
}

export interface LocalPage {
  browser: Browser;
  page: Page;
  /** Every request the page tried to send off this machine (each aborted). */
  leftLocalhost: string[];
  /** Every uncaught error in the page. */
  pageErrors: string[];
}

/** A headless Chromium page that may only reach 127.0.0.1 and localhost: anything else is recorded and never sent. */
export async function openLocalPage(viewport: { width: number; height: number }): Promise<LocalPage> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const leftLocalhost: string[] = [];
  const pageErrors: string[] = [];
  const context = await browser.newContext({ viewport });
  await context.route('**/*', async (route) => {
    const { hostname, protocol } = new URL(route.request().url());
    if (protocol === 'data:' || hostname === '127.0.0.1' || hostname === 'localhost') {
      await route.continue();
    } else {
      leftLocalhost.push(route.request().url());
      await route.abort();
    }
  });
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  return { browser, page, leftLocalhost, pageErrors };
}
