/**
 * What both backends can store: PostgreSQL refuses NUL characters and unpaired UTF-16 surrogates
 * in text and jsonb (SQLite takes them), and deeply nested JSON overflows stacks (jsonb's parser,
 * JS recursion). The API's validator and the services that derive values (parsed YAML) check here.
 */

/** JSON-pointer-like path of the first string or key breaking the text rule, with the reason. */
export interface Unstorable {
  path: string;
  message: string;
}

const NUL = '\u0000';

function textProblem(text: string): string | undefined {
  if (text.includes(NUL)) return 'must not contain NUL characters (\\u0000)';
  if (!(text as string & { isWellFormed(): boolean }).isWellFormed())
    return 'must not contain unpaired UTF-16 surrogates';
  return undefined;
}

const escapePointer = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

/** Deepest nesting of arrays and objects accepted: deeper input overflows stacks (PostgreSQL's jsonb parser, JS recursion). */
export const MAX_DEPTH = 64;

/** Walks a parsed input and returns the first string or object key that breaks the text rule, or nesting beyond MAX_DEPTH. */
export function findUnstorable(value: unknown, path = '', depth = 0): Unstorable | undefined {
  if (typeof value === 'string') {
    const message = textProblem(value);
    return message ? { path, message } : undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  if (depth >= MAX_DEPTH)
    return { path, message: `must not nest arrays and objects more than ${MAX_DEPTH} levels deep` };
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findUnstorable(value[i], `${path}/${i}`, depth + 1);
      if (found) return found;
    }
    return undefined;
  }
  for (const [key, child] of Object.entries(value)) {
    const keyMessage = textProblem(key);
    if (keyMessage) return { path: `${path}/${escapePointer(key)}`, message: `key ${keyMessage}` };
    const found = findUnstorable(child, `${path}/${escapePointer(key)}`, depth + 1);
    if (found) return found;
  }
  return undefined;
}
