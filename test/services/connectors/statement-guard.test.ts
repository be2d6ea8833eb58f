import { describe, expect, it } from 'vitest';
import { checkStatement } from '../../../src/services/connectors/statement-guard.js';

describe('statement guard', () => {
  it('names the first keyword of a statement that is not a read', () => {
    expect(checkStatement('insert into t values (1)', 'postgres')).toEqual({
      ok: false,
      reason: 'INSERT is not a read-only statement',
    });
  });

  it('refuses an empty statement', () => {
    expect(checkStatement(' -- nothing\n ; ', 'sqlite')).toEqual({ ok: false, reason: 'the statement is empty' });
  });

  it('refuses an unterminated comment rather than guessing', () => {
    expect(checkStatement('select 1 /* delete', 'duckdb')).toMatchObject({ ok: false });
  });

  it('reads a PostgreSQL dollar-quoted string as text', () => {
    expect(checkStatement('select $x$ ; delete from t $x$ as s', 'postgres')).toEqual({ ok: true });
  });

  it('reads nested block comments in PostgreSQL', () => {
    expect(checkStatement('/* a /* b */ ; delete */ select 1', 'postgres')).toEqual({ ok: true });
  });

  it('reads a MySQL # comment as a comment', () => {
    expect(checkStatement('select 1 # ; delete from t', 'mysql')).toEqual({ ok: true });
  });

  it('refuses a schema-qualified forbidden function', () => {
    expect(checkStatement("select pg_catalog.pg_read_file('/etc/passwd')", 'postgres')).toMatchObject({ ok: false });
  });

  it('lets a column named like a keyword through when quoted', () => {
    expect(checkStatement('select "update" from t', 'postgres')).toEqual({ ok: true });
  });

  it('allows one trailing semicolon', () => {
    expect(checkStatement('select 1;', 'mysql')).toEqual({ ok: true });
  });
});
