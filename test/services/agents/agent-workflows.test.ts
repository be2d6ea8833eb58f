import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { prepareFolderAgent, runAgentTurn, type AgentEvent } from '../../../src/services/agents/agent-turn.js';
import { folderWorkflowAgents } from '../../../src/services/agents/workflow-agents.js';
import { ProjectDatabases } from '../../../src/services/project/project-databases.js';
import { ProjectFiles } from '../../../src/services/project/project-files.js';
import { readProjectFolder } from '../../../src/services/project/project-folder.js';
import { WorkflowRunner } from '../../../src/services/workflows/workflow-runner.js';
import { ScriptedModelServer } from '../../support/scripted-model-server.js';
import { agentFolder, shopAgent } from './folder-fixture.js';

// Agents and workflows both ways: an agent's `workflow` tool runs a workflow of its folder; a
// workflow's `agent` task asks an agent, and its `visualize` task draws an earlier result.
const KEYS = { OXY_TEST_OPENAI_KEY: `sk-${randomUUID()}`, OXY_TEST_ANTHROPIC_KEY: `sk-ant-${randomUUID()}` };
const WORKFLOW = [
  'variables:',
  '  min: { type: number, default: 0 }',
  'tasks:',
  '  - name: big',
  '    type: execute_sql',
  '    database: shop',
  '    sql_query: SELECT name, sales FROM stores WHERE sales > {{ min }} ORDER BY name',
].join('\n');

let server: ScriptedModelServer;
beforeAll(async () => {
  server = await ScriptedModelServer.start();
});
afterAll(async () => {
  await server?.close();
});
beforeEach(() => server.reset());

describe('agents and workflows', () => {
  it("an agent's workflow tool runs the workflow with the model's variables and gets its last output", async () => {
    const agent = shopAgent('gpt', {
      tools: [{ name: 'big_stores', type: 'workflow', workflow_ref: 'workflows/big.procedure.yml' }],
    });
    const { root, data } = agentFolder(
      server.openaiUrl,
      { sales: agent },
      { files: { 'workflows/big.procedure.yml': WORKFLOW } },
    );
    const min = [...data.stores].sort((a, b) => a.sales - b.sales)[2]!.sales;
    const expected = data.stores.filter((s) => s.sales > min).map((s) => s.name);
    server.script({ toolCalls: [{ name: 'big_stores', arguments: { variables: { min } } }] }, { text: ['ok'] });
    const prepared = await prepareFolderAgent(root, 'sales', KEYS);
    const events: AgentEvent[] = [];
    try {
      await runAgentTurn(prepared, {
        history: [],
        question: 'big ones?',
        signal: new AbortController().signal,
        onEvent: (e) => void events.push(e),
      });
    } finally {
      await prepared.close();
    }
    expect(events.find((e) => e.type === 'tool-result')).toMatchObject({ ok: true });
    const sent = server.requests[1]!.body.messages!.find((m) => m.role === 'tool')!.content as string;
    for (const name of expected) expect(sent).toContain(name);
    expect(expected.length).toBe(2);
    for (const store of data.stores.filter((s) => s.sales <= min)) expect(sent).not.toContain(store.name);
  });

  it("a workflow's agent task asks the agent its rendered prompt; a visualize task draws an earlier table", async () => {
    const { root, data } = agentFolder(server.openaiUrl, { sales: shopAgent('gpt') });
    const workflow = [
      'tasks:',
      '  - name: rows',
      '    type: execute_sql',
      '    database: shop',
      '    sql_query: SELECT name, sales FROM stores ORDER BY id',
      '  - name: ask',
      '    type: agent',
      '    agent_ref: agents/sales.agent.yml',
      '    prompt: "Comment on {{ rows | length }} stores"',
      '  - name: chart',
      '    type: visualize',
      '    data: rows',
      '    chart: bar',
      '    x: name',
      '    y: sales',
      '    title: Sales',
    ].join('\n');
    const answer = `Looks fine ${randomUUID()}`;
    server.script({ when: { lastUserMessage: `Comment on ${data.stores.length} stores` }, text: [answer] });
    const project = readProjectFolder(root);
    const databases = new ProjectDatabases(project, KEYS);
    try {
      const outputs = await new WorkflowRunner({
        databases,
        files: new ProjectFiles(root),
        agents: folderWorkflowAgents(root, KEYS),
      }).run(workflow);
      expect(outputs.ask).toEqual({ kind: 'text', text: answer });
      const svg = outputs.chart!.kind === 'text' ? outputs.chart!.text : '';
      expect(svg).toMatch(/^<svg/);
      for (const store of data.stores) expect(svg).toContain(store.name);
      const bad = workflow.replace('y: sales', 'y: revenue');
      server.script({ text: ['again'] });
      await expect(
        new WorkflowRunner({ databases, files: new ProjectFiles(root), agents: folderWorkflowAgents(root, KEYS) }).run(
          bad,
        ),
      ).rejects.toThrow(/no column revenue/);
    } finally {
      await databases.close();
    }
  });
});
