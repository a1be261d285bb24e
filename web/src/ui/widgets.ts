/** The pieces every page uses: loading and empty states, toasts, page headings, status pills. */
import { ApiError } from '../api/client.ts';
import { h, icon, ICONS, type Child } from './dom.ts';

export const loading = (label = 'Loading…') =>
  h(
    'div',
    { class: 'loading', role: 'status' },
    h('div', { class: 'spinner', 'aria-hidden': 'true' }),
    label,
  );

export const empty = (title: string, text: string, action?: Child) =>
  h('div', { class: 'empty card' }, icon(ICONS.inbox), h('h2', {}, title), h('p', {}, text), action);

export function pageHead(title: string, subtitle?: string, ...actions: Child[]): HTMLElement {
  return h(
    'div',
    { class: 'page-head' },
    h(
      'div',
      {},
      h('h1', { tabindex: '-1', 'data-page-title': true }, title),
      subtitle ? h('p', {}, subtitle) : null,
    ),
    actions.length ? h('div', { class: 'row' }, actions) : null,
  );
}

export function toast(message: string, kind: 'info' | 'error' = 'info'): void {
  let box = document.querySelector('.toasts');
  if (!box) {
    box = h('div', { class: 'toasts', role: 'status', 'aria-live': 'polite' });
    document.body.appendChild(box);
  }
  const t = h('div', { class: `toast ${kind === 'error' ? 'error' : ''}` }, message);
  box.appendChild(t);
  setTimeout(() => t.remove(), 5000);
}

export const messageOf = (error: unknown): string =>
  error instanceof ApiError
    ? (error.problem?.detail ?? error.message)
    : error instanceof Error
      ? error.message
      : String(error);

/** A failed load, shown where the content would be, with a retry. */
export const failure = (error: unknown, retry?: () => void) =>
  h(
    'div',
    { class: 'card', role: 'alert' },
    h('h2', {}, 'Something went wrong'),
    h('p', { class: 'muted' }, messageOf(error)),
    retry ? h('button', { class: 'btn secondary', type: 'button', onclick: retry }, 'Try again') : null,
  );

const TONES: Record<string, string> = {
  DONE: 'ok',
  SUCCEEDED: 'ok',
  ACTIVE: 'ok',
  LIVE: 'ok',
  ONLINE: 'ok',
  RUNNING: 'accent',
  QUEUED: 'accent',
  SCHEDULED: 'accent',
  PENDING: 'accent',
  FAILED: 'danger',
  DECLINED: 'danger',
  PAST_DUE: 'warn',
  ENDED: '',
  REFUNDED: 'warn',
};
export const pill = (status: string, text = status.replace('_', ' ').toLowerCase()) =>
  h('span', { class: `pill ${TONES[status] ?? ''}` }, text);

export function progressBar(percent: number, label: string): HTMLElement {
  const bar = h('span', {});
  bar.style.width = `${Math.max(0, Math.min(100, percent))}%`;
  return h(
    'div',
    {
      class: 'progress',
      role: 'progressbar',
      'aria-label': label,
      'aria-valuemin': 0,
      'aria-valuemax': 100,
      'aria-valuenow': percent,
    },
    bar,
  );
}

export const initials = (first: string, last: string) =>
  `${first.charAt(0)}${last.charAt(0)}`.toUpperCase() || '?';

export function avatar(
  person: { firstName: string; lastName: string; picture?: string | null },
  large = false,
) {
  return h(
    'span',
    { class: `avatar ${large ? 'large' : ''}`, 'aria-hidden': 'true' },
    person.picture ? h('img', { src: person.picture, alt: '' }) : initials(person.firstName, person.lastName),
  );
}

const dateFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dayFmt = new Intl.DateTimeFormat(undefined, {
  weekday: 'long',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
});
export const formatDate = (iso: string) => dateFmt.format(new Date(iso));
export const formatDay = (iso: string) => dayFmt.format(new Date(iso));
export const money = (cents: number, currency: string) =>
  new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(cents / 100);
