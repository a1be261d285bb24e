/**
 * Real Chromium for the web suites: Debian's /usr/bin/chromium driven by playwright-core (never a
 * downloaded browser), a fresh profile per launch, and screenshots of a page at desktop and phone widths
 * under test/web/artifacts/.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const ARTIFACTS = path.join(import.meta.dirname, 'artifacts');
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--autoplay-policy=no-user-gesture-required',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
    ],
  });
}

/** `<name>.desktop.png` and `<name>.phone.png`, full page; the viewport is put back afterwards. */
export async function screenshots(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const before = page.viewportSize() ?? DESKTOP;
  for (const [label, size] of [
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ] as const) {
    await page.setViewportSize(size);
    await page.waitForTimeout(350); // let the layout settle (the sidebar slides for 200 ms)
    await page.screenshot({ path: path.join(ARTIFACTS, `${name}.${label}.png`), fullPage: true });
  }
  await page.setViewportSize(before);
}

/** Resolves once the router has drawn a page (its `dojo:ready` mark) at `pathname`; says where it was if not. */
export async function ready(page: Page, pathname?: string): Promise<void> {
  try {
    if (pathname) await page.waitForURL((url) => url.pathname === pathname, { timeout: 20_000 });
    await page.waitForFunction(
      () => performance.getEntriesByName('dojo:ready').length > 0 && !document.querySelector('main .loading'),
      undefined,
      { timeout: 20_000 },
    );
  } catch (error) {
    const main = await page
      .locator('main')
      .first()
      .innerText()
      .catch(() => '');
    throw new Error(
      `page not ready${pathname ? ` at ${pathname}` : ''}: at ${page.url()}, showing «${main.slice(0, 300)}» (${String(error).split('\n')[0]})`,
      { cause: error },
    );
  }
}
