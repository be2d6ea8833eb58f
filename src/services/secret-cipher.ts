import crypto from 'node:crypto';
import { OxyError } from '../errors.js';
import type { EncryptionKey } from './encryption-key.js';

const TAG_BYTES = 16;

export interface Sealed {
  ciphertext: Buffer;
  nonce: Buffer;
  key_id: string;
}

/**
 * AES-256-GCM with a random 96-bit nonce; `context` (the secret's scope and name) is bound as
 * associated data, so a ciphertext moved to another secret fails to open.
 */
export function seal(key: EncryptionKey, plaintext: string, context: string): Sealed {
  const nonce = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', key.key, nonce);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return { ciphertext: Buffer.concat([body, cipher.getAuthTag()]), nonce, key_id: key.id };
}

export function open(key: EncryptionKey, sealed: Sealed, context: string): string {
  if (sealed.key_id !== key.id) throw wrongKey(sealed.key_id, key.id);
  try {
    const decipher = crypto.createDecipheriv('aes-256-gcm', key.key, sealed.nonce);
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(sealed.ciphertext.subarray(sealed.ciphertext.length - TAG_BYTES));
    return Buffer.concat([
      decipher.update(sealed.ciphertext.subarray(0, sealed.ciphertext.length - TAG_BYTES)),
      decipher.final(),
    ]).toString('utf8');
  } catch {
    throw wrongKey(sealed.key_id, key.id);
  }
}

export function wrongKey(stored: string, configured: string): OxyError {
  return new OxyError(
    'wrong_encryption_key',
    stored === configured
      ? 'a secret failed to decrypt: the encryption key does not match the one it was sealed with'
      : `secrets were encrypted with key ${stored}, but the configured key is ${configured}`,
    {
      hint: 'set OXY_ENCRYPTION_KEY (or <state>/encryption_key.txt) to the key the secrets were created with',
      status: 500,
    },
  );
}
