/** Log in (username + password) and log out. */
import type { Page } from '../app.ts';
import { h } from '../ui/dom.ts';
import { field, form } from '../ui/form.ts';
import { loading } from '../ui/widgets.ts';
import { authCard } from './auth-layout.ts';

/** Only same-site paths are followed after login (no open redirect). */
const safeNext = (next: string | null) =>
  next && next.startsWith('/') && !next.startsWith('//') ? next : '/pocs';

export const loginPage: Page = (root, ctx, { query }) => {
  if (ctx.session()) return ctx.navigate(safeNext(query.get('next')), { replace: true });
  const username = field({
    path: 'username',
    label: 'Username',
    required: true,
    autocomplete: 'username',
    attrs: { autocapitalize: 'none' },
  });
  const password = field({
    path: 'password',
    label: 'Password',
    type: 'password',
    required: true,
    autocomplete: 'current-password',
  });
  const f = form({
    fields: [username, password],
    submitLabel: 'Log in',
    busyLabel: 'Logging in…',
    onSubmit: async () => {
      const answer = await ctx.api.post('/v1/login', {
        body: { username: username.control.value.trim(), password: password.control.value },
      });
      ctx.sessions.start(answer);
      ctx.navigate(safeNext(query.get('next')), { replace: true });
    },
  });
  const notes = [
    query.get('confirmed')
      ? h('p', { class: 'notice ok', role: 'status' }, 'Your account is confirmed. Log in to start.')
      : null,
    query.get('ended')
      ? h('p', { class: 'notice', role: 'status' }, 'Your session ended. Please log in again.')
      : null,
    query.get('out') ? h('p', { class: 'notice', role: 'status' }, 'You are logged out.') : null,
  ];
  root.replaceChildren(
    authCard(
      'Welcome back',
      'Log in to your Dojo workspace.',
      notes,
      f.element,
      h('p', { class: 'muted small' }, 'New here? ', h('a', { href: '/signup' }, 'Create an account')),
    ),
  );
};

export const logoutPage: Page = async (root, ctx) => {
  root.replaceChildren(authCard('Logging out', 'One moment…', loading('Ending your session…')));
  await ctx.logout();
  ctx.navigate('/login?out=1', { replace: true });
};
