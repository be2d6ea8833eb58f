import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from './support/backends.js';
import { runOxy } from './support/run-cli.js';
import { selfSignedCert } from './support/tls-cert.js';

/** Bad configuration stops the CLI at once with exit 1 and exactly two lines: the error and its fix. */
const lines = (stderr: string) => stderr.trim().split('\n');

describe('configuration errors reach the user as one Error line and a Hint', () => {
  it('refuses a SQLite file in a folder that cannot be created, at once', async () => {
    const result = await runOxy(
      ['migrate'],
      { OXY_DATABASE_URL: 'sqlite:///proc/oxy-nope/db.sqlite', OXY_STATE_DIR: tempDir() },
      { timeoutMs: 20_000 },
    );
    expect([result.code, lines(result.stderr)]).toEqual([
      1,
      [
        "Error: cannot create the folder /proc/oxy-nope for the SQLite database (ENOENT: no such file or directory, mkdir '/proc/oxy-nope')",
        'Hint: point OXY_DATABASE_URL at a file in a folder you can write to, e.g. sqlite:///home/me/oxy/db.sqlite',
      ],
    ]);
  });

  it('refuses an empty OXY_DATABASE_URL instead of using the default', async () => {
    const result = await runOxy(['migrate'], { OXY_DATABASE_URL: '', OXY_STATE_DIR: tempDir() });
    expect([result.code, lines(result.stderr)]).toEqual([
      1,
      [
        'Error: OXY_DATABASE_URL is set but empty',
        'Hint: unset it (unset OXY_DATABASE_URL) to use the default SQLite file, or set it to a database URL',
      ],
    ]);
  });

  it('refuses an unknown OXY_LOG_LEVEL, naming the levels', async () => {
    const result = await runOxy(['serve', '--port', '0'], { OXY_LOG_LEVEL: 'loud', OXY_STATE_DIR: tempDir() });
    expect([result.code, lines(result.stderr)]).toEqual([
      1,
      [
        "Error: OXY_LOG_LEVEL has an unknown value 'loud'",
        'Hint: use one of fatal, error, warn, info, debug, trace, silent',
      ],
    ]);
  });
});

describe('TLS files that cannot be used are named', () => {
  let dir: string;
  const file = (name: string) => path.join(dir, name);
  const serve = (cert: string, key: string) =>
    runOxy(['serve', '--port', '0', '--tls-cert', cert, '--tls-key', key], { OXY_STATE_DIR: tempDir() });

  beforeAll(() => {
    dir = tempDir('oxy-tls-');
    for (const name of ['a', 'b']) {
      selfSignedCert(file(`${name}-cert.pem`), file(`${name}-key.pem`));
    }
    fs.writeFileSync(file('not-pem.txt'), 'hello\n');
  });

  it('names a --tls-cert that is not a PEM certificate', async () => {
    const result = await serve(file('not-pem.txt'), file('a-key.pem'));
    expect([result.code, lines(result.stderr)[0]]).toEqual([
      1,
      `Error: --tls-cert ${file('not-pem.txt')} is not a PEM certificate`,
    ]);
  });

  it('names a --tls-key that is not a PEM private key', async () => {
    const result = await serve(file('a-cert.pem'), file('not-pem.txt'));
    expect([result.code, lines(result.stderr)[0]]).toEqual([
      1,
      `Error: --tls-key ${file('not-pem.txt')} is not a PEM private key (or it is encrypted)`,
    ]);
  });

  it('names a key that does not belong to the certificate', async () => {
    const result = await serve(file('a-cert.pem'), file('b-key.pem'));
    expect([result.code, lines(result.stderr)]).toEqual([
      1,
      [
        `Error: --tls-key ${file('b-key.pem')} does not belong to --tls-cert ${file('a-cert.pem')}`,
        'Hint: give the private key the certificate was issued for',
      ],
    ]);
  });
});
