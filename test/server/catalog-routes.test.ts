import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../support/backends.js';
import { testApp, type TestApp } from '../support/app.js';
import { FixedResultChartData } from '../support/fixed-chart-data.js';
import { RoleFixture } from '../support/role-fixture.js';
import { userDatabase, type UserDatabase } from '../support/user-databases.js';

/** GET /api/databases/:id/schema and the description PATCHes, with real sessions of each role. */
for (const backend of BACKENDS) {
  describe(`catalog routes (${backend})`, () => {
    let t: TestApp;
    let f: RoleFixture;
    const sources: UserDatabase[] = [];
    const ids: Record<string, string> = {};
    const as = async (who: string, method: 'GET' | 'PATCH', url: string, payload?: object) => {
      const res = await t.app.inject({
        method,
        url,
        headers: { cookie: f.person(who).cookie },
        ...(payload ? { payload } : {}),
      });
      return { status: res.statusCode, type: String(res.headers['content-type']), body: res.body };
    };
    const schema = async (id: string) =>
      JSON.parse((await as('workspace viewer', 'GET', `/api/databases/${id}/schema`)).body);

    beforeAll(async () => {
      t = await testApp(backend, { env: { OXY_AUTH: 'password' }, chartData: new FixedResultChartData() });
      f = new RoleFixture(t);
      await f.setUp();
      const project = await t.services.repo.insert('projects', { workspace_id: f.workspaceId, name: 'catalog' });
      for (const kind of ['sqlite', 'postgres', 'mysql'] as const) {
        const source = await userDatabase(kind);
        sources.push(source);
        if (source.password)
          process.env[String((source.config as { password_var: string }).password_var)] = source.password;
        const row = await t.services.repo.insert('databases', {
          project_id: project.id,
          name: `shop_${kind}`,
          kind,
          config: source.config,
        });
        ids[kind] = String(row.id);
        if (kind === 'postgres') await source.admin('create view v_items as select id, name from items');
        await t.services.catalog.sync(ids[kind]);
      }
      ids.never = String(
        (
          await t.services.repo.insert('databases', {
            project_id: project.id,
            name: 'never',
            kind: 'sqlite',
            config: { path: '/nowhere.db' },
          })
        ).id,
      );
    });
    afterAll(async () => {
      await t?.services.connectors.closeAll();
      await t?.close();
      for (const source of sources) await source.cleanup();
    });

    it('gives a viewer the catalog as one nested document', async () => {
      const doc = await schema(ids.sqlite!);
      expect(doc.database).toEqual({ id: ids.sqlite, name: 'shop_sqlite', kind: 'sqlite', dialect: 'sqlite' });
      expect(Date.parse(doc.syncedAt)).not.toBeNaN();
      expect(doc.datasets.map((d: { name: string }) => d.name)).toEqual(['main']);
      expect(doc.datasets[0].tables.map((t: { name: string; kind: string }) => [t.name, t.kind])).toEqual([
        ['big', 'table'],
        ['items', 'table'],
      ]);
      expect(doc.datasets[0].tables[1].columns[1]).toEqual({
        id: expect.any(String),
        name: 'name',
        type: 'TEXT',
        nullable: true,
        ordinal: 2,
        description: null,
      });
    });

    it('says a database was never synced: no datasets, syncedAt null', async () => {
      expect(await schema(ids.never!)).toMatchObject({ syncedAt: null, datasets: [] });
    });

    it('gives DDL as text/plain in the engine dialect, with NOT NULL and quoted names', async () => {
      const res = await as('workspace viewer', 'GET', `/api/databases/${ids.postgres}/schema?format=ddl`);
      expect(res.type).toMatch(/^text\/plain/);
      expect(res.body).toContain('CREATE TABLE "public"."items" (\n  "id" integer NOT NULL,\n  "name" text\n);');
    });

    it('writes a view as CREATE VIEW with its columns', async () => {
      const res = await as('workspace viewer', 'GET', `/api/databases/${ids.postgres}/schema?format=ddl`);
      expect(res.body).toContain('CREATE VIEW "public"."v_items" (\n  "id" integer,\n  "name" text\n);');
    });

    it('keeps a description on its comment line in the DDL, whatever lines it has', async () => {
      const doc = await schema(ids.postgres!);
      const items = doc.datasets[0].tables.find((t: { name: string }) => t.name === 'items');
      await as('workspace editor', 'PATCH', `/api/columns/${items.columns[1].id}`, {
        description: 'a name\nDROP TABLE x;',
      });
      const res = await as('workspace viewer', 'GET', `/api/databases/${ids.postgres}/schema?format=ddl`);
      expect(res.body).toContain('  "name" text -- a name DROP TABLE x;\n);');
    });

    it('quotes MySQL identifiers with backticks', async () => {
      const res = await as('workspace viewer', 'GET', `/api/databases/${ids.mysql}/schema?format=ddl`);
      expect(res.body).toMatch(/CREATE TABLE `oxy_src_\w+`\.`items` \(\n {2}`id` int(\(11\))? NOT NULL,/);
    });

    it('says in the DDL that a database was never synced', async () => {
      const res = await as('workspace viewer', 'GET', `/api/databases/${ids.never}/schema?format=ddl`);
      expect(res.body).toContain('-- the catalog of this database was never synced: run `oxy sync never`');
    });

    it('lets an editor describe a table, shows it as a DDL comment, and a sync keeps it', async () => {
      const items = (await schema(ids.sqlite!)).datasets[0].tables[1];
      const res = await as('workspace editor', 'PATCH', `/api/tables/${items.id}`, { description: 'what we sell' });
      expect(res.status).toBe(200);
      await t.services.catalog.sync(ids.sqlite!);
      const ddl = (await as('workspace viewer', 'GET', `/api/databases/${ids.sqlite}/schema?format=ddl`)).body;
      expect(ddl).toContain('-- what we sell\nCREATE TABLE "items" (');
    });

    it('lets an editor describe a column and a dataset', async () => {
      const dataset = (await schema(ids.sqlite!)).datasets[0];
      const column = dataset.tables[1].columns[0];
      const a = await as('workspace editor', 'PATCH', `/api/columns/${column.id}`, { description: 'the key' });
      const b = await as('workspace editor', 'PATCH', `/api/datasets/${dataset.id}`, { description: 'the shop' });
      const after = await schema(ids.sqlite!);
      expect([
        a.status,
        b.status,
        after.datasets[0].description,
        after.datasets[0].tables[1].columns[0].description,
      ]).toEqual([200, 200, 'the shop', 'the key']);
    });

    it('refuses a viewer a description with 403', async () => {
      const items = (await schema(ids.sqlite!)).datasets[0].tables[1];
      const res = await as('workspace viewer', 'PATCH', `/api/tables/${items.id}`, { description: 'nope' });
      expect(res.status).toBe(403);
    });

    it('refuses anything but a description with 400', async () => {
      const items = (await schema(ids.sqlite!)).datasets[0].tables[1];
      const res = await as('workspace editor', 'PATCH', `/api/tables/${items.id}`, { name: 'renamed' });
      expect(res.status).toBe(400);
    });

    it('answers 404 to a member of another workspace, for the schema and a description', async () => {
      const items = (await schema(ids.sqlite!)).datasets[0].tables[1];
      const read = await as('non-member', 'GET', `/api/databases/${ids.sqlite}/schema`);
      const write = await as('non-member', 'PATCH', `/api/tables/${items.id}`, { description: 'x' });
      expect([read.status, write.status]).toEqual([404, 404]);
    });
  });
}
