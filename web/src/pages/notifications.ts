/**
 * The notification feed: newest first, 50 a page ("Show more" on the offset), unread in bold. Opening
 * the page marks everything seen; reading one (or "Mark all read") updates the bell. New ones arrive
 * live over socket.io and go on top.
 */
import type { Page } from '../app.ts';
import type { Notification } from '../live.ts';
import { h } from '../ui/dom.ts';
import { empty, failure, formatDate, loading, messageOf, pageHead, toast } from '../ui/widgets.ts';

const PAGE = 50;

/** Where a notification leads, from the ids in its `data`. */
export function targetOf(n: Notification): string | undefined {
  const d = n.data;
  if (d.dojoId) return `/dojos/${d.dojoId}`;
  if (d.reportId) return '/tenant/reports';
  if (d.videoId) return '/videos';
  if (d.paymentId || n.type.startsWith('subscription.')) return '/tenant/billing';
  if (n.type === 'invitation.accepted') return '/tenant/members';
  return undefined;
}

export const notificationsPage: Page = async (root, ctx) => {
  const list = h('ul', { class: 'card list', 'aria-label': 'Notifications', 'data-testid': 'feed' });
  const markAll = h('button', { class: 'btn secondary', type: 'button' }, 'Mark all read');
  const more = h('button', { class: 'btn secondary', type: 'button', hidden: true }, 'Show more');
  const head = pageHead('Notifications', 'Invitations, reminders, payments and finished reports.', markAll);
  root.replaceChildren(head, loading('Loading notifications…'));
  let offset = 0;

  const read = async (ids: string[] | 'all') => {
    const answer = await ctx.api.post('/v1/user/notification/read', {
      body: ids === 'all' ? { all: true } : { notificationIds: ids },
    });
    ctx.live.setUnread(answer.unreadCount);
  };
  const item = (n: Notification) => {
    const href = targetOf(n);
    const li = h(
      'li',
      {
        class: `notification ${n.read ? 'read' : 'unread'}`,
        'data-testid': 'notification',
        'data-type': n.type,
      },
      h('span', { class: 'dot', 'aria-hidden': 'true' }),
      h(
        'div',
        { class: 'body' },
        href ? h('a', { href }, n.title) : h('span', {}, n.title),
        h('p', {}, n.message),
        h('span', { class: 'muted small' }, formatDate(n.created), n.read ? '' : ' · unread'),
      ),
    );
    if (!n.read) {
      const mark = h(
        'button',
        { class: 'btn ghost small', type: 'button', 'aria-label': `Mark “${n.title}” read` },
        'Mark read',
      );
      mark.addEventListener('click', async () => {
        try {
          await read([n.notificationId]);
          li.replaceWith(item({ ...n, read: true }));
        } catch (error) {
          toast(messageOf(error), 'error');
        }
      });
      li.appendChild(mark);
      li.querySelector('a')?.addEventListener(
        'click',
        () => void read([n.notificationId]).catch(() => undefined),
      );
    }
    return li;
  };

  async function load(first: boolean) {
    const page = await ctx.api.get('/v1/user/notification', { query: { limit: PAGE, offset } });
    ctx.live.setUnread(page.unreadCount);
    if (first) list.replaceChildren();
    for (const n of page.notifications) list.appendChild(item(n));
    offset += page.notifications.length;
    more.hidden = page.notifications.length < PAGE;
    show();
  }
  const emptyState = empty(
    'You are all caught up',
    'Dojo invitations, reminders and finished reports will show up here.',
  );
  const feed = h('div', {});
  const show = () => feed.replaceChildren(list.children.length ? list : emptyState);

  try {
    await load(true);
  } catch (error) {
    root.replaceChildren(head, failure(error));
    return;
  }
  root.replaceChildren(head, feed, h('div', { class: 'row' }, more));
  void ctx.api.post('/v1/user/notification/seen', { body: {} }).catch(() => undefined);

  markAll.addEventListener('click', async () => {
    try {
      await read('all');
      for (const li of list.querySelectorAll('.notification.unread')) {
        li.classList.replace('unread', 'read');
        li.querySelector('.btn')?.remove();
      }
    } catch (error) {
      toast(messageOf(error), 'error');
    }
  });
  more.addEventListener('click', () => void load(false).catch((e: unknown) => toast(messageOf(e), 'error')));
  return ctx.live.onNotification((n) => {
    list.prepend(item(n));
    show();
    offset++;
  });
};
