import path from 'node:path';
import { ConfigError } from '../errors.js';

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
  const example = 'use postgresql://user:password@host:5432/database or sqlite:///absolute/path/db.sqlite';
  if (!scheme) {
    throw new ConfigError(`${source} is not a database URL (${maskUrl(value) || 'empty'})`, example);
  }
  if (scheme === 'sqlite') {
    const rest = value.slice('sqlite:'.length);
    if (!rest.startsWith('//') || rest.length <= 2) {
      throw new ConfigError(`${source} has a malformed SQLite URL (${value})`, 'use sqlite:///absolute/path/db.sqlite or sqlite://relative/path/db.sqlite');
    }
    const filePart = decodeURIComponent(rest.slice(2).replace(/\?.*$/, ''));
    const file = filePart.startsWith('/') ? filePart : path.resolve(cwd, filePart);
    return { backend: 'sqlite', path: file, display: `sqlite://${file}` };
  }
  if (scheme === 'postgres' || scheme === 'postgresql') {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new ConfigError(`${source} is a malformed PostgreSQL URL (${maskUrl(value)})`, example);
    }
    const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
    if (!url.hostname && !url.searchParams.get('host')) {
      throw new ConfigError(`${source} names no host (${maskUrl(value)})`, example);
    }
    if (!database) {
      throw new ConfigError(`${source} names no database (${maskUrl(value)})`, 'add the database name after the host, e.g. postgresql://user:password@localhost:5432/oxy');
    }
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
  throw new ConfigError(`${source} has an unknown scheme '${scheme}:' (${maskUrl(value)})`, example);
}
