import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogSnapshot } from '../../../src/services/connectors/catalog-snapshot.js';
import type { Connector } from '../../../src/services/connectors/connector.js';
import { CONNECTORS } from '../../../src/services/connectors/registry.js';
import { ENGINE_CASES, userDatabase, type UserDatabase } from '../../support/user-databases.js';

/** Each engine's statements adding a NOT NULL column table and a view next to `items` and `big`. */
const EXTRA: Record<string, string[]> = {
  postgres: [
    'create table extra (a integer not null, b varchar(20))',
    'create view v_items as select id, name from items',
    'analyze items',
  ],
  mysql: [
    'create table extra (a integer not null, b varchar(20))',
    'create view v_items as select id, name from items',
  ],
  sqlite: [
    'create table extra (a integer not null, b varchar(20))',
    'create view v_items as select id, name from items',
  ],
  duckdb: [
    'create table extra (a integer not null, b varchar(20))',
    'create view v_items as select id, name from items',
  ],
};

const tableNames = (snapshot: CatalogSnapshot) => snapshot.datasets.flatMap((d) => d.tables.map((t) => t.name)).sort();
const table = (snapshot: CatalogSnapshot, name: string) =>
  snapshot.datasets.flatMap((d) => d.tables).find((t) => t.name === name);

/** The catalog each connector reads from its engine's own catalog, on real engines. */
for (const engine of ENGINE_CASES) {
  describe(`catalog of ${engine.label}`, () => {
    let source: UserDatabase;
    let connector: Connector;
    let snapshot: CatalogSnapshot;

    beforeAll(async () => {
      source = await userDatabase(engine.kind, { dataset: engine.dataset });
      if (!engine.dataset) for (const statement of EXTRA[engine.kind]!) await source.admin(statement);
      connector = CONNECTORS[engine.kind](source.config, source.password);
      snapshot = await connector.catalog({ timeoutMs: 30_000 });
    });
    afterAll(async () => {
      await connector?.close();
      await source?.cleanup();
    });

    it('names the dataset as the engine names the schema', () => {
      const expected = { postgres: 'public', mysql: String((source.config as { database: string }).database) };
      expect(snapshot.datasets.map((d) => d.name)).toEqual([expected[engine.kind as keyof typeof expected] ?? 'main']);
    });

    if (engine.dataset) {
      it("lists the folder's files as views, once each (not also under their file names)", () => {
        expect(tableNames(snapshot)).toEqual(['big', 'items']);
        expect(table(snapshot, 'items')!.kind).toBe('view');
      });
      it('reads the columns a file-backed view has', () => {
        expect(table(snapshot, 'items')!.columns.map((c) => [c.name, c.ordinal])).toEqual([
          ['id', 1],
          ['name', 2],
        ]);
      });
      return;
    }

    it('lists tables and views, and nothing of the system schemas', () => {
      expect(tableNames(snapshot)).toEqual(['big', 'extra', 'items', 'v_items']);
    });

    it('tells views from tables', () => {
      expect([table(snapshot, 'v_items')!.kind, table(snapshot, 'extra')!.kind]).toEqual(['view', 'table']);
    });

    it('reads column names, ordinals and nullability', () => {
      expect(table(snapshot, 'extra')!.columns.map((c) => [c.name, c.ordinal, c.isNullable])).toEqual([
        ['a', 1, false],
        ['b', 2, true],
      ]);
    });

    it("reads the engine's type names", () => {
      const types = table(snapshot, 'extra')!.columns.map((c) => c.dataType.toLowerCase());
      expect(types[0]).toMatch(/^int/);
      expect(types[1]).toMatch(/^(varchar|character varying)\(20\)|^varchar$/);
    });

    if (engine.kind === 'postgres' || engine.kind === 'mysql' || engine.kind === 'duckdb') {
      it('reads the row estimate of a table', () => {
        expect(table(snapshot, 'items')!.rowCount).toBe(3);
      });
    }
  });
}
