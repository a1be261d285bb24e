/** Schedule a dojo: a subject, a date and time, and members of the tenant (the caller hosts and joins). */
import type { Page } from '../app.ts';
import { h } from '../ui/dom.ts';
import { field, form } from '../ui/form.ts';
import { failure, loading, pageHead, toast } from '../ui/widgets.ts';
import { fullName, tenantMembers } from './people.ts';

/** `datetime-local` wants local time without a zone. */
const localInput = (d: Date) =>
  new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);

export const dojoFormPage: Page = async (root, ctx) => {
  const head = pageHead(
    'Schedule a dojo',
    'Everyone you pick gets a notification, and a reminder 10 minutes before.',
  );
  root.replaceChildren(head, loading());
  let members;
  let me;
  try {
    [me, members] = await Promise.all([ctx.profile(), tenantMembers(ctx)]);
  } catch (error) {
    root.replaceChildren(head, failure(error));
    return;
  }
  const subject = field({
    path: 'subject',
    label: 'Subject',
    required: true,
    placeholder: 'Refactoring the cache layer',
    attrs: { maxlength: 50 },
  });
  const start = new Date(Date.now() + 3_600_000);
  start.setMinutes(0, 0, 0);
  const date = field({
    path: 'dojoDate',
    label: 'Date and time',
    type: 'datetime-local',
    required: true,
    value: localInput(start),
  });
  const others = (members ?? []).filter((m) => m.userId !== me.userId && m.accountStatus === 'A');
  const memberError = h('div', { class: 'error', id: 'members-error', 'aria-live': 'polite' });
  const boxes = others.map((m) =>
    h('input', { type: 'checkbox', name: 'members', value: m.userId, id: `m-${m.userId}` }),
  );
  const memberPicker = h(
    'fieldset',
    { class: 'field', 'aria-describedby': 'members-error' },
    h('legend', {}, 'Members'),
    others.length
      ? h(
          'div',
          { class: 'checks' },
          others.map((m, i) =>
            h(
              'label',
              { for: `m-${m.userId}` },
              boxes[i],
              `${fullName(m)} `,
              h('span', { class: 'muted small' }, `@${m.username}`),
            ),
          ),
        )
      : h(
          'p',
          { class: 'muted' },
          members
            ? 'Nobody else in your workspace yet — invite members first, or schedule a solo session.'
            : 'Only owners and admins can list the workspace; you will host this dojo on your own.',
        ),
    memberError,
  );
  // The API names unknown members `members.<index>`; they all show under the picker.
  const membersField = {
    path: 'members',
    element: memberPicker,
    control: (boxes[0] ?? h('input', { type: 'hidden' })) as HTMLInputElement,
    setError: (m: string | undefined) => (memberError.textContent = m ?? ''),
  };
  const f = form({
    fields: [subject, date, membersField],
    submitLabel: 'Schedule dojo',
    busyLabel: 'Scheduling…',
    onSubmit: async () => {
      const when = new Date(date.control.value);
      if (Number.isNaN(when.getTime())) {
        date.setError('Pick a date and time');
        return;
      }
      const { dojoId } = await ctx.api.post('/v1/dojo/create', {
        body: {
          subject: subject.control.value.trim(),
          dojoDate: when.toISOString(),
          members: boxes.filter((b) => b.checked).map((b) => b.value),
        },
      });
      toast('Dojo scheduled');
      ctx.navigate(`/dojos/${dojoId}`);
    },
  });
  root.replaceChildren(head, h('div', { class: 'card' }, f.element));
};
