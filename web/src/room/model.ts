/**
 * The room state as the page reads it: a plain snapshot of the Colyseus state (`state.toJSON()`), typed
 * after protocol/dojo-state.ts, plus the `media` map of the contract's "Dojo media and recordings".
 */
import type { DojoStatus, ParticipantRole } from '../../../protocol/dojo.ts';
import type { Api } from '../api/client.ts';
import type { Session } from '../api/session.ts';

/** What the room pages get from the app (web/README.md, "The room page contract"). */
export interface RoomContext {
  readonly dojoId: string;
  readonly session: Session;
  readonly api: Api;
}

export interface ParticipantView {
  readonly userId: string;
  readonly name: string;
  readonly role: ParticipantRole | '';
  readonly connected: boolean;
}

export interface ChatView {
  readonly id: string;
  readonly userId: string;
  readonly text: string;
  readonly created: string;
}

/** What a participant publishes; a kind set to false is muted (or not published). */
export interface MediaView {
  readonly audio: boolean;
  readonly video: boolean;
}

export interface RoomView {
  readonly dojoId: string;
  readonly subject: string;
  readonly status: DojoStatus | '';
  readonly participants: Readonly<Record<string, ParticipantView>>;
  readonly hostId: string;
  readonly pilotId: string;
  readonly copilotId: string;
  readonly turnSeconds: number;
  readonly turnEndsAt: number;
  readonly code: string;
  readonly language: string;
  readonly chat: readonly ChatView[];
  readonly recording: boolean;
  readonly media: Readonly<Record<string, MediaView>>;
}

export const EMPTY_VIEW: RoomView = {
  dojoId: '',
  subject: '',
  status: '',
  participants: {},
  hostId: '',
  pilotId: '',
  copilotId: '',
  turnSeconds: 0,
  turnEndsAt: 0,
  code: '',
  language: '',
  chat: [],
  recording: false,
  media: {},
};

/** The snapshot of a decoded state; fields the server does not send yet keep their empty values. */
export function toView(state: unknown): RoomView {
  const json = (state as { toJSON?: () => Partial<RoomView> } | undefined)?.toJSON?.() ?? {};
  return { ...EMPTY_VIEW, ...json, media: json.media ?? {}, participants: json.participants ?? {} };
}

export function nameOf(view: RoomView, userId: string): string {
  return view.participants[userId]?.name || 'Someone';
}

/** The badge a participant's tile shows: the rotation role, and "host" beside it when they host. */
export function badgesOf(view: RoomView, userId: string): string[] {
  const role = view.participants[userId]?.role;
  const badges: string[] = [];
  if (role === 'pilot' || role === 'copilot') badges.push(role);
  if (view.hostId === userId) badges.push('host');
  return badges;
}

/** A failed API call in words: the problem's detail (or title), else the error's message. */
export function problemText(error: unknown): string {
  const problem = (error as { problem?: { detail?: string; title?: string } } | undefined)?.problem;
  if (problem?.detail || problem?.title) return String(problem.detail || problem.title);
  return error instanceof Error ? error.message : String(error);
}
