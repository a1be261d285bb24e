/**
 * History-API routing: a table of path patterns → pages. Public pages draw full-screen; the others draw
 * inside the shell, and send a visitor without a session to /login?next=…. In-app links are plain
 * `<a href="/…">`: clicks are intercepted, so they also work with a middle click or "open in new tab".
 */
import type { AppContext, Cleanup, Page } from './app.ts';
import { createShell, type Shell } from './shell.ts';
import { h } from './ui/dom.ts';
import { failure, loading } from './ui/widgets.ts';

export interface Route {
  readonly pattern: string;
  readonly page: () => Promise<Page> | Page;
  readonly public?: boolean;
  readonly title: string;
}

interface Compiled extends Route {
  readonly regex: RegExp;
  readonly names: string[];
}

const compile = (route: Route): Compiled => {
  const names: string[] = [];
  const source = route.pattern.replace(/:(\w+)/g, (_, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { ...route, regex: new RegExp(`^${source}/?$`), names };
};

export function startRouter(
  root: HTMLElement,
  ctx: AppContext,
  routes: readonly Route[],
  notFound: Page,
): () => void {
  const table = routes.map(compile);
  let shell: Shell | undefined;
  let cleanup: Cleanup | undefined;
  let generation = 0;

  async function render(): Promise<void> {
    const current = ++generation;
    cleanup?.();
    cleanup = undefined;
    const path = location.pathname;
    const query = new URLSearchParams(location.search);
    const match = table.map((r) => ({ r, m: r.regex.exec(path) })).find((x) => x.m);
    const route = match?.r;
    const params: Record<string, string> = {};
    route?.names.forEach((name, i) => (params[name] = decodeURIComponent(match?.m?.[i + 1] ?? '')));
    if (route && !route.public && !ctx.session()) {
      ctx.navigate(`/login?next=${encodeURIComponent(path + location.search)}`, { replace: true });
      return;
    }
    document.title = route ? `${route.title} · Dojo` : 'Not found · Dojo';
    let target: HTMLElement;
    if (route?.public || !ctx.session()) {
      shell?.dispose();
      shell = undefined;
      target = h('div', {});
      root.replaceChildren(target);
    } else {
      if (!shell) {
        shell = createShell(ctx);
        root.replaceChildren(shell.element);
        void ctx.live.connect();
      }
      shell.highlight(path);
      target = shell.main;
      // The live room wants the whole width (tiles over the editor, chat beside).
      target.classList.toggle('wide', route?.pattern.endsWith('/live') ?? false);
      target.replaceChildren(loading());
    }
    try {
      const page = route ? await route.page() : notFound;
      if (current !== generation) return;
      target.replaceChildren();
      const result = await page(target, ctx, { params, query });
      if (current !== generation) {
        if (typeof result === 'function') result();
        return;
      }
      if (typeof result === 'function') cleanup = result;
    } catch (error) {
      if (current === generation) target.replaceChildren(failure(error, () => void render()));
    }
    if (current === generation) {
      const title = target.querySelector<HTMLElement>('[data-page-title]');
      if (title && document.activeElement === document.body) title.focus({ preventScroll: true });
      document.documentElement.dataset.route = route?.pattern ?? 'not-found';
      performance.mark('dojo:ready');
      window.dispatchEvent(new Event('dojo:ready'));
    }
  }

  const onClick = (event: MouseEvent) => {
    if (
      event.defaultPrevented ||
      event.button !== 0 ||
      event.metaKey ||
      event.ctrlKey ||
      event.shiftKey ||
      event.altKey
    )
      return;
    const a = (event.target as Element | null)?.closest('a');
    if (!a || a.target || a.hasAttribute('download')) return;
    const href = a.getAttribute('href');
    if (!href || !href.startsWith('/') || href.startsWith('//')) return;
    if (/^\/(v1|files)\//.test(href)) return;
    event.preventDefault();
    ctx.navigate(href);
  };
  const onPop = () => void render();
  document.addEventListener('click', onClick);
  window.addEventListener('popstate', onPop);
  window.addEventListener('dojo:navigate', onPop);
  void render();
  return () => {
    document.removeEventListener('click', onClick);
    window.removeEventListener('popstate', onPop);
    window.removeEventListener('dojo:navigate', onPop);
  };
}
