/**
 * A new user's journey through the web app in real Chromium, against a real server process on the
 * embedded defaults: sign up → confirm (the token from the outbox .eml) → log in → create and find POCs →
 * invite a member, who signs up through the invitation link → schedule a dojo with them → the member's
 * bell rises live → both open the live room → pay for a plan → request a report and a video and open
 * them. Every page is photographed at desktop and phone widths (test/web/artifacts/). Also measured: the
 * first page's JavaScript (gzip) and its time to interactive (navigation start → the app's ready mark).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { tokenFromOutbox } from '../support/accounts.ts';
import { freePort, spawnSystem, type SpawnedSystem } from '../support/system.ts';
import { launchChromium, ready, screenshots } from './browser.ts';
import { ensureWebBuild } from './build.ts';
import {
  createPoc,
  editSession,
  logIn,
  measureFirstPage,
  signUp,
  storedSession,
  type Person,
} from './steps.ts';

const s = suite('web: a new user’s journey in Chromium');

let node: SpawnedSystem;
let dataDir = '';
let browser: Browser;
let ownerContext: BrowserContext;
let memberContext: BrowserContext;
let owner: Page;
let member: Page;
let dojoId = '';
const stamp = Date.now().toString(36).slice(-6);
const OWNER: Person = {
  first: 'Grace',
  last: 'Hopper',
  username: `grace${stamp}`,
  email: `grace${stamp}@example.com`,
  password: 'cobol-compiler-1952',
};
const MEMBER: Person = {
  first: 'Alan',
  last: 'Turing',
  username: `alan${stamp}`,
  email: `alan${stamp}@example.com`,
  password: 'enigma-bombe-1940',
};

s.before(async () => {
  ensureWebBuild();
  dataDir = mkdtempSync(path.join(tmpdir(), 'dojo-web-'));
  // The browser's origin must be the server's own (PUBLIC_URL): sockets from any other origin are refused.
  const port = await freePort();
  node = await spawnSystem(
    { DATA_DIR: dataDir, LOG_LEVEL: 'warn', PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` },
    { timeoutMs: 180_000 }, // a shared CI machine can be slow to boot the embedded PostgreSQL
  );
  // If the run dies before `after` (an uncaught rejection), the server must not outlive it.
  process.once('exit', () => node.child.kill('SIGKILL'));
  browser = await launchChromium();
  ownerContext = await browser.newContext({ viewport: { width: 1280, height: 800 }, baseURL: node.url });
  memberContext = await browser.newContext({ viewport: { width: 1280, height: 800 }, baseURL: node.url });
  owner = await ownerContext.newPage();
  member = await memberContext.newPage();
  for (const p of [owner, member]) p.on('pageerror', (e) => console.error(`page error: ${e.message}`));
});

s.after(async () => {
  await browser?.close();
  await node?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

s('the first page is light and interactive within a second', async () => {
  const { js, median } = await measureFirstPage(browser, node.url);
  assert.ok(js.gzipBytes < 200 * 1024, `first-page JS ${js.gzipBytes} B gzip`);
  assert.ok(median.ready < 1000, `ready after ${median.ready} ms`);
});

s('an unknown visitor lands on the login page; the API keeps its 404s', async () => {
  await owner.goto('/');
  await ready(owner, '/login');
  await screenshots(owner, '01-login');
  const api = await owner.request.get('/v1/no-such-thing');
  assert.is(api.status(), 404);
  assert.match(api.headers()['content-type'] ?? '', /problem\+json/);
});

s('sign up, with the API’s field errors inline, then the check-your-mail step', async () => {
  await signUp(owner, { ...OWNER, username: 'x' }, '/signup');
  await owner.getByLabel('Username').fill('no spaces allowed');
  await owner.getByRole('button', { name: 'Create account' }).click();
  const usernameError = owner.locator('.field', { has: owner.getByLabel('Username') }).locator('.error');
  await usernameError.waitFor({ state: 'visible' });
  assert.ok((await usernameError.textContent())?.length, 'the username field shows the API’s message');
  assert.is(await owner.getByLabel('Username').getAttribute('aria-invalid'), 'true');
  await screenshots(owner, '02-signup-error');
  await owner.getByLabel('Username').fill(OWNER.username);
  await owner.getByRole('button', { name: 'Create account' }).click();
  await owner.getByRole('heading', { name: 'Check your mail' }).waitFor();
  assert.match(await owner.getByTestId('outbox-hint').innerText(), /outbox/);
  await screenshots(owner, '03-check-mail');
});

s('confirm with the mailed token, then log in', async () => {
  const token = await tokenFromOutbox({ url: node.url, dataDir }, OWNER.email, 'token');
  await owner.goto(`/confirm?token=${token}`);
  await ready(owner, '/confirm');
  await screenshots(owner, '04-confirm');
  await owner.getByRole('button', { name: 'Confirm my account' }).click();
  await ready(owner, '/login');
  await owner.getByText('Your account is confirmed').waitFor();
  await logIn(owner, OWNER);
  await owner.getByRole('heading', { name: 'No POCs yet' }).waitFor();
  const stored = (await storedSession(owner)) as unknown as Record<string, unknown>;
  assert.equal(Object.keys(stored).sort(), [
    'accessToken',
    'expiresAt',
    'refreshToken',
    'tenantId',
    'userId',
  ]);
  for (const k of Object.keys(stored)) assert.ok(stored[k], `session.${k}`);
  await screenshots(owner, '05-pocs-empty');
});

s(
  'create POCs (a bad URL is refused at its field) and find them by name, language, tag and favourite',
  async () => {
    await createPoc(owner, {
      name: 'Cache stampede',
      language: 'TypeScript',
      repoUrl: 'ftp://example.com/x',
      tags: 'cache, redis',
      description: 'Single-flight locks.',
    });
    const urlError = owner.locator('.field', { has: owner.getByLabel('Repository URL') }).locator('.error');
    await urlError.waitFor({ state: 'visible' });
    await screenshots(owner, '06-poc-form-error');
    await owner.getByLabel('Repository URL').fill('https://github.com/grace/cache-stampede');
    await owner.getByRole('button', { name: 'Create POC' }).click();
    await ready(owner, '/pocs');
    await createPoc(owner, {
      name: 'Vector search',
      language: 'Python',
      repoUrl: 'https://github.com/grace/vectors',
      tags: 'ml, search',
      description: 'HNSW in 200 lines.',
    });
    await ready(owner, '/pocs');
    await createPoc(owner, {
      name: 'Rate limiter',
      language: 'Go',
      repoUrl: 'https://github.com/grace/limiter',
      tags: 'redis',
      description: 'GCRA.',
    });
    await ready(owner, '/pocs');
    await owner.getByTestId('poc').nth(2).waitFor();
    assert.is(await owner.getByTestId('poc').count(), 3);

    const search = async (fill: Record<string, string>, expected: string[]) => {
      for (const label of ['Name', 'Language', 'Tags (comma-separated)'])
        await owner.getByLabel(label, { exact: true }).fill(fill[label] ?? '');
      await owner.getByRole('button', { name: 'Search', exact: true }).click();
      await owner.waitForFunction(
        (n) =>
          document.querySelectorAll('[data-testid=poc]').length === n &&
          document.querySelector('[aria-label=POCs]')?.getAttribute('aria-busy') === 'false',
        expected.length,
      );
      const names = await owner.getByTestId('poc').locator('h3').allInnerTexts();
      assert.equal(names.sort(), expected.sort(), JSON.stringify(fill));
    };
    await search({ Name: 'vector' }, ['Vector search']);
    await search({ Language: 'go' }, ['Rate limiter']);
    await search({ 'Tags (comma-separated)': 'redis' }, ['Cache stampede', 'Rate limiter']);
    await search({ 'Tags (comma-separated)': 'redis, cache' }, ['Cache stampede']);
    await search({}, ['Cache stampede', 'Vector search', 'Rate limiter']);
    await owner.getByRole('button', { name: 'Add Vector search to favourites' }).click();
    await owner.getByRole('button', { name: 'Remove Vector search from favourites' }).waitFor();
    await owner.getByLabel('Favourites only').check();
    await search({}, ['Vector search']);
    await owner.getByLabel('Favourites only').uncheck();
    await search({}, ['Cache stampede', 'Vector search', 'Rate limiter']);
    await screenshots(owner, '07-pocs-list');
  },
);

s('the list scrolls on the API’s cursor', async () => {
  const token = (await storedSession(owner))!.accessToken;
  for (let i = 0; i < 40; i++) {
    const res = await owner.request.post('/v1/pocs', {
      headers: { authorization: `Bearer ${token}` },
      data: {
        name: `Spike ${i}`,
        language: 'Rust',
        repoUrl: `https://example.com/spike-${i}`,
        tags: ['spike'],
      },
    });
    assert.is(res.status(), 201);
  }
  // However many the previous test left: the API's count, page by page (100 is its largest page).
  const all = (await (
    await owner.request.get('/v1/pocs?limit=100', { headers: { authorization: `Bearer ${token}` } })
  ).json()) as { pocs: unknown[] };
  const total = all.pocs.length;
  const cursorPages: string[] = [];
  owner.on('request', (r) => {
    if (/\/v1\/pocs\?.*cursor=/.test(r.url())) cursorPages.push(r.url());
  });
  await owner.goto('/pocs');
  await ready(owner, '/pocs');
  // The first page (and the one prefetched while the bottom is near) leave the rest for scrolling.
  await owner.waitForFunction(
    () => document.querySelector('[aria-label=POCs]')?.getAttribute('aria-busy') === 'false',
  );
  await owner.waitForTimeout(500);
  const first = await owner.getByTestId('poc').count();
  assert.ok(first < total, `before scrolling: ${first} of ${total}`);
  for (let i = 0; i < 12 && (await owner.getByTestId('poc').count()) < total; i++) {
    await owner.mouse.wheel(0, 4000);
    await owner.waitForTimeout(500);
  }
  await owner.waitForFunction((n) => document.querySelectorAll('[data-testid=poc]').length === n, total);
  assert.ok(cursorPages.length >= 2, `pages fetched on the cursor: ${cursorPages.length}`);
  const names = await owner.getByTestId('poc').locator('h3').allInnerTexts();
  assert.is(new Set(names).size, total, 'no POC twice');
  await screenshots(owner, '07a-pocs-scrolled');
});

s('edit a POC, then delete it', async () => {
  await owner.goto('/pocs?name=Spike%207');
  await ready(owner, '/pocs');
  await owner.getByRole('link', { name: 'Spike 7', exact: true }).click();
  await ready(owner);
  await owner.getByRole('heading', { name: 'Edit POC' }).waitFor();
  await owner.getByLabel('Name').fill('Spike seven');
  await owner.getByRole('button', { name: 'Save POC' }).click();
  await ready(owner, '/pocs');
  await owner.getByLabel('Name', { exact: true }).fill('seven');
  await owner.getByRole('button', { name: 'Search', exact: true }).click();
  await owner.getByRole('link', { name: 'Spike seven' }).click();
  await owner.getByRole('button', { name: 'Delete POC' }).waitFor();
  await screenshots(owner, '07b-poc-edit');
  owner.once('dialog', (d) => void d.accept());
  await owner.getByRole('button', { name: 'Delete POC' }).click();
  await ready(owner, '/pocs');
  await owner.getByLabel('Name', { exact: true }).fill('seven');
  await owner.getByRole('button', { name: 'Search', exact: true }).click();
  await owner.getByRole('heading', { name: 'No POC matches' }).waitFor();
});

s('the owner invites a member, who signs up through the invitation link', async () => {
  await owner.goto('/tenant/members');
  await ready(owner, '/tenant/members');
  await owner.getByLabel('Email address').fill(MEMBER.email);
  await owner.getByRole('button', { name: 'Send invitation' }).click();
  await owner.locator('.list li', { hasText: MEMBER.email }).waitFor();
  await screenshots(owner, '08-members-invite');
  const invitation = await tokenFromOutbox({ url: node.url, dataDir }, MEMBER.email, 'invitation');
  await signUp(member, MEMBER, `/signup?invitation=${invitation}`);
  await member.getByRole('heading', { name: 'Join your team on Dojo' }).waitFor();
  await screenshots(member, '09-signup-invited');
  await member.getByRole('button', { name: 'Create account' }).click();
  await member.getByRole('heading', { name: 'Check your mail' }).waitFor();
  const token = await tokenFromOutbox({ url: node.url, dataDir }, MEMBER.email, 'token');
  await member.goto(`/confirm?token=${token}`);
  await ready(member, '/confirm');
  await member.getByRole('button', { name: 'Confirm my account' }).click();
  await ready(member, '/login');
  await logIn(member, MEMBER);
  await member.waitForFunction(() => document.documentElement.dataset.live === 'connected');
  assert.ok(await member.getByTestId('unread-count').isHidden(), 'no unread notification yet');
  await owner.goto('/tenant/members');
  await ready(owner, '/tenant/members');
  await owner.getByTestId('member').nth(1).waitFor();
  assert.is(await owner.getByTestId('member').count(), 2);
});

s('the owner schedules a dojo with the member, whose bell rises live, without a reload', async () => {
  await member.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));
  await owner.goto('/dojos/new');
  await ready(owner, '/dojos/new');
  await owner.getByLabel('Subject').fill('Refactoring the cache');
  await owner.getByLabel(new RegExp(`${MEMBER.first} ${MEMBER.last}`)).check();
  await screenshots(owner, '10-dojo-schedule');
  await owner.getByRole('button', { name: 'Schedule dojo' }).click();
  await owner.waitForURL(/\/dojos\/[0-9a-f-]{36}$/);
  dojoId = owner.url().split('/').pop()!;
  await ready(owner);
  await owner.getByRole('heading', { name: 'Refactoring the cache' }).waitFor();
  await screenshots(owner, '11-dojo-page');

  await member.getByTestId('unread-count').waitFor({ state: 'visible', timeout: 15_000 });
  assert.is(await member.getByTestId('unread-count').innerText(), '1');
  assert.ok(
    await member.evaluate(() => (window as unknown as { stayed?: boolean }).stayed),
    'the page was not reloaded',
  );
  await member.getByTestId('bell').click();
  await ready(member, '/notifications');
  await member.locator('[data-type="dojo.invited"]').waitFor();
  await screenshots(member, '12-notifications');
  await member.getByRole('button', { name: 'Mark all read' }).click();
  await member.getByTestId('unread-count').waitFor({ state: 'hidden' });

  await member.goto('/dojos');
  await ready(member, '/dojos');
  await member.getByTestId('dojo').filter({ hasText: 'Refactoring the cache' }).waitFor();
  await screenshots(member, '13-dojos-list');
});

s('both open the live room from the dojo page', async () => {
  for (const page of [owner, member]) {
    await page.goto(`/dojos/${dojoId}`);
    await ready(page, `/dojos/${dojoId}`);
    // Caught here so that a failed click fails this test, not the process.
    const chunk = page
      .waitForResponse((r) => /\/assets\/room-[^/]+\.js$/.test(r.url()))
      .catch((e: unknown) => e as Error);
    await page.getByRole('link', { name: /Join live/ }).click();
    await page.waitForURL(`**/dojos/${dojoId}/live`);
    const response = await chunk;
    assert.ok(!(response instanceof Error), 'the room chunk is fetched when the room opens');
    assert.is((response as Exclude<typeof response, Error>).status(), 200);
    await page.waitForFunction(() => (document.querySelector('.room-root')?.childElementCount ?? 0) > 0);
  }
  // Each sees the other: a tile per participant in the room's state.
  for (const page of [owner, member]) {
    await page.waitForFunction(
      () => document.querySelectorAll('.room-root [data-user-id]').length >= 2,
      undefined,
      {
        timeout: 30_000,
      },
    );
  }
  await screenshots(owner, '14-live-room');
});

s('the owner pays for a plan: a declined card, then a good one; the history lists both', async () => {
  await owner.goto('/tenant/billing');
  await ready(owner, '/tenant/billing');
  await owner.getByText('No payments yet').waitFor();
  await owner.getByLabel('Plan', { exact: true }).selectOption('M');
  await owner.getByLabel('Card', { exact: true }).selectOption('tok_chargeDeclined');
  await owner.getByRole('button', { name: 'Pay now' }).click();
  await owner.getByText(/Payment declined/).waitFor();
  await owner.getByLabel('Card', { exact: true }).selectOption('tok_visa');
  await owner.getByRole('button', { name: 'Pay now' }).click();
  await owner.getByText(/Payment received/).waitFor();
  assert.match(await owner.getByTestId('subscription').innerText(), /Monthly/);
  await owner.waitForFunction(() => document.querySelectorAll('[data-testid=payment]').length === 2);
  const rows = await owner.getByTestId('payment').allInnerTexts();
  assert.match(rows[0] ?? '', /succeeded/i);
  assert.match(rows[1] ?? '', /declined/i);
  await screenshots(owner, '15-billing');
});

s('a report: request it, watch it progress, download the PDF', async () => {
  await owner.goto('/tenant/reports');
  await ready(owner, '/tenant/reports');
  await owner.getByRole('button', { name: 'Request report' }).click();
  await owner.getByTestId('report').first().waitFor();
  await screenshots(owner, '16-reports-running');
  const pdf = owner.getByTestId('report-pdf').first();
  await pdf.waitFor({ timeout: 120_000 });
  const href = await pdf.getAttribute('href');
  const res = await owner.request.get(href!);
  assert.is(res.status(), 200);
  assert.is((await res.body()).subarray(0, 4).toString(), '%PDF');
  await screenshots(owner, '17-reports-done');
});

s('the year-in-review video: request it, watch it render, play it', async () => {
  await owner.goto('/videos');
  await ready(owner, '/videos');
  await owner.getByRole('button', { name: 'Make my video' }).click();
  await owner.getByTestId('video').first().waitFor();
  await screenshots(owner, '18-video-rendering');
  const player = owner.getByTestId('video-player').first();
  await player.waitFor({ timeout: 240_000 });
  const src = await player.getAttribute('src');
  const res = await owner.request.get(src!);
  assert.is(res.status(), 200);
  assert.is((await res.body()).subarray(4, 8).toString(), 'ftyp', 'an MP4');
  const duration = await player.evaluate(
    (v: HTMLVideoElement) =>
      new Promise<number>((resolve) => {
        if (v.readyState >= 1) resolve(v.duration);
        v.addEventListener('loadedmetadata', () => resolve(v.duration), { once: true });
        v.addEventListener('error', () => resolve(-1), { once: true });
        v.load();
      }),
  );
  const playable = await player.evaluate((v: HTMLVideoElement) =>
    v.canPlayType('video/mp4; codecs="avc1.42E01E, mp4a.40.2"'),
  );
  if (playable) assert.ok(duration > 0, `the player reads the video's duration (${duration})`);
  else console.log('this Chromium cannot decode H.264: the MP4 was checked by its bytes only');
  await screenshots(owner, '19-video-done');
});

s('profile: picture upload and status; the token is refreshed silently; logout', async () => {
  await member.goto('/profile');
  await ready(member, '/profile');
  // A 1×1 PNG.
  const png = Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
    'base64',
  );
  await member
    .locator('#picture-input')
    .setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: png });
  await member.getByText('Picture updated').waitFor();
  assert.ok(await member.locator('.avatar.large img').count(), 'the new picture is shown');
  const status = member.getByLabel('Show me as online:');
  const wasOnline = await status.isChecked();
  await status.click();
  await member.waitForFunction((was) => {
    const box = document.querySelector<HTMLInputElement>('#status-toggle');
    return box && !box.disabled && box.checked !== was;
  }, wasOnline);
  await screenshots(member, '20-profile');

  // An access token the server refuses: the client refreshes once and carries on.
  const before = (await storedSession(member))!;
  await editSession(member, { accessToken: 'not-a-token' });
  await member.goto('/pocs');
  await ready(member, '/pocs');
  await member.getByRole('heading', { name: 'No POCs yet' }).waitFor();
  const after = (await storedSession(member))!;
  assert.not.equal(after.refreshToken, before.refreshToken, 'rotated by the refresh grant');
  assert.not.equal(after.accessToken, 'not-a-token');
  // An expiring one is refreshed before use.
  await editSession(member, { expiresAt: Date.now() + 1000 });
  await member.goto('/dojos');
  await ready(member, '/dojos');
  const later = (await storedSession(member))!;
  assert.not.equal(later.refreshToken, after.refreshToken);
  assert.ok(later.expiresAt > Date.now() + 60_000);

  await member.goto('/profile');
  await ready(member, '/profile');
  await member.getByRole('link', { name: 'Log out' }).click();
  await ready(member, '/login');
  assert.is(await storedSession(member), null);
  const refused = await member.request.get('/v1/account/profile', {
    headers: { authorization: `Bearer ${later.accessToken}` },
  });
  assert.is(refused.status(), 401, 'the server ended the session too');
});

s('a refresh the server refuses ends the session and shows the login page', async () => {
  await editSession(owner, { accessToken: 'bad', refreshToken: 'bad' });
  await owner.goto('/pocs');
  await ready(owner, '/login');
  await owner.getByText('Your session ended').waitFor();
});

s.run();
