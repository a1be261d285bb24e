/** Shared by the dojo suites: real server processes, the REST calls, and real @colyseus/sdk clients. */
import { setTimeout as sleep } from 'node:timers/promises';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, type Room } from '@colyseus/sdk';
import type { Env } from '../../config/index.ts';
import { DOJO_ROOM, SERVER_MESSAGES, type RoomErrorMessage } from '../../protocol/dojo.ts';
import { signUpAndLogin, type LoggedIn } from '../support/accounts.ts';
import { spawnSystem, type SpawnedSystem } from '../support/system.ts';

export interface Node {
  readonly url: string;
  readonly dataDir: string;
  readonly server: SpawnedSystem;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * A server process (test/dojos/server.ts) with its own data directory, removed when it stops; or with the
 * caller's `DATA_DIR` (kept: a suite restarts a node on it), which is then the node's `dataDir`.
 */
export async function startNode(env: Env = {}): Promise<Node> {
  const own = env.DATA_DIR === undefined;
  const dataDir = env.DATA_DIR ?? mkdtempSync(path.join(tmpdir(), 'dojo-rooms-'));
  const server = await spawnSystem(
    { ...env, DATA_DIR: dataDir },
    { entry: 'test/dojos/server.ts', timeoutMs: 120_000 },
  );
  return {
    url: server.url,
    dataDir,
    server,
    stop: async (signal = 'SIGTERM') => {
      await server.stop(signal);
      if (own) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

export async function api(
  url: string,
  method: string,
  route: string,
  token?: string,
  body?: unknown,
): Promise<Answer> {
  const res = await fetch(url + route, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** An owner and `n` members of the owner's tenant, signed up through the real endpoints. */
export async function team(node: { url: string; dataDir: string }, n: number): Promise<LoggedIn[]> {
  const owner = await signUpAndLogin(node, { firstName: 'Owner' });
  const members: LoggedIn[] = [];
  for (let i = 0; i < n; i++)
    members.push(await signUpAndLogin(node, { invitedBy: owner.token, firstName: `M${i}` }));
  return [owner, ...members];
}

export async function createDojo(
  url: string,
  host: LoggedIn,
  members: readonly LoggedIn[],
  subject = 'Katas',
) {
  const res = await api(url, 'POST', '/v1/dojo/create', host.token, {
    dojoDate: new Date().toISOString(),
    members: members.map((m) => m.userId),
    subject,
  });
  if (res.status !== 201) throw new Error(`create dojo ${res.status}: ${JSON.stringify(res.body)}`);
  return String(res.body.dojoId);
}

export interface Seat {
  readonly room: Room;
  readonly errors: RoomErrorMessage[];
}

/** Joins the dojo's room as the contract says a client does: the access token as the client's auth token. */
export async function join(url: string, token: string | undefined, dojoId: unknown): Promise<Seat> {
  const client = new Client(url);
  if (token !== undefined) client.auth.token = token;
  const room = await client.joinOrCreate(DOJO_ROOM, { dojoId });
  const errors: RoomErrorMessage[] = [];
  room.onMessage(SERVER_MESSAGES.error, (e: RoomErrorMessage) => errors.push(e));
  return { room, errors };
}

/** The join's refusal (the matchmaking error), or a failure if the join succeeded. */
export async function refusal(
  url: string,
  token: string | undefined,
  dojoId: unknown,
): Promise<{ code: number; message: string }> {
  try {
    const seat = await join(url, token, dojoId);
    await seat.room.leave();
  } catch (error) {
    const e = error as { code?: number; message?: string };
    return { code: e.code ?? 0, message: e.message ?? '' };
  }
  throw new Error('the join was accepted');
}

export interface StateView {
  readonly pilotId: string;
  readonly copilotId: string;
  readonly hostId: string;
  readonly turnSeconds: number;
  readonly turnEndsAt: number;
  readonly code: string;
  readonly language: string;
  readonly recording: boolean;
  readonly status: string;
  readonly participants: Record<string, { userId: string; name: string; role: string; connected: boolean }>;
  readonly chat: { id: string; userId: string; text: string; created: string }[];
}

export const view = (room: Room): StateView => (room.state as { toJSON(): StateView }).toJSON();

/** Resolves with the state once `check` holds (checked now and on every patch); fails after `timeoutMs`. */
export function waitFor(
  room: Room,
  check: (s: StateView) => boolean,
  label: string,
  timeoutMs = 5000,
): Promise<StateView> {
  return new Promise((resolve, reject) => {
    const now = view(room);
    if (check(now)) return resolve(now);
    const timer = setTimeout(() => {
      room.onStateChange.remove(listener);
      reject(new Error(`timed out waiting for ${label}; state: ${JSON.stringify(view(room)).slice(0, 800)}`));
    }, timeoutMs);
    const listener = () => {
      const s = view(room);
      if (!check(s)) return;
      clearTimeout(timer);
      room.onStateChange.remove(listener);
      resolve(s);
    };
    room.onStateChange(listener);
  });
}

/** Waits until `seat` has received an error with this code. */
export async function errorWith(seat: Seat, code: string, timeoutMs = 3000): Promise<RoomErrorMessage> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = seat.errors.find((e) => e.code === code);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no ${code} error; got ${JSON.stringify(seat.errors)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function leaveAll(...seats: (Seat | undefined)[]): Promise<void> {
  await Promise.allSettled(seats.map((s) => (s && s.room.connection?.isOpen ? s.room.leave() : undefined)));
}

export interface AnnualFigures {
  dojos: { total: number; minutes: number; participants: number; recordings: number };
}

/**
 * The caller's annual report of this year, asked again until `until` holds (events travel outbox → queue
 * → projector: a report asked too early does not have them yet); fails after `timeoutMs`.
 */
export async function annualReport(
  url: string,
  token: string,
  until: (r: AnnualFigures) => boolean,
  timeoutMs = 30_000,
): Promise<AnnualFigures> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const asked = await api(url, 'POST', '/v1/report/annual', token, {});
    const route = `/v1/report/${String(asked.body.reportId)}`;
    let report: AnnualFigures | undefined;
    while (!report && Date.now() < deadline) {
      const r = await api(url, 'GET', route, token);
      if (r.body.status === 'FAILED') throw new Error(`report failed: ${JSON.stringify(r.body)}`);
      if (r.body.status === 'DONE') {
        report = (await (await fetch((r.body.files as { json: string }).json)).json()) as AnnualFigures;
      } else await sleep(100);
    }
    if (report && until(report)) return report;
    if (Date.now() >= deadline)
      throw new Error(`the annual report never showed it: ${JSON.stringify(report)}`);
    await sleep(500);
  }
}
