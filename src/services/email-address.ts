import { ValidationError } from '../errors.js';

/**
 * An email address as oxy stores and looks it up: trimmed and lower-cased, one `@` with text
 * either side and no spaces (`owner@localhost` is valid). Anything else is a 400 naming `field`.
 */
export function normalizeEmail(value: string, field = 'email'): string {
  const email = value.trim().toLowerCase();
  if (!/^[^@\s]+@[^@\s]+$/.test(email))
    throw new ValidationError(`${field} is not an email address`, [{ field, message: 'is not an email address' }]);
  return email;
}
