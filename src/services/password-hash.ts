import crypto from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(crypto.scrypt) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: crypto.ScryptOptions,
) => Promise<Buffer>;

const N = 16384;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;

/**
 * A self-describing scrypt hash: `scrypt$N$r$p$<salt>$<hash>` (base64), with a random salt.
 *
 * @example
 * const stored = await hashPassword('correct horse'); await verifyPassword('correct horse', stored) // true
 */
export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.randomBytes(16);
  const hash = await scrypt(password, salt, KEY_LENGTH, { N, r: R, p: P });
  return ['scrypt', N, R, P, salt.toString('base64'), hash.toString('base64')].join('$');
}

/** Compares in constant time; false for a malformed or missing hash. */
export async function verifyPassword(password: string, stored: string | null | undefined): Promise<boolean> {
  const parts = stored?.split('$') ?? [];
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, salt, hash] = parts;
  const expected = Buffer.from(hash!, 'base64');
  const actual = await scrypt(password, Buffer.from(salt!, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return actual.length === expected.length && crypto.timingSafeEqual(actual, expected);
}

/**
 * A hash of a random password nobody knows, with the same cost as {@link hashPassword}'s: a
 * sign-in for an unknown email (or an account without a password) is checked against it, so it
 * costs the same scrypt work as a wrong password and its timing tells nothing.
 */
export const DUMMY_PASSWORD_HASH =
  'scrypt$16384$8$1$AFNSiAb7WU68T/k3Gt/Szw==$pLqSWf6KMSUc0JGnkq9e+jyYf2DK1URZqlA22Zc1qGQ=';
