import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { prepareAppAgent, runAgentTurn, type AgentEvent } from '../../../src/services/agents/agent-turn.js';
import { testApp, type TestApp } from '../../support/app.js';
import { ScriptedModelServer } from '../../support/scripted-model-server.js';
import { userDatabase, type UserDatabase } from '../../support/user-databases.js';

// The SQL tool loop on the real engines (DuckDB in-process, the machine's PostgreSQL and MariaDB):
// the engine's own error goes back to the model, the corrected statement's rows come back.
const ENGINES = ['duckdb', 'postgres', 'mysql'] as const;

let server: ScriptedModelServer;
let t: TestApp;
let projectId: string;
const sources: UserDatabase[] = [];
beforeAll(async () => {
  server = await ScriptedModelServer.start();
  t = await testApp('sqlite');
  const ws = (await t.app.inject({ method: 'POST', url: '/api/workspaces', payload: { name: 'W', slug: 'w' } })).json();
  const settings = { models: [{ name: 'm', vendor: 'openai_compat', model_ref: 'm1', api_url: server.openaiUrl }] };
  projectId = String((await t.services.entities.create('projects', { workspace_id: ws.id, name: 'P', settings })).id);
});
afterAll(async () => {
  await t?.services.connectors.closeAll();
  await t?.close();
  for (const source of sources) await source.cleanup();
  await server?.close();
});
beforeEach(() => server.reset());

describe('agent SQL on every engine', () => {
  for (const kind of ENGINES) {
    it(`${kind}: a failing statement is corrected by the model`, async () => {
      const source = await userDatabase(kind);
      sources.push(source);
      if (source.password)
        process.env[String((source.config as { password_var: string }).password_var)] = source.password;
      const marker = `n${randomUUID().slice(0, 8)}`;
      await source.admin(`insert into items (id, name) values (4, '${marker}')`);
      const database = await t.services.entities.create('databases', {
        project_id: projectId,
        name: `db_${kind}`,
        kind,
        config: source.config,
      });
      await t.services.catalog.sync(String(database.id));
      const definition = stringify({
        model: 'm',
        system_instructions: 'Write {{ databases.db_' + kind + '.dialect }} SQL.',
        tools: [{ name: 'execute_sql', type: 'execute_sql', database: `db_${kind}` }],
      });
      const agentId = String(
        (await t.services.entities.create('agents', { project_id: projectId, name: `a_${kind}`, definition })).id,
      );
      const agent = await prepareAppAgent(t.services, agentId);
      try {
        expect(agent.system).toMatch(/items/);
        server.script(
          { toolCalls: [{ name: 'execute_sql', arguments: { sql: 'SELECT nme FROM items WHERE id = 4' } }] },
          {
            when: { test: (r) => r.rawBody.includes('nme') && r.body.messages!.some((m) => m.role === 'tool') },
            toolCalls: [{ name: 'execute_sql', arguments: { sql: 'SELECT name FROM items WHERE id = 4' } }],
          },
          { when: { test: (r) => r.rawBody.includes(marker) }, text: [`It is ${marker}.`] },
        );
        const events: AgentEvent[] = [];
        const result = await runAgentTurn(agent, {
          history: [],
          question: 'Which item is number 4?',
          signal: new AbortController().signal,
          onEvent: (e) => void events.push(e),
        });
        const results = events.filter((e) => e.type === 'tool-result');
        expect(results.map((e) => e.ok)).toEqual([false, true]);
        expect(results[0]!.error).toMatch(/nme/i);
        expect(results[1]!.result?.rows).toEqual([[marker]]);
        expect(result.messages.at(-1)).toEqual({ role: 'assistant', text: `It is ${marker}.` });
      } finally {
        await agent.close();
      }
    });
  }
});
