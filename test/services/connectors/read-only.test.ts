import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connector } from '../../../src/services/connectors/connector.js';
import { CONNECTORS } from '../../../src/services/connectors/registry.js';
import { checkStatement } from '../../../src/services/connectors/statement-guard.js';
import { ENGINE_CASES, userDatabase, type UserDatabase } from '../../support/user-databases.js';

const CANARY = path.join(os.tmpdir(), `oxy-escape-canary-${process.pid}`);

/**
 * Write and escape attempts: each must be refused by the statement guard on every engine (a
 * clear 400 before the engine sees it). The list is the suite the issue asks for.
 */
const ATTEMPTS: [name: string, sql: string][] = [
  ['insert', "insert into items values (9, 'evil')"],
  ['update', "update items set name = 'evil'"],
  ['delete', 'delete from items'],
  ['drop table', 'drop table items'],
  ['create table', 'create table evil (x int)'],
  ['alter table', 'alter table items add column evil int'],
  ['truncate', 'truncate items'],
  ['two statements', 'select 1; delete from items'],
  ['a statement after a comment', '/* report */ delete from items'],
  ['a statement after a line comment', '-- report\ndelete from items'],
  ['a CTE with DML', 'with d as (delete from items returning *) select * from d'],
  ['a semicolon hidden after a string', "select ';' ; delete from items"],
  ['a backslash-escaped quote', "select '\\' ; delete from items -- '"],
  ['an E-string escape', "select E'\\'' ; delete from items"],
  ['a MySQL executable comment', 'select 1 /*! ; delete from items */'],
  ['COPY TO PROGRAM', `copy items to program 'touch ${CANARY}'`],
  ['COPY TO a file', `copy items to '${CANARY}'`],
  ['ATTACH', `attach '${CANARY}.db' as evil`],
  ['PRAGMA', 'pragma query_only = off'],
  ['INSTALL an extension', 'install httpfs'],
  ['LOAD an extension', 'load httpfs'],
  ['SET to undo read-only', 'set default_transaction_read_only = off'],
  ['SET TRANSACTION READ WRITE', 'set transaction read write'],
  ['set_config()', "select set_config('default_transaction_read_only', 'off', false)"],
  ['lo_export()', `select lo_export(1, '${CANARY}')`],
  ['a quoted lo_export()', `select "lo_export"(1, '${CANARY}')`],
  ['dblink()', "select * from dblink('dbname=postgres', 'delete from items') as t(x int)"],
  ['pg_read_file()', "select pg_read_file('/etc/passwd')"],
  ['SELECT INTO a table', 'select * into evil from items'],
  ['INTO OUTFILE', `select * from items into outfile '${CANARY}'`],
  ['load_extension()', "select load_extension('/tmp/evil')"],
  ['VACUUM INTO', `vacuum into '${CANARY}.db'`],
  ['EXPLAIN ANALYZE a delete', 'explain analyze delete from items'],
  ['SELECT FOR UPDATE', 'select * from items for update'],
  ['a transaction', 'begin; delete from items; commit'],
  ['CALL', 'call evil()'],
  ['nextval()', "select nextval('evil_seq')"],
];

/** Reads the guard must let through, whatever words their strings and comments hold. */
const READS: string[] = [
  "select 'delete from items; drop table items' as text",
  '-- delete from items\nselect count(*) from items',
  '/* drop table items; */ select name from items where id = 1',
  'with t as (select id from items) select count(*) from t',
  'select name from items order by id;',
];

/** Writes sent straight to the engine, past the guard: the engine's read-only mode refuses them. */
const ENGINE_WRITES: string[] = [
  "insert into items values (9, 'evil')",
  "update items set name = 'evil'",
  'delete from items',
  'drop table items',
  'create table evil (x int)',
  'select 1; delete from items',
  'select 1; commit; set default_transaction_read_only = off; delete from items',
];

for (const engine of ENGINE_CASES) {
  describe(`read-only guarantee (${engine.label})`, () => {
    let db: UserDatabase;
    let connector: Connector;
    const options = { limit: 100, timeoutMs: 10_000 };

    beforeAll(async () => {
      db = await userDatabase(engine.kind, { dataset: engine.dataset });
      connector = CONNECTORS[db.kind](db.config, db.password);
    });
    afterAll(async () => {
      await connector?.close();
      await db?.cleanup();
      // MariaDB's INTO OUTFILE, sent past the guard, writes it (see below).
      fs.rmSync(CANARY, { force: true });
    });

    it('has at least 20 write and escape attempts in its suite', () => {
      expect(ATTEMPTS.length).toBeGreaterThanOrEqual(20);
    });

    for (const [name, sql] of ATTEMPTS) {
      it(`refuses ${name}`, () => {
        expect(checkStatement(sql, db.kind)).toMatchObject({ ok: false });
      });
    }

    for (const sql of READS) {
      it(`runs the read ${JSON.stringify(sql.slice(0, 40))}`, async () => {
        expect(checkStatement(sql, db.kind)).toEqual({ ok: true });
        await expect(connector.run(sql, options)).resolves.toHaveProperty('rowCount');
      });
    }

    for (const sql of ENGINE_WRITES) {
      it(`has the engine refuse ${JSON.stringify(sql)} sent past the guard`, async () => {
        await expect(connector.run(sql, options)).rejects.toThrow();
      });
    }

    it.skipIf(engine.kind === 'duckdb' && engine.dataset)('reads nothing outside the database folder', async () => {
      await expect(connector.run("select * from read_csv('/etc/passwd')", options)).rejects.toThrow();
    });

    it('leaves the data as it was after every attempt, even sent past the guard', async () => {
      for (const [, sql] of ATTEMPTS) await connector.run(sql, options).catch(() => undefined);
      const rows = await db.admin('select id, name from items order by id');
      expect(JSON.stringify(rows)).toMatch(/apple.*pear.*plum/);
      expect(rows).toHaveLength(3);
    });

    // MariaDB's root has the FILE privilege and a read-only transaction does not stop INTO
    // OUTFILE: there, only the guard (and a user without FILE, as the README says) stands between.
    it.skipIf(engine.kind === 'mysql')('writes no file, even for attempts sent past the guard', async () => {
      fs.rmSync(CANARY, { force: true });
      for (const [, sql] of ATTEMPTS) await connector.run(sql, options).catch(() => undefined);
      expect(fs.existsSync(CANARY)).toBe(false);
    });
  });
}
