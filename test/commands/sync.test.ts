import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../support/backends.js';
import { testApp, type TestApp } from '../support/app.js';
import { runOxy } from '../support/run-cli.js';
import { userDatabase, type UserDatabase } from '../support/user-databases.js';

/** `oxy sync` on the built CLI, inline against each application backend. */
for (const backend of BACKENDS) {
  describe(`oxy sync (${backend})`, () => {
    let t: TestApp;
    let source: UserDatabase;
    let first: string;
    let second: string;
    const oxy = (...args: string[]) =>
      runOxy(['sync', ...args], { OXY_DATABASE_URL: t.url, OXY_STATE_DIR: t.stateDir });

    beforeAll(async () => {
      t = await testApp(backend);
      source = await userDatabase('sqlite');
      const ws = (
        await t.app.inject({ method: 'POST', url: '/api/workspaces', payload: { name: 'W', slug: 'w' } })
      ).json();
      first = String((await t.services.entities.create('projects', { workspace_id: ws.id, name: 'first' })).id);
      second = String((await t.services.entities.create('projects', { workspace_id: ws.id, name: 'second' })).id);
      await t.services.entities.create('databases', {
        project_id: first,
        name: 'shop',
        kind: 'sqlite',
        config: source.config,
      });
      await t.services.entities.create('databases', {
        project_id: second,
        name: 'gone',
        kind: 'sqlite',
        config: { path: `${source.folder}/missing.sqlite` },
      });
    });
    afterAll(async () => {
      await t?.close();
      await source?.cleanup();
    });

    it('syncs one database by name and prints one summary line', async () => {
      const res = await oxy('shop');
      expect([res.code, res.stdout]).toEqual([
        0,
        expect.stringMatching(/^shop: 1 dataset, 2 tables, 3 columns \(\+6 ~0 -0\) in \d+ ms\n$/),
      ]);
    });

    it('stores what it read in the application database', async () => {
      const row = await t.services.connectors.findDatabase('shop');
      const doc = await t.services.catalog.schema(String(row.id));
      expect(doc.datasets[0]!.tables.map((table) => table.name)).toEqual(['big', 'items']);
    });

    it('reports no change on a second sync', async () => {
      const res = await oxy('shop');
      expect(res.stdout).toMatch(/\(\+0 ~0 -0\)/);
    });

    it('exits 1 with one error line when the database cannot be read', async () => {
      const res = await oxy('gone');
      expect([res.code, res.stderr.split('\n')[0]]).toEqual([
        1,
        expect.stringMatching(/^Error: cannot reach database gone: no such file: .*missing\.sqlite$/),
      ]);
    });

    it('syncs every database without an argument, goes on past a failure and exits 1', async () => {
      const res = await oxy('--json');
      const lines = res.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect([res.code, lines.map((l) => [l.database, l.tables ?? l.error.code])]).toEqual([
        1,
        [
          ['shop', 2],
          ['gone', 'database_unreachable'],
        ],
      ]);
    });

    it('syncs only the databases of --project', async () => {
      const res = await oxy('--project', 'first', '--json');
      expect([
        res.code,
        res.stdout
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l).database),
      ]).toEqual([0, ['shop']]);
    });

    it('exits 1 naming an unknown database', async () => {
      const res = await oxy('nope');
      expect([res.code, res.stderr.split('\n')[0]]).toEqual([1, 'Error: no database "nope"']);
    });
  });
}
