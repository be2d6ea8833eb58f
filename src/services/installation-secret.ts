import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors.js';

/**
 * A random per-installation secret kept in the state folder (mode 0600), created on first use:
 * what session cookies are signed with. Never a constant, never logged.
 */
export function loadInstallationSecret(stateDir: string, name = 'session_secret'): Buffer {
  const file = path.join(stateDir, name);
  try {
    fs.writeFileSync(file, crypto.randomBytes(32).toString('base64') + '\n', { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new ConfigError(`cannot write ${file}: ${(error as Error).message}`, 'make the state folder writable (OXY_STATE_DIR)');
    }
  }
  const secret = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
  if (secret.length < 32) throw new ConfigError(`${file} is not a valid secret`, 'delete it to have oxy create a new one (signs everyone out)');
  return secret;
}
