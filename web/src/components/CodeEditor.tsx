import { lazy, Suspense } from 'react';
import type { CodeEditorProps } from './code-editor-view';

export type { CodeEditorProps } from './code-editor-view';

const View = lazy(() => import('./code-editor-view'));

/**
 * A CodeMirror 6 editor (SQL or YAML), loaded on demand: pages that show no editor never load
 * CodeMirror. Until it arrives, a plain read-only text area shows the text.
 *
 * @example
 * <CodeEditor language="sql" label="SQL" value={sql} onChange={setSql} onRun={run} />
 */
export function CodeEditor(props: CodeEditorProps) {
  return (
    <Suspense
      fallback={<textarea className="code-editor-fallback" aria-label={props.label} value={props.value} readOnly />}
    >
      <View {...props} />
    </Suspense>
  );
}
