/**
 * The bar under the room: microphone and camera toggles and leaving for everyone; for the host, rotating
 * now, the turn length, handing the host role over and starting or stopping the recording (REST:
 * POST /v1/dojo/start|stop, whose effect comes back as the state's `recording`).
 */
import './controls.css';
import { CLIENT_MESSAGES, LIMITS } from '../../../protocol/dojo.ts';
import { h, setText, toggleClass } from './dom.ts';
import { icon } from './icons.ts';
import type { Api } from '../api/client.ts';
import { problemText, type RoomView } from './model.ts';
import type { MediaKind } from './media.ts';

const TURN_CHOICES = [60, 120, 180, 300, 420, 600, 900, 1200, 1800];

export interface ControlsOptions {
  readonly selfId: string;
  readonly dojoId: string;
  readonly api: Api;
  send(type: string, payload: unknown): void;
  toggle(kind: MediaKind): void;
  leave(): void;
  toast(text: string, kind?: 'info' | 'error'): void;
}

export class Controls {
  readonly element: HTMLElement;
  readonly #o: ControlsOptions;
  readonly #mic = button('dr-control dr-mic', 'Microphone', icon('mic'), icon('micOff'));
  readonly #cam = button('dr-control dr-cam', 'Camera', icon('cam'), icon('camOff'));
  readonly #hostTools = h('div', { class: 'dr-host-tools', attrs: { 'aria-label': 'Host controls' } });
  readonly #rotate = button('dr-tool dr-rotate', 'Rotate now', icon('rotate'));
  readonly #turn = h('select', { class: 'dr-tool dr-turn', attrs: { 'aria-label': 'Turn length' } });
  readonly #handHost = h('select', {
    class: 'dr-tool dr-hand-host',
    attrs: { 'aria-label': 'Hand host to' },
  });
  readonly #record = button('dr-tool dr-record', 'Start recording');
  #view: RoomView | undefined;
  #recordBusy = false;

  constructor(options: ControlsOptions) {
    this.#o = options;
    this.#mic.addEventListener('click', () => options.toggle('audio'));
    this.#cam.addEventListener('click', () => options.toggle('video'));
    this.#rotate.addEventListener('click', () => options.send(CLIENT_MESSAGES.rotate, {}));
    this.#turn.addEventListener('change', () => {
      const seconds = Number(this.#turn.value);
      if (seconds >= LIMITS.minTurnSeconds && seconds <= LIMITS.maxTurnSeconds)
        options.send(CLIENT_MESSAGES.turnSeconds, { seconds });
    });
    this.#handHost.addEventListener('change', () => this.#hand());
    this.#record.addEventListener('click', () => void this.#toggleRecording());
    const leave = button('dr-control dr-leave', 'Leave', icon('leave'));
    leave.addEventListener('click', () => options.leave());
    this.#hostTools.append(this.#rotate, this.#turn, this.#handHost, this.#record);
    this.element = h(
      'footer',
      { class: 'dr-controls' },
      h('div', { class: 'dr-controls-main' }, this.#mic, this.#cam, leave),
      this.#hostTools,
    );
  }

  /** The local mute state (what the toggles show) and whether a device exists for each kind. */
  setMedia(muted: { audio: boolean; video: boolean }, available: { audio: boolean; video: boolean }): void {
    for (const [el, kind, label] of [
      [this.#mic, 'audio', 'microphone'],
      [this.#cam, 'video', 'camera'],
    ] as const) {
      const off = muted[kind] || !available[kind];
      toggleClass(el, 'dr-off', off);
      el.disabled = !available[kind];
      el.setAttribute('aria-pressed', String(!off));
      el.title = available[kind] ? `Turn ${label} ${off ? 'on' : 'off'}` : `No ${label}`;
    }
  }

  render(view: RoomView): void {
    this.#view = view;
    const host = view.hostId === this.#o.selfId;
    toggleClass(this.#hostTools, 'dr-hidden', !host);
    const recordLabel = view.recording ? 'Stop recording' : 'Start recording';
    setText(this.#record.querySelector('.dr-label') ?? this.#record, recordLabel);
    this.#record.setAttribute('aria-label', recordLabel);
    toggleClass(this.#record, 'dr-recording', view.recording);
    this.#record.disabled = this.#recordBusy;
    this.#renderTurn(view.turnSeconds);
    this.#renderHandHost(view);
  }

  #renderTurn(seconds: number): void {
    const choices = [...new Set([...TURN_CHOICES, seconds].filter((s) => s > 0))].sort((a, b) => a - b);
    const key = choices.join(',');
    if (this.#turn.dataset.key !== key) {
      this.#turn.dataset.key = key;
      this.#turn.replaceChildren(
        ...choices.map((s) => h('option', { attrs: { value: s }, text: `${formatTurn(s)} turns` })),
      );
    }
    if (this.#turn.value !== String(seconds)) this.#turn.value = String(seconds);
  }

  #renderHandHost(view: RoomView): void {
    const others = Object.values(view.participants).filter((p) => p.connected && p.userId !== this.#o.selfId);
    const key = others.map((p) => `${p.userId}:${p.name}`).join(',');
    if (this.#handHost.dataset.key === key) return;
    this.#handHost.dataset.key = key;
    this.#handHost.replaceChildren(
      h('option', { attrs: { value: '' }, text: others.length ? 'Hand host to…' : 'Nobody to hand host to' }),
      ...others.map((p) => h('option', { attrs: { value: p.userId }, text: p.name })),
    );
    this.#handHost.disabled = others.length === 0;
  }

  #hand(): void {
    const userId = this.#handHost.value;
    this.#handHost.value = '';
    if (!userId || !this.#view) return;
    const name = this.#view.participants[userId]?.name ?? 'them';
    if (!window.confirm(`Hand the host role to ${name}? You will lose the host controls.`)) return;
    this.#o.send(CLIENT_MESSAGES.handHost, { userId });
  }

  async #toggleRecording(): Promise<void> {
    const recording = this.#view?.recording ?? false;
    this.#recordBusy = true;
    this.#record.disabled = true;
    try {
      const body = { dojoId: this.#o.dojoId };
      if (recording) await this.#o.api.post('/v1/dojo/stop', { body });
      else await this.#o.api.post('/v1/dojo/start', { body });
      this.#o.toast(
        recording ? 'Recording stopped: it will be ready on the dojo page shortly.' : 'Recording started.',
      );
    } catch (error) {
      this.#o.toast(`Recording ${recording ? 'not stopped' : 'not started'}: ${problemText(error)}`, 'error');
    } finally {
      this.#recordBusy = false;
      this.#record.disabled = false;
    }
  }

  destroy(): void {
    this.element.remove();
  }
}

function button(className: string, label: string, ...icons: SVGSVGElement[]): HTMLButtonElement {
  return h(
    'button',
    { class: className, attrs: { type: 'button', 'aria-label': label } },
    ...icons,
    h('span', { class: 'dr-label', text: label }),
  );
}

const formatTurn = (s: number) => (s % 60 === 0 ? `${s / 60} min` : `${s} s`);
