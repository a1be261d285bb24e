/**
 * After the dojo: a recording with its chapters (one per pilot turn, clickable) and, beside the video,
 * the editor as it was at the video's current time, the chat so far and who was piloting, all replayed
 * from GET /v1/dojos/{dojoId}/replay. Mounted by the app's dojo page (see web/README.md).
 */
import './room.css';
import type { Api } from '../api/client.ts';
import type { Session } from '../api/session.ts';
import { h } from './dom.ts';
import { problemText } from './model.ts';
import { RecordingPlayer } from './recording-player.ts';
import { parseRecordings, parseReplay, type RecordingInfo } from './replay.ts';

export interface MountRecordingOptions {
  readonly dojoId: string;
  /** Which recording; the latest when left out. */
  readonly recordingId?: string;
  readonly session: Session;
  readonly api: Api;
}

export type RecordingCleanup = (() => void) & { destroy(): void };

/** A recording still being composed is looked at again this often. */
const PENDING_POLL_MS = 5000;

export function mountRecording(root: HTMLElement, options: MountRecordingOptions): RecordingCleanup {
  const container = h(
    'div',
    { class: 'dr-recording-view', attrs: { 'aria-busy': 'true' } },
    h('p', { class: 'dr-muted', text: 'Loading the recording…' }),
  );
  root.replaceChildren(container);
  let player: RecordingPlayer | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let destroyed = false;

  const load = async (): Promise<void> => {
    try {
      const dojo = await options.api.get('/v1/dojos/{dojoId}', { params: { dojoId: options.dojoId } });
      if (destroyed) return;
      const recordings = parseRecordings(dojo);
      const chosen = options.recordingId
        ? recordings.find((r) => r.recordingId === options.recordingId)
        : recordings[recordings.length - 1];
      if (!chosen) return show(h('p', { class: 'dr-muted', text: 'This dojo has no recording yet.' }));
      if (!chosen.url) {
        show(pending(chosen));
        timer = setTimeout(() => void load(), PENDING_POLL_MS);
        return;
      }
      const replay = await fetchReplay(options, chosen.recordingId);
      if (destroyed) return;
      container.removeAttribute('aria-busy');
      player = new RecordingPlayer({
        recording: chosen,
        events: replay.events,
        names: await memberNames(options.api, dojo),
      });
      container.replaceChildren(player.element);
    } catch (error) {
      if (!destroyed)
        show(
          h('p', {
            class: 'dr-error',
            attrs: { role: 'alert' },
            text: `The recording could not be loaded: ${problemText(error)}`,
          }),
        );
    }
  };
  const show = (node: Node) => {
    container.removeAttribute('aria-busy');
    container.replaceChildren(node);
  };
  void load();

  const cleanup = () => {
    destroyed = true;
    clearTimeout(timer);
    player?.destroy();
    container.remove();
  };
  return Object.assign(cleanup, { destroy: cleanup });
}

function pending(recording: RecordingInfo): HTMLElement {
  const failed = /fail|error/i.test(recording.status);
  return h(
    'div',
    { class: 'dr-recording-pending', attrs: { role: 'status', 'data-status': recording.status } },
    h('strong', {
      text: failed ? 'The recording could not be produced.' : 'The recording is being prepared…',
    }),
    h('p', {
      class: 'dr-muted',
      text: failed ? `Status: ${recording.status}.` : 'It appears here as soon as it is ready.',
    }),
  );
}

/**
 * The replay endpoint is newer than the generated API types (web/src/api/schema.gen.ts): it is called
 * through the same client, with its path and answer typed here until the types are generated again.
 */
async function fetchReplay(options: MountRecordingOptions, recordingId: string) {
  const get = options.api.get as unknown as (
    path: string,
    o: { params: Record<string, string>; query: Record<string, string> },
  ) => Promise<unknown>;
  const body = await get('/v1/dojos/{dojoId}/replay', {
    params: { dojoId: options.dojoId },
    query: { recordingId },
  });
  return parseReplay(body);
}

/** userId → display name for the dojo's members (first and last name), for chat and chapters. */
async function memberNames(api: Api, dojo: { members?: string[] }): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  await Promise.all(
    (dojo.members ?? []).map(async (userId) => {
      try {
        const user = await api.get('/v1/user', { query: { userId } });
        names.set(userId, [user.firstName, user.lastName].filter(Boolean).join(' ') || user.username);
      } catch {
        // Someone who left the tenant keeps a generic name.
      }
    }),
  );
  return names;
}
