/** The workspace's members (owner/admin) and invitations by email. */
import type { Page } from '../app.ts';
import { h } from '../ui/dom.ts';
import { field, form } from '../ui/form.ts';
import { avatar, failure, formatDate, loading, pageHead, pill, toast } from '../ui/widgets.ts';
import { fullName, type Member } from './people.ts';

const row = (m: Member) =>
  h(
    'tr',
    { 'data-testid': 'member' },
    h(
      'td',
      {},
      h(
        'div',
        { class: 'row' },
        avatar(m),
        h('div', {}, h('div', {}, fullName(m)), h('div', { class: 'muted small' }, `@${m.username}`)),
      ),
    ),
    h('td', { class: 'hide-phone' }, m.email),
    h('td', {}, h('span', { class: 'pill accent' }, m.role)),
    h('td', {}, m.accountStatus === 'D' ? pill('FAILED', 'disabled') : pill(m.status)),
    h('td', { class: 'hide-phone muted small' }, formatDate(m.joinedAt)),
  );

export const membersPage: Page = async (root, ctx) => {
  const head = pageHead('Members', 'Everyone in your workspace.');
  root.replaceChildren(head, loading('Loading members…'));
  const me = await ctx.profile();
  if (me.role === 'member') {
    root.replaceChildren(
      head,
      h('div', { class: 'card' }, h('p', {}, 'Only owners and admins manage the workspace’s members.')),
    );
    return;
  }
  const tbody = h('tbody', {});
  const sent = h('ul', { class: 'list', 'aria-label': 'Invitations sent' });
  const refresh = async () => {
    const { members } = await ctx.api.get('/v1/tenant/members');
    tbody.replaceChildren(...members.map(row));
    return members;
  };
  let members: Member[];
  try {
    members = await refresh();
  } catch (error) {
    root.replaceChildren(head, failure(error));
    return;
  }
  const email = field({
    path: 'email',
    label: 'Email address',
    type: 'email',
    required: true,
    autocomplete: 'off',
    attrs: { maxlength: 50 },
  });
  const role = field({
    path: 'role',
    label: 'Role',
    options: [
      ['member', 'Member'],
      ['admin', 'Admin (manages members, billing, reports)'],
    ],
  });
  const invite = form({
    fields: [email, role],
    submitLabel: 'Send invitation',
    busyLabel: 'Sending…',
    // A plan's member limit is reported on `limits.members`.
    aliases: { 'limits.members': 'email' },
    onSubmit: async () => {
      const address = email.control.value.trim();
      await ctx.api.post('/v1/tenant/invitations', {
        body: { email: address, role: role.control.value as 'member' | 'admin' },
      });
      sent.appendChild(
        h(
          'li',
          { class: 'row' },
          h('span', { class: 'grow' }, address),
          h('span', { class: 'pill ok' }, 'invited'),
        ),
      );
      email.control.value = '';
      toast(`Invitation sent to ${address}`);
    },
  });
  root.replaceChildren(
    pageHead('Members', `${members.length} in your workspace.`),
    h(
      'div',
      { class: 'grid two' },
      h(
        'section',
        { class: 'card', 'aria-labelledby': 'members-h' },
        h('h2', { id: 'members-h' }, 'People'),
        h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            {},
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                h('th', {}, 'Name'),
                h('th', { class: 'hide-phone' }, 'Email'),
                h('th', {}, 'Role'),
                h('th', {}, 'Status'),
                h('th', { class: 'hide-phone' }, 'Joined'),
              ),
            ),
            tbody,
          ),
        ),
      ),
      h(
        'section',
        { class: 'card', 'aria-labelledby': 'invite-h' },
        h('h2', { id: 'invite-h' }, 'Invite someone'),
        h(
          'p',
          { class: 'muted' },
          'They get a link to sign up into this workspace. It only works for that address.',
        ),
        invite.element,
        sent,
      ),
    ),
  );
};
