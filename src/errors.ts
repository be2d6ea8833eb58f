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
