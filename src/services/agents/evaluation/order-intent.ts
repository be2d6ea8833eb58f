/**
 * Whether a case's rows are compared in order: only when the expected SQL ends in a top-level
 * ORDER BY (one inside parentheses, a window's or a subquery's, does not count) AND the question
 * asks for an order in words: ordered/sorted/ranked, top N, ascending/descending, highest or
 * lowest first, largest to smallest, chronologically, "by month in order". A question that
 * merely names a superlative ("which store sold the most?") leaves the comparison a multiset,
 * so an agent that adds an ORDER BY of its own, or leaves one out, is not marked wrong for it.
 */
export function comparesInOrder(question: string, expectedSql: string): boolean {
  return hasTopLevelOrderBy(expectedSql) && asksForOrder(question);
}

const ORDER_WORDS =
  /\b(order(ed)?|sort(ed)?|rank(ed|ing)?|top \d+|top (three|five|ten)|ascending|descending|chronological(ly)?|(highest|largest|biggest|lowest|smallest|most|least|best|worst|newest|oldest|earliest|latest) first|from (highest|largest|lowest|smallest|most|least)\b.* to)\b/i;

export function asksForOrder(question: string): boolean {
  return ORDER_WORDS.test(question);
}

/** True when ORDER BY appears outside every parenthesis, string literal and comment. */
export function hasTopLevelOrderBy(sql: string): boolean {
  let depth = 0;
  let top = '';
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i]!;
    if (c === "'" || c === '"') {
      const end = sql.indexOf(c, i + 1);
      i = end < 0 ? sql.length : end;
      top += ' ';
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end;
      top += ' ';
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 1;
      top += ' ';
    } else if (c === '(') depth += 1;
    else if (c === ')') depth = Math.max(0, depth - 1);
    else if (depth === 0) top += c;
  }
  return /\border\s+by\b/i.test(top);
}
