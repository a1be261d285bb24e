/**
 * Randori rotation as pure functions over an immutable value: who pilots (types), who co-pilots (guides),
 * who waits, and when the current turn ends. The room applies them and copies the result into its state;
 * nothing here reads a clock, so tests pass `now`.
 */
import type { ParticipantRole } from '../../../../protocol/dojo.ts';

export interface Rotation {
  /** '' when nobody pilots. */
  readonly pilotId: string;
  readonly copilotId: string;
  /** Participants waiting for their turn, next first. */
  readonly queue: readonly string[];
  readonly turnSeconds: number;
  /** Epoch ms when the current turn ends; 0 while fewer than two people rotate (nothing to rotate). */
  readonly turnEndsAt: number;
}

export function emptyRotation(turnSeconds: number): Rotation {
  return { pilotId: '', copilotId: '', queue: [], turnSeconds, turnEndsAt: 0 };
}

/** Everyone in the rotation, in turn order: pilot, copilot, then the queue. */
export function rotating(r: Rotation): string[] {
  return [r.pilotId, r.copilotId, ...r.queue].filter((id) => id !== '');
}

/** Rebuilds a rotation from an ordered list, keeping the timer when the pilot stays the same. */
function fromOrder(order: readonly string[], prev: Rotation, now: number): Rotation {
  const [pilotId = '', copilotId = '', ...queue] = order;
  let turnEndsAt = prev.turnEndsAt;
  if (order.length < 2) turnEndsAt = 0;
  else if (pilotId !== prev.pilotId || turnEndsAt === 0) turnEndsAt = now + prev.turnSeconds * 1000;
  return { pilotId, copilotId, queue, turnSeconds: prev.turnSeconds, turnEndsAt };
}

/** Adds someone at the back of the line (first comer pilots, second co-pilots). Idempotent. */
export function join(r: Rotation, userId: string, now: number): Rotation {
  const order = rotating(r);
  if (order.includes(userId)) return r;
  return fromOrder([...order, userId], r, now);
}

/** Takes someone out: a leaving pilot hands over to the copilot, a leaving copilot to the next in line. */
export function leave(r: Rotation, userId: string, now: number): Rotation {
  const order = rotating(r);
  if (!order.includes(userId)) return r;
  return fromOrder(
    order.filter((id) => id !== userId),
    r,
    now,
  );
}

/** The next turn: copilot → pilot, next in line → copilot, pilot → back of the line. */
export function advance(r: Rotation, now: number): Rotation {
  const [pilot, ...rest] = rotating(r);
  if (pilot === undefined || rest.length === 0) return { ...r, turnEndsAt: 0 };
  const next = fromOrder([...rest, pilot], r, now);
  // With two people the pilot changes every turn; the timer must restart even if ids repeat later.
  return { ...next, turnEndsAt: now + r.turnSeconds * 1000 };
}

/**
 * Advances when the turn is over. A room that slept through several turns (restored from a snapshot)
 * advances once and starts a fresh turn rather than spinning through the missed ones.
 */
export function tick(r: Rotation, now: number): Rotation {
  return r.turnEndsAt > 0 && now >= r.turnEndsAt ? advance(r, now) : r;
}

/** A new turn length applies from now: the current turn restarts with it. */
export function setTurnSeconds(r: Rotation, seconds: number, now: number): Rotation {
  const turnEndsAt = rotating(r).length >= 2 ? now + seconds * 1000 : 0;
  return { ...r, turnSeconds: seconds, turnEndsAt };
}

/** The role shown for a participant: the rotation role wins; the host not in it shows as `host`. */
export function roleOf(r: Rotation, userId: string, hostId: string): ParticipantRole {
  if (userId === r.pilotId) return 'pilot';
  if (userId === r.copilotId) return 'copilot';
  return userId === hostId ? 'host' : 'audience';
}
