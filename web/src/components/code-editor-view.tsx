import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { sql, type SQLConfig } from '@codemirror/lang-sql';
import { yaml } from '@codemirror/lang-yaml';
import { bracketMatching, indentOnInput, syntaxHighlighting, defaultHighlightStyle } from '@codemirror/language';
import { lintGutter } from '@codemirror/lint';
import { Compartment, EditorState, type Extension } from '@codemirror/state';
import {
  EditorView,
  drawSelection,
  highlightActiveLine,
  highlightActiveLineGutter,
  keymap,
  lineNumbers,
  placeholder as placeholderText,
} from '@codemirror/view';
import { useEffect, useRef } from 'react';

export interface CodeEditorProps {
  value: string;
  onChange?: (value: string) => void;
  language: 'sql' | 'yaml';
  /** The accessible name of the editing area. */
  label: string;
  /** Ctrl/Cmd+Enter. */
  onRun?: () => void;
  readOnly?: boolean;
  /** SQL completion: tables and their columns (from the catalog), the dialect's keywords. */
  sqlSchema?: SQLConfig['schema'];
  /** More CodeMirror extensions (a linter, say); keep the array stable (useMemo). */
  extensions?: Extension[];
  placeholder?: string;
  minHeight?: number;
}

/** The page's look inside the editor's shadow root (the page's style sheet does not reach in). */
const theme = EditorView.theme({
  '&': { minHeight: 'inherit', fontSize: '0.9rem' },
  '.cm-scroller': { fontFamily: 'var(--mono)' },
});

/** The CodeMirror view behind CodeEditor (its own chunk). */
export default function CodeEditorView(props: CodeEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const latest = useRef(props);
  useEffect(() => {
    latest.current = props;
  });
  const dynamic = useRef(new Compartment());
  /** Texts sent to onChange that have not come back as `value` yet. */
  const echoes = useRef<string[]>([]);

  useEffect(() => {
    const run = () => {
      latest.current.onRun?.();
      return Boolean(latest.current.onRun);
    };
    const state = EditorState.create({
      doc: latest.current.value,
      extensions: [
        lineNumbers(),
        highlightActiveLineGutter(),
        history(),
        drawSelection(),
        indentOnInput(),
        bracketMatching(),
        closeBrackets(),
        autocompletion(),
        highlightActiveLine(),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        lintGutter(),
        keymap.of([
          { key: 'Mod-Enter', run, preventDefault: true },
          ...closeBracketsKeymap,
          ...defaultKeymap,
          ...historyKeymap,
          ...completionKeymap,
          indentWithTab,
        ]),
        EditorView.contentAttributes.of({ 'aria-label': latest.current.label }),
        EditorView.updateListener.of((update) => {
          if (!update.docChanged || !latest.current.onChange) return;
          const text = update.state.doc.toString();
          echoes.current.push(text);
          latest.current.onChange(text);
        }),
        theme,
        dynamic.current.of([]),
      ],
    });
    // In a shadow root, CodeMirror's styles go in a constructed style sheet (adoptedStyleSheets),
    // which the strict CSP (style-src 'self') allows; in the document it would write a <style>
    // element, which the CSP refuses. Inherited properties (colours, CSS variables) still flow in.
    const root = host.current!.shadowRoot ?? host.current!.attachShadow({ mode: 'open' });
    const editor = new EditorView({ state, parent: root, root });
    view.current = editor;
    return () => {
      editor.destroy();
      view.current = null;
    };
  }, []);

  // Language, schema, read-only and extra extensions can change without losing the text or the undo history.
  const { language, sqlSchema, readOnly, extensions, placeholder } = props;
  useEffect(() => {
    view.current?.dispatch({
      effects: dynamic.current.reconfigure([
        language === 'sql' ? sql({ schema: sqlSchema ?? {}, upperCaseKeywords: true }) : yaml(),
        EditorState.readOnly.of(Boolean(readOnly)),
        EditorView.editable.of(!readOnly),
        placeholder ? placeholderText(placeholder) : [],
        extensions ?? [],
      ]),
    });
  }, [language, sqlSchema, readOnly, extensions, placeholder]);

  // A value set from outside (a saved query opened) replaces the text; typing does not loop back.
  useEffect(() => {
    const editor = view.current;
    // The parent hands back what was typed, one render later; on a busy machine it may hand back
    // an older text after newer typing. Such an echo is never applied: only a value that did not
    // come from this editor replaces its text.
    const echo = echoes.current.indexOf(props.value);
    if (echo >= 0) {
      echoes.current.splice(0, echo + 1);
      return;
    }
    if (editor && props.value !== editor.state.doc.toString())
      editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: props.value } });
  }, [props.value]);

  return <div className="code-editor" ref={host} style={{ minHeight: props.minHeight ?? 160 }} />;
}
