import type { Diagnostic } from '@codemirror/lint';
import type { Text } from '@codemirror/state';

export interface WorkflowProblem {
  line: number;
  column: number;
  path: string;
  message: string;
}

/** The server's problems as CodeMirror diagnostics: from line:column to the end of that line. */
export function problemDiagnostics(doc: Text, problems: WorkflowProblem[]): Diagnostic[] {
  return problems.map((p) => {
    const line = doc.line(Math.min(Math.max(p.line, 1), doc.lines));
    const from = Math.min(line.from + Math.max(p.column - 1, 0), line.to);
    const to = Math.max(line.to, Math.min(from + 1, doc.length));
    return { from, to, severity: 'error', message: p.path ? `${p.path}: ${p.message}` : p.message, source: 'oxy' };
  });
}
