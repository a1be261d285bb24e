/**
 * Sign-up, then the "check your mail" step, and /confirm?token= which confirms. With the embedded
 * defaults the mail is a file: the page says where to find it.
 */
import type { Page } from '../app.ts';
import { h } from '../ui/dom.ts';
import { field, form } from '../ui/form.ts';
import { authCard } from './auth-layout.ts';

export const signupPage: Page = (root, ctx, { query }) => {
  const invitation = query.get('invitation') ?? undefined;
  const firstName = field({
    path: 'firstName',
    label: 'First name',
    required: true,
    autocomplete: 'given-name',
    attrs: { maxlength: 30 },
  });
  const lastName = field({
    path: 'lastName',
    label: 'Last name',
    required: true,
    autocomplete: 'family-name',
    attrs: { maxlength: 30 },
  });
  const email = field({
    path: 'email',
    label: 'Email',
    type: 'email',
    required: true,
    autocomplete: 'email',
    attrs: { maxlength: 50 },
  });
  const username = field({
    path: 'username',
    label: 'Username',
    required: true,
    autocomplete: 'username',
    hint: '3–15 characters: lower-case letters, digits, _ . -',
    attrs: { autocapitalize: 'none', minlength: 3, maxlength: 15 },
  });
  const password = field({
    path: 'password',
    label: 'Password',
    type: 'password',
    required: true,
    autocomplete: 'new-password',
    hint: 'At least 8 characters; not a common password.',
  });
  const fields = [firstName, lastName, email, username, password];
  const f = form({
    fields,
    submitLabel: 'Create account',
    busyLabel: 'Creating your account…',
    aliases: { invitation: 'email' },
    onSubmit: async () => {
      await ctx.api.post('/v1/account', {
        body: {
          firstName: firstName.control.value.trim(),
          lastName: lastName.control.value.trim(),
          email: email.control.value.trim(),
          username: username.control.value.trim().toLowerCase(),
          password: password.control.value,
          ...(invitation ? { invitation } : {}),
        },
      });
      root.replaceChildren(checkMail(email.control.value.trim()));
    },
  });
  root.replaceChildren(
    authCard(
      invitation ? 'Join your team on Dojo' : 'Create your Dojo workspace',
      invitation
        ? 'You were invited: sign up with the address the invitation was sent to.'
        : 'Track your POCs and meet in live coding dojos.',
      f.element,
      h('p', { class: 'muted small' }, 'Already have an account? ', h('a', { href: '/login' }, 'Log in')),
    ),
  );
};

function checkMail(address: string): HTMLElement {
  return authCard(
    'Check your mail',
    `We sent a confirmation link to ${address}. It is valid for 24 hours.`,
    h(
      'div',
      { class: 'notice', 'data-testid': 'outbox-hint' },
      h(
        'p',
        {},
        h('strong', {}, 'Running Dojo on its embedded defaults? '),
        'No mail leaves the machine: each message is an ',
        h('code', {}, '.eml'),
        ' file in ',
        h('code', {}, '$DATA_DIR/outbox/'),
        ' (',
        h('code', {}, './data/outbox/'),
        ' by default).',
      ),
      h(
        'p',
        {},
        'Open the newest one and follow its link, or paste the token at ',
        h('code', {}, '/confirm?token=…'),
        '.',
      ),
    ),
    h('p', { class: 'muted small' }, 'Confirmed already? ', h('a', { href: '/login' }, 'Log in')),
  );
}

export const confirmPage: Page = (root, ctx, { query }) => {
  const token = field({
    path: 'token',
    label: 'Confirmation token',
    required: true,
    value: query.get('token') ?? '',
    attrs: { autocapitalize: 'none', spellcheck: 'false' },
  });
  const f = form({
    fields: [token],
    submitLabel: 'Confirm my account',
    busyLabel: 'Confirming…',
    onSubmit: async () => {
      await ctx.api.post('/v1/account/confirm', { body: { token: token.control.value.trim() } });
      ctx.navigate('/login?confirmed=1', { replace: true });
    },
  });
  root.replaceChildren(authCard('Confirm your account', 'One click and your account is active.', f.element));
  if (!query.get('token')) token.control.focus();
};
