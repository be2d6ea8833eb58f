import { defineError } from '../../errors.js';

/** Errors of running SQL on a user database. */
export const connectorErrors = {
  refused: defineError(
    'sql_refused',
    (reason: string) => ({
      message: `statement refused: ${reason}`,
      hint: 'oxy runs one read-only statement (SELECT, WITH … SELECT, VALUES, SHOW, EXPLAIN) at a time',
    }),
    { status: 400, exitCode: 1 },
  ),
  timeout: defineError(
    'sql_timeout',
    (ms: number) => ({
      message: `the statement ran longer than ${ms} ms and was cancelled`,
      hint: 'make the query cheaper, or raise timeout_ms in the database config',
    }),
    { status: 400, exitCode: 1 },
  ),
  cancelled: defineError(
    'sql_cancelled',
    () => ({
      message: 'the statement was cancelled: its client went away',
      hint: 'run it again and keep the connection open until the result is read',
    }),
    { status: 400, exitCode: 1 },
  ),
  failed: defineError(
    'sql_failed',
    (message: string) => ({ message: oneLine(message), hint: 'fix the SQL and run it again' }),
    { status: 400, exitCode: 1 },
  ),
  unreachable: defineError(
    'database_unreachable',
    (name: string, reason: string) => ({
      message: `cannot reach database ${name}: ${oneLine(reason)}`,
      hint: 'check its config (POST /api/databases/:id/test) and that the server is up',
    }),
    { status: 502, exitCode: 1 },
  ),
  ambiguous: defineError(
    'ambiguous_name',
    (what: string, name: string) => ({
      message: `more than one ${what} is named ${JSON.stringify(name)}`,
      hint: what === 'database' ? 'name the project with --project, or give the id' : 'give the project id',
    }),
    { status: 409, exitCode: 2 },
  ),
  passwordMissing: defineError(
    'password_missing',
    (what: string) => ({
      message: `the database password is not available: ${what}`,
      hint: 'create the secret in the database workspace, or set the environment variable where oxy runs',
    }),
    { status: 400, exitCode: 1 },
  ),
};

/** The first line of a driver message, at most 500 characters. */
export function oneLine(message: string): string {
  const line = message.split('\n').find((l) => l.trim() !== '') ?? message;
  return line.trim().slice(0, 500);
}
