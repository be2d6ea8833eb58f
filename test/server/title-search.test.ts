import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../support/backends.js';
import { testApp, type TestApp } from '../support/app.js';

for (const backend of BACKENDS) {
  describe(`list by title (${backend})`, () => {
    let t: TestApp;
    let project: string;
    const titles = (url: string) =>
      t.app.inject({ url }).then((res) => {
        expect(res.statusCode, res.body).toBe(200);
        return (res.json() as { items: { title: string }[] }).items.map((row) => row.title);
      });

    beforeAll(async () => {
      t = await testApp(backend);
      const ws = (
        await t.app.inject({ method: 'POST', url: '/api/workspaces', payload: { name: 'W', slug: `w-${backend}` } })
      ).json();
      project = String((await t.services.repo.insert('projects', { workspace_id: ws.id, name: 'P' })).id);
      for (const title of ['Revenue by Store', 'store openings', 'Margins: 100% real', 'Margins 100 real', 'a_b'])
        await t.services.repo.insert('threads', { project_id: project, title });
    });
    afterAll(async () => {
      await t.close();
    });

    it('?q= keeps the rows whose title contains the text in any case, with % and _ taken literally', async () => {
      expect(await titles(`/api/threads?project_id=${project}&q=STORE`)).toEqual([
        'Revenue by Store',
        'store openings',
      ]);
      expect(await titles(`/api/threads?project_id=${project}&q=100%25`)).toEqual(['Margins: 100% real']);
      expect(await titles(`/api/threads?q=_`)).toEqual(['a_b']);
      expect(await titles(`/api/threads?project_id=${project}&q=nothing`)).toEqual([]);
      // Pages still work on the matches.
      const first = (await t.app.inject({ url: `/api/threads?q=margins&limit=1` })).json();
      expect(first.items.map((r: { title: string }) => r.title)).toEqual(['Margins: 100% real']);
      const next = (await t.app.inject({ url: `/api/threads?q=margins&limit=1&cursor=${first.nextCursor}` })).json();
      expect(next.items.map((r: { title: string }) => r.title)).toEqual(['Margins 100 real']);
    });

    it('refuses an empty q, and q on a table without titles', async () => {
      expect((await t.app.inject({ url: '/api/threads?q=' })).statusCode).toBe(400);
      expect((await t.app.inject({ url: '/api/agents?q=x' })).statusCode).toBe(400);
    });
  });
}
