import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openMigratedDatabase } from '../../src/db/open-app-database.js';
import type { AppDatabase } from '../../src/db/connect.js';
import { buildApp } from '../../src/server/app.js';
import { createAppServices, type AppServices } from '../../src/services/app-services.js';
import type { FastifyInstance } from 'fastify';
import { BACKENDS, freshDatabase, tempDir, type TestDatabase } from '../support/backends.js';
import { runOxy } from '../support/run-cli.js';

const PASSWORD = 'correct horse battery staple';

for (const backend of BACKENDS) {
  describe(`OXY_AUTH=password (${backend})`, () => {
    let db: TestDatabase;
    let stateDir: string;
    let app: FastifyInstance;
    let services: AppServices;
    let database: AppDatabase;
    let logs = '';
    const inject = (opts: import('fastify').InjectOptions) => app.inject(opts);
    const login = async (email: string, password: string) => inject({ method: 'POST', url: '/api/auth/login', payload: { email, password } });
    const cookieOf = (res: Awaited<ReturnType<typeof login>>) => String(res.headers['set-cookie']).split(';')[0]!;

    beforeAll(async () => {
      db = await freshDatabase(backend);
      stateDir = tempDir();
      const env = { OXY_STATE_DIR: stateDir, OXY_DATABASE_URL: db.url, OXY_AUTH: 'password' };
      // The admin is created the way an operator would: with the CLI, password on stdin.
      const created = await runOxy(['users', 'create', '--email', 'Admin@Example.com', '--role', 'admin', '--password-stdin'], env, { stdin: `${PASSWORD}\n` });
      expect(created.code, created.stderr).toBe(0);
      expect(created.stdout).toMatch(/^Created admin admin@example.com/);
      expect(created.stdout).not.toContain(PASSWORD);
      const config = loadConfig(env);
      ({ database } = await openMigratedDatabase(config));
      services = await createAppServices(config, database);
      const stream = new Writable({ write: (chunk, _e, done) => ((logs += chunk.toString()), done()) });
      app = await buildApp(services, { logger: { level: 'trace', stream, redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'] } });
    });
    afterAll(async () => {
      await app.close();
      await database.close();
      await db.cleanup();
    });

    it('refuses requests without credentials, but answers health checks', async () => {
      const res = await inject({ url: '/api/workspaces' });
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('unauthenticated');
      expect((await inject({ url: '/api/health' })).statusCode).toBe(200);
    });

    it('signs in with email and password into a signed, HttpOnly session cookie', async () => {
      const res = await login('admin@example.com', PASSWORD);
      expect(res.statusCode).toBe(200);
      expect(res.json().user).toMatchObject({ email: 'admin@example.com', role: 'admin' });
      expect(res.json().user.password_hash).toBeUndefined();
      expect(String(res.headers['set-cookie'])).toMatch(/^oxy_session=[^;]+; Max-Age=604800; Path=\/; HttpOnly; SameSite=Lax/);
      const me = await inject({ url: '/api/auth/me', headers: { cookie: cookieOf(res) } });
      expect(me.json().email).toBe('admin@example.com');
      expect(me.json().last_login_at).not.toBeNull();
      // A tampered cookie is refused.
      const forged = cookieOf(res).replace(/oxy_session=([^.]+)/, 'oxy_session=01900000-0000-7000-8000-000000000000');
      expect((await inject({ url: '/api/auth/me', headers: { cookie: forged } })).statusCode).toBe(401);
    });

    it('gives the same answer for an unknown email and a wrong password', async () => {
      const wrong = await login('admin@example.com', 'nope-nope');
      const unknown = await login('nobody@example.com', PASSWORD);
      expect(wrong.statusCode).toBe(401);
      expect(unknown.statusCode).toBe(401);
      expect(wrong.json()).toEqual(unknown.json());
    });

    it('issues API keys shown once, stored as a hash, honouring expiry and revocation', async () => {
      const cookie = cookieOf(await login('admin@example.com', PASSWORD));
      const created = await inject({ method: 'POST', url: '/api/auth/api-keys', headers: { cookie }, payload: {} });
      expect(created.statusCode).toBe(201);
      const { key, id } = created.json();
      expect(key).toMatch(/^oxy_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
      const bearer = { authorization: `Bearer ${key}` };
      expect((await inject({ url: '/api/workspaces', headers: bearer })).statusCode).toBe(200);
      const listed = await inject({ url: '/api/auth/api-keys', headers: bearer });
      expect(listed.body).not.toContain(key.slice(22));
      const stored = await services.repo.get('secrets', id);
      expect((stored.ciphertext as Buffer).toString('latin1')).not.toContain(key.slice(22));
      expect((await inject({ url: '/api/secrets', headers: bearer })).json().items).toEqual([]);
      expect((await inject({ method: 'DELETE', url: `/api/auth/api-keys/${id}`, headers: { cookie } })).json().revoked_at).not.toBeNull();
      const revoked = await inject({ url: '/api/workspaces', headers: bearer });
      expect(revoked.statusCode).toBe(401);
      expect(revoked.json().error.code).toBe('invalid_api_key');
      const expiring = (await inject({ method: 'POST', url: '/api/auth/api-keys', headers: { cookie }, payload: { expires_at: '2020-01-01T00:00:00.000Z' } })).json();
      expect((await inject({ url: '/api/workspaces', headers: { authorization: `Bearer ${expiring.key}` } })).json().error.message).toBe('the API key has expired');
      expect((await inject({ url: '/api/workspaces', headers: { authorization: 'Bearer oxy_0000000000000000_' + 'a'.repeat(43) } })).statusCode).toBe(401);
      expect(logs).not.toContain(key.slice(22));
    });

    it('lets only owners and admins manage users, and locks out a disabled user at once', async () => {
      const admin = cookieOf(await login('admin@example.com', PASSWORD));
      await services.auth.createUser({ email: 'member@example.com', role: 'member', password: PASSWORD });
      const member = cookieOf(await login('member@example.com', PASSWORD));
      const key = (await inject({ method: 'POST', url: '/api/auth/api-keys', headers: { cookie: member }, payload: {} })).json().key;
      const denied = await inject({ method: 'POST', url: '/api/users', headers: { cookie: member }, payload: { email: 'x@example.com', name: 'x' } });
      expect(denied.statusCode).toBe(403);
      expect(denied.json().error.code).toBe('forbidden');
      expect((await inject({ method: 'POST', url: '/api/workspaces', headers: { cookie: member }, payload: { name: 'M', slug: 'm' } })).statusCode).toBe(201);
      const memberId = (await inject({ url: '/api/auth/me', headers: { cookie: member } })).json().id;
      expect((await inject({ method: 'PATCH', url: `/api/users/${memberId}`, headers: { cookie: admin }, payload: { status: 'disabled' } })).statusCode).toBe(200);
      for (const headers of [{ cookie: member }, { authorization: `Bearer ${key}` }]) {
        const res = await inject({ url: '/api/workspaces', headers });
        expect(res.statusCode).toBe(403);
        expect(res.json().error.code).toBe('user_disabled');
      }
      expect((await login('member@example.com', PASSWORD)).json().error.code).toBe('user_disabled');
      expect(logs).not.toContain(PASSWORD);
    });

    it('keeps the session secret in the state folder, 0600, different per installation', async () => {
      const file = path.join(stateDir, 'session_secret');
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      const other = tempDir();
      fs.copyFileSync(path.join(stateDir, 'encryption_key.txt'), path.join(other, 'encryption_key.txt'));
      const elsewhere = await createAppServices(loadConfig({ OXY_STATE_DIR: other, OXY_DATABASE_URL: db.url, OXY_AUTH: 'password' }), database);
      expect(fs.readFileSync(path.join(other, 'session_secret'), 'utf8')).not.toBe(fs.readFileSync(file, 'utf8'));
      // A session signed by one installation is worthless at another.
      const token = /oxy_session=([^;]+)/.exec(String((await login('admin@example.com', PASSWORD)).headers['set-cookie']))![1]!;
      await expect(elsewhere.auth.actorForSession(decodeURIComponent(token))).rejects.toMatchObject({ code: 'unauthenticated' });
      await expect(services.auth.actorForSession(decodeURIComponent(token))).resolves.toMatchObject({ role: 'admin', via: 'session' });
    });

    it('refuses a bad role or a duplicate email from the CLI', async () => {
      const env = { OXY_STATE_DIR: stateDir, OXY_DATABASE_URL: db.url };
      const badRole = await runOxy(['users', 'create', '--email', 'x@example.com', '--role', 'god'], env);
      expect(badRole.code).toBe(2);
      const dup = await runOxy(['users', 'create', '--email', 'admin@example.com'], env);
      expect(dup.code).toBe(1);
      expect(dup.stderr).toMatch(/^Error: a user with email admin@example.com already exists$/m);
      const generated = await runOxy(['users', 'create', '--email', 'gen@example.com'], env);
      expect(generated.code, generated.stderr).toBe(0);
      const password = /Password \(shown once\): (\S+)/.exec(generated.stdout)?.[1];
      expect(password).toBeTruthy();
      expect((await login('gen@example.com', password!)).statusCode).toBe(200);
    });
  });
}
