import crypto from 'node:crypto';

export const SESSION_DAYS = 7;

/**
 * Stateless session tokens: `<user id>.<expiry ms>.<HMAC-SHA256>` under the installation secret.
 *
 * @example
 * const token = signSession(secret, userId); verifySession(secret, token) // userId
 */
export function signSession(secret: Buffer, userId: string, now = Date.now()): string {
  const payload = `${userId}.${now + SESSION_DAYS * 86_400_000}`;
  return `${payload}.${mac(secret, payload)}`;
}

/** The user id of a valid, unexpired token; undefined otherwise. */
export function verifySession(secret: Buffer, token: string | undefined, now = Date.now()): string | undefined {
  const parts = token?.split('.') ?? [];
  if (parts.length !== 3) return undefined;
  const [userId, expires, signature] = parts as [string, string, string];
  const expected = Buffer.from(mac(secret, `${userId}.${expires}`));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return undefined;
  return Number(expires) > now ? userId : undefined;
}

function mac(secret: Buffer, payload: string): string {
  return crypto.createHmac('sha256', secret).update(payload).digest('base64url');
}
