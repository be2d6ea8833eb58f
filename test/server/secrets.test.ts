import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openMigratedDatabase } from '../../src/db/open-app-database.js';
import { buildApp } from '../../src/server/app.js';
import { createAppServices } from '../../src/services/app-services.js';
import { BACKENDS, freshDatabase, tempDir, type TestDatabase } from '../support/backends.js';

const PLAINTEXT = 'sk-live-very-secret-value-42';

for (const backend of BACKENDS) {
  describe(`secrets (${backend})`, () => {
    let db: TestDatabase;
    let stateDir: string;
    let logs = '';
    const logStream = new Writable({
      write(chunk, _enc, done) {
        logs += chunk.toString();
        done();
      },
    });

    const open = async (env: Record<string, string> = {}) => {
      const config = loadConfig({ OXY_STATE_DIR: stateDir, OXY_DATABASE_URL: db.url, ...env });
      const { database } = await openMigratedDatabase(config);
      try {
        const services = await createAppServices(config, database);
        const app = await buildApp(services, { logger: { level: 'trace', stream: logStream } });
        return { app, services, database, close: async () => (await app.close(), await database.close()) };
      } catch (error) {
        await database.close();
        throw error;
      }
    };

    beforeAll(async () => {
      db = await freshDatabase(backend);
      stateDir = tempDir();
    });
    afterAll(async () => {
      await db.cleanup();
    });

    it('are sealed, never returned, never logged, and open again on the server', async () => {
      const s = await open();
      const created = await s.app.inject({
        method: 'POST',
        url: '/api/secrets',
        payload: { scope: 'project', name: 'OPENAI_API_KEY', value: PLAINTEXT },
      });
      expect(created.statusCode).toBe(201);
      const body = created.json();
      expect(Object.keys(body).sort()).toEqual([
        'created_at',
        'expires_at',
        'id',
        'key_id',
        'name',
        'revoked_at',
        'scope',
        'updated_at',
        'user_id',
        'workspace_id',
      ]);
      for (const url of ['/api/secrets', `/api/secrets/${body.id}`, '/api/openapi.json']) {
        expect((await s.app.inject({ url })).body).not.toContain(PLAINTEXT);
      }
      const row = await s.services.repo.get('secrets', body.id);
      expect((row.ciphertext as Buffer).includes(Buffer.from(PLAINTEXT))).toBe(false);
      expect((row.nonce as Buffer).length).toBe(12);
      expect(await s.services.secrets.reveal(body.id)).toBe(PLAINTEXT);
      const patched = await s.app.inject({
        method: 'PATCH',
        url: `/api/secrets/${body.id}`,
        payload: { value: 'rotated' },
      });
      expect(patched.statusCode).toBe(200);
      expect(await s.services.secrets.reveal(body.id)).toBe('rotated');
      const renamed = await s.app.inject({
        method: 'PATCH',
        url: `/api/secrets/${body.id}`,
        payload: { name: 'RENAMED' },
      });
      expect(renamed.statusCode).toBe(200);
      expect(await s.services.secrets.reveal(body.id)).toBe('rotated');
      expect(logs).toContain('/api/secrets');
      expect(logs).not.toContain(PLAINTEXT);
      expect(logs).not.toContain('rotated');
      await s.close();
    });

    it('keep their key in <state>/encryption_key.txt with mode 0600', () => {
      const file = path.join(stateDir, 'encryption_key.txt');
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      expect(Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64')).toHaveLength(32);
    });

    it('refuse to start with the wrong key, without printing either key', async () => {
      const wrong = crypto.randomBytes(32).toString('base64');
      const error = (await open({ OXY_ENCRYPTION_KEY: wrong }).catch((e: unknown) => e)) as {
        code: string;
        message: string;
        hint: string;
      };
      expect(error.code).toBe('wrong_encryption_key');
      expect(error.message).toMatch(
        /^secrets were encrypted with key [0-9a-f]{16}, but the configured key is [0-9a-f]{16}$/,
      );
      expect(JSON.stringify(error)).not.toContain(wrong);
      const right = fs.readFileSync(path.join(stateDir, 'encryption_key.txt'), 'utf8').trim();
      const s = await open({ OXY_ENCRYPTION_KEY: right });
      await s.close();
    });

    it('refuse a malformed OXY_ENCRYPTION_KEY', async () => {
      await expect(open({ OXY_ENCRYPTION_KEY: Buffer.alloc(16).toString('base64') })).rejects.toThrow(
        /OXY_ENCRYPTION_KEY must hold a base64-encoded 32-byte key \(got 16 bytes\)/,
      );
    });
  });
}
