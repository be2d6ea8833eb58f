import nunjucks from 'nunjucks';

/** Quotes a value as an SQL literal: text in single quotes with quotes doubled; numbers and booleans as they are; null as NULL. */
export function sqlQuote(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  return `'${String(value).replaceAll("'", "''")}'`;
}

/**
 * The Jinja environment workflows (and later agents) render with: Oxy's filters added to nunjucks'
 * own, no autoescape (outputs are SQL and text, not HTML), undefined names render empty as in Jinja.
 */
export function createTemplateEnvironment(): nunjucks.Environment {
  const env = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: false });
  env.addFilter('sqlquote', sqlQuote);
  return env;
}

/** The template's syntax problem and unknown filters, or none; `line`/`column` are within the template (1-based). */
export function checkTemplate(env: nunjucks.Environment, source: string): { message: string; line?: number }[] {
  let ast: { findAll(type: unknown): { name: { value: string }; lineno: number }[] };
  try {
    ast = (nunjucks as unknown as { parser: { parse(src: string): typeof ast } }).parser.parse(source);
  } catch (error) {
    const text = (error as Error).message.replace('(unknown path)', '').trim();
    const where = /\[Line (\d+), Column (\d+)\]\s*/.exec(text);
    const message = text.replace(/\[Line \d+, Column \d+\]\s*/, '').trim();
    return [{ message: `template syntax: ${message}`, ...(where ? { line: Number(where[1]) } : {}) }];
  }
  const filters = ast.findAll((nunjucks as unknown as { nodes: { Filter: unknown } }).nodes.Filter);
  return filters.flatMap((filter) => {
    try {
      env.getFilter(filter.name.value);
      return [];
    } catch {
      return [{ message: `unknown template filter \`${filter.name.value}\``, line: filter.lineno + 1 }];
    }
  });
}
