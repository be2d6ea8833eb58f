import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY_DEFAULT_DAYS, API_KEY_MAX_DAYS } from '../../src/services/api-key.service.js';
import { BACKENDS } from '../support/backends.js';
import { testApp, type TestApp } from '../support/app.js';
import { RoleFixture, unique } from '../support/role-fixture.js';

const DAY = 86_400_000;

for (const backend of BACKENDS) {
  describe(`API keys (${backend})`, () => {
    let t: TestApp;
    let f: RoleFixture;
    let ada: string;
    let admin: string;
    let adaId: string;
    const call = async (
      headers: Record<string, string>,
      method: InjectOptions['method'],
      url: string,
      payload?: object,
    ) => {
      const res = await t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
      return { status: res.statusCode, body: res.body ? res.json() : undefined };
    };
    const key = async (payload: object = {}) =>
      (await call({ cookie: ada }, 'POST', '/api/auth/api-keys', payload)).body;
    const bearer = (k: string) => ({ authorization: `Bearer ${k}` });
    const workspace = async () =>
      (await call({ cookie: ada }, 'POST', '/api/workspaces', { name: 'W', slug: unique() })).body.id as string;

    beforeAll(async () => {
      t = await testApp(backend, { env: { OXY_AUTH: 'password' } });
      f = new RoleFixture(t);
      const a = await f.user();
      adaId = String(a.id);
      ada = await f.signIn(String(a.email));
      admin = await f.signIn(String((await f.user('admin')).email));
    });
    afterAll(async () => {
      await t.close();
    });

    it(`expire after ${API_KEY_DEFAULT_DAYS} days when no expiry is given`, async () => {
      const before = Date.now();
      const { expires_at } = await key();
      expect(Date.parse(expires_at) - before).toBeGreaterThanOrEqual(API_KEY_DEFAULT_DAYS * DAY - 1000);
      expect(Date.parse(expires_at) - before).toBeLessThanOrEqual(API_KEY_DEFAULT_DAYS * DAY + 60_000);
    });

    it('refuse a key that never expires', async () => {
      const res = await call({ cookie: ada }, 'POST', '/api/auth/api-keys', { expires_at: null });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toBe('API keys must expire');
    });

    it(`refuse an expiry more than ${API_KEY_MAX_DAYS} days away`, async () => {
      const res = await call({ cookie: ada }, 'POST', '/api/auth/api-keys', {
        expires_at: new Date(Date.now() + (API_KEY_MAX_DAYS + 1) * DAY).toISOString(),
      });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toBe(`expires_at is more than ${API_KEY_MAX_DAYS} days away`);
    });

    it('refuse an expiry in the past', async () => {
      const res = await call({ cookie: ada }, 'POST', '/api/auth/api-keys', { expires_at: '2020-01-01T00:00:00.000Z' });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toBe('expires_at is in the past');
    });

    it('cannot mint keys: a request authenticated by a key gets 403 on key creation', async () => {
      const res = await call(bearer((await key()).key), 'POST', '/api/auth/api-keys', {});
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
    });

    it("are listed for admins, whoever's they are", async () => {
      const { id } = await key();
      const res = await call({ cookie: admin }, 'GET', `/api/api-keys?user_id=${adaId}`);
      expect(res.status).toBe(200);
      expect(res.body.items.map((k: { id: string }) => k.id)).toContain(id);
      expect(JSON.stringify(res.body)).not.toMatch(/oxy_[0-9a-f]{16}_[A-Za-z0-9_-]{43}/);
    });

    it("are revoked by admins, whoever's they are, and stop working at once", async () => {
      const created = await key();
      expect((await call({ cookie: admin }, 'DELETE', `/api/api-keys/${created.id}`)).body.revoked_at).not.toBeNull();
      const res = await call(bearer(created.key), 'GET', '/api/auth/me');
      expect(res.status).toBe(401);
      expect(res.body.error.message).toBe('the API key was revoked');
    });

    it("cannot be revoked by another user through their own keys' route", async () => {
      const created = await key();
      expect((await call({ cookie: admin }, 'DELETE', `/api/auth/api-keys/${created.id}`)).status).toBe(404);
    });

    it('limited to a workspace, see that workspace and answer 404 for the others', async () => {
      const mine = await workspace();
      const other = await workspace();
      const scoped = await key({ workspace_id: mine });
      expect(scoped.workspace_id).toBe(mine);
      expect((await call(bearer(scoped.key), 'GET', `/api/workspaces/${mine}`)).status).toBe(200);
      expect((await call(bearer(scoped.key), 'GET', `/api/workspaces/${other}`)).status).toBe(404);
    });

    it('limited to a workspace, list only its rows', async () => {
      const mine = await workspace();
      await workspace();
      const scoped = await key({ workspace_id: mine });
      const listed = await call(bearer(scoped.key), 'GET', '/api/workspaces?limit=500');
      expect(listed.body.items.map((w: { id: string }) => w.id)).toEqual([mine]);
    });

    it('limited to a workspace, cannot create another', async () => {
      const scoped = await key({ workspace_id: await workspace() });
      expect((await call(bearer(scoped.key), 'POST', '/api/workspaces', { name: 'W', slug: unique() })).status).toBe(
        403,
      );
    });

    it('limited to a workspace, carry no instance admin powers', async () => {
      const ws = (await call({ cookie: admin }, 'POST', '/api/workspaces', { name: 'W', slug: unique() })).body.id;
      const scoped = (await call({ cookie: admin }, 'POST', '/api/auth/api-keys', { workspace_id: ws })).body;
      expect((await call(bearer(scoped.key), 'GET', '/api/api-keys')).status).toBe(403);
    });

    it('cannot be limited to a workspace the caller is not in', async () => {
      const theirs = (await call({ cookie: admin }, 'POST', '/api/workspaces', { name: 'W', slug: unique() })).body.id;
      expect((await call({ cookie: ada }, 'POST', '/api/auth/api-keys', { workspace_id: theirs })).status).toBe(404);
    });
  });
}
