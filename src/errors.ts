/**
 * Errors that reach a user. Each carries a stable `code`, a one-line message naming the problem,
 * and a `hint` naming the fix; the CLI prints both, the HTTP layer maps `status`.
 */
export class OxyError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  readonly status: number;
  readonly exitCode: number;
  readonly details: unknown;

  constructor(
    code: string,
    message: string,
    options: { hint?: string; status?: number; exitCode?: number; details?: unknown; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = options.hint;
    this.status = options.status ?? 500;
    this.exitCode = options.exitCode ?? 1;
    this.details = options.details;
  }
}

/** Bad configuration (environment, flags, files): exit 1. */
export class ConfigError extends OxyError {
  constructor(message: string, hint?: string) {
    super('config', message, hint === undefined ? { exitCode: 1 } : { hint, exitCode: 1 });
  }
}

/** Wrong command-line usage: exit 2. */
export class UsageError extends OxyError {
  constructor(message: string, hint?: string) {
    super('usage', message, hint === undefined ? { exitCode: 2 } : { hint, exitCode: 2 });
  }
}

/** The database could not be reached or refused us. */
export class DatabaseUnavailableError extends OxyError {
  constructor(message: string, hint: string, cause?: unknown) {
    super('database_unavailable', message, { hint, status: 503, cause });
  }
}

export class NotFoundError extends OxyError {
  constructor(message: string) {
    super('not_found', message, { status: 404 });
  }
}

export class ConflictError extends OxyError {
  constructor(message: string, details?: unknown) {
    super('conflict', message, { status: 409, details });
  }
}

export interface FieldError {
  field: string;
  message: string;
}

export class ValidationError extends OxyError {
  constructor(message: string, fields: FieldError[] = []) {
    super('validation', message, { status: 400, details: { fields } });
  }
}

/** What a catalogue entry builds from its arguments: the problem, the fix, and what else to carry. */
export interface ErrorShape {
  message: string;
  hint?: string | undefined;
  details?: unknown;
  cause?: unknown;
}

/**
 * One entry of an area's error catalogue (Fastify's `lib/errors.js`, plus oxy's hint): its code,
 * HTTP status and exit code stated once, next to the shape of its message. Calling it builds the
 * error; `is` recognises one (by code, which related entries may share, e.g. `database_unavailable`).
 */
export interface ErrorEntry<Args extends unknown[]> {
  (...args: Args): OxyError;
  readonly code: string;
  readonly status: number;
  readonly exitCode: number;
  is(error: unknown): error is OxyError;
}

function entry<Args extends unknown[]>(
  code: string,
  codes: { status: number; exitCode: number },
  make: (shape: ErrorShape) => OxyError,
  shape: (...args: Args) => ErrorShape,
): ErrorEntry<Args> {
  const build = (...args: Args) => make(shape(...args));
  return Object.assign(build, {
    code,
    ...codes,
    is: (error: unknown): error is OxyError => error instanceof OxyError && error.code === code,
  });
}

/**
 * A catalogue entry for an OxyError of its own code.
 *
 * @example
 * export const containerErrors = {
 *   dockerMissing: defineError('docker_missing', (cli: string) => ({ message: `${cli} is not installed`, hint: 'install Docker' })),
 * };
 * throw containerErrors.dockerMissing('docker');
 */
export function defineError<Args extends unknown[]>(
  code: string,
  shape: (...args: Args) => ErrorShape,
  options: { status?: number; exitCode?: number } = {},
): ErrorEntry<Args> {
  const codes = { status: options.status ?? 500, exitCode: options.exitCode ?? 1 };
  return entry(code, codes, ({ message, ...rest }) => new OxyError(code, message, { ...rest, ...codes }), shape);
}

/** A catalogue entry for bad configuration: a ConfigError (code `config`, exit 1). */
export function defineConfigError<Args extends unknown[]>(
  shape: (...args: Args) => { message: string; hint?: string },
): ErrorEntry<Args> {
  return entry('config', { status: 500, exitCode: 1 }, ({ message, hint }) => new ConfigError(message, hint), shape);
}

/** A catalogue entry for a database that cannot be reached: a DatabaseUnavailableError (503). */
export function defineUnavailableError<Args extends unknown[]>(
  shape: (...args: Args) => { message: string; hint: string; cause?: unknown },
): ErrorEntry<Args> {
  return entry(
    'database_unavailable',
    { status: 503, exitCode: 1 },
    ({ message, hint, cause }) => new DatabaseUnavailableError(message, hint ?? '', cause),
    shape,
  );
}
