import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, type AppDatabase } from '../../src/db/connect.js';
import type { CatalogTable } from '../../src/db/dialect/storage-dialect.js';
import { entities, TABLE_NAMES, type EntityDef } from '../../src/db/entities.js';
import { migrateToLatest } from '../../src/db/migrator.js';
import { parseDatabaseUrl } from '../../src/db/url.js';
import { BACKENDS, freshDatabase, type TestDatabase } from '../support/backends.js';

const ENTITIES = entities as readonly EntityDef[];

/** The parts of a catalog both backends must agree on (storage types differ by design). */
function portable(catalog: CatalogTable[]) {
  return catalog.map((t) => ({
    name: t.name,
    columns: t.columns.map((c) => ({ name: c.name, nullable: c.nullable })),
    foreignKeys: [...t.foreignKeys].sort((a, b) => a.column.localeCompare(b.column)),
    uniques: t.uniques.map((u) => u.join(',')).sort(),
  }));
}

const catalogs: Partial<Record<(typeof BACKENDS)[number], CatalogTable[]>> = {};

for (const backend of BACKENDS) {
  describe(`schema after oxy migrate (${backend})`, () => {
    let db: TestDatabase;
    let app: AppDatabase;
    let catalog: CatalogTable[];

    beforeAll(async () => {
      db = await freshDatabase(backend);
      app = await connectDatabase(parseDatabaseUrl(db.url, 'test'));
      await migrateToLatest(app.db, app.dialect);
      catalog = await app.dialect.introspect(app.db);
      catalogs[backend] = catalog;
    });
    afterAll(async () => {
      await app.close();
      await db.cleanup();
    });

    it('holds exactly the tables of entities.ts', () => {
      expect(TABLE_NAMES).toHaveLength(20);
      expect(catalog.map((t) => t.name).sort()).toEqual([...TABLE_NAMES].sort());
    });

    it('gives every column the storage type, nullability and position entities.ts says', () => {
      for (const entity of ENTITIES) {
        const table = catalog.find((t) => t.name === entity.table)!;
        expect(
          table.columns.map((c) => c.name),
          entity.table,
        ).toEqual(entity.columns.map((c) => c.name));
        for (const column of entity.columns) {
          const found = table.columns.find((c) => c.name === column.name)!;
          expect(found.type, `${entity.table}.${column.name}`).toBe(app.dialect.columnType(column.type));
          expect(found.nullable, `${entity.table}.${column.name}`).toBe(Boolean(column.nullable));
        }
      }
    });

    it('declares the foreign keys and unique constraints of entities.ts', () => {
      for (const entity of ENTITIES) {
        const table = catalog.find((t) => t.name === entity.table)!;
        const expected = entity.columns
          .filter((c) => c.references)
          .map((c) => ({ column: c.name, references: c.references!.table, onDelete: c.references!.onDelete }))
          .sort((a, b) => a.column.localeCompare(b.column));
        expect(
          [...table.foreignKeys].sort((a, b) => a.column.localeCompare(b.column)),
          entity.table,
        ).toEqual(expected);
        const uniques = [
          ...entity.columns.filter((c) => c.unique).map((c) => c.name),
          ...(entity.uniques ?? []).map((u) => u.join(',')),
        ].sort();
        expect(table.uniques.map((u) => u.join(',')).sort(), entity.table).toEqual(uniques);
      }
    });

    it('has a foreign-key graph whose topological order is the order of entities.ts', () => {
      const position = new Map<string, number>(TABLE_NAMES.map((t, i) => [t, i]));
      for (const table of catalog) {
        for (const fk of table.foreignKeys) {
          expect(position.get(fk.references)!, `${table.name}.${fk.column} -> ${fk.references}`).toBeLessThan(
            position.get(table.name)!,
          );
        }
      }
    });
  });
}

describe('both backends', () => {
  it('hold the same tables, columns, nullability, foreign keys and unique constraints', () => {
    expect(catalogs.sqlite).toBeDefined();
    expect(catalogs.postgres).toBeDefined();
    expect(portable(catalogs.postgres!)).toEqual(portable(catalogs.sqlite!));
  });
});
