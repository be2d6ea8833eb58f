import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../support/backends.js';
import { liveHeapGrowth } from '../support/live-heap.js';
import { testApp, type TestApp } from '../support/app.js';
import { ENGINE_CASES, userDatabase, type UserDatabase } from '../support/user-databases.js';

/** `n` from 0 to count-1 in each engine's SQL (MariaDB stops recursion at 1,000: a thousand squared). */
function series(kind: string, count: number): string {
  if (kind === 'postgres') return `select n from generate_series(0, ${count - 1}) as g(n)`;
  if (kind === 'duckdb') return `select range as n from range(${count})`;
  if (kind === 'sqlite')
    return `with recursive s(n) as (select 0 union all select n + 1 from s where n < ${count - 1}) select n from s`;
  return `with recursive s(n) as (select 0 union all select n + 1 from s where n < 999)
    select a.n * 1000 + b.n as n from s a cross join s b where a.n * 1000 + b.n < ${count} order by 1`;
}

/** A statement that sleeps, tagged so pg_stat_activity / the process list can find it. */
const SLEEP: Record<string, (marker: string) => string> = {
  postgres: (marker) => `select pg_sleep(30) as ${marker}`,
  mysql: (marker) => `select sleep(30) as ${marker}`,
};

/** Is a statement holding `marker` still running on the server? */
async function running(db: UserDatabase, marker: string): Promise<boolean> {
  // PostgreSQL shows the cursor's FETCH, not the statement: find the sleep in the database instead.
  const rows =
    db.kind === 'postgres'
      ? await db.admin(`select pid from pg_stat_activity where datname = current_database() and wait_event = 'PgSleep'`)
      : await db.admin(
          `select id from information_schema.processlist where info like '%${marker}%' and info not like '%processlist%'`,
        );
  return rows.length > 0;
}

async function until(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

/** Sends a request on a real socket and destroys it once the statement is seen running. */
async function abandon(
  base: string,
  method: string,
  path: string,
  body: object | undefined,
  seen: () => Promise<boolean>,
) {
  const request = http.request(`${base}${path}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
  });
  request.on('error', () => undefined);
  request.end(body ? JSON.stringify(body) : undefined);
  const started = await until(seen, 10_000);
  request.destroy();
  return started;
}

/** The whole body of a GET on a real socket, or how the transfer failed. */
function download(url: string): Promise<{ status: number; body: string; error?: string }> {
  return new Promise((resolve) => {
    http.get(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
      res.on('error', (error) => resolve({ status: res.statusCode!, body, error: error.message }));
      res.on('aborted', () => resolve({ status: res.statusCode!, body, error: 'aborted' }));
    });
  });
}

let markers = 0;
const marker = () => `oxy_cancel_${process.pid}_${++markers}_${Math.random().toString(36).slice(2, 8)}`;

/** CSV exports and cancel on disconnect, on both application backends and all four engines. */
for (const backend of BACKENDS) {
  describe(`CSV exports and cancel on disconnect (${backend})`, () => {
    let t: TestApp;
    let base: string;
    let project: string;
    const sources: Record<string, UserDatabase> = {};
    const ids: Record<string, string> = {};
    const call = async (method: 'GET' | 'POST', url: string, payload?: object) => {
      const res = await t.app.inject({ method, url, ...(payload === undefined ? {} : { payload }) });
      return { status: res.statusCode, body: res.body, headers: res.headers };
    };
    const saveQuery = async (database: string, sql: string, name = `q${++markers}`) => {
      const res = await call('POST', '/api/queries', { project_id: project, database_id: database, name, sql });
      expect(res.status, res.body).toBe(201);
      return String(JSON.parse(res.body).id);
    };

    beforeAll(async () => {
      t = await testApp(backend);
      const workspace = JSON.parse(
        (await call('POST', '/api/workspaces', { name: 'W', slug: `w-${backend}` })).body,
      ).id;
      project = JSON.parse((await call('POST', '/api/projects', { workspace_id: workspace, name: 'P' })).body).id;
      for (const engine of ENGINE_CASES) {
        const db = await userDatabase(engine.kind, { dataset: engine.dataset });
        sources[engine.label] = db;
        if (db.password) process.env[String((db.config as { password_var: string }).password_var)] = db.password;
        const res = await call('POST', '/api/databases', {
          project_id: project,
          name: engine.label.replace(' ', '_'),
          kind: engine.kind,
          config: db.config,
        });
        ids[engine.label] = String(JSON.parse(res.body).id);
      }
      base = await t.app.listen({ host: '127.0.0.1', port: 0 });
    });
    afterAll(async () => {
      await t?.close();
      for (const db of Object.values(sources)) await db.cleanup();
    });

    for (const engine of ENGINE_CASES) {
      it(`exports a saved query's full result past the 10,000 row cap from ${engine.label}`, async () => {
        const query = await saveQuery(ids[engine.label]!, series(engine.kind, 25_000));
        const res = await call('GET', `/api/queries/${query}/results.csv`);
        const lines = res.body.split('\r\n');
        expect([res.status, res.headers['content-type'], lines[0], lines.length]).toEqual([
          200,
          'text/csv; charset=utf-8',
          'n',
          25_002,
        ]);
        expect(lines.slice(1, -1).every((line, i) => line === String(i))).toBe(true);
      });

      it(`quotes commas, quotes, line breaks and unicode, NULL as empty, from ${engine.label}`, async () => {
        const res = await call('POST', `/api/projects/${project}/sql.csv`, {
          database: ids[engine.label],
          sql: `select 'a,b' as comma, 'say "hi"' as quote, 'one\ntwo' as newline, 'zürich ✓' as unicode, null as absent`,
        });
        expect(res.body).toBe('comma,quote,newline,unicode,absent\r\n"a,b","say ""hi""","one\ntwo",zürich ✓,\r\n');
      });

      it(`refuses a write on ${engine.label} with a JSON 400 before streaming`, async () => {
        const res = await call('POST', `/api/projects/${project}/sql.csv`, {
          database: ids[engine.label],
          sql: 'delete from items',
        });
        expect([res.status, res.headers['content-type'], JSON.parse(res.body).error.code]).toEqual([
          400,
          'application/json; charset=utf-8',
          'sql_refused',
        ]);
      });
    }

    it('writes values as the JSON result holds them: bigint, decimal, timestamps, binary, booleans', async () => {
      const res = await call('POST', `/api/projects/${project}/sql.csv`, {
        database: ids.postgres,
        sql: `select 9007199254740993::bigint as big, 12345678901234567890.123::numeric as amount,
          timestamptz '2024-01-02 03:04:05.678+00' as ts, '\\x0102ff'::bytea as bin, true as yes, '{"a":[1,2]}'::jsonb as doc`,
      });
      expect(res.body).toBe(
        'big,amount,ts,bin,yes,doc\r\n9007199254740993,12345678901234567890.123,2024-01-02T03:04:05.678Z,AQL/,true,"{""a"":[1,2]}"\r\n',
      );
    });

    it('names the download after the query, safely', async () => {
      const query = await saveQuery(ids.sqlite!, 'select 1 as one', `Sales, "2024" / Q1 ✓`);
      const res = await call('GET', `/api/queries/${query}/results.csv`);
      expect(res.headers['content-disposition']).toBe(
        `attachment; filename="Sales_ _2024_ _ Q1 _.csv"; filename*=UTF-8''Sales%2C%20%222024%22%20%2F%20Q1%20%E2%9C%93.csv`,
      );
    });

    it('writes the header row for an empty result', async () => {
      const res = await call('POST', `/api/projects/${project}/sql.csv`, {
        database: ids.postgres,
        sql: 'select id, name from items where false',
      });
      expect([res.status, res.body]).toEqual([200, 'id,name\r\n']);
    });

    it('answers a JSON 400 for SQL the engine rejects, before streaming', async () => {
      const res = await call('POST', `/api/projects/${project}/sql.csv`, {
        database: ids.postgres,
        sql: 'select nope',
      });
      expect([res.status, JSON.parse(res.body).error.code]).toEqual([400, 'sql_failed']);
    });

    it('answers 404 for a query that does not exist', async () => {
      const res = await call('GET', '/api/queries/00000000-0000-4000-8000-000000000000/results.csv');
      expect(res.status).toBe(404);
    });

    it('exports 300,000 wide rows over a socket with the heap bounded', async () => {
      // About 70 MB of CSV; the live heap (garbage collected first) grows by a few batches, about 1 MB.
      const query = await saveQuery(
        ids.postgres!,
        `select n, lpad(n::text, 200, '0') as t from generate_series(1, 300000) as g(n)`,
      );
      const heap = liveHeapGrowth(200);
      const lines = await new Promise<number>((resolve, reject) => {
        http.get(`${base}/api/queries/${query}/results.csv`, (res) => {
          let count = 0;
          res.on('data', (chunk: Buffer) => {
            for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) count++;
          });
          res.on('end', () => resolve(count));
          res.on('error', reject);
        });
      });
      const growth = heap.stop();
      expect(lines).toBe(300_001);
      expect(growth).toBeLessThan(16 * 1024 * 1024);
    });

    it('cuts the transfer short when the statement fails after streaming began', async () => {
      const query = await saveQuery(
        ids.postgres!,
        'select 1 / (20000 - n) as x from generate_series(0, 30000) as g(n)',
      );
      const res = await download(`${base}/api/queries/${query}/results.csv`);
      // The client sees the transfer end abnormally, short of the 30,001 rows (how many of the 20,000 rows
      // before the error arrive depends on when the socket is destroyed).
      expect([res.status, res.error !== undefined, res.body.split('\r\n').length < 30_002]).toEqual([200, true, true]);
    });

    for (const kind of ['postgres', 'mysql'] as const) {
      it(`cancels the statement on ${kind} when the client of POST /sql goes away`, async () => {
        const tag = marker();
        const db = sources[kind]!;
        const seen = await abandon(
          base,
          'POST',
          `/api/projects/${project}/sql`,
          { database: ids[kind], sql: SLEEP[kind]!(tag) },
          () => running(db, tag),
        );
        expect([seen, await until(async () => !(await running(db, tag)), 5_000)]).toEqual([true, true]);
      });

      it(`cancels the statement on ${kind} when the client of a CSV export goes away`, async () => {
        const tag = marker();
        const db = sources[kind]!;
        const query = await saveQuery(ids[kind]!, SLEEP[kind]!(tag));
        const seen = await abandon(base, 'GET', `/api/queries/${query}/results.csv`, undefined, () => running(db, tag));
        expect([seen, await until(async () => !(await running(db, tag)), 5_000)]).toEqual([true, true]);
      });
    }

    it('cancels the statement when the client of POST /api/queries/:id/run goes away', async () => {
      const tag = marker();
      const query = await saveQuery(ids.postgres!, SLEEP.postgres!(tag));
      const seen = await abandon(base, 'POST', `/api/queries/${query}/run`, undefined, () =>
        running(sources.postgres!, tag),
      );
      expect([seen, await until(async () => !(await running(sources.postgres!, tag)), 5_000)]).toEqual([true, true]);
    });
  });
}
