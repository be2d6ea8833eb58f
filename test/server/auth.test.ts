import crypto from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openMigratedDatabase } from '../../src/db/open-app-database.js';
import type { AppDatabase } from '../../src/db/connect.js';
import { buildApp } from '../../src/server/app.js';
import { createAppServices, type AppServices } from '../../src/services/app-services.js';
import { AuthService, LOCAL_OWNER_EMAIL } from '../../src/services/auth.service.js';
import { hashPassword, verifyPassword } from '../../src/services/password-hash.js';
import { SessionRepository } from '../../src/repositories/session.repository.js';
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
    const login = async (email: string, password: string) =>
      inject({ method: 'POST', url: '/api/auth/login', payload: { email, password } });
    const cookieOf = (res: Awaited<ReturnType<typeof login>>) => String(res.headers['set-cookie']).split(';')[0]!;

    beforeAll(async () => {
      db = await freshDatabase(backend);
      stateDir = tempDir();
      const env = { OXY_STATE_DIR: stateDir, OXY_DATABASE_URL: db.url, OXY_AUTH: 'password' };
      // The admin is created the way an operator would: with the CLI, password on stdin.
      const created = await runOxy(
        ['users', 'create', '--email', 'Admin@Example.com', '--role', 'admin', '--password-stdin'],
        env,
        { stdin: `${PASSWORD}\n` },
      );
      expect(created.code, created.stderr).toBe(0);
      expect(created.stdout).toMatch(/^Created admin admin@example.com/);
      expect(created.stdout).not.toContain(PASSWORD);
      const config = loadConfig(env);
      ({ database } = await openMigratedDatabase(config));
      services = await createAppServices(config, database);
      const stream = new Writable({ write: (chunk, _e, done) => ((logs += chunk.toString()), done()) });
      // Sign-in limits have their own tests (sign-in-limits.test.ts); these sign in many times.
      const roomy = { max: 1000, windowMs: 60_000 };
      app = await buildApp(services, {
        signInLimits: { perAddress: roomy, perAccount: roomy },
        logger: {
          level: 'trace',
          stream,
          redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
        },
      });
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

    it('signs in with email and password into an HttpOnly session cookie', async () => {
      const res = await login('admin@example.com', PASSWORD);
      expect(res.statusCode).toBe(200);
      expect(res.json().user).toMatchObject({ email: 'admin@example.com', role: 'admin' });
      expect(res.json().user.password_hash).toBeUndefined();
      expect(String(res.headers['set-cookie'])).toMatch(
        /^oxy_session=[^;]+; Max-Age=604800; Path=\/; HttpOnly; SameSite=Lax/,
      );
      const me = await inject({ url: '/api/auth/me', headers: { cookie: cookieOf(res) } });
      expect(me.json().email).toBe('admin@example.com');
      expect(me.json().last_login_at).not.toBeNull();
    });

    it('refuses a cookie that is not a stored session', async () => {
      const forged = `oxy_session=${'A'.repeat(43)}`;
      const res = await inject({ url: '/api/auth/me', headers: { cookie: forged } });
      expect(res.statusCode).toBe(401);
      expect(res.json().error.message).toBe('the session has ended or is not valid; sign in again');
    });

    it('refuses a malformed email with 400 naming the field', async () => {
      const res = await login('not-an-email', PASSWORD);
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatchObject({
        code: 'validation',
        message: 'email is not an email address',
        details: { fields: [{ field: 'email', message: 'is not an email address' }] },
      });
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
      expect(
        (await inject({ method: 'DELETE', url: `/api/auth/api-keys/${id}`, headers: { cookie } })).json().revoked_at,
      ).not.toBeNull();
      const revoked = await inject({ url: '/api/workspaces', headers: bearer });
      expect(revoked.statusCode).toBe(401);
      expect(revoked.json().error.code).toBe('invalid_api_key');
      const expiring = (
        await inject({ method: 'POST', url: '/api/auth/api-keys', headers: { cookie }, payload: {} })
      ).json();
      await services.repo.update('secrets', expiring.id, { expires_at: '2020-01-01T00:00:00.000Z' });
      expect(
        (await inject({ url: '/api/workspaces', headers: { authorization: `Bearer ${expiring.key}` } })).json().error
          .message,
      ).toBe('the API key has expired');
      expect(
        (
          await inject({
            url: '/api/workspaces',
            headers: { authorization: 'Bearer oxy_0000000000000000_' + 'a'.repeat(43) },
          })
        ).statusCode,
      ).toBe(401);
      expect(logs).not.toContain(key.slice(22));
    });

    it('lets only owners and admins manage users, and locks out a disabled user at once', async () => {
      const admin = cookieOf(await login('admin@example.com', PASSWORD));
      await services.auth.createUser({ email: 'member@example.com', role: 'member', password: PASSWORD });
      const member = cookieOf(await login('member@example.com', PASSWORD));
      const key = (
        await inject({ method: 'POST', url: '/api/auth/api-keys', headers: { cookie: member }, payload: {} })
      ).json().key;
      const denied = await inject({
        method: 'POST',
        url: '/api/users',
        headers: { cookie: member },
        payload: { email: 'x@example.com', name: 'x' },
      });
      expect(denied.statusCode).toBe(403);
      expect(denied.json().error.code).toBe('forbidden');
      expect(
        (
          await inject({
            method: 'POST',
            url: '/api/workspaces',
            headers: { cookie: member },
            payload: { name: 'M', slug: 'm' },
          })
        ).statusCode,
      ).toBe(201);
      const memberId = (await inject({ url: '/api/auth/me', headers: { cookie: member } })).json().id;
      expect(
        (
          await inject({
            method: 'PATCH',
            url: `/api/users/${memberId}`,
            headers: { cookie: admin },
            payload: { status: 'disabled' },
          })
        ).statusCode,
      ).toBe(200);
      const res = await inject({ url: '/api/workspaces', headers: { authorization: `Bearer ${key}` } });
      // Disabling revoked the key too.
      expect(res.statusCode).toBe(401);
      expect(res.json().error.message).toBe('the API key was revoked');
      expect((await inject({ url: '/api/workspaces', headers: { cookie: member } })).json().error.code).toBe(
        'unauthenticated',
      );
      expect((await login('member@example.com', PASSWORD)).json().error.code).toBe('user_disabled');
      expect(logs).not.toContain(PASSWORD);
    });

    it('stores only a SHA-256 of the session token, never the token', async () => {
      const token = /oxy_session=([^;]+)/.exec(
        String((await login('admin@example.com', PASSWORD)).headers['set-cookie']),
      )![1]!;
      const rows = (await services.repo.list('sessions', { limit: 500 })).items;
      expect(rows.map((r) => r.token_hash)).toContain(crypto.createHash('sha256').update(token).digest('hex'));
      expect(JSON.stringify(rows)).not.toContain(token);
    });

    it('ends the session on logout, so a replayed cookie is refused', async () => {
      const cookie = cookieOf(await login('admin@example.com', PASSWORD));
      expect((await inject({ url: '/api/auth/me', headers: { cookie } })).statusCode).toBe(200);
      const out = await inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie } });
      expect(out.statusCode).toBe(204);
      expect(String(out.headers['set-cookie'])).toMatch(/^oxy_session=;/);
      const replayed = await inject({ url: '/api/auth/me', headers: { cookie } });
      expect(replayed.statusCode).toBe(401);
      expect(replayed.json().error.code).toBe('unauthenticated');
    });

    it('signs in again while the browser still sends the cookie of an ended session', async () => {
      const cookie = cookieOf(await login('admin@example.com', PASSWORD));
      await inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie } });
      const again = await inject({
        method: 'POST',
        url: '/api/auth/login',
        headers: { cookie },
        payload: { email: 'admin@example.com', password: PASSWORD },
      });
      expect(again.statusCode).toBe(200);
    });

    it('refuses a session past its expiry', async () => {
      const cookie = cookieOf(await login('admin@example.com', PASSWORD));
      const hash = crypto.createHash('sha256').update(cookie.split('=')[1]!).digest('hex');
      const session = (await services.repo.findBy('sessions', { token_hash: hash }))!;
      await services.repo.update('sessions', String(session.id), { expires_at: '2020-01-01T00:00:00.000Z' });
      expect((await inject({ url: '/api/auth/me', headers: { cookie } })).statusCode).toBe(401);
    });

    it('ends every session of a user disabled with oxy users disable, and oxy users enable lets them sign in again', async () => {
      await services.auth.createUser({ email: 'leaver@example.com', role: 'member', password: PASSWORD });
      const cookies = [
        cookieOf(await login('leaver@example.com', PASSWORD)),
        cookieOf(await login('leaver@example.com', PASSWORD)),
      ];
      const env = { OXY_STATE_DIR: stateDir, OXY_DATABASE_URL: db.url };
      const disabled = await runOxy(['users', 'disable', '--email', 'Leaver@Example.com'], env);
      expect(disabled.code, disabled.stderr).toBe(0);
      expect(disabled.stdout).toBe('Disabled leaver@example.com; ended 2 sessions, revoked 0 API keys\n');
      const enabled = await runOxy(['users', 'enable', '--email', 'leaver@example.com'], env);
      expect(enabled.code, enabled.stderr).toBe(0);
      // Enabled again, yet the old cookies stay dead: their sessions were ended, not suspended.
      for (const cookie of cookies)
        expect((await inject({ url: '/api/auth/me', headers: { cookie } })).statusCode).toBe(401);
      expect((await login('leaver@example.com', PASSWORD)).statusCode).toBe(200);
    });

    it('ends every session of a user an admin disables through the API', async () => {
      const admin = cookieOf(await login('admin@example.com', PASSWORD));
      await services.auth.createUser({ email: 'api-leaver@example.com', role: 'member', password: PASSWORD });
      const cookie = cookieOf(await login('api-leaver@example.com', PASSWORD));
      const id = (await inject({ url: '/api/auth/me', headers: { cookie } })).json().id;
      expect(
        (
          await inject({
            method: 'PATCH',
            url: `/api/users/${id}`,
            headers: { cookie: admin },
            payload: { status: 'disabled' },
          })
        ).statusCode,
      ).toBe(200);
      expect(
        (
          await inject({
            method: 'PATCH',
            url: `/api/users/${id}`,
            headers: { cookie: admin },
            payload: { status: 'active' },
          })
        ).statusCode,
      ).toBe(200);
      expect((await inject({ url: '/api/auth/me', headers: { cookie } })).statusCode).toBe(401);
    });

    it('refuses oxy users disable for an unknown email', async () => {
      const result = await runOxy(['users', 'disable', '--email', 'ghost@example.com'], {
        OXY_STATE_DIR: stateDir,
        OXY_DATABASE_URL: db.url,
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^Error: no user with email ghost@example.com$/m);
    });

    it('does the same password work for an unknown email, an account without a password and a wrong password', async () => {
      const checked: (string | null | undefined)[] = [];
      const counting: typeof verifyPassword = (password, stored) => (
        checked.push(stored),
        verifyPassword(password, stored)
      );
      const auth = new AuthService(services.repo, new SessionRepository(database), counting);
      await services.auth.ensureLocalOwner();
      for (const email of ['admin@example.com', 'nobody@example.com', LOCAL_OWNER_EMAIL]) {
        await expect(auth.login(email, 'wrong password'), email).rejects.toMatchObject({ code: 'invalid_credentials' });
      }
      expect(checked).toHaveLength(3);
      // One scrypt each, all at the same cost: the hash parameters (N, r, p) are identical.
      expect(new Set(checked.map((h) => h!.split('$').slice(0, 4).join('$')))).toEqual(
        new Set([(await hashPassword('x')).split('$').slice(0, 4).join('$')]),
      );
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
