import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, tempDir } from '../support/backends.js';
import { testApp, type TestApp } from '../support/app.js';
import { ENGINE_CASES, userDatabase, type UserDatabase } from '../support/user-databases.js';

/** Connections and SQL through the API, on both application backends and all four engines. */
for (const backend of BACKENDS) {
  describe(`databases and SQL (${backend})`, () => {
    let t: TestApp;
    let workspace: string;
    let project: string;
    const sources: UserDatabase[] = [];
    const ids: Record<string, string> = {};
    const call = async (method: 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) => {
      const res = await t.app.inject({ method, url, ...(payload === undefined ? {} : { payload }) });
      return { status: res.statusCode, body: res.body ? res.json() : undefined };
    };
    const addDatabase = async (name: string, kind: string, config: object) => {
      const res = await call('POST', '/api/databases', { project_id: project, name, kind, config });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return String(res.body.id);
    };

    beforeAll(async () => {
      t = await testApp(backend, { env: { OXY_TEST_WRONG_PASSWORD: 'not-the-password-123' } });
      workspace = (await call('POST', '/api/workspaces', { name: 'W', slug: `w-${backend}` })).body.id;
      project = (await call('POST', '/api/projects', { workspace_id: workspace, name: 'P' })).body.id;
      for (const engine of ENGINE_CASES) {
        const db = await userDatabase(engine.kind, { dataset: engine.dataset });
        sources.push(db);
        if (db.password) process.env[String((db.config as { password_var: string }).password_var)] = db.password;
        ids[engine.label] = await addDatabase(engine.label.replace(' ', '_'), engine.kind, db.config);
      }
    });
    afterAll(async () => {
      await t?.close();
      for (const db of sources) await db.cleanup();
    });

    for (const engine of ENGINE_CASES) {
      it(`runs SQL on ${engine.label} named by its name`, async () => {
        const res = await call('POST', `/api/projects/${project}/sql`, {
          database: engine.label.replace(' ', '_'),
          sql: 'select name from items order by id',
        });
        expect(res.body).toMatchObject({ rows: [['apple'], ['pear'], ['plum']], rowCount: 3, truncated: false });
      });

      it(`tests the connection to ${engine.label}`, async () => {
        const res = await call('POST', `/api/databases/${ids[engine.label]}/test`);
        expect(res.body).toMatchObject({ ok: true, serverVersion: expect.any(String) });
      });

      it(`refuses a write on ${engine.label} with a 400`, async () => {
        const res = await call('POST', `/api/projects/${project}/sql`, {
          database: ids[engine.label],
          sql: '/* x */ delete from items',
        });
        expect([res.status, res.body.error.code]).toEqual([400, 'sql_refused']);
      });
    }

    it('runs SQL on a database named by its id, capped by limit', async () => {
      const res = await call('POST', `/api/projects/${project}/sql`, {
        database: ids.sqlite,
        sql: 'select n from big',
        limit: 5,
      });
      expect([res.body.rowCount, res.body.truncated]).toEqual([5, true]);
    });

    it('answers 404 for a database not in the project', async () => {
      const res = await call('POST', `/api/projects/${project}/sql`, { database: 'nope', sql: 'select 1' });
      expect(res.status).toBe(404);
    });

    it('runs a saved query', async () => {
      const query = await call('POST', '/api/queries', {
        project_id: project,
        database_id: ids.postgres,
        name: 'fruit',
        sql: 'select count(*) as n from items',
      });
      const res = await call('POST', `/api/queries/${query.body.id}/run`);
      expect(res.body.rows).toEqual([['3']]);
    });

    it('refuses a config holding a clear password, naming the field', async () => {
      const res = await call('POST', '/api/databases', {
        project_id: project,
        name: 'clear',
        kind: 'postgres',
        config: { host: 'localhost', user: 'u', password: 'hunter2' },
      });
      expect([res.status, res.body.error.details.fields[0].field]).toEqual([400, 'config.password']);
    });

    it('refuses a postgres config without a host, naming the field', async () => {
      const res = await call('POST', '/api/databases', {
        project_id: project,
        name: 'nohost',
        kind: 'postgres',
        config: { user: 'u' },
      });
      expect([res.status, res.body.error.details.fields[0].field]).toEqual([400, 'config.host']);
    });

    it('refuses an unknown field of a kind, naming it', async () => {
      const res = await call('POST', '/api/databases', {
        project_id: project,
        name: 'extra',
        kind: 'sqlite',
        config: { path: '/x.sqlite', hots: 'typo' },
      });
      expect([res.status, res.body.error.details.fields[0].field]).toEqual([400, 'config.hots']);
    });

    it('refuses a PATCH that makes the config bad', async () => {
      const res = await call('PATCH', `/api/databases/${ids.sqlite}`, { config: { path: 'relative.sqlite' } });
      expect([res.status, res.body.error.details.fields[0].field]).toEqual([400, 'config.path']);
    });

    it('answers ok:false, not a 500, for a missing file', async () => {
      const id = await addDatabase('missing', 'sqlite', { path: path.join(tempDir(), 'missing.sqlite') });
      const res = await call('POST', `/api/databases/${id}/test`);
      expect([res.status, res.body.ok, res.body.error]).toEqual([200, false, expect.stringMatching(/missing\.sqlite/)]);
    });

    it('answers ok:false for a host that is down', async () => {
      const id = await addDatabase('down', 'postgres', { host: '127.0.0.1', port: 1, user: 'postgres' });
      const res = await call('POST', `/api/databases/${id}/test`);
      expect([res.status, res.body.ok]).toEqual([200, false]);
    });

    it('answers ok:false with the password masked for a wrong password', async () => {
      await t.services.secrets.create({ workspace_id: workspace, name: 'mysql-password', value: 'wrong-secret-987' });
      const mysql = sources.find((s) => s.kind === 'mysql')!;
      const id = await addDatabase('wrongpw', 'mysql', {
        ...mysql.config,
        password_var: undefined,
        password_secret: 'mysql-password',
      });
      const res = await call('POST', `/api/databases/${id}/test`);
      expect([res.body.ok, res.body.error.includes('wrong-secret-987')]).toEqual([false, false]);
    });

    it('answers ok:false naming an unset password variable', async () => {
      const id = await addDatabase('novar', 'postgres', {
        host: '127.0.0.1',
        user: 'postgres',
        password_var: 'OXY_TEST_UNSET_VARIABLE',
      });
      const res = await call('POST', `/api/databases/${id}/test`);
      expect(res.body).toEqual({ ok: false, error: expect.stringMatching(/OXY_TEST_UNSET_VARIABLE is not set/) });
    });

    it('reconnects to the new file when a database row changes', async () => {
      const folder = tempDir();
      const other = path.join(folder, 'other.sqlite');
      fs.copyFileSync(String((sources.find((s) => s.kind === 'sqlite')!.config as { path: string }).path), other);
      const id = await addDatabase('moving', 'sqlite', { path: path.join(folder, 'absent.sqlite') });
      await call('POST', `/api/projects/${project}/sql`, { database: id, sql: 'select 1' });
      await call('PATCH', `/api/databases/${id}`, { config: { path: other } });
      const res = await call('POST', `/api/projects/${project}/sql`, {
        database: id,
        sql: 'select count(*) from items',
      });
      expect(res.body.rows).toEqual([['3']]);
    });
  });
}
