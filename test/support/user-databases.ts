import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import mysql from 'mysql2/promise';
import pg from 'pg';
import type { DatabaseConfig, DatabaseKind } from '../../src/services/connectors/database-config.js';
import { openSqlite } from '../../src/db/sqlite-driver.js';
import { postgresAdminUrl, tempDir } from './backends.js';

/** The four engines a database row can be, each tested on a real engine. */
export const ENGINES = ['duckdb', 'sqlite', 'postgres', 'mysql'] as const satisfies readonly DatabaseKind[];

/** The MariaDB (or MySQL) the tests use: OXY_TEST_MYSQL_URL, else root on 127.0.0.1:3306. */
export function mysqlAdminUrl(): string {
  return process.env.OXY_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
}

export interface UserDatabase {
  kind: DatabaseKind;
  config: DatabaseConfig;
  /** The folder a file engine's data lives in (the only one its SQL may read). */
  folder?: string;
  /** The password `password_var` names, when the test server has one. */
  password?: string;
  /** Runs SQL as the owner, outside oxy (to set up, and to check nothing changed). */
  admin(sql: string): Promise<unknown[]>;
  cleanup(): Promise<void>;
}

let counter = 0;
const ROWS = [
  [1, 'apple'],
  [2, 'pear'],
  [3, 'plum'],
];

/**
 * A fresh database of `kind` holding `items(id, name)` with three rows, and `big(n)` with 50
 * rows (for the row cap). DuckDB also comes as a dataset folder (`dataset: true`).
 */
export async function userDatabase(kind: DatabaseKind, options: { dataset?: boolean } = {}): Promise<UserDatabase> {
  const name = `oxy_src_${process.pid}_${++counter}_${Math.random().toString(36).slice(2, 8)}`;
  if (kind === 'sqlite') {
    const folder = tempDir('oxy-user-sqlite-');
    const file = path.join(folder, 'data.sqlite');
    const db = openSqlite(file);
    db.exec(`create table items (id integer primary key, name text);
      insert into items values ${ROWS.map(([i, n]) => `(${i}, '${n}')`).join(',')};
      create table big (n integer);
      with recursive s(n) as (select 1 union all select n + 1 from s where n < 50) insert into big select n from s;`);
    db.close();
    const admin = async (sql: string) => {
      const d = openSqlite(file);
      try {
        const stmt = d.prepare(sql);
        return stmt.reader ? stmt.raw(true).all() : (stmt.run(), []);
      } finally {
        d.close();
      }
    };
    return {
      kind,
      config: { path: file },
      folder,
      admin,
      cleanup: async () => fs.rmSync(folder, { recursive: true, force: true }),
    };
  }
  if (kind === 'duckdb') {
    const folder = tempDir('oxy-user-duckdb-');
    const file = path.join(folder, 'data.duckdb');
    if (options.dataset) {
      fs.writeFileSync(path.join(folder, 'items.csv'), `id,name\n${ROWS.map((r) => r.join(',')).join('\n')}\n`);
      fs.writeFileSync(path.join(folder, 'big.csv'), `n\n${Array.from({ length: 50 }, (_, i) => i + 1).join('\n')}\n`);
    } else {
      const instance = await DuckDBInstance.create(file);
      const c = await instance.connect();
      await c.run(`create table items (id integer, name varchar);
        insert into items values ${ROWS.map(([i, n]) => `(${i}, '${n}')`).join(',')};
        create table big as select range + 1 as n from range(50);`);
      c.closeSync();
      instance.closeSync();
    }
    const admin = async (sql: string) => {
      const instance = await DuckDBInstance.create(options.dataset ? ':memory:' : file);
      const c = await instance.connect();
      try {
        if (options.dataset) await c.run(`create view items as select * from '${path.join(folder, 'items.csv')}'`);
        return (await c.runAndReadAll(sql)).getRowsJson();
      } finally {
        c.closeSync();
        instance.closeSync();
      }
    };
    return {
      kind,
      config: options.dataset ? { dataset: folder } : { path: file },
      folder,
      admin,
      cleanup: async () => fs.rmSync(folder, { recursive: true, force: true }),
    };
  }
  if (kind === 'postgres') {
    const adminUrl = postgresAdminUrl();
    const root = new pg.Client({ connectionString: adminUrl });
    await root.connect();
    await root.query(`create database ${name}`);
    await root.end();
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    const admin = async (sql: string) => {
      const c = new pg.Client({ connectionString: url.toString() });
      await c.connect();
      try {
        return (await c.query({ text: sql, rowMode: 'array' })).rows;
      } finally {
        await c.end();
      }
    };
    await admin(`create table items (id integer primary key, name text);
      insert into items values ${ROWS.map(([i, n]) => `(${i}, '${n}')`).join(',')};
      create table big as select generate_series(1, 50) as n;`);
    return {
      kind,
      config: {
        host: url.hostname,
        port: Number(url.port || 5432),
        user: decodeURIComponent(url.username || 'postgres'),
        database: name,
        ...(url.password ? { password_var: 'OXY_TEST_PG_PASSWORD' } : {}),
      },
      ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
      admin,
      async cleanup() {
        const c = new pg.Client({ connectionString: adminUrl });
        await c.connect();
        await c.query(`drop database if exists ${name} with (force)`);
        await c.end();
      },
    };
  }
  const url = new URL(mysqlAdminUrl());
  const connect = () =>
    mysql.createConnection({
      host: url.hostname,
      port: Number(url.port || 3306),
      user: decodeURIComponent(url.username || 'root'),
      password: decodeURIComponent(url.password),
      multipleStatements: true,
    });
  const root = await connect();
  await root.query(`create database ${name}`);
  await root.query(`use ${name};
    create table items (id integer primary key, name text);
    insert into items values ${ROWS.map(([i, n]) => `(${i}, '${n}')`).join(',')};
    create table big (n integer);
    insert into big with recursive s(n) as (select 1 union all select n + 1 from s where n < 50) select n from s;`);
  await root.end();
  const admin = async (sql: string) => {
    const c = await connect();
    try {
      await c.query(`use ${name}`);
      const [rows] = await c.query({ sql, rowsAsArray: true });
      return rows as unknown[];
    } finally {
      await c.end();
    }
  };
  return {
    kind,
    config: {
      host: url.hostname,
      port: Number(url.port || 3306),
      user: decodeURIComponent(url.username || 'root'),
      database: name,
      ...(url.password ? { password_var: 'OXY_TEST_MYSQL_PASSWORD' } : {}),
    },
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    admin,
    async cleanup() {
      const c = await connect();
      await c.query(`drop database if exists ${name}`);
      await c.end();
    },
  };
}

/** Each engine as the tests meet it: DuckDB both as a file and as a dataset folder. */
export const ENGINE_CASES = [
  { label: 'duckdb file', kind: 'duckdb', dataset: false },
  { label: 'duckdb dataset', kind: 'duckdb', dataset: true },
  { label: 'sqlite', kind: 'sqlite', dataset: false },
  { label: 'postgres', kind: 'postgres', dataset: false },
  { label: 'mysql', kind: 'mysql', dataset: false },
] as const;
