/**
 * The room page's tiny DOM helper: an element with attributes, properties and children in one call, so the
 * views read like markup without a framework.
 */
type Child = Node | string | null | undefined | false;

export interface ElementSpec {
  /** Class names, space separated. */
  readonly class?: string;
  /** HTML attributes (aria-*, data-*, title…); `false`/`undefined` leave them out. */
  readonly attrs?: Record<string, string | number | boolean | undefined>;
  /** Event listeners by event name. */
  readonly on?: Record<string, (event: Event) => void>;
  readonly text?: string;
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  spec: ElementSpec = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (spec.class) el.className = spec.class;
  for (const [name, value] of Object.entries(spec.attrs ?? {})) {
    if (value === false || value === undefined) continue;
    el.setAttribute(name, value === true ? '' : String(value));
  }
  for (const [name, listener] of Object.entries(spec.on ?? {})) el.addEventListener(name, listener);
  if (spec.text !== undefined) el.textContent = spec.text;
  for (const child of children) if (child) el.append(child);
  return el;
}

/** Sets text only when it changed (patches arrive 20 times a second; most change nothing on screen). */
export function setText(el: Element, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

export function toggleClass(el: Element, name: string, on: boolean): void {
  if (el.classList.contains(name) !== on) el.classList.toggle(name, on);
}

/** Initials for an avatar: "Ada Lovelace" → "AL". */
export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const letters = parts.length > 1 ? [parts[0], parts[parts.length - 1]] : parts;
  return letters.map((p) => p?.[0]?.toUpperCase() ?? '').join('') || '?';
}

/** mm:ss (or h:mm:ss) of a number of seconds. */
export function clock(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const hours = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(hours ? 2 : 1, '0');
  const ss = String(s % 60).padStart(2, '0');
  return hours ? `${hours}:${mm}:${ss}` : `${mm}:${ss}`;
}
