import type { InjectOptions } from 'fastify';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installPermissions } from '../../src/server/permissions.js';
import { BACKENDS } from '../support/backends.js';
import { testApp, type TestApp } from '../support/app.js';
import { RoleFixture, unique } from '../support/role-fixture.js';

for (const backend of BACKENDS) {
  describe(`workspace permissions (${backend})`, () => {
    let t: TestApp;
    let f: RoleFixture;
    let ada: string;
    let bob: string;
    let adaId: string;
    let bobId: string;
    const call = async (cookie: string, method: InjectOptions['method'], url: string, payload?: object) => {
      const res = await t.app.inject({ method, url, headers: { cookie }, ...(payload ? { payload } : {}) });
      return { status: res.statusCode, body: res.body ? res.json() : undefined };
    };
    const workspace = async (cookie: string) =>
      (await call(cookie, 'POST', '/api/workspaces', { name: 'W', slug: unique() })).body.id as string;
    const project = async (cookie: string, ws: string) =>
      (await call(cookie, 'POST', '/api/projects', { workspace_id: ws, name: unique() })).body.id as string;

    beforeAll(async () => {
      t = await testApp(backend, { env: { OXY_AUTH: 'password' } });
      f = new RoleFixture(t);
      const a = await f.user();
      const b = await f.user();
      adaId = String(a.id);
      bobId = String(b.id);
      ada = await f.signIn(String(a.email));
      bob = await f.signIn(String(b.email));
    });
    afterAll(async () => {
      await t.close();
    });

    it("makes a workspace's creator its owner member", async () => {
      const ws = await workspace(ada);
      const members = await call(ada, 'GET', `/api/workspaces/${ws}/members`);
      expect(members.body.items.map((m: { user_id: string; role: string }) => [m.user_id, m.role])).toEqual([
        [adaId, 'owner'],
      ]);
    });

    it('writes a workspace and its owner member together, or neither (a taken slug)', async () => {
      const slug = unique();
      await call(ada, 'POST', '/api/workspaces', { name: 'W', slug });
      const members = await t.services.repo.count('workspace_members');
      const again = await call(ada, 'POST', '/api/workspaces', { name: 'W', slug });
      expect(again.status).toBe(409);
      expect(again.body.error.message).toBe(`a workspaces row with slug="${slug}" already exists`);
      expect(await t.services.repo.count('workspace_members')).toBe(members);
    });

    it('refuses to create a workspace owned by someone else', async () => {
      const res = await call(ada, 'POST', '/api/workspaces', { name: 'W', slug: unique(), owner_id: bobId });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(/^owner_id must be you/);
    });

    it('answers a row of another workspace exactly like a row that does not exist', async () => {
      const theirs = await project(bob, await workspace(bob));
      const hidden = await call(ada, 'GET', `/api/projects/${theirs}`);
      const missing = await call(ada, 'GET', '/api/projects/01900000-0000-7000-8000-000000000000');
      expect(hidden.status).toBe(404);
      expect(hidden.body.error.message.replace(theirs, 'ID')).toBe(
        missing.body.error.message.replace('01900000-0000-7000-8000-000000000000', 'ID'),
      );
    });

    it('refuses a parent in another workspace like a parent that does not exist', async () => {
      const theirs = await workspace(bob);
      const res = await call(ada, 'POST', '/api/projects', { workspace_id: theirs, name: 'x' });
      expect(res.status).toBe(409);
      expect(res.body.error.message).toBe(`workspace_id refers to workspaces ${theirs}, which does not exist`);
    });

    it('lists only rows of workspaces the caller is in, with pages filled in SQL', async () => {
      const mine = await workspace(ada);
      const theirs = await workspace(bob);
      const expected: string[] = [];
      for (let i = 0; i < 5; i++) {
        expected.push(await project(ada, mine));
        await project(bob, theirs);
      }
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page = await call(
          ada,
          'GET',
          `/api/projects?workspace_id=${mine}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        );
        expect(page.body.items).toHaveLength(Math.min(2, expected.length - seen.length));
        seen.push(...page.body.items.map((p: { id: string }) => p.id));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(seen).toEqual(expected);
      const all = await call(ada, 'GET', '/api/projects?limit=500');
      expect(all.body.items.every((p: { workspace_id: string }) => p.workspace_id !== theirs)).toBe(true);
    });

    it('fills a first page with visible rows even when the newest rows are hidden', async () => {
      const mine = await workspace(ada);
      const theirs = await workspace(bob);
      const own = await project(ada, mine);
      for (let i = 0; i < 3; i++) await project(bob, theirs);
      const page = await call(ada, 'GET', `/api/workspaces/${mine}/projects?limit=1`);
      expect(page.body).toEqual({ items: [expect.objectContaining({ id: own })], nextCursor: null });
    });

    it('lets viewers read but not write', async () => {
      const ws = await workspace(ada);
      await call(ada, 'POST', `/api/workspaces/${ws}/members`, { user_id: bobId, role: 'viewer' });
      const p = await project(ada, ws);
      expect((await call(bob, 'GET', `/api/projects/${p}`)).status).toBe(200);
      const write = await call(bob, 'PATCH', `/api/projects/${p}`, { name: 'mine now' });
      expect(write.status).toBe(403);
      expect(write.body.error).toMatchObject({
        code: 'forbidden',
        message: 'this needs the editor role in the workspace; you are a viewer',
      });
    });

    it('refuses a reference to a row of another workspace the caller can see', async () => {
      const one = await workspace(ada);
      const two = await workspace(ada);
      const p1 = await project(ada, one);
      const p2 = await project(ada, two);
      const db = (
        await call(ada, 'POST', '/api/databases', {
          project_id: p2,
          name: 'd',
          kind: 'duckdb',
          config: { dataset: '/data' },
        })
      ).body.id;
      const res = await call(ada, 'POST', '/api/agents', {
        project_id: p1,
        database_id: db,
        name: 'a',
        definition: 'x: 1',
      });
      expect(res.status).toBe(409);
      expect(res.body.error.message).toBe(`database_id refers to databases ${db} of another workspace`);
    });

    it('refuses to move a row into another workspace', async () => {
      const one = await workspace(ada);
      const two = await workspace(ada);
      const p = await project(ada, one);
      const res = await call(ada, 'PATCH', `/api/projects/${p}`, { workspace_id: two });
      expect(res.status).toBe(409);
    });

    it('keeps exactly one owner: no second owner, no removing or demoting the owner', async () => {
      const ws = await workspace(ada);
      await call(ada, 'POST', `/api/workspaces/${ws}/members`, { user_id: bobId, role: 'admin' });
      expect((await call(ada, 'PATCH', `/api/workspaces/${ws}/members/${bobId}`, { role: 'owner' })).status).toBe(400);
      expect((await call(bob, 'DELETE', `/api/workspaces/${ws}/members/${adaId}`)).status).toBe(409);
      expect((await call(bob, 'PATCH', `/api/workspaces/${ws}/members/${adaId}`, { role: 'viewer' })).status).toBe(409);
      const owners = (await call(ada, 'GET', `/api/workspaces/${ws}/members?role=owner`)).body.items;
      expect(owners.map((m: { user_id: string }) => m.user_id)).toEqual([adaId]);
    });

    it('transfers ownership: the new owner is the one owner and owner_id, the old one an admin', async () => {
      const ws = await workspace(ada);
      const res = await call(ada, 'POST', `/api/workspaces/${ws}/transfer`, { user_id: bobId });
      expect(res.status).toBe(200);
      expect(res.body.owner_id).toBe(bobId);
      const members = (await call(bob, 'GET', `/api/workspaces/${ws}/members`)).body.items;
      expect(Object.fromEntries(members.map((m: { user_id: string; role: string }) => [m.user_id, m.role]))).toEqual({
        [adaId]: 'admin',
        [bobId]: 'owner',
      });
    });

    it('refuses owner_id in a workspace PATCH (ownership moves only by transfer)', async () => {
      const ws = await workspace(ada);
      const res = await call(ada, 'PATCH', `/api/workspaces/${ws}`, { owner_id: bobId });
      expect(res.status).toBe(400);
    });

    it('lets only the owner delete the workspace', async () => {
      const ws = await workspace(ada);
      await call(ada, 'POST', `/api/workspaces/${ws}/members`, { user_id: bobId, role: 'admin' });
      expect((await call(bob, 'DELETE', `/api/workspaces/${ws}`)).status).toBe(403);
      expect((await call(ada, 'DELETE', `/api/workspaces/${ws}`)).status).toBe(204);
    });

    it("lets a workspace's admins manage its secrets, and refuses its editors", async () => {
      const ws = await workspace(ada);
      await call(ada, 'POST', `/api/workspaces/${ws}/members`, { user_id: bobId, role: 'editor' });
      expect((await call(bob, 'POST', '/api/secrets', { workspace_id: ws, name: 'K', value: 'v' })).status).toBe(403);
      const created = await call(ada, 'POST', '/api/secrets', { workspace_id: ws, name: 'K', value: 'v' });
      expect(created.status).toBe(201);
      expect(created.body.workspace_id).toBe(ws);
    });

    it('lets two workspaces hold a secret of the same name', async () => {
      const one = await call(ada, 'POST', '/api/secrets', {
        workspace_id: await workspace(ada),
        name: 'SAME',
        value: 'v',
      });
      const two = await call(ada, 'POST', '/api/secrets', {
        workspace_id: await workspace(ada),
        name: 'SAME',
        value: 'v',
      });
      expect([one.status, two.status]).toEqual([201, 201]);
    });

    it('shows rows outside every workspace (a job without a project) to instance admins only', async () => {
      const job = await t.services.repo.insert('jobs', {
        project_id: null,
        kind: 'sync',
        run_at: '2026-01-01T00:00:00.000Z',
      });
      const admin = await f.signIn(String((await f.user('admin')).email));
      expect((await call(admin, 'GET', `/api/jobs/${String(job.id)}`)).status).toBe(200);
      expect((await call(ada, 'GET', `/api/jobs/${String(job.id)}`)).status).toBe(404);
      expect((await call(ada, 'GET', '/api/jobs?limit=500')).body.items.map((j: { id: string }) => j.id)).not.toContain(
        job.id,
      );
    });

    it('keeps instance-wide secrets for instance admins', async () => {
      const member = await call(ada, 'POST', '/api/secrets', { name: 'GLOBAL', value: 'v' });
      expect(member.status).toBe(403);
      const owner = await f.signIn(String((await f.user('owner')).email));
      expect((await call(owner, 'POST', '/api/secrets', { name: 'GLOBAL', value: 'v' })).status).toBe(201);
      expect((await call(owner, 'POST', '/api/secrets', { name: 'GLOBAL', value: 'w' })).status).toBe(409);
      expect(
        (await call(ada, 'GET', '/api/secrets?limit=500')).body.items.some(
          (s: { name: string }) => s.name === 'GLOBAL',
        ),
      ).toBe(false);
    });
  });
}

describe('route permissions', () => {
  it('refuse to register a route that declares none', async () => {
    const app = Fastify();
    installPermissions(app);
    expect(() => app.get('/x', async () => 'x')).toThrow(/route GET \/x declares no permission/);
    await app.close();
  });
});
