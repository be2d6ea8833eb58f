import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { JsonValue } from '../../db/schema.js';
import type { DefinitionPath, DefinitionProblem } from './tasks/task-type.js';

/** A parsed YAML file that remembers where each value came from, so problems name a line and column. */
export interface YamlSource {
  readonly value: JsonValue | undefined;
  /** Syntax errors (duplicate keys, bad indentation...), already positioned. */
  readonly problems: DefinitionProblem[];
  /** Line and column (1-based) of the value at `path`, or of its key with `key: true`; the nearest existing parent when absent. */
  position(path: DefinitionPath, options?: { key?: boolean }): { line: number; column: number };
}

export function parseYamlSource(text: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const problems: DefinitionProblem[] = doc.errors.map((error) => {
    const { line, col } = lineCounter.linePos(error.pos[0]);
    return { path: [], message: `invalid YAML: ${error.message.split('\n')[0]}`, line, column: col };
  });
  let value: JsonValue | undefined;
  if (problems.length === 0) {
    try {
      value = doc.toJS({ maxAliasCount: 100 }) as JsonValue;
    } catch (error) {
      problems.push({ path: [], message: `invalid YAML: ${(error as Error).message}`, line: 1, column: 1 });
    }
  }
  const at = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  return {
    value,
    problems,
    position: (path, options = {}) => {
      const found = locate(doc, path);
      const node = options.key && found.key ? found.key : found.node;
      return at(node?.range?.[0] ?? 0);
    },
  };
}

function locate(doc: Document, path: DefinitionPath): { node: Node | null; key: Node | null } {
  let node = doc.contents as Node | null;
  let key: Node | null = null;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === segment);
      if (!pair) return { node, key: null };
      key = pair.key as Node;
      node = (pair.value as Node | null) ?? key;
    } else if (isSeq(node) && typeof segment === 'number' && node.items[segment]) {
      key = null;
      node = node.items[segment] as Node;
    } else {
      return { node, key: null };
    }
  }
  return { node, key };
}

/** `['tasks', 2, 'sql_query']` → `tasks[2].sql_query`, the way problems name a field. */
export function formatPath(path: DefinitionPath): string {
  return path.reduce<string>(
    (text, segment) => (typeof segment === 'number' ? `${text}[${segment}]` : text ? `${text}.${segment}` : segment),
    '',
  );
}
