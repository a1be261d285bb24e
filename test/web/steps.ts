/**
 * Steps of the web journey that several tests take: signing up and logging in through the forms,
 * creating a POC, reading and editing the stored session, and timing the first page.
 */
import type { Browser, Page } from 'playwright-core';
import { ready } from './browser.ts';
import { firstPageJs } from './build.ts';

export interface Person {
  first: string;
  last: string;
  username: string;
  email: string;
  password: string;
}

export interface StoredSession {
  accessToken: string;
  refreshToken: string;
  expiresAt: number;
  userId: string;
  tenantId: string;
}

export const storedSession = (page: Page) =>
  page.evaluate(() => JSON.parse(localStorage.getItem('dojo.session') ?? 'null') as StoredSession | null);

/** Changes fields of the stored session, as time (expiry) or the server (revocation) would. */
export const editSession = (page: Page, patch: Partial<StoredSession>) =>
  page.evaluate((p) => {
    const s = JSON.parse(localStorage.getItem('dojo.session')!) as Record<string, unknown>;
    localStorage.setItem('dojo.session', JSON.stringify({ ...s, ...p }));
  }, patch);

export async function signUp(page: Page, who: Person, url: string) {
  await page.goto(url);
  await ready(page, '/signup');
  await page.getByLabel('First name').fill(who.first);
  await page.getByLabel('Last name').fill(who.last);
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Username').fill(who.username);
  await page.getByLabel('Password').fill(who.password);
}

export async function logIn(page: Page, who: Person) {
  await page.getByLabel('Username').fill(who.username);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await ready(page, '/pocs');
}

export async function createPoc(
  page: Page,
  poc: { name: string; language: string; repoUrl: string; tags: string; description: string },
) {
  await page.goto('/pocs/new');
  await ready(page, '/pocs/new');
  await page.getByLabel('Name').fill(poc.name);
  await page.getByLabel('Language').fill(poc.language);
  await page.getByLabel('Repository URL').fill(poc.repoUrl);
  await page.getByLabel('Tags').fill(poc.tags);
  await page.getByLabel('Description').fill(poc.description);
  await page.getByRole('button', { name: 'Create POC' }).click();
}

/**
 * Cold loads of /login (a fresh context each: no cache), the median of three; each split into the
 * server's part (the document and script responses) and the app's own (script evaluated → page drawn).
 */
export async function measureFirstPage(browser: Browser, baseURL: string) {
  const js = firstPageJs();
  const loads: { ready: number; document: number; script: number; bytes: number }[] = [];
  for (let i = 0; i < 3; i++) {
    const fresh = await browser.newContext({ baseURL });
    const page = await fresh.newPage();
    await page.goto('/login');
    await ready(page, '/login');
    loads.push(
      await page.evaluate(() => {
        const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
        const scripts = performance
          .getEntriesByType('resource')
          .filter((r) => r.name.endsWith('.js')) as PerformanceResourceTiming[];
        return {
          ready: performance.getEntriesByName('dojo:ready')[0]!.startTime,
          document: nav.responseEnd,
          script: Math.max(0, ...scripts.map((r) => r.responseEnd)),
          bytes: scripts.reduce((sum, r) => sum + r.transferSize, 0),
        };
      }),
    );
    await fresh.close();
  }
  const median = [...loads].sort((a, b) => a.ready - b.ready)[1]!;
  console.log(
    `first page: ${(js.gzipBytes / 1024).toFixed(1)} KiB JS gzip (${js.files.join(', ')}), ` +
      `${(median.bytes / 1024).toFixed(1)} KiB transferred; ready ${median.ready.toFixed(0)} ms after navigation start ` +
      `(document ${median.document.toFixed(0)} ms, scripts ${median.script.toFixed(0)} ms; ` +
      `all: ${loads.map((l) => l.ready.toFixed(0)).join(', ')} ms)`,
  );
  return { js, median };
}
