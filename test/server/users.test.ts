import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../support/backends.js';
import { testApp, type TestApp } from '../support/app.js';
import { RoleFixture, PASSWORD, unique } from '../support/role-fixture.js';
import { runOxy } from '../support/run-cli.js';

const NEW_PASSWORD = 'another long passphrase';

for (const backend of BACKENDS) {
  describe(`users and instance roles (${backend})`, () => {
    let t: TestApp;
    let f: RoleFixture;
    let owner: string;
    let admin: string;
    let adminId: string;
    let ownerId: string;
    const call = async (cookie: string | undefined, method: InjectOptions['method'], url: string, payload?: object) => {
      const res = await t.app.inject({
        method,
        url,
        headers: cookie ? { cookie } : {},
        ...(payload ? { payload } : {}),
      });
      return { status: res.statusCode, body: res.body ? res.json() : undefined };
    };
    const login = (email: string, password: string) => call(undefined, 'POST', '/api/auth/login', { email, password });
    const invite = async () =>
      (await call(admin, 'POST', '/api/users', { email: `${unique()}@example.com`, name: 'Invited' })).body;

    beforeAll(async () => {
      t = await testApp(backend, { env: { OXY_AUTH: 'password' } });
      f = new RoleFixture(t);
      const o = await f.user('owner');
      const a = await f.user('admin');
      ownerId = String(o.id);
      adminId = String(a.id);
      owner = await f.signIn(String(o.email));
      admin = await f.signIn(String(a.email));
    });
    afterAll(async () => {
      await t.close();
    });

    it('let an admin create a member with a password, who can then sign in', async () => {
      const email = `${unique()}@example.com`;
      expect((await call(admin, 'POST', '/api/users', { email, name: 'M', password: PASSWORD })).status).toBe(201);
      expect((await login(email, PASSWORD)).status).toBe(200);
    });

    it('let only an instance owner grant owner', async () => {
      expect(
        (
          await call(admin, 'POST', '/api/users', {
            email: `${unique()}@example.com`,
            name: 'X',
            role: 'owner',
            password: PASSWORD,
          })
        ).status,
      ).toBe(403);
      expect(
        (
          await call(owner, 'POST', '/api/users', {
            email: `${unique()}@example.com`,
            name: 'X',
            role: 'owner',
            password: PASSWORD,
          })
        ).status,
      ).toBe(201);
    });

    it('do not let an admin raise itself', async () => {
      const res = await call(admin, 'PATCH', `/api/users/${adminId}`, { role: 'owner' });
      expect(res.status).toBe(403);
      expect((await call(admin, 'GET', `/api/users/${adminId}`)).body.role).toBe('admin');
    });

    it("do not let an admin change an owner's account", async () => {
      expect((await call(admin, 'PATCH', `/api/users/${ownerId}`, { status: 'disabled' })).status).toBe(403);
    });

    it('keep an active instance owner', async () => {
      const lone = await testApp(backend, { env: { OXY_AUTH: 'password' } });
      try {
        const g = new RoleFixture(lone);
        const only = await g.user('owner');
        const cookie = await g.signIn(String(only.email));
        const res = await lone.app.inject({
          method: 'PATCH',
          url: `/api/users/${String(only.id)}`,
          headers: { cookie },
          payload: { role: 'admin' },
        });
        expect(res.statusCode).toBe(409);
        expect(res.json().error.message).toBe('the instance must keep an active owner');
      } finally {
        await lone.close();
      }
    });

    it('give an account created without a password an invitation token, shown once and stored hashed', async () => {
      const created = await invite();
      expect(created.invitation.token).toMatch(/^oxyinv_[0-9a-f-]{36}_[A-Za-z0-9_-]{43}$/);
      expect(Date.parse(created.invitation.expires_at)).toBeGreaterThan(Date.now());
      expect(JSON.stringify((await call(admin, 'GET', `/api/users/${created.id}`)).body)).not.toContain('invitation');
      const stored = String((await t.services.repo.get('users', created.id)).password_hash);
      expect(stored).not.toContain(created.invitation.token.slice(-43));
    });

    it('do not let an invited account sign in before it accepts', async () => {
      const created = await invite();
      expect((await login(created.email, PASSWORD)).status).toBe(401);
    });

    it('set the password when the invitation is accepted, once', async () => {
      const created = await invite();
      const accept = () =>
        call(undefined, 'POST', '/api/auth/invitations/accept', {
          token: created.invitation.token,
          password: NEW_PASSWORD,
        });
      expect((await accept()).status).toBe(200);
      expect((await login(created.email, NEW_PASSWORD)).status).toBe(200);
      expect((await accept()).status).toBe(400);
    });

    it('refuse an expired invitation', async () => {
      const created = await invite();
      const stored = String((await t.services.repo.get('users', created.id)).password_hash);
      await t.services.repo.update('users', created.id, {
        password_hash: stored.replace(/^invite\$\d+\$/, 'invite$1000$'),
      });
      const res = await call(undefined, 'POST', '/api/auth/invitations/accept', {
        token: created.invitation.token,
        password: NEW_PASSWORD,
      });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toBe('the invitation is not valid or has expired');
    });

    it('let users change their own password, given the current one', async () => {
      const user = await f.user();
      const cookie = await f.signIn(String(user.email));
      expect(
        (await call(cookie, 'POST', '/api/auth/password', { current_password: PASSWORD, new_password: NEW_PASSWORD }))
          .status,
      ).toBe(204);
      expect((await login(String(user.email), PASSWORD)).status).toBe(401);
      expect((await login(String(user.email), NEW_PASSWORD)).status).toBe(200);
    });

    it('end every other session of a user who changes their password, keeping the one that changed it', async () => {
      const user = await f.user();
      const elsewhere = await f.signIn(String(user.email));
      const here = await f.signIn(String(user.email));
      expect(
        (await call(here, 'POST', '/api/auth/password', { current_password: PASSWORD, new_password: NEW_PASSWORD }))
          .status,
      ).toBe(204);
      expect((await call(elsewhere, 'GET', '/api/auth/me')).status).toBe(401);
      expect((await call(here, 'GET', '/api/auth/me')).status).toBe(200);
    });

    it('end every session of a user whose password an admin sets', async () => {
      const user = await f.user();
      const cookie = await f.signIn(String(user.email));
      expect((await call(admin, 'PATCH', `/api/users/${String(user.id)}`, { password: NEW_PASSWORD })).status).toBe(
        200,
      );
      expect((await call(cookie, 'GET', '/api/auth/me')).status).toBe(401);
    });

    it('end every session of a user who is invited again', async () => {
      const user = await f.user();
      const cookie = await f.signIn(String(user.email));
      expect((await call(admin, 'POST', `/api/users/${String(user.id)}/invitation`)).status).toBe(201);
      expect((await call(cookie, 'GET', '/api/auth/me')).status).toBe(401);
    });

    it('refuse a password change with a wrong current password', async () => {
      const user = await f.user();
      const cookie = await f.signIn(String(user.email));
      const res = await call(cookie, 'POST', '/api/auth/password', {
        current_password: 'not the password',
        new_password: NEW_PASSWORD,
      });
      expect(res.status).toBe(403);
      expect((await login(String(user.email), PASSWORD)).status).toBe(200);
    });

    it('get a password from oxy users set-password --password-stdin', async () => {
      const user = await f.user();
      const env = { OXY_STATE_DIR: t.stateDir, OXY_DATABASE_URL: t.url };
      const result = await runOxy(
        ['users', 'set-password', '--email', String(user.email).toUpperCase(), '--password-stdin'],
        env,
        { stdin: `${NEW_PASSWORD}\n` },
      );
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).not.toContain(NEW_PASSWORD);
      expect((await login(String(user.email), NEW_PASSWORD)).status).toBe(200);
    });

    it('end every session of the account oxy users set-password changes', async () => {
      const user = await f.user();
      const cookie = await f.signIn(String(user.email));
      const result = await runOxy(
        ['users', 'set-password', '--email', String(user.email), '--password-stdin'],
        { OXY_STATE_DIR: t.stateDir, OXY_DATABASE_URL: t.url },
        { stdin: `${NEW_PASSWORD}\n` },
      );
      expect(result.code, result.stderr).toBe(0);
      expect((await call(cookie, 'GET', '/api/auth/me')).status).toBe(401);
    });

    it('name an unknown email in oxy users set-password, exit 1', async () => {
      const result = await runOxy(
        ['users', 'set-password', '--email', 'nobody@example.com', '--password-stdin'],
        { OXY_STATE_DIR: t.stateDir, OXY_DATABASE_URL: t.url },
        { stdin: `${NEW_PASSWORD}\n` },
      );
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^Error: no user with email nobody@example.com$/m);
    });
  });
}
