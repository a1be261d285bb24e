/**
 * The room's top bar: the subject, the session's status and REC indicator, the randori turn timer (a
 * countdown to `turnEndsAt` with a bar) and who holds which role.
 */
import './header.css';
import { clock, h, setText, toggleClass } from './dom.ts';
import { nameOf, type RoomView } from './model.ts';

export class RoomHeader {
  readonly element: HTMLElement;
  readonly #subject = h('h1', { class: 'dr-subject' });
  readonly #status = h('span', { class: 'dr-chip dr-status' });
  readonly #rec = h('span', {
    class: 'dr-chip dr-rec',
    text: 'REC',
    attrs: { title: 'This session is being recorded' },
  });
  readonly #link = h('span', { class: 'dr-chip dr-link' });
  readonly #timer = h('span', { class: 'dr-timer-value', attrs: { 'aria-label': 'Time left in this turn' } });
  readonly #bar = h('span', { class: 'dr-timer-fill' });
  readonly #pilot = h('span', { class: 'dr-role-name' });
  readonly #copilot = h('span', { class: 'dr-role-name' });
  readonly #host = h('span', { class: 'dr-role-name' });
  readonly #interval: ReturnType<typeof setInterval>;
  #view: RoomView | undefined;

  constructor() {
    const role = (label: string, name: HTMLElement, kind: string) =>
      h(
        'span',
        { class: `dr-role dr-role-${kind}` },
        h('span', { class: 'dr-role-label', text: label }),
        name,
      );
    this.element = h(
      'header',
      { class: 'dr-header' },
      h('div', { class: 'dr-title' }, this.#subject, this.#status, this.#rec, this.#link),
      h(
        'div',
        { class: 'dr-timer', attrs: { role: 'timer' } },
        h('span', { class: 'dr-timer-label', text: 'Turn' }),
        this.#timer,
        h('span', { class: 'dr-timer-bar' }, this.#bar),
      ),
      h(
        'div',
        { class: 'dr-roles' },
        role('Pilot', this.#pilot, 'pilot'),
        role('Copilot', this.#copilot, 'copilot'),
        role('Host', this.#host, 'host'),
      ),
    );
    this.#interval = setInterval(() => this.#tick(), 250);
  }

  render(view: RoomView): void {
    this.#view = view;
    setText(this.#subject, view.subject || 'Dojo');
    setText(this.#status, view.status === 'LIVE' ? 'Live' : view.status || 'Connecting');
    toggleClass(this.#status, 'dr-live', view.status === 'LIVE');
    toggleClass(this.#rec, 'dr-on', view.recording);
    setText(this.#pilot, view.pilotId ? nameOf(view, view.pilotId) : '—');
    setText(this.#copilot, view.copilotId ? nameOf(view, view.copilotId) : '—');
    setText(this.#host, view.hostId ? nameOf(view, view.hostId) : '—');
    this.#tick();
  }

  /** The connection's trouble, if any ("reconnecting…"), beside the status. */
  setLink(text: string): void {
    setText(this.#link, text);
    toggleClass(this.#link, 'dr-on', text !== '');
  }

  #tick(): void {
    const view = this.#view;
    if (!view || !view.turnEndsAt) {
      setText(this.#timer, '--:--');
      this.#bar.style.width = '0%';
      return;
    }
    const left = Math.max(0, (view.turnEndsAt - Date.now()) / 1000);
    setText(this.#timer, clock(Math.ceil(left)));
    const total = view.turnSeconds || 1;
    this.#bar.style.width = `${Math.min(100, (left / total) * 100).toFixed(1)}%`;
    toggleClass(this.element, 'dr-turn-ending', left <= 30);
  }

  destroy(): void {
    clearInterval(this.#interval);
    this.element.remove();
  }
}
