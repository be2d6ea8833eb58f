import type { DatabaseKind } from './database-config.js';

/**
 * The up-front check of a statement before it reaches an engine: one statement, read-only by its
 * first keyword, no write or escape keyword or function anywhere. It understands comments
 * (`--`, `#` in MySQL, nested block comments), strings ('…' with '' and, in MySQL, backslash
 * escapes; E'…'; $tag$…$tag$) and quoted identifiers, so text inside them cannot hide or fake a
 * keyword. The engine's read-only mode stays the real guarantee; this gives a clear 400 first.
 */

interface Token {
  kind: 'word' | 'quoted' | 'punct';
  text: string;
}

/** Statements that only read. */
const FIRST_WORDS = new Set(['SELECT', 'WITH', 'VALUES', 'TABLE', 'FROM', 'SHOW', 'EXPLAIN', 'DESCRIBE', 'DESC', '(']);

/** Words that write, change the session or reach outside the database, wherever they appear. */
const FORBIDDEN_WORDS = new Set([
  'INSERT',
  'UPDATE',
  'DELETE',
  'MERGE',
  'UPSERT',
  'TRUNCATE',
  'CREATE',
  'DROP',
  'ALTER',
  'RENAME',
  'GRANT',
  'REVOKE',
  'COPY',
  'ATTACH',
  'DETACH',
  'PRAGMA',
  'INSTALL',
  'LOAD',
  'SET',
  'RESET',
  'CALL',
  'EXEC',
  'EXECUTE',
  'DO',
  'VACUUM',
  'ANALYZE',
  'CHECKPOINT',
  'LOCK',
  'UNLOCK',
  'INTO',
  'OUTFILE',
  'DUMPFILE',
  'HANDLER',
  'PREPARE',
  'DEALLOCATE',
  'LISTEN',
  'NOTIFY',
  'BEGIN',
  'COMMIT',
  'ROLLBACK',
  'SAVEPOINT',
  'START',
  'EXPORT',
  'IMPORT',
  'FORCE_CHECKPOINT',
  'USE',
  'KILL',
  'SHUTDOWN',
  'FLUSH',
  'REINDEX',
  'CLUSTER',
  'REFRESH',
  'DISCARD',
  'SECURITY',
]);

/** Functions that write files, reach other servers, change settings or signal other sessions. */
const FORBIDDEN_FUNCTIONS = new Set([
  'LO_EXPORT',
  'LO_IMPORT',
  'LO_UNLINK',
  'LO_CREATE',
  'LO_FROM_BYTEA',
  'LO_PUT',
  'LOWRITE',
  'DBLINK',
  'DBLINK_EXEC',
  'DBLINK_CONNECT',
  'DBLINK_SEND_QUERY',
  'PG_READ_FILE',
  'PG_READ_BINARY_FILE',
  'PG_LS_DIR',
  'PG_STAT_FILE',
  'PG_FILE_WRITE',
  'SET_CONFIG',
  'PG_TERMINATE_BACKEND',
  'PG_CANCEL_BACKEND',
  'PG_RELOAD_CONF',
  'PG_ROTATE_LOGFILE',
  'PG_SWITCH_WAL',
  'PG_PROMOTE',
  'NEXTVAL',
  'SETVAL',
  'PG_ADVISORY_LOCK',
  'PG_ADVISORY_XACT_LOCK',
  'QUERY_TO_XML',
  'PG_LOGICAL_EMIT_MESSAGE',
  'LOAD_FILE',
  'GET_LOCK',
  'RELEASE_LOCK',
  'SYS_EXEC',
  'SYS_EVAL',
  'LOAD_EXTENSION',
  'READFILE',
  'WRITEFILE',
  'FTS3_TOKENIZER',
  'POSTGRES_SCAN',
  'POSTGRES_ATTACH',
  'SQLITE_SCAN',
  'SQLITE_ATTACH',
  'MYSQL_SCAN',
  'GETENV',
]);

export type GuardVerdict = { ok: true } | { ok: false; reason: string };

/** Checks `sql` for `kind`; the reason names what was refused. */
export function checkStatement(sql: string, kind: DatabaseKind): GuardVerdict {
  // A backslash escapes a quote or not depending on server settings (MySQL's
  // NO_BACKSLASH_ESCAPES, PostgreSQL's standard_conforming_strings): both readings must pass.
  for (const backslash of [false, true]) {
    const verdict = checkTokens(sql, kind, backslash);
    if (!verdict.ok) return verdict;
  }
  return { ok: true };
}

function checkTokens(sql: string, kind: DatabaseKind, backslash: boolean): GuardVerdict {
  let tokens: Token[];
  try {
    tokens = tokenize(sql, kind, backslash);
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
  while (tokens.at(-1)?.text === ';') tokens.pop();
  if (tokens.length === 0) return { ok: false, reason: 'the statement is empty' };
  if (tokens.some((t) => t.kind === 'punct' && t.text === ';'))
    return { ok: false, reason: 'several statements: send one at a time' };
  const first = tokens[0]!;
  if (first.kind !== 'word' && first.text !== '(') return { ok: false, reason: `it starts with ${first.text}` };
  if (!FIRST_WORDS.has(first.text.toUpperCase()))
    return { ok: false, reason: `${first.text.toUpperCase()} is not a read-only statement` };
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const upper = token.text.toUpperCase();
    if (token.kind === 'word' && FORBIDDEN_WORDS.has(upper)) return { ok: false, reason: `${upper} is not allowed` };
    const name = upper.split('.').at(-1)!;
    if ((token.kind === 'word' || token.kind === 'quoted') && FORBIDDEN_FUNCTIONS.has(name))
      return { ok: false, reason: `${name.toLowerCase()}() is not allowed` };
    if (kind !== 'mysql' && token.kind === 'word' && name.startsWith('DBLINK'))
      return { ok: false, reason: `${name.toLowerCase()}() is not allowed` };
  }
  return { ok: true };
}

function tokenize(sql: string, kind: DatabaseKind, backslash: boolean): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '-' && next === '-') {
      i = lineEnd(sql, i);
    } else if (c === '#' && kind === 'mysql') {
      i = lineEnd(sql, i);
    } else if (c === '/' && next === '*') {
      // MySQL runs the text of /*! … */ and /*+ … */: refused on every engine (no read needs it).
      if (sql[i + 2] === '!' || sql[i + 2] === '+')
        throw new Error('MySQL executable comments (/*! … */) are not allowed');
      i = blockEnd(sql, i, kind !== 'mysql');
    } else if (c === "'") {
      i = quotedEnd(sql, i, "'", backslash);
      tokens.push({ kind: 'punct', text: "'…'" });
    } else if ((c === 'E' || c === 'e') && next === "'" && kind !== 'mysql') {
      i = quotedEnd(sql, i + 1, "'", true);
      tokens.push({ kind: 'punct', text: "'…'" });
    } else if (c === '"' || c === '`' || (c === '[' && kind === 'sqlite')) {
      const close = c === '[' ? ']' : c;
      // A MySQL "…" is a string, or an identifier under ANSI_QUOTES: checked as a name either way.
      const end = quotedEnd(sql, i, close, backslash && kind === 'mysql' && c === '"');
      tokens.push({ kind: 'quoted', text: sql.slice(i + 1, end - 1) });
      i = end;
    } else if (c === '$' && kind === 'postgres' && /^\$[A-Za-z_]*\$/.test(sql.slice(i))) {
      const tag = /^\$[A-Za-z_]*\$/.exec(sql.slice(i))![0];
      const end = sql.indexOf(tag, i + tag.length);
      if (end < 0) throw new Error(`unterminated ${tag} string`);
      tokens.push({ kind: 'punct', text: "'…'" });
      i = end + tag.length;
    } else if (/[A-Za-z_\u0080-\uffff]/.test(c)) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_$\u0080-\uffff]/.test(sql[j]!)) j++;
      tokens.push({ kind: 'word', text: sql.slice(i, j) });
      i = j;
    } else if (/[0-9]/.test(c)) {
      let j = i + 1;
      while (j < n && /[0-9A-Za-z_.]/.test(sql[j]!)) j++;
      tokens.push({ kind: 'punct', text: sql.slice(i, j) });
      i = j;
    } else {
      tokens.push({ kind: 'punct', text: c });
      i++;
    }
  }
  return tokens;
}

function lineEnd(sql: string, i: number): number {
  const end = sql.indexOf('\n', i);
  return end < 0 ? sql.length : end + 1;
}

function blockEnd(sql: string, start: number, nested: boolean): number {
  let depth = 0;
  let i = start;
  while (i < sql.length) {
    if (sql.startsWith('/*', i) && (nested || depth === 0)) {
      depth++;
      i += 2;
    } else if (sql.startsWith('*/', i)) {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else i++;
  }
  throw new Error('unterminated /* comment');
}

/** Index after the closing quote; a doubled quote is an escaped one, and so is a backslash where `backslash`. */
function quotedEnd(sql: string, start: number, quote: string, backslash: boolean): number {
  let i = start + 1;
  while (i < sql.length) {
    const c = sql[i]!;
    if (backslash && c === '\\') i += 2;
    else if (c === quote && sql[i + 1] === quote) i += 2;
    else if (c === quote) return i + 1;
    else i++;
  }
  throw new Error('unterminated quoted text');
}
