import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors.js';

export interface EncryptionKey {
  readonly key: Buffer;
  /** A short public fingerprint of the key, stored beside each ciphertext. */
  readonly id: string;
  /** 'ephemeral': --readonly found no key file and created none; it opens no stored secret. */
  readonly source: 'OXY_ENCRYPTION_KEY' | 'file' | 'ephemeral';
}

export const KEY_FILE_NAME = 'encryption_key.txt';

/**
 * The secrets key: OXY_ENCRYPTION_KEY (base64 of 32 bytes) if given, else
 * `<state>/encryption_key.txt`, generated on first use with mode 0600 (unless `create` is false:
 * then a missing file gives a random in-memory key that opens nothing stored).
 */
export function loadEncryptionKey(
  stateDir: string,
  fromEnv: string | undefined,
  options: { create?: boolean } = {},
): EncryptionKey {
  if (fromEnv !== undefined)
    return {
      key: decodeKey(fromEnv, 'OXY_ENCRYPTION_KEY'),
      id: keyId(decodeKey(fromEnv, 'OXY_ENCRYPTION_KEY')),
      source: 'OXY_ENCRYPTION_KEY',
    };
  const file = path.join(stateDir, KEY_FILE_NAME);
  if (options.create === false && !fs.existsSync(file)) {
    const key = crypto.randomBytes(32);
    return { key, id: keyId(key), source: 'ephemeral' };
  }
  try {
    fs.writeFileSync(file, crypto.randomBytes(32).toString('base64') + '\n', { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new ConfigError(
        `cannot write the encryption key file ${file}: ${(error as Error).message}`,
        'make the state folder writable or set OXY_ENCRYPTION_KEY',
      );
    }
  }
  const key = decodeKey(fs.readFileSync(file, 'utf8'), file);
  return { key, id: keyId(key), source: 'file' };
}

function decodeKey(text: string, source: string): Buffer {
  const trimmed = text.trim();
  const key = /^[A-Za-z0-9+/]+={0,2}$/.test(trimmed) ? Buffer.from(trimmed, 'base64') : Buffer.alloc(0);
  if (key.length !== 32) {
    throw new ConfigError(
      `${source} must hold a base64-encoded 32-byte key (got ${key.length} bytes)`,
      'generate one with: openssl rand -base64 32',
    );
  }
  return key;
}

function keyId(key: Buffer): string {
  return crypto.createHash('sha256').update(key).digest('hex').slice(0, 16);
}
