import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SchemaDocument } from '../../../src/services/catalog/schema-document.js';
import { BACKENDS } from '../../support/backends.js';
import { testApp, type TestApp } from '../../support/app.js';
import { ENGINE_CASES, userDatabase, type UserDatabase } from '../../support/user-databases.js';

const tableOf = (doc: SchemaDocument, name: string) =>
  doc.datasets.flatMap((d) => d.tables).find((t) => t.name === name);
const names = (doc: SchemaDocument) => doc.datasets.flatMap((d) => d.tables.map((t) => t.name)).sort();

/** CatalogService.sync on both application backends, against every engine. */
for (const backend of BACKENDS) {
  describe(`catalog sync (${backend})`, () => {
    let t: TestApp;
    let project: string;
    const sources: UserDatabase[] = [];

    beforeAll(async () => {
      t = await testApp(backend);
      const ws = (
        await t.app.inject({ method: 'POST', url: '/api/workspaces', payload: { name: 'W', slug: 'w' } })
      ).json();
      project = String((await t.services.entities.create('projects', { workspace_id: ws.id, name: 'P' })).id);
    });
    afterAll(async () => {
      await t?.services.connectors.closeAll();
      await t?.close();
      for (const db of sources) await db.cleanup();
    });

    const addSource = async (engine: (typeof ENGINE_CASES)[number]) => {
      const source = await userDatabase(engine.kind, { dataset: engine.dataset });
      sources.push(source);
      if (source.password)
        process.env[String((source.config as { password_var: string }).password_var)] = source.password;
      const row = await t.services.entities.create('databases', {
        project_id: project,
        name: `${engine.label.replace(' ', '_')}_${sources.length}`,
        kind: engine.kind,
        config: source.config,
      });
      return { source, id: String(row.id) };
    };

    for (const engine of ENGINE_CASES) {
      describe(engine.label, () => {
        let source: UserDatabase;
        let id: string;
        beforeAll(async () => {
          ({ source, id } = await addSource(engine));
        });

        it('stores the tables and columns it read, and counts them', async () => {
          const summary = await t.services.catalog.sync(id);
          const doc = await t.services.catalog.schema(id);
          expect([summary.datasets, summary.tables, summary.columns, summary.added, summary.removed]).toEqual([
            1, 2, 3, 6, 0,
          ]);
          expect(tableOf(doc, 'items')!.columns.map((c) => [c.name, c.ordinal])).toEqual([
            ['id', 1],
            ['name', 2],
          ]);
        });

        it('keeps ids and descriptions on a re-sync, and reports no change', async () => {
          const before = await t.services.catalog.schema(id);
          const items = tableOf(before, 'items')!;
          await t.services.catalog.describe('datasets', before.datasets[0]!.id, 'the shop');
          await t.services.catalog.describe('tables', items.id, 'what we sell');
          await t.services.catalog.describe('columns', items.columns[1]!.id, 'its name');
          const summary = await t.services.catalog.sync(id);
          const after = await t.services.catalog.schema(id);
          const kept = tableOf(after, 'items')!;
          expect([summary.added, summary.updated, summary.removed]).toEqual([0, 0, 0]);
          expect([after.datasets[0]!.description, kept.id, kept.description, kept.columns[1]]).toEqual([
            'the shop',
            items.id,
            'what we sell',
            { ...items.columns[1], description: 'its name' },
          ]);
        });

        if (engine.dataset) return;

        it('drops what was dropped or renamed, adds what is new, and updates nullability', async () => {
          const before = await t.services.catalog.schema(id);
          await t.services.connectors.forget(id);
          const statements = [
            engine.kind === 'mysql' ? 'rename table big to big2' : 'alter table big rename to big2',
            'alter table items add column price integer',
          ];
          if (engine.kind === 'postgres') statements.push('alter table items alter column name set not null');
          for (const statement of statements) await source.admin(statement);
          const summary = await t.services.catalog.sync(id);
          const after = await t.services.catalog.schema(id);
          expect(names(after)).toEqual(['big2', 'items']);
          expect(tableOf(after, 'items')!.columns.map((c) => c.name)).toEqual(['id', 'name', 'price']);
          expect(tableOf(after, 'items')!.id).toBe(tableOf(before, 'items')!.id);
          expect([summary.added, summary.removed]).toEqual([3, 2]);
          if (engine.kind === 'postgres') expect(tableOf(after, 'items')!.columns[1]!.nullable).toBe(false);
        });

        it('forgets a dropped column', async () => {
          await t.services.connectors.forget(id);
          await source.admin('alter table items drop column price');
          await t.services.catalog.sync(id);
          const doc = await t.services.catalog.schema(id);
          expect(tableOf(doc, 'items')!.columns.map((c) => c.name)).toEqual(['id', 'name']);
        });
      });
    }

    it('leaves the previous catalog intact when the server cannot be reached', async () => {
      const { id } = await addSource(ENGINE_CASES.find((e) => e.kind === 'postgres')!);
      await t.services.catalog.sync(id);
      const before = await t.services.catalog.schema(id);
      const row = await t.services.repo.get('databases', id);
      await t.services.entities.update('databases', id, { config: { ...(row.config as object), port: 1 } });
      const failure = await t.services.catalog.sync(id).catch((e: unknown) => e);
      expect((failure as { code?: string }).code).toBe('database_unreachable');
      expect((await t.services.catalog.schema(id)).datasets).toEqual(before.datasets);
    });

    it('writes nothing when cancelled', async () => {
      const { id } = await addSource(ENGINE_CASES.find((e) => e.kind === 'sqlite')!);
      const controller = new AbortController();
      const sync = t.services.catalog.sync(id, {
        signal: controller.signal,
        onProgress: (p) => {
          if (p.phase === 'reading') controller.abort();
        },
      });
      await expect(sync).rejects.toMatchObject({ code: 'sync_cancelled' });
      expect((await t.services.catalog.schema(id)).datasets).toEqual([]);
    });

    it('reports its phases', async () => {
      const { id } = await addSource(ENGINE_CASES.find((e) => e.kind === 'sqlite')!);
      const phases: string[] = [];
      await t.services.catalog.sync(id, { onProgress: (p) => void phases.push(p.phase) });
      expect(phases).toEqual(['reading', 'writing', 'done']);
    });
  });
}
