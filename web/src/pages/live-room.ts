/**
 * /dojos/<dojoId>/live: loads the room page (its own chunk, with CodeMirror and the media code) and
 * mounts it with the session and the API. The room's author owns `web/src/room/`.
 */
import type { Page } from '../app.ts';
import { h } from '../ui/dom.ts';
import { loading, pageHead } from '../ui/widgets.ts';

export const livePage: Page = async (root, ctx, { params }) => {
  const session = ctx.session();
  if (!session) return;
  const dojoId = params.dojoId ?? '';
  root.replaceChildren(pageHead('Live dojo'), loading('Opening the room…'));
  const { mountRoom } = await import('../room/index.ts');
  const section = h('section', { class: 'room-root', 'aria-label': 'Live dojo' });
  root.replaceChildren(h('p', {}, h('a', { href: `/dojos/${dojoId}` }, '← Back to the dojo')), section);
  const cleanup = await mountRoom(section, { dojoId, session, api: ctx.api });
  return typeof cleanup === 'function' ? cleanup : undefined;
};
