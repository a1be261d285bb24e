/** Short-lived notices in a corner of the room page: refused room messages, media trouble, host actions. */
import { h } from './dom.ts';

export type ToastKind = 'info' | 'error';

export class Toasts {
  readonly element = h('div', { class: 'dr-toasts', attrs: { role: 'status', 'aria-live': 'polite' } });
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();

  show(text: string, kind: ToastKind = 'info', ms = 5000): void {
    const toast = h(
      'div',
      { class: `dr-toast dr-toast-${kind}` },
      h('span', { text }),
      h('button', {
        class: 'dr-toast-close',
        text: '×',
        attrs: { 'aria-label': 'Dismiss', type: 'button' },
        on: { click: () => toast.remove() },
      }),
    );
    this.element.append(toast);
    // Four at most: a burst of refusals (typing while not the pilot) must not cover the page.
    while (this.element.childElementCount > 4) this.element.firstElementChild?.remove();
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      toast.remove();
    }, ms);
    this.#timers.add(timer);
  }

  destroy(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.element.remove();
  }
}
