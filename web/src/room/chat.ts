/**
 * The room's chat: the last messages of the state (the server keeps 50) and an input limited to the
 * protocol's 2000 characters. Enter sends, Shift+Enter breaks the line. The list stays at the bottom while
 * the reader is there, and leaves their scroll alone while they read older messages.
 */
import './chat.css';
import { CLIENT_MESSAGES, LIMITS } from '../../../protocol/dojo.ts';
import { h, initials, setText } from './dom.ts';
import { nameOf, type ChatView, type RoomView } from './model.ts';

export interface ChatPanelOptions {
  readonly selfId: string;
  send(type: string, payload: unknown): void;
}

export class ChatPanel {
  readonly element: HTMLElement;
  readonly #o: ChatPanelOptions;
  readonly #list = h('ol', { class: 'dr-chat-list', attrs: { 'aria-live': 'polite' } });
  readonly #input = h('textarea', {
    class: 'dr-chat-input',
    attrs: {
      rows: 1,
      maxlength: LIMITS.chatChars,
      placeholder: 'Message everyone',
      'aria-label': 'Chat message',
    },
  });
  readonly #counter = h('span', { class: 'dr-chat-counter' });
  readonly #sendButton = h('button', { class: 'dr-chat-send', text: 'Send', attrs: { type: 'submit' } });
  #rendered = '';

  constructor(options: ChatPanelOptions) {
    this.#o = options;
    const form = h(
      'form',
      { class: 'dr-chat-form', on: { submit: (e) => (e.preventDefault(), this.#submit()) } },
      this.#input,
      h('div', { class: 'dr-chat-actions' }, this.#counter, this.#sendButton),
    );
    this.#input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        this.#submit();
      }
    });
    this.#input.addEventListener('input', () => this.#count());
    this.element = h('section', { class: 'dr-chat', attrs: { 'aria-label': 'Chat' } }, this.#list, form);
    this.#count();
  }

  render(view: RoomView): void {
    // Names can change too (someone joins after their message): the key covers both.
    const key = view.chat.map((m) => `${m.id}:${nameOf(view, m.userId)}`).join('|');
    if (key === this.#rendered) return;
    this.#rendered = key;
    const atBottom = this.#list.scrollHeight - this.#list.scrollTop - this.#list.clientHeight < 40;
    this.#list.replaceChildren(
      ...(view.chat.length
        ? view.chat.map((m) => this.#message(view, m))
        : [h('li', { class: 'dr-chat-empty', text: 'No messages yet. Say hello!' })]),
    );
    if (atBottom) this.#list.scrollTop = this.#list.scrollHeight;
  }

  #message(view: RoomView, m: ChatView): HTMLElement {
    const name = nameOf(view, m.userId);
    const mine = m.userId === this.#o.selfId;
    const time = m.created
      ? new Date(m.created).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
      : '';
    return h(
      'li',
      { class: `dr-chat-message${mine ? ' dr-mine' : ''}` },
      h('span', { class: 'dr-chat-avatar', text: initials(name), attrs: { 'aria-hidden': 'true' } }),
      h(
        'div',
        { class: 'dr-chat-body' },
        h(
          'div',
          { class: 'dr-chat-meta' },
          h('strong', { text: mine ? 'You' : name }),
          h('time', { text: time, attrs: { datetime: m.created } }),
        ),
        h('p', { class: 'dr-chat-text', text: m.text }),
      ),
    );
  }

  #submit(): void {
    const text = this.#input.value;
    if (!text.trim() || text.length > LIMITS.chatChars) return;
    this.#o.send(CLIENT_MESSAGES.chat, { text });
    this.#input.value = '';
    this.#count();
    this.#list.scrollTop = this.#list.scrollHeight;
  }

  #count(): void {
    const left = LIMITS.chatChars - this.#input.value.length;
    setText(this.#counter, left < 200 ? `${left} left` : '');
    this.#sendButton.disabled = !this.#input.value.trim();
  }

  destroy(): void {
    this.element.remove();
  }
}
