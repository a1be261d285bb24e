/** The frame of the pages a visitor sees before logging in: the brand, a card, a footer link. */
import { h, type Child } from '../ui/dom.ts';

export function authCard(title: string, subtitle: string, ...children: Child[]): HTMLElement {
  return h(
    'div',
    { class: 'auth' },
    h(
      'main',
      { class: 'card', id: 'main' },
      h(
        'a',
        { class: 'brand', href: '/' },
        h('span', { class: 'brand-mark', 'aria-hidden': 'true' }, 'D'),
        'Dojo',
      ),
      h('h1', { tabindex: '-1', 'data-page-title': true }, title),
      h('p', { class: 'sub' }, subtitle),
      children,
    ),
  );
}
