/**
 * The live dojo room in real Chromium (Debian's, fake camera and microphone): three members of one dojo
 * join through the web client and each receives the other two's video and audio (getStats: framesDecoded
 * and totalSamplesReceived rising per remote participant); a member of the tenant who is not in the dojo
 * is refused; the pilot's edits reach the others' read-only editors; chat; a mute shows in the others'
 * tiles; the host records a session with a rotation in it, and the recording view plays it with its
 * chapters and the replayed editor. Screenshots under test/web/artifacts/.
 */
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser, Page } from 'playwright-core';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { buyMonthlyPlan } from '../support/billing.ts';
import { api, type Node } from '../dojos/helpers.ts';
import { ARTIFACTS, launchChromium } from './browser.ts';
import {
  buildWebIfStale,
  mediaCounters,
  member,
  pageFor,
  startRoomServer,
  tileIds,
  type Member,
} from './room-support.ts';

const test = suite('web: the live dojo room (Chromium)');

interface Ctx {
  node: Node;
  browser: Browser;
  dojoId: string;
  members: Member[];
  outsider: Member;
  pages: Page[];
  logs: string[][];
  recordedSec: number;
  typed: string[];
}
const ctx = {} as Ctx;

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(ARTIFACTS, name) });
const logsOf = () => ctx.logs.flat().slice(-30).join('\n');

test.before(async () => {
  try {
    await setUp();
  } catch (error) {
    // uvu does not print a failing hook's error: say it here.
    console.error('room suite setup failed:', error);
    throw error;
  }
});

async function setUp(): Promise<void> {
  buildWebIfStale();
  ctx.node = await startRoomServer({ DOJO_TEST_SEGMENT_SECONDS: '2' });
  const host = await member(ctx.node, 'Hana');
  const others = [await member(ctx.node, 'Kenji', host.token), await member(ctx.node, 'Mei', host.token)];
  ctx.outsider = await member(ctx.node, 'Sora', host.token);
  ctx.members = [host, ...others];
  await buyMonthlyPlan(ctx.node.url, host.token);
  const created = await api(ctx.node.url, 'POST', '/v1/dojo/create', host.token, {
    dojoDate: new Date().toISOString(),
    members: others.map((m) => m.userId),
    subject: 'Bowling kata',
  });
  assert.is(created.status, 201, JSON.stringify(created.body));
  ctx.dojoId = String(created.body.dojoId);
  ctx.browser = await launchChromium();
  ctx.pages = [];
  ctx.logs = [];
  ctx.typed = [];
}

test.after(async () => {
  await ctx.browser?.close().catch(() => undefined);
  await ctx.node?.stop();
});

test('three members join through the web client and each receives the two others’ video and audio', async () => {
  for (const m of ctx.members) {
    const { page, logs } = await pageFor(ctx.browser, m);
    ctx.pages.push(page);
    ctx.logs.push(logs);
    await page.goto(`${ctx.node.url}/dojos/${ctx.dojoId}/live`);
    await page.waitForSelector('.dr-room:not(.dr-joining)', { timeout: 60_000 });
  }
  for (const [i, page] of ctx.pages.entries()) {
    await page
      .waitForFunction(
        () => {
          const hook = (window as unknown as { __dojoMedia?: { tracks(): unknown[] } }).__dojoMedia;
          return document.querySelectorAll('.dr-tile').length === 3 && (hook?.tracks().length ?? 0) >= 4;
        },
        undefined,
        { timeout: 60_000 },
      )
      .catch((error: Error) => {
        throw new Error(`page ${i}: three tiles and four forwarded tracks: ${error.message}\n${logsOf()}`);
      });
    const ids = await tileIds(page);
    assert.equal([...ids].sort(), ctx.members.map((m) => m.userId).sort(), `page ${i} tiles`);
  }
  // Media has to flow for a while before two readings apart show it rising.
  await sleep(2000);
  const before = await Promise.all(ctx.pages.map(mediaCounters));
  await sleep(3000);
  const after = await Promise.all(ctx.pages.map(mediaCounters));
  for (const [i, viewer] of ctx.members.entries()) {
    for (const other of ctx.members.filter((m) => m.userId !== viewer.userId)) {
      const b = before[i]?.[other.userId];
      const a = after[i]?.[other.userId];
      const what = `${viewer.firstName} receiving ${other.firstName}: ${JSON.stringify({ b, a })}\n${logsOf()}`;
      assert.ok((a?.video ?? 0) > (b?.video ?? 0), `framesDecoded rising, ${what}`);
      assert.ok((a?.audio ?? 0) > (b?.audio ?? 0), `totalSamplesReceived rising, ${what}`);
    }
    const page = ctx.pages[i]!;
    for (const other of ctx.members.filter((m) => m.userId !== viewer.userId)) {
      await page.waitForSelector(`.dr-tile[data-user-id="${other.userId}"].dr-has-video`, {
        timeout: 20_000,
      });
    }
  }
  await shot(ctx.pages[0]!, 'room-three-tiles.png');
});

test('a member of the tenant who is not in the dojo cannot join, and is told why', async () => {
  const { context, page } = await pageFor(ctx.browser, ctx.outsider);
  try {
    await page.goto(`${ctx.node.url}/dojos/${ctx.dojoId}/live`);
    const refused = await page.waitForSelector('.dr-refused[role="alert"]', { timeout: 60_000 });
    assert.is(await refused.getAttribute('data-code'), 'DOJO.NOT_FOUND');
    assert.match((await refused.textContent()) ?? '', 'You are not a member of this dojo.');
    assert.is(await page.$('.dr-tile'), null, 'no room behind the refusal');
    await shot(page, 'room-refused.png');
  } finally {
    await context.close();
  }
});

/** The page whose editor is open for typing (the pilot's), once exactly one is. */
async function pilotPage(): Promise<Page> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const driving = await Promise.all(
      ctx.pages.map((p) => p.$('.dr-editor.dr-driving .cm-content[contenteditable="true"]')),
    );
    const index = driving.findIndex(Boolean);
    if (index >= 0 && driving.filter(Boolean).length === 1) return ctx.pages[index]!;
    if (Date.now() > deadline) throw new Error(`no single pilot page\n${logsOf()}`);
    await sleep(200);
  }
}

async function typeAsPilot(text: string): Promise<Page> {
  const pilot = await pilotPage();
  await pilot.click('.dr-editor .cm-content');
  await pilot.keyboard.press('Control+End');
  await pilot.keyboard.type(text, { delay: 15 });
  ctx.typed.push(text);
  return pilot;
}

/** The editor's text (CodeMirror lives in a shadow root, which Playwright's selectors pierce). */
async function editorText(page: Page): Promise<string> {
  return page.$eval('.dr-editor .cm-content', (el) =>
    [...el.querySelectorAll('.cm-line')].map((l) => l.textContent ?? '').join('\n'),
  );
}

async function untilEditor(
  page: Page,
  check: (text: string) => boolean,
  label: string,
  timeoutMs = 10_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await editorText(page).catch(() => '');
    if (check(text)) return text;
    if (Date.now() > deadline)
      throw new Error(`editor: ${label}; it shows ${JSON.stringify(text)}\n${logsOf()}`);
    await sleep(100);
  }
}

test('the pilot types; the others follow live in a read-only editor that says who drives', async () => {
  const pilot = await typeAsPilot('const frames = 10;');
  for (const page of ctx.pages.filter((p) => p !== pilot)) {
    await untilEditor(page, (t) => t.includes('const frames = 10;'), 'the pilot’s edit');
    assert.is(await page.getAttribute('.dr-editor .cm-content', 'contenteditable'), 'false');
    assert.match((await page.textContent('.dr-editor-hint')) ?? '', /is driving/);
  }
  assert.match((await pilot.textContent('.dr-editor-hint')) ?? '', 'You are driving');
});

test('chat goes to everyone', async () => {
  const kenji = ctx.pages[1]!;
  await kenji.fill('.dr-chat-input', 'Strike first, spare later');
  await kenji.press('.dr-chat-input', 'Enter');
  for (const page of ctx.pages) {
    await page.waitForSelector('.dr-chat-text:text("Strike first, spare later")', { timeout: 20_000 });
  }
  assert.is(await kenji.inputValue('.dr-chat-input'), '');
});

test('a mute shows in the others’ tiles, and unmuting clears it', async () => {
  const mei = ctx.members[2]!;
  const meiPage = ctx.pages[2]!;
  // Published first, so the icon below is the mute and not a microphone that never got through.
  for (const page of ctx.pages.slice(0, 2)) {
    await page.waitForSelector(`.dr-tile[data-user-id="${mei.userId}"][data-audio="on"]`, {
      timeout: 20_000,
    });
    assert.not.ok(await page.isVisible(`.dr-tile[data-user-id="${mei.userId}"] .dr-mic-off`));
  }
  await meiPage.click('.dr-mic');
  for (const page of ctx.pages.slice(0, 2)) {
    await page.waitForSelector(`.dr-tile[data-user-id="${mei.userId}"][data-audio="off"] .dr-mic-off.dr-on`, {
      timeout: 20_000,
    });
    assert.ok(await page.isVisible(`.dr-tile[data-user-id="${mei.userId}"] .dr-mic-off`));
  }
  await shot(ctx.pages[0]!, 'room-muted.png');
  await meiPage.click('.dr-mic');
  for (const page of ctx.pages.slice(0, 2)) {
    await page.waitForSelector(`.dr-tile[data-user-id="${mei.userId}"][data-audio="on"]`, {
      timeout: 20_000,
    });
    assert.not.ok(await page.isVisible(`.dr-tile[data-user-id="${mei.userId}"] .dr-mic-off`));
  }
});

interface Recording {
  recordingId: string;
  status: string;
  url?: string;
  durationSec?: number;
  chapters: { at: number; title: string; pilotId: string }[];
}

test('the host records a session with a rotation in it: REC shows everywhere, a recording is produced', async () => {
  const host = ctx.pages[0]!;
  await host.click('.dr-record');
  const started = Date.now();
  for (const page of ctx.pages) await page.waitForSelector('.dr-rec.dr-on', { timeout: 20_000 });
  await typeAsPilot(' // first turn');
  await sleep(2000);
  const pilotBefore = await host.textContent('.dr-role-pilot .dr-role-name');
  await host.click('.dr-rotate');
  await host.waitForFunction(
    (before) => document.querySelector('.dr-role-pilot .dr-role-name')?.textContent !== before,
    pilotBefore,
    { timeout: 20_000 },
  );
  await typeAsPilot(' // second turn');
  await sleep(2500);
  await host.click('.dr-record');
  ctx.recordedSec = (Date.now() - started) / 1000;
  for (const page of ctx.pages)
    await page.waitForFunction(() => !document.querySelector('.dr-rec.dr-on'), undefined, {
      timeout: 20_000,
    });

  const token = ctx.members[0]!.token;
  const deadline = Date.now() + 180_000;
  let recording: Recording | undefined;
  for (;;) {
    const dojo = await api(ctx.node.url, 'GET', `/v1/dojos/${ctx.dojoId}`, token).catch((error: Error) => {
      throw new Error(`GET /v1/dojos/{id}: ${error.message}\n${ctx.node.server.output().slice(-3000)}`);
    });
    recording = (dojo.body.recordings as Recording[] | undefined)?.[0];
    if (recording?.status === 'READY' || recording?.status === 'FAILED' || Date.now() > deadline) break;
    await sleep(500);
  }
  assert.is(
    recording?.status,
    'READY',
    `the recording: ${JSON.stringify(recording)}\n${ctx.node.server.output().slice(-2000)}`,
  );
  assert.ok(
    (recording?.chapters.length ?? 0) >= 2,
    `a chapter per pilot turn: ${JSON.stringify(recording?.chapters)}`,
  );
});

test('the recording view plays the recording with its chapters and replays the editor beside it', async () => {
  const page = ctx.pages[0]!;
  const token = ctx.members[0]!.token;
  const dojo = await api(ctx.node.url, 'GET', `/v1/dojos/${ctx.dojoId}`, token);
  const recording = (dojo.body.recordings as Recording[])[0]!;
  const replay = await api(ctx.node.url, 'GET', `/v1/dojos/${ctx.dojoId}/replay`, token);
  assert.is(replay.status, 200, JSON.stringify(replay.body));
  const codes = (replay.body.events as { at: number; type: string; text?: string }[]).filter(
    (e) => e.type === 'code',
  );
  assert.ok(
    codes.some((e) => e.text?.includes('// second turn')),
    'the replay has the edits made while recording',
  );

  await page.goto(`${ctx.node.url}/dojos/${ctx.dojoId}`);
  await page.waitForSelector('.dr-replay', { timeout: 20_000 }).catch(() => {
    throw new Error(
      'the dojo page does not show the recording view (mountRecording from web/src/room/recording.ts)',
    );
  });
  const duration = await page.$eval('.dr-replay-video', async (el) => {
    const video = el as HTMLVideoElement;
    if (video.readyState < 1)
      await new Promise((r) => video.addEventListener('loadedmetadata', r, { once: true }));
    return video.duration;
  });
  assert.ok(Math.abs(duration - ctx.recordedSec) < 2, `video ${duration} s vs ${ctx.recordedSec} s recorded`);
  assert.is(await page.$$eval('.dr-chapter', (b) => b.length), recording.chapters.length);
  await shot(page, 'recording-view.png');

  // The last chapter: the editor shows the code as of its start (the replay's last edit at or before it).
  const last = recording.chapters[recording.chapters.length - 1]!;
  await page.click('.dr-chapter >> nth=-1');
  await page
    .waitForFunction(
      (at) =>
        ((document.querySelector('.dr-replay-video') as HTMLVideoElement | null)?.currentTime ?? 0) > at,
      last.at,
      { timeout: 20_000 },
    )
    .catch(async (error: Error) => {
      const video = await page.$eval('.dr-replay-video', (v) => {
        const el = v as HTMLVideoElement;
        const seekable = [...Array(el.seekable.length).keys()].map((i) => [
          el.seekable.start(i),
          el.seekable.end(i),
        ]);
        return { currentTime: el.currentTime, readyState: el.readyState, seekable, src: el.currentSrc };
      });
      throw new Error(
        `the chapter at ${last.at} s did not seek the video: ${JSON.stringify(video)} (${error.message})`,
      );
    });
  const t = await page.$eval('.dr-replay-video', (v) => {
    const video = v as HTMLVideoElement;
    video.pause();
    return video.currentTime;
  });
  const expected = codes.filter((e) => e.at <= t).at(-1)?.text ?? '';
  await untilEditor(page, (text) => text === expected, `the code as of ${t} s`);
  await page.waitForSelector('.dr-chapter.dr-current[aria-current="true"] >> nth=-1', { timeout: 5000 });
  assert.is(
    await page.getAttribute('.dr-chapter >> nth=-1', 'aria-current'),
    'true',
    `at ${t} s, chapters ${JSON.stringify(recording.chapters)}`,
  );

  // Near the end: the code as the pilot left it.
  const end = await page.$eval('.dr-replay-video', async (v) => {
    const video = v as HTMLVideoElement;
    video.currentTime = Math.max(0, video.duration - 0.5);
    await new Promise((r) => video.addEventListener('seeked', r, { once: true }));
    return video.currentTime;
  });
  await untilEditor(
    page,
    (text) => text === ctx.typed.join(''),
    `the code as the last pilot left it (at ${end} s)`,
  );
  await shot(page, 'recording-view-end.png');
});

test.run();
