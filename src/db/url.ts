import path from 'node:path';
import { dbErrors } from './db-errors.js';

export type Backend = 'sqlite' | 'postgres';

export type DatabaseTarget =
  | { backend: 'sqlite'; path: string; display: string }
  | { backend: 'postgres'; url: string; display: string; host: string; port: number; database: string; user: string };

/**
 * Replaces the password of a URL (parsable or not) with `****`, for anything shown to a person.
 *
 * @example
 * maskUrl('postgresql://u:secret@h/db') // 'postgresql://u:****@h/db'
 */
export function maskUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@:]*:)[^@]*@/i, '$1****@');
}

/**
 * Parses a database URL: `postgresql://…` / `postgres://…`, `sqlite:///abs/path` or
 * `sqlite://relative/path` (relative to `cwd`). `source` names where the URL came from, for errors.
 *
 * @example
 * parseDatabaseUrl('sqlite:///var/oxy/db.sqlite', 'OXY_DATABASE_URL') // { backend: 'sqlite', path: '/var/oxy/db.sqlite', ... }
 */
export function parseDatabaseUrl(raw: string, source: string, cwd = process.cwd()): DatabaseTarget {
  const value = raw.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(value)?.[1]?.toLowerCase();
  if (!scheme) throw dbErrors.notAUrl(source, maskUrl(value));
  if (scheme === 'sqlite') {
    const rest = value.slice('sqlite:'.length);
    if (!rest.startsWith('//') || rest.length <= 2) throw dbErrors.malformedSqliteUrl(source, value);
    const filePart = decodeURIComponent(rest.slice(2).replace(/\?.*$/, ''));
    const file = filePart.startsWith('/') ? filePart : path.resolve(cwd, filePart);
    return { backend: 'sqlite', path: file, display: `sqlite://${file}` };
  }
  if (scheme === 'postgres' || scheme === 'postgresql') {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw dbErrors.malformedPostgresUrl(source, maskUrl(value));
    }
    const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
    if (!url.hostname && !url.searchParams.get('host')) throw dbErrors.noHost(source, maskUrl(value));
    if (!database) throw dbErrors.noDatabase(source, maskUrl(value));
    const port = url.port ? Number(url.port) : 5432;
    return {
      backend: 'postgres',
      url: value,
      display: maskUrl(value),
      host: url.hostname || (url.searchParams.get('host') ?? ''),
      port,
      database,
      user: decodeURIComponent(url.username) || process.env.PGUSER || process.env.USER || 'postgres',
    };
  }
  throw dbErrors.unknownScheme(source, scheme, maskUrl(value));
}
