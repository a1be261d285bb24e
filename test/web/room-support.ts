/**
 * For the live room's browser suite: a fresh web build when the app's sources changed since the last one,
 * members logged in with the session the app keeps (`localStorage['dojo.session']`), a browser context per
 * member with that session and the media debug hook on, and readings of each page's WebRTC stats.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Node } from '../dojos/helpers.ts';
import { signUpAndLogin } from '../support/accounts.ts';
import { freePort, spawnSystem } from '../support/system.ts';
import { DIST } from './build.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** Builds web/dist (which the server serves) unless it is newer than every source it is made of. */
export function buildWebIfStale(): void {
  let built = 0;
  try {
    built = statSync(path.join(DIST, 'index.html')).mtimeMs;
  } catch {
    // no build yet
  }
  const sources = Math.max(
    newestMtime(path.join(ROOT, 'web', 'src')),
    newestMtime(path.join(ROOT, 'protocol')),
    statSync(path.join(ROOT, 'web', 'index.html')).mtimeMs,
  );
  if (built > sources) return;
  execFileSync(path.join(ROOT, 'node_modules', '.bin', 'vite'), ['build', 'web', '--logLevel', 'warn'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
}

/**
 * The dojo suites' server (test/dojos/server.ts: cheap password hashing, a relaxed sign-up throttle) on
 * embedded defaults, reachable at the origin the browser uses: its WebSockets refuse any other origin. A
 * busy machine (CI, or browsers and benchmarks beside it) can take a while to boot it.
 */
export async function startRoomServer(env: Record<string, string> = {}): Promise<Node> {
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'dojo-web-room-'));
  const server = await spawnSystem(
    { DATA_DIR: dataDir, PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, ...env },
    { entry: 'test/dojos/server.ts', timeoutMs: 180_000 },
  );
  return {
    url: server.url,
    dataDir,
    server,
    stop: async (signal = 'SIGTERM') => {
      await server.stop(signal);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface Member {
  readonly userId: string;
  readonly tenantId: string;
  readonly token: string;
  readonly firstName: string;
  /** What the app keeps in localStorage['dojo.session']. */
  readonly session: {
    accessToken: string;
    refreshToken: string;
    expiresAt: number;
    userId: string;
    tenantId: string;
  };
}

/** Signs up (invited into `invitedBy`'s tenant when given) and logs in for the full session. */
export async function member(
  system: { url: string; dataDir: string },
  firstName: string,
  invitedBy?: string,
): Promise<Member> {
  const password = `pw-${Math.random().toString(36).slice(2)}-${Date.now()}`;
  const signed = await signUpAndLogin(system, {
    firstName,
    lastName: 'Tester',
    password,
    ...(invitedBy ? { invitedBy } : {}),
  });
  const res = await fetch(`${system.url}/v1/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: signed.username, password }),
  });
  const body = (await res.json()) as {
    token: string;
    refreshToken: string;
    expiresIn: number;
    userId: string;
    tenantId: string;
  };
  if (res.status !== 200) throw new Error(`login ${res.status}: ${JSON.stringify(body)}`);
  return {
    userId: body.userId,
    tenantId: body.tenantId,
    token: body.token,
    firstName,
    session: {
      accessToken: body.token,
      refreshToken: body.refreshToken,
      expiresAt: Date.now() + body.expiresIn * 1000,
      userId: body.userId,
      tenantId: body.tenantId,
    },
  };
}

/** A browser context of its own (its own storage) for `who`, logged in, with the media debug hook. */
export async function pageFor(
  browser: Browser,
  who: Member,
): Promise<{ context: BrowserContext; page: Page; logs: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addInitScript(
    ({ session }) => {
      localStorage.setItem('dojo.session', JSON.stringify(session));
      localStorage.setItem('dojo.debug', 'media');
    },
    { session: who.session },
  );
  const page = await context.newPage();
  const logs: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning')
      logs.push(`[${who.firstName}] ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => logs.push(`[${who.firstName}] pageerror: ${e.message}`));
  return { context, page, logs };
}

/** Per remote participant and kind, the counter that rises while media flows (frames or samples). */
export type MediaCounters = Record<string, { video?: number; audio?: number }>;

/** Reads getStats() of the page's peer connection: framesDecoded and totalSamplesReceived per publisher. */
export async function mediaCounters(page: Page): Promise<MediaCounters> {
  return page.evaluate(async () => {
    type Hook = {
      pc: RTCPeerConnection;
      tracks(): { mid: string; kind: string; userId: string; trackId: string }[];
    };
    const hook = (window as unknown as { __dojoMedia?: Hook }).__dojoMedia;
    if (!hook) return {};
    const tracks = hook.tracks();
    const stats = await hook.pc.getStats();
    const out: Record<string, { video?: number; audio?: number }> = {};
    stats.forEach(
      (r: {
        type: string;
        kind?: string;
        mid?: string;
        trackIdentifier?: string;
        framesDecoded?: number;
        totalSamplesReceived?: number;
      }) => {
        if (r.type !== 'inbound-rtp') return;
        const track =
          tracks.find((t) => t.mid === r.mid) ?? tracks.find((t) => t.trackId === r.trackIdentifier);
        if (!track) return;
        const entry = (out[track.userId] ??= {});
        if (r.kind === 'video') entry.video = r.framesDecoded ?? 0;
        if (r.kind === 'audio') entry.audio = r.totalSamplesReceived ?? 0;
      },
    );
    return out;
  });
}

/** The user ids whose tiles a page shows. */
export async function tileIds(page: Page): Promise<string[]> {
  return page.$$eval('.dr-tile', (tiles) => tiles.map((t) => (t as HTMLElement).dataset.userId ?? ''));
}
