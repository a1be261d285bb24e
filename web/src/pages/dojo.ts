/**
 * One dojo: subject, date, host and members, its recordings, and "Join live", which opens the room page.
 * A recording (video, chapters per pilot turn, the replayed editor and chat) is drawn by the room's
 * author's `mountRecording` (`src/room/recording.ts`), loaded lazily: it shares the CodeMirror chunk.
 */
import type { Page } from '../app.ts';
import type { Paths } from '../api/schema.gen.ts';
import { h } from '../ui/dom.ts';
import { avatar, empty, failure, formatDate, loading, pageHead, pill } from '../ui/widgets.ts';
import { fullName, peopleByIds } from './people.ts';

type Dojo = Paths['/v1/dojos/{dojoId}']['get']['responses'][200];

export const dojoPage: Page = async (root, ctx, { params }) => {
  const dojoId = params.dojoId ?? '';
  const session = ctx.session();
  if (!session) return;
  root.replaceChildren(pageHead('Dojo'), loading());
  let dojo: Dojo;
  try {
    dojo = await ctx.api.get('/v1/dojos/{dojoId}', { params: { dojoId } });
  } catch (error) {
    root.replaceChildren(pageHead('Dojo'), failure(error));
    return;
  }
  const people = await peopleByIds(ctx, dojo.members);
  const join = h(
    'a',
    { class: 'btn', href: `/dojos/${dojo.dojoId}/live` },
    dojo.status === 'LIVE' ? 'Join live now' : 'Join live',
  );
  const viewer = h('div', { class: 'recording-viewer' });
  let unmount: (() => void) | undefined;
  const show = async (recordingId: string) => {
    unmount?.();
    viewer.replaceChildren(loading('Loading the recording…'));
    const { mountRecording } = await import('../room/recording.ts');
    viewer.replaceChildren();
    unmount = mountRecording(viewer, { dojoId, recordingId, session, api: ctx.api });
  };
  const recordings = [...dojo.recordings].reverse();
  const picker =
    recordings.length > 1
      ? h(
          'ul',
          { class: 'row list-reset', 'aria-label': 'Recordings' },
          recordings.map((r, i) => {
            const b = h(
              'button',
              { class: 'btn secondary small', type: 'button' },
              `Recording ${recordings.length - i} `,
              pill(r.status),
            );
            b.addEventListener('click', () => void show(r.recordingId));
            return h('li', {}, b);
          }),
        )
      : null;
  root.replaceChildren(
    pageHead(dojo.subject, formatDate(dojo.dojoDate), pill(dojo.status), join),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'who-h' },
      h('h2', { id: 'who-h' }, `Members (${dojo.members.length})`),
      h(
        'ul',
        { class: 'row list-reset members-row' },
        dojo.members.map((id) => {
          const p = people.get(id);
          return h(
            'li',
            { class: 'row' },
            p ? avatar(p) : null,
            h('span', {}, fullName(p)),
            id === dojo.hostId ? h('span', { class: 'pill accent' }, 'host') : null,
          );
        }),
      ),
    ),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'rec-h' },
      h('h2', { id: 'rec-h' }, 'Recordings'),
      recordings.length
        ? [picker, viewer]
        : empty(
            'No recordings yet',
            'When the host records a live session, it shows up here with a chapter per pilot turn.',
          ),
    ),
  );
  if (recordings[0]) void show(recordings[0].recordingId);
  return () => unmount?.();
};
