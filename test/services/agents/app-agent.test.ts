import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { prepareAppAgent, runAgentTurn, type AgentEvent } from '../../../src/services/agents/agent-turn.js';
import { BACKENDS, tempDir } from '../../support/backends.js';
import { testApp, type TestApp } from '../../support/app.js';
import { ScriptedModelServer } from '../../support/scripted-model-server.js';
import { agentFolder, shopAgent } from './folder-fixture.js';

// App mode on both application backends: the agent row, the project's settings.models (key in a
// workspace secret), its database and stored catalog, context files from settings.folder, and a
// chart stored as a `charts` row of the thread.
let server: ScriptedModelServer;
beforeAll(async () => {
  server = await ScriptedModelServer.start();
});
afterAll(async () => {
  await server?.close();
});
beforeEach(() => server.reset());

for (const backend of BACKENDS) {
  describe(`app agent (${backend})`, () => {
    let t: TestApp;
    let agentId: string;
    let threadId: string;
    let projectId: string;
    let stores: { name: string; sales: number }[];
    const key = `ol-${randomUUID()}`;
    const glossary = `revenue means sales ${randomUUID()}`;

    beforeAll(async () => {
      t = await testApp(backend);
      const { root, data } = agentFolder(server.openaiUrl, {});
      stores = data.stores;
      const folder = tempDir('oxy-agent-app-');
      fs.writeFileSync(path.join(folder, 'glossary.md'), glossary);
      const ws = (
        await t.app.inject({ method: 'POST', url: '/api/workspaces', payload: { name: 'W', slug: 'w' } })
      ).json();
      await t.services.secrets.create({ workspace_id: ws.id, name: 'model-key', value: key });
      const settings = {
        folder,
        models: [
          {
            name: 'local',
            vendor: 'openai_compat',
            model_ref: 'm1',
            api_url: server.openaiUrl,
            key_secret: 'model-key',
          },
        ],
      };
      const project = await t.services.entities.create('projects', { workspace_id: ws.id, name: 'P', settings });
      projectId = String(project.id);
      const database = await t.services.entities.create('databases', {
        project_id: projectId,
        name: 'shop',
        kind: 'sqlite',
        config: { path: path.join(root, 'shop.sqlite') },
      });
      await t.services.catalog.sync(String(database.id));
      const definition = stringify(
        shopAgent('local', {
          context: [{ name: 'glossary', type: 'file', src: ['*.md'] }],
          system_instructions:
            'Dialect {{ databases.shop.dialect }}.\n{{ context.glossary }}\n{{ databases.shop.ddl }}',
        }),
      );
      agentId = String(
        (await t.services.entities.create('agents', { project_id: projectId, name: 'sales', definition })).id,
      );
      threadId = String((await t.services.entities.create('threads', { project_id: projectId, title: 'T' })).id);
    });
    afterAll(async () => {
      await t?.services.connectors.closeAll();
      await t?.close();
    });

    it('prepares the agent from its row and stores its chart in the thread', async () => {
      server.requireKey = key;
      const agent = await prepareAppAgent(t.services, agentId, { retry: { baseDelayMs: 10 } });
      expect(agent.system).toContain('Dialect sqlite.');
      expect(agent.system).toContain(glossary);
      expect(agent.system).toMatch(/CREATE TABLE "stores"/);
      const sql = 'SELECT name, sales FROM stores ORDER BY sales DESC';
      server.script(
        {
          toolCalls: [
            {
              name: 'visualize',
              arguments: { title: 'Top', database: 'shop', sql, type: 'bar', x: 'name', y: ['sales'] },
            },
          ],
        },
        { text: ['Drawn.'] },
      );
      const events: AgentEvent[] = [];
      const result = await runAgentTurn(agent, {
        history: [],
        question: 'chart it',
        signal: new AbortController().signal,
        threadId,
        onEvent: (e) => void events.push(e),
      });
      expect(result.finishReason).toBe('stop');
      expect(events.filter((e) => e.type === 'chart')).toHaveLength(1);
      const charts = (await t.services.repo.list('charts', { where: { thread_id: threadId } })).items;
      expect(charts).toHaveLength(1);
      expect(charts[0]).toMatchObject({ project_id: projectId, title: 'Top', spec: { type: 'bar', x: 'name' } });
      const best = [...stores].sort((a, b) => b.sales - a.sales)[0]!;
      expect(result.lastSql?.result?.rows[0]).toEqual([best.name, best.sales]);
      for (const request of server.requests) expect(request.rawBody).not.toContain(key);
      await agent.close();
    });

    it("a run of the project's workflow asks the project's agent in an agent task", async () => {
      server.requireKey = key;
      const answer = `Answered ${randomUUID()}`;
      server.script({ when: { lastUserMessage: `Summarize ${stores.length} stores` }, text: [answer] });
      const definition = [
        'tasks:',
        '  - name: rows',
        '    type: execute_sql',
        '    database: shop',
        '    sql_query: SELECT name FROM stores',
        '  - name: ask',
        '    type: agent',
        '    agent_ref: agents/sales.agent.yml',
        '    prompt: "Summarize {{ rows | length }} stores"',
      ].join('\n');
      const workflow = await t.services.entities.create('workflows', { project_id: projectId, name: 'wf', definition });
      const run = await t.services.runs.start(String(workflow.id));
      const outcome = await t.services.runs.execute(String(run.id), new AbortController().signal);
      expect(outcome).toEqual({ status: 'succeeded' });
      const steps = (await t.services.repo.list('run_steps', { where: { run_id: run.id } })).items;
      expect(steps.find((s) => s.name === 'ask')?.output).toEqual({ kind: 'text', text: answer });
    });

    it('names the missing model in one line', async () => {
      const definition = stringify(shopAgent('nope'));
      const id = String(
        (await t.services.entities.create('agents', { project_id: projectId, name: `x${backend}`, definition })).id,
      );
      await expect(prepareAppAgent(t.services, id)).rejects.toMatchObject({
        message: expect.stringMatching(/nope/),
        hint: expect.stringMatching(/local/),
      });
    });
  });
}
