/** The caller's dojos by date: upcoming ones first, then the past 90 days, grouped by day. */
import type { Page } from '../app.ts';
import type { Paths } from '../api/schema.gen.ts';
import { h, icon, ICONS } from '../ui/dom.ts';
import { empty, failure, formatDay, loading, pageHead } from '../ui/widgets.ts';

type Dojo = Paths['/v1/dojos']['get']['responses'][200]['dojos'][number];
const DAY = 86_400_000;

function byDay(dojos: readonly Dojo[]): HTMLElement[] {
  const groups = new Map<string, Dojo[]>();
  for (const d of dojos) {
    const key = new Date(d.dojoDate).toDateString();
    groups.set(key, [...(groups.get(key) ?? []), d]);
  }
  return [...groups.values()].map((list) =>
    h(
      'section',
      {},
      h('h2', { class: 'date-group' }, formatDay(list[0]!.dojoDate)),
      h(
        'ul',
        { class: 'card list' },
        list.map((d) =>
          h(
            'li',
            { class: 'row', 'data-testid': 'dojo' },
            h(
              'span',
              { class: 'pill accent' },
              new Date(d.dojoDate).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' }),
            ),
            h('a', { class: 'grow', href: `/dojos/${d.dojoId}` }, d.subject),
            h(
              'a',
              {
                class: 'btn small secondary',
                href: `/dojos/${d.dojoId}/live`,
                'aria-label': `Join ${d.subject} live`,
              },
              'Join live',
            ),
          ),
        ),
      ),
    ),
  );
}

export const dojosPage: Page = async (root, ctx) => {
  const head = pageHead(
    'Dojos',
    'Live coding sessions with your team.',
    h('a', { class: 'btn', href: '/dojos/new' }, icon(ICONS.plus), 'Schedule a dojo'),
  );
  root.replaceChildren(head, loading('Loading dojos…'));
  const now = Date.now();
  try {
    const { dojos } = await ctx.api.get('/v1/dojos', {
      query: { from: new Date(now - 90 * DAY).toISOString(), to: new Date(now + 366 * DAY).toISOString() },
    });
    const soon = now - 3 * 3_600_000; // a dojo that started in the last hours is still "upcoming"
    const upcoming = dojos.filter((d) => Date.parse(d.dojoDate) >= soon);
    const past = dojos.filter((d) => Date.parse(d.dojoDate) < soon).reverse();
    root.replaceChildren(
      head,
      dojos.length
        ? h(
            'div',
            {},
            h('h2', {}, 'Upcoming'),
            upcoming.length
              ? byDay(upcoming)
              : h('p', { class: 'muted' }, 'Nothing scheduled. Pick a date with your team.'),
            past.length ? [h('h2', { class: 'past-h' }, 'Past'), byDay(past)] : null,
          )
        : empty(
            'No dojos yet',
            'Schedule a session and invite members of your workspace.',
            h('a', { class: 'btn', href: '/dojos/new' }, 'Schedule a dojo'),
          ),
    );
  } catch (error) {
    root.replaceChildren(
      head,
      failure(error, () => void dojosPage(root, ctx, { params: {}, query: new URLSearchParams() })),
    );
  }
};
