/** Create a POC (/pocs/new) or edit and delete one (/pocs/<id>); the API's field errors show at the fields. */
import type { Page } from '../app.ts';
import { h, replace } from '../ui/dom.ts';
import { field, form } from '../ui/form.ts';
import { failure, loading, messageOf, pageHead, toast } from '../ui/widgets.ts';

export const pocFormPage: Page = async (root, ctx, { params }) => {
  const id = params.id;
  root.replaceChildren(pageHead(id ? 'Edit POC' : 'New POC'), loading());
  let poc;
  try {
    poc = id ? await ctx.api.get('/v1/pocs/{id}', { params: { id } }) : undefined;
  } catch (error) {
    root.replaceChildren(pageHead('Edit POC'), failure(error));
    return;
  }
  const name = field({
    path: 'name',
    label: 'Name',
    required: true,
    value: poc?.name,
    attrs: { maxlength: 100 },
  });
  const language = field({
    path: 'language',
    label: 'Language',
    required: true,
    value: poc?.language,
    placeholder: 'TypeScript',
    attrs: { list: 'languages' },
  });
  const repoUrl = field({
    path: 'repoUrl',
    label: 'Repository URL',
    type: 'url',
    required: true,
    value: poc?.repoUrl,
    placeholder: 'https://github.com/you/poc',
    hint: 'An http(s) address, up to 255 characters.',
  });
  const tags = field({
    path: 'tags',
    label: 'Tags',
    value: poc?.tags.join(', '),
    hint: 'Comma-separated; up to 20 tags of up to 30 characters.',
  });
  const description = field({
    path: 'description',
    label: 'Description',
    multiline: true,
    value: poc?.description,
  });
  const favorite = h('input', { type: 'checkbox', id: 'poc-fav', checked: poc?.favorite ?? false });
  const languages = h(
    'datalist',
    { id: 'languages' },
    ['TypeScript', 'JavaScript', 'Python', 'Java', 'Go', 'Rust', 'Kotlin', 'C#'].map((l) =>
      h('option', { value: l }),
    ),
  );
  const body = () => ({
    name: name.control.value.trim(),
    language: language.control.value.trim(),
    repoUrl: repoUrl.control.value.trim(),
    tags: tags.control.value
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean),
    description: description.control.value.trim(),
    favorite: favorite.checked,
  });
  const f = form({
    fields: [name, language, repoUrl, tags, description],
    submitLabel: id ? 'Save POC' : 'Create POC',
    busyLabel: 'Saving…',
    extra: [languages, h('div', { class: 'row' }, favorite, h('label', { for: 'poc-fav' }, 'Favourite'))],
    onSubmit: async () => {
      if (id) await ctx.api.patch('/v1/pocs/{id}', { params: { id }, body: body() });
      else await ctx.api.post('/v1/pocs', { body: body() });
      toast(id ? 'POC saved' : 'POC created');
      ctx.navigate('/pocs');
    },
  });
  // The API checks tags one by one: `tags.3` lands at the tags field (the form falls back to `tags`).
  const remove = id ? h('button', { class: 'btn danger', type: 'button' }, 'Delete POC') : null;
  remove?.addEventListener('click', async () => {
    if (!id || !confirm(`Delete “${poc?.name}”? This cannot be undone.`)) return;
    remove.disabled = true;
    try {
      await ctx.api.del('/v1/pocs/{id}', { params: { id } });
      toast('POC deleted');
      ctx.navigate('/pocs');
    } catch (error) {
      remove.disabled = false;
      f.fail(error);
      toast(messageOf(error), 'error');
    }
  });
  replace(
    root,
    pageHead(
      id ? 'Edit POC' : 'New POC',
      id ? `Created ${new Date(poc!.created).toLocaleDateString()}` : 'Register a proof of concept.',
      h('a', { class: 'btn secondary', href: '/pocs' }, 'Back to POCs'),
    ),
    h('div', { class: 'card' }, f.element),
    remove
      ? h(
          'div',
          { class: 'card' },
          h('h2', {}, 'Danger zone'),
          h('p', { class: 'muted' }, 'Deleting a POC removes it from your list and searches.'),
          remove,
        )
      : null,
  );
};
