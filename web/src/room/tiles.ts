/**
 * The video tiles: one per connected participant, with their name, role badges, mute icons (from the room
 * state's `media` map), the pilot highlighted, a ring while someone speaks, and your own preview mirrored.
 * A participant without video (camera off, no camera, not yet negotiated) shows their initials.
 */
import './tiles.css';
import { h, initials, setText, toggleClass } from './dom.ts';
import { icon } from './icons.ts';
import { badgesOf, type RoomView } from './model.ts';

interface Tile {
  readonly root: HTMLElement;
  readonly video: HTMLVideoElement;
  readonly avatar: HTMLElement;
  readonly name: HTMLElement;
  readonly badges: HTMLElement;
  readonly micOff: HTMLElement;
  readonly camOff: HTMLElement;
  stream: MediaStream | undefined;
}

export interface TilesOptions {
  readonly selfId: string;
  /** Autoplay with sound was blocked: the page offers a click to start the sound. */
  soundBlocked(): void;
}

export class Tiles {
  readonly element = h('div', { class: 'dr-tiles', attrs: { 'aria-label': 'Participants' } });
  readonly #o: TilesOptions;
  readonly #tiles = new Map<string, Tile>();
  readonly #streams = new Map<string, MediaStream>();
  #view: RoomView | undefined;

  constructor(options: TilesOptions) {
    this.#o = options;
  }

  setLocal(stream: MediaStream | undefined): void {
    this.#setStream(this.#o.selfId, stream);
  }

  setRemotes(streams: ReadonlyMap<string, MediaStream>): void {
    for (const userId of [...this.#streams.keys()])
      if (userId !== this.#o.selfId && !streams.has(userId)) this.#setStream(userId, undefined);
    for (const [userId, stream] of streams) if (userId !== this.#o.selfId) this.#setStream(userId, stream);
  }

  /** Marks who is speaking (audio level above a threshold). */
  setSpeaking(speaking: ReadonlySet<string>): void {
    for (const [userId, tile] of this.#tiles) toggleClass(tile.root, 'dr-speaking', speaking.has(userId));
  }

  /** Resumes playback after a user gesture (autoplay with sound had been refused). */
  playAll(): void {
    for (const tile of this.#tiles.values()) if (tile.stream) void tile.video.play().catch(() => undefined);
  }

  render(view: RoomView): void {
    this.#view = view;
    const present = Object.values(view.participants)
      .filter((p) => p.connected || p.userId === this.#o.selfId)
      .sort(
        (a, b) =>
          order(view, a.userId, this.#o.selfId) - order(view, b.userId, this.#o.selfId) ||
          a.name.localeCompare(b.name),
      );
    for (const [userId, tile] of this.#tiles) {
      if (!present.some((p) => p.userId === userId)) {
        tile.root.remove();
        this.#tiles.delete(userId);
      }
    }
    present.forEach((p, index) => {
      const tile = this.#tile(p.userId);
      if (this.element.children[index] !== tile.root)
        this.element.insertBefore(tile.root, this.element.children[index] ?? null);
      this.#update(tile, view, p.userId);
    });
    this.element.dataset.count = String(present.length);
  }

  #tile(userId: string): Tile {
    const existing = this.#tiles.get(userId);
    if (existing) return existing;
    const self = userId === this.#o.selfId;
    const video = h('video', { class: 'dr-video', attrs: { autoplay: true, playsinline: true } });
    // Your own microphone is never played back to you.
    video.muted = self;
    const tile: Tile = {
      root: h('figure', { class: `dr-tile${self ? ' dr-self' : ''}`, attrs: { 'data-user-id': userId } }),
      video,
      avatar: h('div', { class: 'dr-avatar', attrs: { 'aria-hidden': 'true' } }),
      name: h('span', { class: 'dr-tile-name' }),
      badges: h('span', { class: 'dr-badges' }),
      micOff: h(
        'span',
        {
          class: 'dr-icon dr-mic-off',
          attrs: { title: 'Microphone off', role: 'img', 'aria-label': 'Microphone off' },
        },
        icon('micOff'),
      ),
      camOff: h(
        'span',
        {
          class: 'dr-icon dr-cam-off',
          attrs: { title: 'Camera off', role: 'img', 'aria-label': 'Camera off' },
        },
        icon('camOff'),
      ),
      stream: undefined,
    };
    tile.root.append(
      tile.video,
      tile.avatar,
      h('figcaption', { class: 'dr-tile-caption' }, tile.micOff, tile.camOff, tile.name, tile.badges),
    );
    this.#tiles.set(userId, tile);
    this.#attach(tile, this.#streams.get(userId));
    return tile;
  }

  #update(tile: Tile, view: RoomView, userId: string): void {
    const p = view.participants[userId];
    const self = userId === this.#o.selfId;
    const name = p?.name || 'Someone';
    setText(tile.name, self ? `${name} (you)` : name);
    setText(tile.avatar, initials(name));
    const badges = badgesOf(view, userId).join(' ');
    if (tile.badges.dataset.badges !== badges) {
      tile.badges.dataset.badges = badges;
      tile.badges.replaceChildren(
        ...badgesOf(view, userId).map((b) => h('span', { class: `dr-badge dr-badge-${b}`, text: b })),
      );
    }
    const media = view.media[userId];
    // No entry means not publishing (yet): shown as off, like a muted kind.
    const audioOn = media?.audio ?? false;
    const videoOn = media?.video ?? false;
    toggleClass(tile.micOff, 'dr-on', !audioOn);
    toggleClass(tile.camOff, 'dr-on', !videoOn);
    tile.root.dataset.audio = audioOn ? 'on' : 'off';
    tile.root.dataset.video = videoOn ? 'on' : 'off';
    toggleClass(tile.root, 'dr-pilot', view.pilotId === userId);
    const showVideo = Boolean(tile.stream?.getVideoTracks().length) && (videoOn || (self && !media));
    toggleClass(tile.root, 'dr-has-video', showVideo);
  }

  #setStream(userId: string, stream: MediaStream | undefined): void {
    if (stream) this.#streams.set(userId, stream);
    else this.#streams.delete(userId);
    const tile = this.#tiles.get(userId);
    if (!tile) return;
    this.#attach(tile, stream);
    this.#refresh(tile, userId);
  }

  #refresh(tile: Tile, userId: string): void {
    if (this.#view) this.#update(tile, this.#view, userId);
  }

  #attach(tile: Tile, stream: MediaStream | undefined): void {
    if (tile.stream !== stream || tile.video.srcObject !== (stream ?? null)) {
      tile.stream = stream;
      tile.video.srcObject = stream ?? null;
      if (stream) {
        // A track added to the same stream later (video after audio) needs the tile refreshed.
        const userId = tile.root.dataset.userId ?? '';
        stream.onaddtrack = () => this.#refresh(tile, userId);
        stream.onremovetrack = () => this.#refresh(tile, userId);
        tile.video.play().catch((error: unknown) => {
          if ((error as DOMException)?.name === 'NotAllowedError') this.#o.soundBlocked();
        });
      }
    }
  }

  destroy(): void {
    for (const tile of this.#tiles.values()) tile.video.srcObject = null;
    this.#tiles.clear();
    this.element.remove();
  }
}

/** You first, then the pilot, the copilot, and everyone else by name. */
function order(view: RoomView, userId: string, selfId: string): number {
  if (userId === selfId) return 0;
  if (userId === view.pilotId) return 1;
  if (userId === view.copilotId) return 2;
  return 3;
}
