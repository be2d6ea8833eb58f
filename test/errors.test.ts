import { describe, expect, it } from 'vitest';
import { containerErrors } from '../src/container/container-errors.js';
import { dbErrors } from '../src/db/db-errors.js';
import { ConfigError, DatabaseUnavailableError, defineError, OxyError } from '../src/errors.js';

describe('error catalogue entries', () => {
  const teapot = defineError(
    'teapot',
    (what: string) => ({ message: `${what} is a teapot`, hint: 'brew coffee elsewhere' }),
    { status: 418, exitCode: 3 },
  );

  it('build an OxyError with the entry code, status and exit code', () => {
    expect(teapot('the pot')).toMatchObject({
      code: 'teapot',
      status: 418,
      exitCode: 3,
      message: 'the pot is a teapot',
      hint: 'brew coffee elsewhere',
    });
  });

  it('state their code, status and exit code without building an error', () => {
    expect({ code: teapot.code, status: teapot.status, exitCode: teapot.exitCode }).toEqual({
      code: 'teapot',
      status: 418,
      exitCode: 3,
    });
  });

  it('recognise their own errors by code, and no others', () => {
    expect(teapot.is(teapot('x'))).toBe(true);
    expect(teapot.is(new OxyError('other', 'x'))).toBe(false);
    expect(teapot.is(new Error('teapot'))).toBe(false);
  });

  it('default to status 500 and exit code 1', () => {
    expect(containerErrors.dockerMissing('docker')).toMatchObject({ status: 500, exitCode: 1, code: 'docker_missing' });
  });

  it('build a ConfigError for a configuration mistake', () => {
    expect(dbErrors.noHost('OXY_DATABASE_URL', 'postgresql:///db')).toBeInstanceOf(ConfigError);
  });

  it('build a DatabaseUnavailableError (503) for a database that does not answer, keeping the cause', () => {
    const cause = new Error('ECONNREFUSED');
    const error = dbErrors.unreachable({ host: 'h', port: 1, database: 'd', user: 'u' }, 'ECONNREFUSED', cause);
    expect(error).toBeInstanceOf(DatabaseUnavailableError);
    expect(error).toMatchObject({ status: 503, code: 'database_unavailable', cause });
  });
});
