/**
 * The live room page: joins the dojo's room, mirrors its state into the views (tiles, editor, chat, timer,
 * controls), runs the media client over the room's `media:*` messages, and shows refusals and trouble.
 */
import type { Room } from '@colyseus/sdk';
import { ChatPanel } from './chat.ts';
import { RoomLink, type JoinRefusal } from './connection.ts';
import { Controls } from './controls.ts';
import { h } from './dom.ts';
import { EditorPane } from './editor.ts';
import { RoomHeader } from './header.ts';
import { MEDIA_MESSAGES, MediaClient, mediaDebugEnabled, type MediaKind, type Signaling } from './media.ts';
import { EMPTY_VIEW, toView, type RoomContext, type RoomView } from './model.ts';
import { Tiles } from './tiles.ts';
import { Toasts } from './toasts.ts';

/** Audio levels above this count as speaking (the RTP audio level, 0–1). */
const SPEAKING_LEVEL = 0.04;

export class RoomPage {
  readonly #root: HTMLElement;
  readonly #o: RoomContext;
  readonly #element = h('div', { class: 'dr-room dr-joining' });
  readonly #toasts = new Toasts();
  readonly #link: RoomLink;
  readonly #listeners = new Map<string, Set<(payload: unknown) => void>>();
  readonly #signaling: Signaling;
  readonly #header = new RoomHeader();
  readonly #tiles: Tiles;
  readonly #editor: EditorPane;
  readonly #chat: ChatPanel;
  readonly #controls: Controls;
  readonly #soundBanner: HTMLElement;
  #media: MediaClient | undefined;
  #view: RoomView = EMPTY_VIEW;
  #speakingTimer: ReturnType<typeof setInterval> | undefined;
  #destroyed = false;

  constructor(root: HTMLElement, options: RoomContext) {
    this.#root = root;
    this.#o = options;
    const selfId = options.session.userId;
    const send = (type: string, payload: unknown) => this.#link.send(type, payload);
    const toast = (text: string, kind?: 'info' | 'error') => {
      // Problems also go to the console, where a bug report (or a test) finds them after the toast is gone.
      if (kind === 'error') console.warn(`[dojo room] ${text}`);
      this.#toasts.show(text, kind);
    };
    this.#link = new RoomLink({
      endpoint: options.session.apiBase || window.location.origin,
      dojoId: options.dojoId,
      accessToken: () => options.session.accessToken(),
      events: {
        joined: (room) => this.#joined(room),
        resumed: () => this.#media?.restart(),
        state: (state, detail) => this.#linkState(state, detail ?? ''),
        error: (e) => toast(e.message || e.code, 'error'),
      },
    });
    this.#signaling = {
      send,
      on: (type, listener) => {
        let set = this.#listeners.get(type);
        if (!set) this.#listeners.set(type, (set = new Set()));
        set.add(listener);
        return () => set.delete(listener);
      },
    };
    this.#soundBanner = h('button', {
      class: 'dr-sound-banner dr-hidden',
      attrs: { type: 'button' },
      text: 'Sound is blocked by the browser — click to hear everyone',
    });
    this.#soundBanner.addEventListener('click', () => {
      this.#tiles.playAll();
      this.#soundBanner.classList.add('dr-hidden');
    });
    this.#tiles = new Tiles({ selfId, soundBlocked: () => this.#soundBanner.classList.remove('dr-hidden') });
    this.#editor = new EditorPane({ selfId, send, problem: (m) => toast(m, 'error') });
    this.#chat = new ChatPanel({ selfId, send });
    this.#controls = new Controls({
      selfId,
      dojoId: options.dojoId,
      api: options.api,
      send,
      toast,
      toggle: (kind) => this.#toggle(kind),
      leave: () => void this.leave(),
    });
    this.#element.append(
      this.#header.element,
      h(
        'div',
        { class: 'dr-body' },
        h('div', { class: 'dr-stage' }, this.#tiles.element, this.#soundBanner, this.#editor.element),
        h(
          'aside',
          { class: 'dr-side' },
          h('h2', { class: 'dr-side-title', text: 'Chat' }),
          this.#chat.element,
        ),
      ),
      this.#controls.element,
      h('div', { class: 'dr-joining-note', text: 'Joining the dojo…' }),
      this.#toasts.element,
    );
    root.replaceChildren(this.#element);
  }

  async start(): Promise<void> {
    try {
      await this.#link.join();
    } catch (error) {
      if (!this.#destroyed) this.#refused(error as JoinRefusal);
    }
  }

  #joined(room: Room): void {
    this.#element.classList.remove('dr-joining');
    for (const type of Object.values(MEDIA_MESSAGES)) {
      room.onMessage(type, (payload: unknown) => {
        for (const listener of this.#listeners.get(type) ?? []) listener(payload);
      });
    }
    room.onStateChange(() => this.#render(toView(room.state)));
    this.#render(toView(room.state));
    if (this.#media) {
      // A new session in the room (joined again from scratch): a new media session with it.
      this.#media.restart();
      return;
    }
    this.#media = new MediaClient({
      signaling: this.#signaling,
      debug: mediaDebugEnabled(),
      events: {
        local: (stream) => {
          this.#tiles.setLocal(stream);
          this.#syncControls();
        },
        remotes: (streams) => this.#tiles.setRemotes(streams),
        connection: (state) => this.#element.setAttribute('data-media', state),
        problem: (message) => {
          console.warn(`[dojo room] ${message}`);
          this.#toasts.show(message, 'error', 8000);
        },
      },
    });
    void this.#media.start();
    this.#speakingTimer = setInterval(() => this.#speaking(), 300);
  }

  #render(view: RoomView): void {
    if (this.#destroyed) return;
    this.#view = view;
    this.#header.render(view);
    this.#tiles.render(view);
    this.#editor.render(view);
    this.#chat.render(view);
    this.#controls.render(view);
  }

  #toggle(kind: MediaKind): void {
    const media = this.#media;
    if (!media) return;
    media.setMuted(kind, !media.muted[kind]);
    this.#syncControls();
  }

  #syncControls(): void {
    if (this.#media) this.#controls.setMedia(this.#media.muted, this.#media.hasTrack);
  }

  #speaking(): void {
    const levels = this.#media?.audioLevels() ?? new Map<string, number>();
    const speaking = new Set<string>();
    for (const [userId, level] of levels)
      if (level > SPEAKING_LEVEL && this.#view.media[userId]?.audio !== false) speaking.add(userId);
    this.#tiles.setSpeaking(speaking);
  }

  #linkState(state: 'connected' | 'reconnecting' | 'left', detail: string): void {
    this.#header.setLink(state === 'reconnecting' ? detail : '');
    this.#element.dataset.link = state;
    if (state === 'left') this.#ended(detail || 'You left the dojo.');
  }

  #refused(refusal: JoinRefusal): void {
    this.#teardown();
    this.#root.replaceChildren(
      h(
        'div',
        { class: 'dr-refused', attrs: { role: 'alert', 'data-code': refusal.code } },
        h('h1', { text: refusal.title }),
        h('p', { text: refusal.detail }),
        h(
          'p',
          { class: 'dr-refused-actions' },
          h('a', { class: 'dr-button', attrs: { href: '/dojos' }, text: 'Your dojos' }),
          refusal.retryable ? this.#rejoinButton() : null,
        ),
      ),
    );
  }

  #ended(message: string): void {
    this.#teardown();
    this.#root.replaceChildren(
      h(
        'div',
        { class: 'dr-refused dr-left', attrs: { role: 'status' } },
        h('h1', { text: message }),
        h(
          'p',
          { class: 'dr-refused-actions' },
          h('a', {
            class: 'dr-button',
            attrs: { href: `/dojos/${this.#o.dojoId}` },
            text: 'Dojo page and recordings',
          }),
          this.#rejoinButton(),
        ),
      ),
    );
  }

  #rejoinButton(): HTMLElement {
    return h('button', {
      class: 'dr-button dr-primary',
      text: 'Join again',
      attrs: { type: 'button' },
      on: { click: () => window.location.reload() },
    });
  }

  async leave(): Promise<void> {
    this.#media?.stop();
    this.#media = undefined;
    await this.#link.leave();
    this.#ended('You left the dojo.');
  }

  #teardown(): void {
    clearInterval(this.#speakingTimer);
    this.#media?.stop();
    this.#media = undefined;
    void this.#link.leave();
    this.#header.destroy();
    this.#tiles.destroy();
    this.#editor.destroy();
    this.#chat.destroy();
    this.#controls.destroy();
    this.#toasts.destroy();
    this.#element.remove();
  }

  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.#teardown();
  }
}
