/** The signed-in frame: top bar (menu, brand, bell with the unread count, avatar) and the sidebar. */
import type { AppContext } from './app.ts';
import { h, icon, ICONS } from './ui/dom.ts';
import { avatar } from './ui/widgets.ts';

const NAV: readonly { section?: string; href: string; label: string; icon: string; admin?: boolean }[] = [
  { href: '/pocs', label: 'POCs', icon: ICONS.code },
  { href: '/dojos', label: 'Dojos', icon: ICONS.calendar },
  { href: '/notifications', label: 'Notifications', icon: ICONS.bell },
  { href: '/videos', label: 'Year in review', icon: ICONS.film },
  { section: 'Workspace', href: '/tenant/members', label: 'Members', icon: ICONS.users, admin: true },
  { href: '/tenant/billing', label: 'Plan & billing', icon: ICONS.card, admin: true },
  { href: '/tenant/reports', label: 'Reports', icon: ICONS.chart, admin: true },
  { section: 'Account', href: '/profile', label: 'Profile', icon: ICONS.user },
];

export interface Shell {
  readonly element: HTMLElement;
  readonly main: HTMLElement;
  /** Marks the sidebar link of the current path. */
  highlight(path: string): void;
  dispose(): void;
}

export function createShell(ctx: AppContext): Shell {
  const badge = h('span', { class: 'badge', hidden: true, 'data-testid': 'unread-count' });
  const bell = h(
    'a',
    { class: 'icon-button', href: '/notifications', 'aria-label': 'Notifications', 'data-testid': 'bell' },
    icon(ICONS.bell),
    badge,
  );
  const showCount = (n: number) => {
    badge.textContent = n > 99 ? '99+' : String(n);
    badge.hidden = n === 0;
    bell.setAttribute('aria-label', n ? `Notifications, ${n} unread` : 'Notifications');
  };
  showCount(ctx.live.unreadCount);
  const offCount = ctx.live.onCount(showCount);

  const sidebar = h('aside', { class: 'sidebar', id: 'sidebar' });
  const toggle = h(
    'button',
    {
      class: 'icon-button menu-toggle',
      type: 'button',
      'aria-label': 'Menu',
      'aria-expanded': 'false',
      'aria-controls': 'sidebar',
    },
    icon(ICONS.menu),
  );
  const setOpen = (open: boolean) => {
    sidebar.classList.toggle('open', open);
    toggle.setAttribute('aria-expanded', String(open));
  };
  toggle.addEventListener('click', () => setOpen(!sidebar.classList.contains('open')));
  const me = h(
    'a',
    { class: 'icon-button', href: '/profile', 'aria-label': 'Your profile' },
    h('span', { class: 'avatar' }, '…'),
  );
  const links: HTMLAnchorElement[] = [];
  const nav = h('nav', { 'aria-label': 'Main' });
  const renderNav = (admin: boolean) => {
    const items = NAV.filter((n) => admin || !n.admin).map((n) => {
      const a = h('a', { href: n.href }, icon(n.icon), n.label);
      a.addEventListener('click', () => setOpen(false));
      links.push(a);
      return [
        n.section && (admin || !n.admin) ? h('li', { class: 'section' }, n.section) : null,
        h('li', {}, a),
      ];
    });
    nav.replaceChildren(h('ul', {}, items));
  };
  renderNav(false);
  sidebar.appendChild(nav);
  void ctx.profile().then(
    (p) => {
      me.replaceChildren(avatar(p));
      links.length = 0;
      renderNav(p.role !== 'member');
      highlight(location.pathname);
    },
    () => undefined,
  );

  const main = h('main', { id: 'main', tabindex: '-1' });
  const element = h(
    'div',
    { class: 'app' },
    h('a', { class: 'skip-link', href: '#main' }, 'Skip to content'),
    h(
      'header',
      { class: 'topbar' },
      toggle,
      h(
        'a',
        { class: 'brand', href: '/pocs' },
        h('span', { class: 'brand-mark', 'aria-hidden': 'true' }, 'D'),
        'Dojo',
      ),
      h('span', { class: 'spacer' }),
      bell,
      me,
    ),
    h('div', { class: 'layout' }, sidebar, main),
  );
  function highlight(path: string) {
    for (const a of links) {
      const href = a.getAttribute('href') ?? '';
      if (path === href || path.startsWith(`${href}/`)) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
  }
  return { element, main, highlight, dispose: offCount };
}
