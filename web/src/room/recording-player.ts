/**
 * The recording view itself: the MP4 with its chapters, and the replayed session beside it. Everything on
 * the right follows the video's clock (timeupdate and seeks): the code as of now, the chat so far, and who
 * was piloting.
 */
import './editor.css';
import './chat.css';
import './recording.css';
import type { CodeEditor } from './codemirror.ts';
import { clock, h, setText, toggleClass } from './dom.ts';
import { chapterAt, Timeline, type RecordingInfo, type ReplayEvent } from './replay.ts';

export interface RecordingPlayerOptions {
  readonly recording: RecordingInfo;
  readonly events: readonly ReplayEvent[];
  /** userId → name. */
  readonly names: ReadonlyMap<string, string>;
}

export class RecordingPlayer {
  readonly element: HTMLElement;
  readonly video: HTMLVideoElement;
  readonly #o: RecordingPlayerOptions;
  readonly #timeline: Timeline;
  readonly #chapters: HTMLButtonElement[] = [];
  readonly #pilot = h('span', { class: 'dr-replay-pilot' });
  readonly #editorHost = h(
    'div',
    { class: 'dr-editor-host' },
    h('div', { class: 'dr-editor-loading', text: 'Loading the editor…' }),
  );
  readonly #chat = h('ol', {
    class: 'dr-chat-list dr-replay-chat',
    attrs: { 'aria-label': 'Chat at this point' },
  });
  #editor: CodeEditor | undefined;
  #shownChat = -1;
  #destroyed = false;

  constructor(options: RecordingPlayerOptions) {
    this.#o = options;
    this.#timeline = new Timeline(options.events);
    const r = options.recording;
    this.video = h('video', {
      class: 'dr-replay-video',
      attrs: {
        controls: true,
        preload: 'metadata',
        playsinline: true,
        src: r.url,
        'aria-label': 'Dojo recording',
      },
    });
    const update = () => this.#update(this.video.currentTime);
    for (const event of ['timeupdate', 'seeked', 'pause', 'loadedmetadata'])
      this.video.addEventListener(event, update);
    const chapterList = h('ol', { class: 'dr-chapters', attrs: { 'aria-label': 'Chapters' } });
    r.chapters.forEach((c, i) => {
      const name = this.#name(c.pilotId);
      const button = h(
        'button',
        { class: 'dr-chapter', attrs: { type: 'button', 'data-at': c.at } },
        h('span', { class: 'dr-chapter-time', text: clock(c.at) }),
        h('span', { class: 'dr-chapter-title', text: c.title || `Turn ${i + 1}${name ? ` · ${name}` : ''}` }),
      );
      button.addEventListener('click', () => {
        this.video.currentTime = c.at;
        void this.video.play().catch(() => undefined);
      });
      this.#chapters.push(button);
      chapterList.append(h('li', {}, button));
    });
    this.element = h(
      'div',
      { class: 'dr-room dr-replay' },
      h(
        'div',
        { class: 'dr-replay-media' },
        this.video,
        h('h2', { class: 'dr-side-title', text: `Chapters (${r.chapters.length})` }),
        r.chapters.length
          ? chapterList
          : h('p', { class: 'dr-muted', text: 'No chapters: nobody piloted during this recording.' }),
      ),
      h(
        'div',
        { class: 'dr-replay-session' },
        h(
          'section',
          { class: 'dr-editor', attrs: { 'aria-label': 'The code at this point of the recording' } },
          h(
            'header',
            { class: 'dr-editor-bar' },
            h('span', { class: 'dr-editor-hint', text: 'Replayed editor' }),
            this.#pilot,
          ),
          this.#editorHost,
        ),
        h('h2', { class: 'dr-side-title', text: 'Chat' }),
        this.#chat,
      ),
    );
    void this.#loadEditor();
    this.#update(0);
  }

  async #loadEditor(): Promise<void> {
    const { createEditor } = await import('./codemirror.ts');
    if (this.#destroyed) return;
    this.#editorHost.replaceChildren();
    this.#editor = createEditor(this.#editorHost, {
      text: this.#timeline.codeAt(this.video.currentTime),
      language: '',
      editable: false,
      changed: () => undefined,
    });
  }

  #update(t: number): void {
    this.#editor?.setText(this.#timeline.codeAt(t));
    this.element.dataset.time = t.toFixed(1);
    const rotation = this.#timeline.rotationAt(t);
    setText(this.#pilot, rotation?.pilotId ? `Pilot: ${this.#name(rotation.pilotId) || 'someone'}` : '');
    const current = chapterAt(this.#o.recording.chapters, t);
    this.#chapters.forEach((b, i) => {
      toggleClass(b, 'dr-current', i === current);
      if (i === current) b.setAttribute('aria-current', 'true');
      else b.removeAttribute('aria-current');
    });
    const count = this.#timeline.chatCountAt(t);
    if (count === this.#shownChat) return;
    this.#shownChat = count;
    const messages = this.#timeline.chat.slice(0, count);
    this.#chat.replaceChildren(
      ...(messages.length
        ? messages.map((m) =>
            h(
              'li',
              { class: 'dr-chat-message' },
              h(
                'div',
                { class: 'dr-chat-body' },
                h(
                  'div',
                  { class: 'dr-chat-meta' },
                  h('strong', { text: this.#name(m.userId) || 'Someone' }),
                  h('time', { text: clock(m.at) }),
                ),
                h('p', { class: 'dr-chat-text', text: m.text }),
              ),
            ),
          )
        : [h('li', { class: 'dr-chat-empty', text: 'No chat yet at this point.' })]),
    );
    this.#chat.scrollTop = this.#chat.scrollHeight;
  }

  #name(userId: string): string {
    return this.#o.names.get(userId) ?? '';
  }

  destroy(): void {
    this.#destroyed = true;
    this.video.pause();
    this.video.removeAttribute('src');
    this.#editor?.destroy();
    this.element.remove();
  }
}
