/**
 * Reading PostgreSQL's COPY text output (verify-entity.ts, which names a row that differs): one
 * line per row, fields separated by tabs, `\N` for NULL, backslash escapes for backslash, newline,
 * carriage return, tab, backspace, form feed and vertical tab.
 * https://www.postgresql.org/docs/current/sql-copy.html#id-1.9.3.55.9.2
 */

export const COPY_NULL = '\\N';

const UNESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', v: '\v', '\\': '\\' };

/** A field PostgreSQL wrote with COPY TO (text format), unescaped; null for NULL. */
export function unescapeCopyField(field: string): string | null {
  if (field === COPY_NULL) return null;
  if (!field.includes('\\')) return field;
  return field.replace(/\\(.)/g, (_, c: string) => UNESCAPES[c] ?? c);
}

/**
 * Splits a stream of COPY text chunks (cut anywhere, even inside a UTF-8 character) into
 * lines without the trailing newline.
 */
export async function* copyLines(chunks: AsyncIterable<Buffer>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let rest = '';
  for await (const chunk of chunks) {
    const text = rest + decoder.decode(chunk, { stream: true });
    const lines = text.split('\n');
    rest = lines.pop() ?? '';
    yield* lines;
  }
  rest += decoder.decode();
  if (rest) yield rest;
}
