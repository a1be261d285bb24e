/**
 * Forms with inline errors: each field knows its API path (`name`, `tags`, `limits.members`…), so a
 * problem+json's `errors[].path` lands beside the input it names; anything unplaced goes to the form's
 * summary. Submitting disables the button and sets aria-busy; the first invalid field gets focus.
 */
import { ApiError } from '../api/client.ts';
import { h, uid, type Child } from './dom.ts';
import { messageOf } from './widgets.ts';

type Control = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

export interface FieldSpec {
  /** The API field path this control fills. */
  path: string;
  label: string;
  type?: string;
  value?: string;
  hint?: string;
  required?: boolean;
  autocomplete?: string;
  placeholder?: string;
  options?: readonly (readonly [string, string])[];
  multiline?: boolean;
  attrs?: Record<string, string | number | boolean>;
}

export interface Field {
  readonly path: string;
  readonly element: HTMLElement;
  readonly control: Control;
  setError(message: string | undefined): void;
}

export function field(spec: FieldSpec): Field {
  const id = uid(spec.path.replace(/\W/g, '-'));
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const common = {
    id,
    name: spec.path,
    required: spec.required,
    autocomplete: spec.autocomplete,
    placeholder: spec.placeholder,
    'aria-describedby': `${spec.hint ? hintId : ''} ${errorId}`.trim(),
    ...spec.attrs,
  };
  const control: Control = spec.options
    ? h(
        'select',
        common,
        spec.options.map(([value, text]) => h('option', { value, selected: value === spec.value }, text)),
      )
    : spec.multiline
      ? h('textarea', common)
      : h('input', { ...common, type: spec.type ?? 'text' });
  if (spec.value !== undefined && !spec.options) control.value = spec.value;
  const error = h('div', { class: 'error', id: errorId, 'aria-live': 'polite' });
  const element = h(
    'div',
    { class: 'field' },
    h('label', { for: id }, spec.label),
    control,
    spec.hint ? h('div', { class: 'hint', id: hintId }, spec.hint) : null,
    error,
  );
  return {
    path: spec.path,
    element,
    control,
    setError(message) {
      error.textContent = message ?? '';
      if (message) control.setAttribute('aria-invalid', 'true');
      else control.removeAttribute('aria-invalid');
    },
  };
}

export interface FormOptions {
  fields: Field[];
  submitLabel: string;
  busyLabel?: string;
  extra?: Child[];
  /** Does the work; an ApiError's field errors are shown at their fields. */
  onSubmit: () => Promise<void>;
  /** Paths the API may name that have no control of their own, mapped to a control that shows them. */
  aliases?: Record<string, string>;
}

export function form(options: FormOptions): {
  element: HTMLFormElement;
  summary: HTMLElement;
  fail(error: unknown): void;
} {
  const summary = h('div', { class: 'form-error', role: 'alert' });
  const submit = h('button', { class: 'btn', type: 'submit' }, options.submitLabel);
  const byPath = new Map(options.fields.map((f) => [f.path, f]));
  const find = (path: string) =>
    byPath.get(path) ?? byPath.get(options.aliases?.[path] ?? '') ?? byPath.get(path.split('.')[0] ?? '');
  const fail = (error: unknown) => {
    let placed = false;
    if (error instanceof ApiError) {
      const unplaced: string[] = [];
      for (const [path, message] of Object.entries(error.fieldErrors)) {
        const f = find(path);
        if (f) {
          f.setError(message);
          if (!placed) f.control.focus();
          placed = true;
        } else unplaced.push(`${path}: ${message}`);
      }
      summary.textContent = placed && !unplaced.length ? '' : [messageOf(error), ...unplaced].join(' — ');
    } else summary.textContent = messageOf(error);
    if (!placed) summary.focus();
  };
  summary.tabIndex = -1;
  const element = h(
    'form',
    { class: 'form', novalidate: true },
    summary,
    options.fields.map((f) => f.element),
    options.extra,
    h('div', { class: 'row' }, submit),
  );
  element.addEventListener('submit', async (event) => {
    event.preventDefault();
    for (const f of options.fields) f.setError(undefined);
    summary.textContent = '';
    const invalid = options.fields.find((f) => !f.control.checkValidity());
    if (invalid) {
      invalid.setError(invalid.control.validationMessage);
      invalid.control.focus();
      return;
    }
    submit.disabled = true;
    submit.setAttribute('aria-busy', 'true');
    submit.textContent = options.busyLabel ?? `${options.submitLabel}…`;
    try {
      await options.onSubmit();
    } catch (error) {
      fail(error);
    } finally {
      submit.disabled = false;
      submit.removeAttribute('aria-busy');
      submit.textContent = options.submitLabel;
    }
  });
  return { element, summary, fail };
}
