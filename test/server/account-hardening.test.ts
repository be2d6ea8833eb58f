import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLocalRequest } from '../../src/server/local-request.js';
import { testApp, type TestApp } from '../support/app.js';
import { BACKENDS } from '../support/backends.js';
import { PASSWORD, RoleFixture, unique } from '../support/role-fixture.js';
import { runOxy } from '../support/run-cli.js';

/** What a review of the permission model found, each closed and kept closed. */
describe('a loopback request meant for this machine (DNS rebinding)', () => {
  it('is local with a loopback Host and no Origin', () => {
    for (const host of ['localhost:3000', '127.0.0.1:3000', '[::1]:3000', 'app.localhost:3000'])
      expect(isLocalRequest('127.0.0.1', { host }), host).toBe(true);
  });

  it('is not local when Host names another machine, as a rebound DNS name does', () => {
    expect(isLocalRequest('127.0.0.1', { host: 'evil.example:3000' })).toBe(false);
  });

  it('is not local when a browser says the page came from elsewhere', () => {
    expect(isLocalRequest('127.0.0.1', { host: 'localhost:3000', origin: 'http://evil.example' })).toBe(false);
    expect(isLocalRequest('127.0.0.1', { host: 'localhost:3000', origin: 'null' })).toBe(false);
  });

  it('is local for a page of oxy itself', () => {
    expect(isLocalRequest('127.0.0.1', { host: 'localhost:3000', origin: 'http://localhost:3000' })).toBe(true);
  });
});

for (const backend of BACKENDS) {
  describe(`OXY_AUTH=none against other sites (${backend})`, () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await testApp(backend);
    });
    afterAll(async () => {
      await t.close();
    });

    it('refuses a request whose Host is not a loopback name', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/workspaces',
        headers: { host: 'evil.example', origin: 'http://evil.example' },
        payload: { name: 'Rebound', slug: unique() },
      });
      expect(res.statusCode).toBe(401);
    });

    it('takes no text/plain body, which a cross-site form could send without a preflight', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/workspaces',
        headers: { 'content-type': 'text/plain' },
        payload: '{"name":"Form","slug":"form"}',
      });
      expect(res.statusCode).toBe(415);
    });
  });

  describe(`accounts and keys after a review (${backend})`, () => {
    let t: TestApp;
    let f: RoleFixture;
    let admin: { id: string; cookie: string };
    const call = async (
      headers: Record<string, string>,
      method: InjectOptions['method'],
      url: string,
      payload?: object,
    ) => {
      const res = await t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
      return { status: res.statusCode, body: res.body ? res.json() : undefined };
    };
    const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

    beforeAll(async () => {
      t = await testApp(backend, {
        env: { OXY_AUTH: 'password' },
        signInLimits: { perAddress: { max: 1000, windowMs: 60_000 }, perAccount: { max: 3, windowMs: 60_000 } },
      });
      f = new RoleFixture(t);
      const a = await f.user('admin');
      admin = { id: String(a.id), cookie: await f.signIn(String(a.email)) };
    });
    afterAll(async () => {
      await t.close();
    });

    it("lets no admin's API key create an account", async () => {
      const { key } = await t.services.apiKeys.create(admin.id, {});
      const res = await call(bearer(key), 'POST', '/api/users', {
        email: `${unique()}@example.com`,
        name: 'K',
        password: PASSWORD,
      });
      expect(res.status).toBe(403);
    });

    it("lets no admin's API key set a password or invite", async () => {
      const { key } = await t.services.apiKeys.create(admin.id, {});
      const member = await f.user();
      expect(
        (await call(bearer(key), 'PATCH', `/api/users/${String(member.id)}`, { password: 'x'.repeat(12) })).status,
      ).toBe(403);
      expect((await call(bearer(key), 'POST', `/api/users/${String(member.id)}/invitation`)).status).toBe(403);
    });

    it('sends a user who sets their own password through /api/users to the route that asks for the current one', async () => {
      const res = await call({ cookie: admin.cookie }, 'PATCH', `/api/users/${admin.id}`, { password: 'y'.repeat(12) });
      expect(res.status).toBe(403);
      expect(res.body.error.message).toBe('your own password changes only with the current one');
    });

    it('refuses a key made without an expiry once the longest allowed life has passed', async () => {
      const member = await f.user();
      const { id, key } = await t.services.apiKeys.create(String(member.id), {});
      // As a key made before expiry was required: no expires_at, created long ago (created_at is
      // managed, so the repository would not take it).
      await t.database.db
        .updateTable('secrets')
        .set({ expires_at: null, created_at: '2020-01-01T00:00:00.000Z' })
        .where('id', '=', id)
        .execute();
      const res = await call(bearer(key), 'GET', '/api/workspaces');
      expect(res.status).toBe(401);
      expect(res.body.error.message).toBe('the API key has expired');
    });

    it('revokes the API keys of a disabled user, so enabling it does not bring them back', async () => {
      const member = await f.user();
      const { key } = await t.services.apiKeys.create(String(member.id), {});
      const url = `/api/users/${String(member.id)}`;
      expect((await call({ cookie: admin.cookie }, 'PATCH', url, { status: 'disabled' })).status).toBe(200);
      expect((await call({ cookie: admin.cookie }, 'PATCH', url, { status: 'active' })).status).toBe(200);
      expect((await call(bearer(key), 'GET', '/api/workspaces')).status).toBe(401);
    });

    it('limits guesses of the current password like sign-ins (429 with Retry-After)', async () => {
      const member = await f.user();
      const cookie = await f.signIn(String(member.email));
      const guess = () =>
        t.app.inject({
          method: 'POST',
          url: '/api/auth/password',
          headers: { cookie },
          payload: { current_password: 'wrong guess', new_password: 'z'.repeat(12) },
        });
      for (let i = 0; i < 3; i++) expect((await guess()).statusCode).toBe(403);
      const limited = await guess();
      expect(limited.statusCode).toBe(429);
      expect(limited.headers['retry-after']).toBeDefined();
    });

    it('lets a key limited to one workspace neither list accounts nor manage the other keys', async () => {
      const member = await f.user();
      const workspace = await t.services.workspaces.create({ name: 'Scoped', slug: unique() }, String(member.id));
      const { key } = await t.services.apiKeys.create(String(member.id), { workspace_id: String(workspace.id) });
      expect((await call(bearer(key), 'GET', '/api/users')).status).toBe(403);
      expect((await call(bearer(key), 'GET', '/api/auth/api-keys')).status).toBe(403);
    });

    it('keeps the last active owner when oxy users disable is asked to disable it', async () => {
      const lone = await testApp(backend, { env: { OXY_AUTH: 'password' } });
      try {
        const owner = await lone.services.auth.createUser({
          email: `${unique()}@example.com`,
          role: 'owner',
          password: PASSWORD,
        });
        const result = await runOxy(['users', 'disable', '--email', String(owner.email)], {
          OXY_STATE_DIR: lone.stateDir,
          OXY_DATABASE_URL: lone.url,
        });
        expect(result.code).toBe(1);
        expect(result.stderr).toMatch(/^Error: the instance must keep an active owner$/m);
        expect((await lone.services.repo.get('users', String(owner.id))).status).toBe('active');
      } finally {
        await lone.close();
      }
    });
  });
}
