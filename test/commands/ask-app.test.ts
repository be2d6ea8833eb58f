import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { BACKENDS, tempDir } from '../support/backends.js';
import { testApp, type TestApp } from '../support/app.js';
import { runOxy } from '../support/run-cli.js';
import { ScriptedModelServer } from '../support/scripted-model-server.js';
import { userDatabase, type UserDatabase } from '../support/user-databases.js';

/** `oxy ask --agent NAME --project P` outside a project folder: an agent of the application database. */
for (const backend of BACKENDS) {
  describe(`oxy ask, app mode (${backend})`, () => {
    let t: TestApp;
    let source: UserDatabase;
    let server: ScriptedModelServer;
    const marker = `m${Math.random().toString(36).slice(2, 10)}`;

    beforeAll(async () => {
      server = await ScriptedModelServer.start();
      t = await testApp(backend);
      source = await userDatabase('sqlite');
      await source.admin(`insert into items (id, name) values (4, '${marker}')`);
      const ws = (
        await t.app.inject({ method: 'POST', url: '/api/workspaces', payload: { name: 'W', slug: 'w' } })
      ).json();
      const settings = { models: [{ name: 'm', vendor: 'openai_compat', model_ref: 'm1', api_url: server.openaiUrl }] };
      for (const name of ['first', 'second']) {
        const project = await t.services.entities.create('projects', { workspace_id: ws.id, name, settings });
        await t.services.entities.create('databases', {
          project_id: project.id,
          name: 'shop',
          kind: 'sqlite',
          config: source.config,
        });
        const definition = stringify({
          model: 'm',
          system_instructions: `You work for ${name}.`,
          tools: [{ name: 'execute_sql', type: 'execute_sql', database: 'shop' }],
        });
        await t.services.entities.create('agents', { project_id: project.id, name: 'helper', definition });
      }
    });
    afterAll(async () => {
      await t?.close();
      await source?.cleanup();
      await server?.close();
    });

    const oxy = (...args: string[]) =>
      runOxy(['ask', ...args], { OXY_DATABASE_URL: t.url, OXY_STATE_DIR: t.stateDir }, { cwd: tempDir('oxy-ask-') });

    it('asks the agent of the named project', async () => {
      server.reset();
      server.script(
        { toolCalls: [{ name: 'execute_sql', arguments: { sql: 'select name from items where id = 4' } }] },
        { when: { test: (r) => r.rawBody.includes(marker) }, text: ['It is ', marker] },
      );
      const res = await oxy('--agent', 'helper', '--project', 'second', '--json', 'item 4?');
      expect(res.code).toBe(0);
      expect(JSON.parse(res.stdout)).toMatchObject({ agent: 'helper', answer: `It is ${marker}` });
      expect(server.requests[0]!.rawBody).toContain('You work for second.');
    });

    it('asks for --project when two projects have the agent', async () => {
      const res = await oxy('--agent', 'helper', 'item 4?');
      expect(res.code).not.toBe(0);
      expect(res.stderr).toMatch(/--project/);
    });
  });
}
