/**
 * The caller's POCs: search by name, language and tags (all must match), favourites only, and infinite
 * scroll on the API's `nextCursor` (an IntersectionObserver on a sentinel, plus a "Load more" button
 * for keyboards and screen readers). The filters live in the URL, so a search can be shared and reloaded.
 */
import type { Page } from '../app.ts';
import type { Paths } from '../api/schema.gen.ts';
import { h, icon, ICONS } from '../ui/dom.ts';
import { empty, failure, loading, messageOf, pageHead, toast } from '../ui/widgets.ts';

type Poc = Paths['/v1/pocs']['get']['responses'][200]['pocs'][number];
type Query = Paths['/v1/pocs']['get']['query'];

const tagsOf = (text: string) =>
  text
    .split(',')
    .map((t) => t.trim().toLowerCase())
    .filter(Boolean);

export function favoriteButton(
  ctx: Parameters<Page>[1],
  poc: Poc,
  onChange?: (p: Poc) => void,
): HTMLButtonElement {
  const button = h('button', { class: 'fav', type: 'button' }, '★');
  const show = (on: boolean) => {
    button.setAttribute('aria-pressed', String(on));
    button.setAttribute(
      'aria-label',
      on ? `Remove ${poc.name} from favourites` : `Add ${poc.name} to favourites`,
    );
  };
  show(poc.favorite);
  button.addEventListener('click', async () => {
    const on = button.getAttribute('aria-pressed') !== 'true';
    show(on);
    try {
      poc = on
        ? await ctx.api.put('/v1/pocs/{id}/favorite', { params: { id: poc.id } })
        : await ctx.api.del('/v1/pocs/{id}/favorite', { params: { id: poc.id } });
      onChange?.(poc);
    } catch (error) {
      show(!on);
      toast(messageOf(error), 'error');
    }
  });
  return button;
}

const card = (ctx: Parameters<Page>[1], poc: Poc) =>
  h(
    'li',
    { class: 'card poc-card', 'data-testid': 'poc' },
    h(
      'div',
      { class: 'row' },
      h('h3', { class: 'grow' }, h('a', { href: `/pocs/${poc.id}` }, poc.name)),
      favoriteButton(ctx, poc),
    ),
    h(
      'div',
      { class: 'row small' },
      h('span', { class: 'pill accent' }, poc.language),
      h('span', { class: 'muted' }, new Date(poc.created).toLocaleDateString()),
    ),
    poc.description ? h('p', { class: 'desc' }, poc.description) : null,
    h(
      'div',
      {},
      poc.tags.map((t) => h('span', { class: 'tag' }, `#${t}`)),
    ),
    h(
      'a',
      { href: poc.repoUrl, target: '_blank', rel: 'noopener noreferrer', class: 'small' },
      'Repository ↗',
    ),
  );

export const pocsPage: Page = (root, ctx, { query }) => {
  const name = h('input', {
    id: 'q-name',
    type: 'search',
    value: query.get('name') ?? '',
    placeholder: 'Search by name',
  });
  const language = h('input', {
    id: 'q-language',
    value: query.get('language') ?? '',
    placeholder: 'Any language',
  });
  const tags = h('input', {
    id: 'q-tags',
    value: query.getAll('tag').join(', '),
    placeholder: 'e.g. cache, redis',
  });
  const favorite = h('input', { id: 'q-fav', type: 'checkbox', checked: query.get('favorite') === 'true' });
  const filters = h(
    'form',
    { class: 'card row', role: 'search', 'aria-label': 'Search POCs' },
    h('div', { class: 'field grow' }, h('label', { for: 'q-name' }, 'Name'), name),
    h('div', { class: 'field' }, h('label', { for: 'q-language' }, 'Language'), language),
    h('div', { class: 'field' }, h('label', { for: 'q-tags' }, 'Tags (comma-separated)'), tags),
    h('div', { class: 'row' }, favorite, h('label', { for: 'q-fav' }, 'Favourites only')),
    h('button', { class: 'btn secondary', type: 'submit' }, 'Search'),
  );
  const list = h('ul', { class: 'grid list-reset', 'aria-label': 'POCs', 'aria-busy': 'true' });
  const status = h('div', { role: 'status', class: 'muted small' });
  const more = h('button', { class: 'btn secondary', type: 'button', hidden: true }, 'Load more');
  const sentinel = h('div', { 'aria-hidden': 'true' });
  root.replaceChildren(
    pageHead(
      'POCs',
      'Your proofs of concept.',
      h('a', { class: 'btn', href: '/pocs/new' }, icon(ICONS.plus), 'New POC'),
    ),
    filters,
    h('div', { class: 'stack' }, list, status, h('div', { class: 'row' }, more), sentinel),
  );

  let cursor: string | null = null;
  let loadingPage = false;
  let generation = 0;
  const current = (): Query => ({
    name: name.value.trim() || undefined,
    language: language.value.trim() || undefined,
    tag: tagsOf(tags.value).length ? tagsOf(tags.value) : undefined,
    favorite: favorite.checked ? 'true' : undefined,
    limit: 12,
  });
  let filter = current();

  async function loadPage(first: boolean): Promise<void> {
    if (loadingPage || (!first && !cursor)) return;
    loadingPage = true;
    const mine = generation;
    list.setAttribute('aria-busy', 'true');
    const spinner = loading(first ? 'Loading POCs…' : 'Loading more…');
    status.replaceChildren(spinner);
    let loaded = false;
    try {
      const page = await ctx.api.get('/v1/pocs', {
        query: { ...filter, ...(first ? {} : { cursor: cursor ?? undefined }) },
      });
      if (mine !== generation) return;
      if (first) list.replaceChildren();
      for (const poc of page.pocs) list.appendChild(card(ctx, poc));
      cursor = page.nextCursor;
      loaded = true;
      more.hidden = !cursor;
      const count = list.children.length;
      status.replaceChildren(count ? `${count} POC${count === 1 ? '' : 's'}${cursor ? ' so far' : ''}` : '');
      if (!count) {
        const searching = filter.name || filter.language || filter.tag || filter.favorite;
        list.replaceChildren(
          h(
            'li',
            { class: 'full' },
            searching
              ? empty('No POC matches', 'Try fewer filters, or another spelling.')
              : empty(
                  'No POCs yet',
                  'Register your first proof of concept to find it again later.',
                  h('a', { class: 'btn', href: '/pocs/new' }, 'New POC'),
                ),
          ),
        );
      }
    } catch (error) {
      if (mine === generation) status.replaceChildren(failure(error, () => void loadPage(first)));
    } finally {
      if (mine === generation) {
        loadingPage = false;
        list.setAttribute('aria-busy', 'false');
        // The observer only reports changes: a sentinel still in view after a short page asks again.
        if (loaded && cursor && sentinel.getBoundingClientRect().top < innerHeight + 400)
          void loadPage(false);
      }
    }
  }

  filters.addEventListener('submit', (event) => {
    event.preventDefault();
    filter = current();
    const params = new URLSearchParams();
    if (filter.name) params.set('name', filter.name);
    if (filter.language) params.set('language', filter.language);
    for (const t of filter.tag ?? []) params.append('tag', t);
    if (filter.favorite) params.set('favorite', 'true');
    history.replaceState(null, '', `/pocs${params.size ? `?${params}` : ''}`);
    generation++;
    loadingPage = false;
    cursor = null;
    void loadPage(true);
  });
  more.addEventListener('click', () => void loadPage(false));
  const observer = new IntersectionObserver(
    (entries) => {
      if (entries.some((e) => e.isIntersecting)) void loadPage(false);
    },
    { rootMargin: '400px' },
  );
  observer.observe(sentinel);
  void loadPage(true);
  return () => observer.disconnect();
};
