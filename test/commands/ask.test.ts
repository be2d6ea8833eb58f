import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../support/backends.js';
import { runOxy } from '../support/run-cli.js';
import { ScriptedModelServer } from '../support/scripted-model-server.js';
import { agentFolder, shopAgent } from '../services/agents/folder-fixture.js';

/** `oxy ask` as a user runs it, inside an Oxy project folder, against the scripted model server. */
describe('oxy ask', () => {
  const keys = { OXY_TEST_OPENAI_KEY: `sk-${randomUUID()}`, OXY_TEST_ANTHROPIC_KEY: `sk-ant-${randomUUID()}` };
  let server: ScriptedModelServer;
  beforeAll(async () => {
    server = await ScriptedModelServer.start();
  });
  afterAll(async () => {
    await server?.close();
  });
  beforeEach(() => server.reset());

  it('streams the answer, the SQL it ran and the result as a markdown table', async () => {
    const { root, data } = agentFolder(server.openaiUrl, { sales: shopAgent('gpt'), other: shopAgent('claude') });
    const top = [...data.stores].sort((a, b) => b.sales - a.sales)[0]!;
    const sql = 'SELECT name, sales FROM stores ORDER BY sales DESC LIMIT 1';
    server.script(
      { text: ['Checking.'], toolCalls: [{ name: 'execute_sql', arguments: { sql } }] },
      { text: ['The top store is ', top.name, '.'] },
    );
    const res = await runOxy(['ask', 'Which store sold the most?'], keys, { cwd: path.join(root, 'agents') });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(`\`\`\`sql\n${sql}\n\`\`\``);
    expect(res.stdout).toContain(`| ${top.name} | ${top.sales} |`);
    expect(res.stdout.trimEnd().endsWith(`The top store is ${top.name}.`)).toBe(true);
    // defaults.agent (the first agent, on the OpenAI protocol) answered.
    expect(server.requests.every((r) => r.protocol === 'openai')).toBe(true);
  });

  it('--agent and --json: one JSON document with the answer, the tool calls, their results and usage', async () => {
    const { root, data } = agentFolder(server.anthropicUrl, { sales: shopAgent('gpt'), other: shopAgent('claude') });
    const sql = 'SELECT count(*) AS n FROM stores';
    server.script(
      { toolCalls: [{ name: 'execute_sql', arguments: { sql } }], usage: { input: 40, output: 7 } },
      { text: [`There are ${data.stores.length} stores.`], usage: { input: 60, output: 9 } },
    );
    const res = await runOxy(['ask', '--agent', 'other', '--json', 'How many stores?'], keys, { cwd: root });
    expect(res.code).toBe(0);
    const doc = JSON.parse(res.stdout) as Record<string, unknown>;
    expect(doc).toMatchObject({
      agent: 'other',
      question: 'How many stores?',
      answer: `There are ${data.stores.length} stores.`,
      usage: { inputTokens: 100, outputTokens: 16 },
      finishReason: 'stop',
    });
    expect(doc.toolCalls).toEqual([
      expect.objectContaining({
        name: 'execute_sql',
        input: { sql },
        ok: true,
        result: expect.objectContaining({ rows: [[String(data.stores.length)]], rowCount: 1 }), // SQLite count(*) is a bigint: text
      }),
    ]);
    expect(server.requests.every((r) => r.protocol === 'anthropic')).toBe(true);
  });

  it('fails with one line when the model key is missing, naming the variable', async () => {
    const { root } = agentFolder(server.openaiUrl, { sales: shopAgent('gpt') });
    const res = await runOxy(['ask', 'hi'], {}, { cwd: root });
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/OXY_TEST_OPENAI_KEY/);
    expect(res.stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
    expect(server.requests).toHaveLength(0);
  });

  it('names the agents there are when --agent names none of them', async () => {
    const { root } = agentFolder(server.openaiUrl, { sales: shopAgent('gpt'), other: shopAgent('gpt') });
    const res = await runOxy(['ask', '--agent', 'nope', 'hi'], keys, { cwd: root });
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/no agent nope.*other, sales/);
  });

  it('outside a project folder without --agent, says how to name one', async () => {
    const res = await runOxy(['ask', 'hi'], {}, { cwd: tempDir('oxy-ask-') });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/no Oxy project folder/);
  });
});
