/**
 * The shared editor pane. The pilot types and every change goes out as `code {text}` (throttled: at most
 * one message per interval, the last change always sent); everyone else follows `state.code` live in a
 * read-only editor under a "X is driving" hint. CodeMirror is loaded lazily, the first time the pane shows.
 */
import './editor.css';
import { CLIENT_MESSAGES, LIMITS } from '../../../protocol/dojo.ts';
import type { CodeEditor } from './codemirror.ts';
import { h, setText, toggleClass } from './dom.ts';
import { nameOf, type RoomView } from './model.ts';

/** Keystrokes are batched to this many ms: under the room's rate limit (10 messages a second). */
const SEND_INTERVAL_MS = 150;
const LANGUAGE_LABELS: Record<string, string> = {
  javascript: 'JavaScript',
  typescript: 'TypeScript',
  python: 'Python',
  java: 'Java',
  plain: 'Plain text',
};

export interface EditorPaneOptions {
  readonly selfId: string;
  send(type: string, payload: unknown): void;
  problem(message: string): void;
}

export class EditorPane {
  readonly element: HTMLElement;
  readonly #o: EditorPaneOptions;
  readonly #hint = h('span', { class: 'dr-editor-hint' });
  readonly #language = h('select', { class: 'dr-language', attrs: { 'aria-label': 'Language' } });
  readonly #host = h('div', { class: 'dr-editor-host' });
  #editor: CodeEditor | undefined;
  #loading: Promise<void> | undefined;
  #view: RoomView | undefined;
  #pilot = false;
  #pending: string | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #lastSentAt = 0;
  #destroyed = false;

  constructor(options: EditorPaneOptions) {
    this.#o = options;
    for (const [value, label] of Object.entries(LANGUAGE_LABELS))
      this.#language.append(h('option', { attrs: { value }, text: label }));
    this.#language.addEventListener('change', () => this.#changeLanguage(this.#language.value));
    this.element = h(
      'section',
      { class: 'dr-editor', attrs: { 'aria-label': 'Shared editor' } },
      h('header', { class: 'dr-editor-bar' }, this.#hint, this.#language),
      this.#host,
    );
    this.#host.append(h('div', { class: 'dr-editor-loading', text: 'Loading the editor…' }));
  }

  render(view: RoomView): void {
    this.#view = view;
    const pilot = view.pilotId === this.#o.selfId;
    const becamePilot = pilot && !this.#pilot;
    this.#pilot = pilot;
    setText(this.#hint, this.#hintText(view, pilot));
    toggleClass(this.element, 'dr-driving', pilot);
    this.#language.disabled = !pilot;
    const language = view.language || 'plain';
    if (this.#language.value !== language && (!pilot || becamePilot)) this.#language.value = language;
    if (!this.#editor) {
      void this.#load();
      return;
    }
    if (becamePilot || !pilot) this.#editor.setEditable(pilot);
    this.#editor.setLanguage(view.language);
    // The pilot's own buffer is ahead of the state (its edits are on the way): only take the state's
    // text when the turn starts; everyone else mirrors it.
    if (!pilot || becamePilot) this.#editor.setText(view.code);
    if (becamePilot) this.#editor.focus();
  }

  #hintText(view: RoomView, pilot: boolean): string {
    if (pilot) return 'You are driving — everyone sees your edits live.';
    if (!view.pilotId) return 'Nobody is driving yet: the editor opens for the next pilot.';
    return `${nameOf(view, view.pilotId)} is driving — you follow along (read-only).`;
  }

  async #load(): Promise<void> {
    this.#loading ??= import('./codemirror.ts')
      .then(({ createEditor }) => {
        if (this.#destroyed) return;
        const view = this.#view;
        this.#host.replaceChildren();
        this.#editor = createEditor(this.#host, {
          text: view?.code ?? '',
          language: view?.language ?? '',
          editable: view?.pilotId === this.#o.selfId,
          changed: (text) => this.#changed(text),
        });
        this.#pilot = false;
        if (this.#view) this.render(this.#view);
      })
      .catch((error: unknown) => {
        this.#loading = undefined;
        this.#o.problem(`The editor did not load: ${error instanceof Error ? error.message : String(error)}`);
      });
    return this.#loading;
  }

  #changed(text: string): void {
    if (!this.#pilot) return;
    if (new TextEncoder().encode(text).length > LIMITS.codeBytes) {
      this.#o.problem(`The code is over ${LIMITS.codeBytes / 1024} KB: the last edits are not shared.`);
      return;
    }
    this.#pending = text;
    const wait = this.#lastSentAt + SEND_INTERVAL_MS - Date.now();
    if (wait <= 0) this.#flush();
    else this.#timer ??= setTimeout(() => this.#flush(), wait);
  }

  #flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending === undefined) return;
    this.#o.send(CLIENT_MESSAGES.code, { text: this.#pending });
    this.#pending = undefined;
    this.#lastSentAt = Date.now();
  }

  #changeLanguage(language: string): void {
    if (!this.#pilot || !this.#editor) return;
    this.#flush();
    this.#editor.setLanguage(language);
    this.#o.send(CLIENT_MESSAGES.code, { text: this.#editor.text(), language });
    this.#lastSentAt = Date.now();
  }

  destroy(): void {
    this.#destroyed = true;
    this.#flush();
    this.#editor?.destroy();
    this.element.remove();
  }
}
