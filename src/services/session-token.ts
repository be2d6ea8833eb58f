import crypto from 'node:crypto';

/** How long a sign-in lasts; the cookie's Max-Age and the stored session's expires_at agree. */
export const SESSION_DAYS = 7;

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/**
 * A new session token (256 random bits, base64url) and the SHA-256 that is stored in its place:
 * the database never holds a token that would sign anyone in.
 *
 * @example
 * const { token, hash } = newSessionToken(); sessionTokenHash(token) === hash // true
 */
export function newSessionToken(): { token: string; hash: string } {
  const token = crypto.randomBytes(32).toString('base64url');
  return { token, hash: sessionTokenHash(token)! };
}

/** The stored hash of a well-formed token; undefined for anything else (no lookup needed). */
export function sessionTokenHash(token: string | undefined): string | undefined {
  if (!token || !TOKEN.test(token)) return undefined;
  return crypto.createHash('sha256').update(token).digest('hex');
}
