import { ValidationError } from '../errors.js';

/** The shortest password oxy accepts, wherever one is set (CLI, API, invitations). */
export const PASSWORD_MIN = 8;

/** Refuses a password shorter than {@link PASSWORD_MIN} with a 400 naming `field`. */
export function requirePassword(password: string, field = 'password'): void {
  if (password.length < PASSWORD_MIN)
    throw new ValidationError(`the password must have at least ${PASSWORD_MIN} characters`, [
      { field, message: 'too short' },
    ]);
}
