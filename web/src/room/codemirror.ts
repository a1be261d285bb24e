/**
 * CodeMirror 6, loaded on demand (this module is imported dynamically, so the editor's ~300 KB stay out
 * of the app's first load). A small surface: an editor that can be made read-only, switched between
 * languages, and given a new text without losing the reader's scroll position or selection.
 */
import { basicSetup } from 'codemirror';
import { Compartment, EditorState, type Extension } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { oneDark } from '@codemirror/theme-one-dark';
import { javascript } from '@codemirror/lang-javascript';
import { python } from '@codemirror/lang-python';
import { java } from '@codemirror/lang-java';

export const LANGUAGES = ['javascript', 'typescript', 'python', 'java', 'plain'] as const;

function languageExtension(language: string): Extension {
  switch (language) {
    case 'javascript':
    case 'js':
      return javascript();
    case 'typescript':
    case 'ts':
      return javascript({ typescript: true });
    case 'python':
    case 'py':
      return python();
    case 'java':
      return java();
    default:
      return [];
  }
}

export interface CodeEditor {
  text(): string;
  /** Replaces the text with the smallest change (common prefix and suffix kept), so scroll stays put. */
  setText(text: string): void;
  setEditable(editable: boolean): void;
  setLanguage(language: string): void;
  focus(): void;
  destroy(): void;
}

export function createEditor(
  parent: HTMLElement,
  options: { text: string; language: string; editable: boolean; changed(text: string): void },
): CodeEditor {
  const editable = new Compartment();
  const language = new Compartment();
  const editability = (on: boolean) => [EditorView.editable.of(on), EditorState.readOnly.of(!on)];
  /** Edits this module applies (someone else's code arriving) are not the local user's typing. */
  let applying = false;
  let currentLanguage = options.language;
  let currentEditable = options.editable;
  // Inside a shadow root CodeMirror styles itself through a constructed stylesheet; on the document it
  // would add a <style> element, which the app's Content-Security-Policy (style-src 'self') refuses.
  const root = parent.shadowRoot ?? parent.attachShadow({ mode: 'open' });
  const host = new CSSStyleSheet();
  host.replaceSync(':host { display: block; height: 100%; min-height: 0; }');
  root.adoptedStyleSheets = [host];
  const view = new EditorView({
    parent: root,
    root,
    state: EditorState.create({
      doc: options.text,
      extensions: [
        basicSetup,
        oneDark,
        EditorView.theme({
          '&': { height: '100%', fontSize: '14px' },
          '.cm-scroller': {
            overflow: 'auto',
            fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
          },
        }),
        editable.of(editability(options.editable)),
        language.of(languageExtension(options.language)),
        EditorView.updateListener.of((update) => {
          if (update.docChanged && !applying) options.changed(update.state.doc.toString());
        }),
      ],
    }),
  });
  return {
    text: () => view.state.doc.toString(),
    setText(text) {
      const current = view.state.doc.toString();
      if (current === text) return;
      let start = 0;
      const max = Math.min(current.length, text.length);
      while (start < max && current.charCodeAt(start) === text.charCodeAt(start)) start++;
      let end = 0;
      while (
        end < max - start &&
        current.charCodeAt(current.length - 1 - end) === text.charCodeAt(text.length - 1 - end)
      )
        end++;
      applying = true;
      try {
        view.dispatch({
          changes: { from: start, to: current.length - end, insert: text.slice(start, text.length - end) },
        });
      } finally {
        applying = false;
      }
    },
    setEditable(on) {
      if (on === currentEditable) return;
      currentEditable = on;
      view.dispatch({ effects: editable.reconfigure(editability(on)) });
    },
    setLanguage(next) {
      if (next === currentLanguage) return;
      currentLanguage = next;
      view.dispatch({ effects: language.reconfigure(languageExtension(next)) });
    },
    focus: () => view.focus(),
    destroy: () => {
      view.destroy();
      root.replaceChildren();
    },
  };
}
