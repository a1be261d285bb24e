/** The caller's profile: names, picture upload (JPEG/PNG/WebP ≤ 2 MiB), online status, logout. */
import type { Page, Profile } from '../app.ts';
import { h } from '../ui/dom.ts';
import { field, form } from '../ui/form.ts';
import { avatar, failure, loading, messageOf, pageHead, toast } from '../ui/widgets.ts';

const MAX_PICTURE = 2 * 1024 * 1024;

const readAsDataUrl = (file: File) =>
  new Promise<string>((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error ?? new Error('Could not read the file'));
    reader.readAsDataURL(file);
  });

export const profilePage: Page = async (root, ctx) => {
  root.replaceChildren(pageHead('Profile', 'How others in your workspace see you.'), loading());
  let me: Profile;
  try {
    me = await ctx.profile();
  } catch (error) {
    root.replaceChildren(failure(error, () => ctx.navigate('/profile', { replace: true })));
    return;
  }
  const picture = h('div', {}, avatar(me, true));
  const pictureError = h('div', { class: 'error', role: 'alert' });
  const fileInput = h('input', {
    type: 'file',
    id: 'picture-input',
    accept: 'image/jpeg,image/png,image/webp',
    class: 'sr-only',
  });
  const upload = h(
    'label',
    { class: 'btn secondary', for: 'picture-input', tabindex: '0', role: 'button' },
    'Upload a picture',
  );
  upload.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      fileInput.click();
    }
  });
  fileInput.addEventListener('change', async () => {
    const file = fileInput.files?.[0];
    pictureError.textContent = '';
    if (!file) return;
    if (file.size > MAX_PICTURE) {
      pictureError.textContent = 'The picture must be 2 MiB or smaller.';
      return;
    }
    upload.setAttribute('aria-busy', 'true');
    upload.textContent = 'Uploading…';
    try {
      const answer = await ctx.api.post('/v1/user/picture', { body: { image: await readAsDataUrl(file) } });
      me = { ...me, picture: answer.picture };
      picture.replaceChildren(avatar(me, true));
      void ctx.refreshProfile();
      toast('Picture updated');
    } catch (error) {
      pictureError.textContent = messageOf(error);
    } finally {
      upload.removeAttribute('aria-busy');
      upload.textContent = 'Upload a picture';
      fileInput.value = '';
    }
  });

  const statusToggle = h('input', {
    type: 'checkbox',
    id: 'status-toggle',
    role: 'switch',
    checked: me.status === 'ONLINE',
  });
  const statusText = h('span', {}, me.status === 'ONLINE' ? 'Online' : 'Offline');
  statusToggle.addEventListener('change', async () => {
    const status = statusToggle.checked ? 'ONLINE' : 'OFFLINE';
    statusToggle.disabled = true;
    try {
      await ctx.api.post('/v1/user/status', { body: { status } });
      statusText.textContent = status === 'ONLINE' ? 'Online' : 'Offline';
      void ctx.refreshProfile();
    } catch (error) {
      statusToggle.checked = !statusToggle.checked;
      toast(messageOf(error), 'error');
    } finally {
      statusToggle.disabled = false;
    }
  });

  const firstName = field({
    path: 'firstName',
    label: 'First name',
    value: me.firstName,
    required: true,
    autocomplete: 'given-name',
  });
  const lastName = field({
    path: 'lastName',
    label: 'Last name',
    value: me.lastName,
    required: true,
    autocomplete: 'family-name',
  });
  const names = form({
    fields: [firstName, lastName],
    submitLabel: 'Save changes',
    busyLabel: 'Saving…',
    onSubmit: async () => {
      me = await ctx.api.post('/v1/account/profile', {
        body: { firstName: firstName.control.value.trim(), lastName: lastName.control.value.trim() },
      });
      void ctx.refreshProfile();
      toast('Profile saved');
    },
  });

  root.replaceChildren(
    pageHead(
      'Profile',
      'How others in your workspace see you.',
      h('a', { class: 'btn secondary', href: '/logout' }, 'Log out'),
    ),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'pic-h' },
      h('h2', { id: 'pic-h' }, 'Picture and status'),
      h(
        'div',
        { class: 'row' },
        picture,
        h(
          'div',
          { class: 'stack' },
          h(
            'div',
            {},
            h('strong', {}, `${me.firstName} ${me.lastName}`),
            h('div', { class: 'muted small' }, `@${me.username} · ${me.email} · ${me.role}`),
          ),
          h(
            'div',
            { class: 'row' },
            fileInput,
            upload,
            h('span', { class: 'muted small' }, 'JPEG, PNG or WebP, up to 2 MiB.'),
          ),
          pictureError,
        ),
      ),
      h(
        'div',
        { class: 'row' },
        statusToggle,
        h('label', { for: 'status-toggle' }, 'Show me as online: '),
        statusText,
      ),
    ),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'names-h' },
      h('h2', { id: 'names-h' }, 'Your name'),
      names.element,
    ),
  );
};
