import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../support/backends.js';
import { testApp, type TestApp } from '../support/app.js';
import { runOxy } from '../support/run-cli.js';
import { userDatabase, type UserDatabase } from '../support/user-databases.js';

/** `oxy query` on the built CLI, against a SQLite file registered in each application backend. */
for (const backend of BACKENDS) {
  describe(`oxy query (${backend})`, () => {
    let t: TestApp;
    let source: UserDatabase;
    const oxy = (...args: string[]) =>
      runOxy(['query', ...args], { OXY_DATABASE_URL: t.url, OXY_STATE_DIR: t.stateDir });

    beforeAll(async () => {
      t = await testApp(backend);
      source = await userDatabase('sqlite');
      const ws = (
        await t.app.inject({ method: 'POST', url: '/api/workspaces', payload: { name: 'W', slug: 'w' } })
      ).json();
      for (const name of ['first', 'second']) {
        const project = await t.services.entities.create('projects', { workspace_id: ws.id, name });
        await t.services.entities.create('databases', {
          project_id: project.id,
          name: name === 'first' ? 'shop' : 'twin',
          kind: 'sqlite',
          config: source.config,
        });
        await t.services.entities.create('databases', {
          project_id: project.id,
          name: 'dup',
          kind: 'sqlite',
          config: source.config,
        });
      }
    });
    afterAll(async () => {
      await t?.close();
      await source?.cleanup();
    });

    it('prints CSV', async () => {
      const res = await oxy('shop', 'select id, name from items order by id', '--format', 'csv');
      expect([res.code, res.stdout]).toEqual([0, 'id,name\r\n1,apple\r\n2,pear\r\n3,plum\r\n']);
    });

    it('streams every row as CSV past the 10,000 row cap when no --limit is given', async () => {
      const res = await oxy(
        'shop',
        'with recursive s(n) as (select 1 union all select n + 1 from s where n < 12000) select n from s',
        '--format',
        'csv',
      );
      const lines = res.stdout.split('\r\n');
      expect([res.code, lines.length, lines[0], lines[12_000], res.stderr]).toEqual([0, 12_002, 'n', '12000', '']);
    });

    it('caps CSV at --limit and warns', async () => {
      const res = await oxy('shop', 'select n from big', '--format', 'csv', '--limit', '5');
      expect([res.stdout.split('\r\n').length, res.stderr]).toEqual([
        7,
        'warning: truncated at 5 rows; raise --limit\n',
      ]);
    });

    it('prints JSON with columns, rows and truncated', async () => {
      const res = await oxy('shop', 'select name from items order by id', '--format', 'json', '--limit', '2');
      expect(JSON.parse(res.stdout)).toMatchObject({ rows: [['apple'], ['pear']], truncated: true });
    });

    it('prints a table with a header rule and a row count', async () => {
      const res = await oxy('shop', 'select name from items order by id', '--format', 'table');
      expect([...res.stdout.split('\n').slice(0, 2), res.stdout.includes('3 rows')]).toEqual(['name', '─────', true]);
    });

    it('refuses a write with exit 1 and the reason', async () => {
      const res = await oxy('shop', 'delete from items', '--format', 'csv');
      expect([res.code, res.stderr.split('\n')[0]]).toEqual([
        1,
        'Error: statement refused: DELETE is not a read-only statement',
      ]);
    });

    it('names a database that does not exist', async () => {
      const res = await oxy('nowhere', 'select 1');
      expect([res.code, res.stderr.split('\n')[0]]).toEqual([1, 'Error: no database "nowhere"']);
    });

    it('asks for --project when a name is in two projects (exit 2)', async () => {
      const res = await oxy('dup', 'select 1');
      expect([res.code, res.stderr]).toEqual([2, expect.stringContaining('Hint: name the project with --project')]);
    });

    it('runs on the database of the project --project names', async () => {
      const res = await oxy('dup', 'select count(*) as n from items', '--project', 'second', '--format', 'csv');
      expect([res.code, res.stdout]).toEqual([0, 'n\r\n3\r\n']);
    });
  });
}
