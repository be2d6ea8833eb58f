import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  maxToolCallsMessage,
  prepareFolderAgent,
  runAgentTurn,
  type AgentEvent,
  type AgentTurnResult,
  type PreparedAgent,
} from '../../../src/services/agents/agent-turn.js';
import { ScriptedModelServer } from '../../support/scripted-model-server.js';
import { agentFolder, shopAgent } from './folder-fixture.js';

// Every turn runs through real HTTP against the scripted model server and real SQL on a SQLite
// file of an Oxy project folder: nothing of the agent core is replaced.
const KEYS = { OXY_TEST_OPENAI_KEY: `sk-${randomUUID()}`, OXY_TEST_ANTHROPIC_KEY: `sk-ant-${randomUUID()}` };
const OPTIONS = { retry: { baseDelayMs: 10 }, idleTimeoutMs: 3000 };

let server: ScriptedModelServer;
beforeAll(async () => {
  server = await ScriptedModelServer.start();
});
afterAll(async () => {
  await server?.close();
});
beforeEach(() => server.reset());

async function ask(
  agent: PreparedAgent,
  question: string,
  signal = new AbortController().signal,
): Promise<{ events: AgentEvent[]; result: AgentTurnResult }> {
  const events: AgentEvent[] = [];
  const result = await runAgentTurn(agent, { history: [], question, signal, onEvent: (e) => void events.push(e) });
  return { events, result };
}

async function withAgent<T>(
  agents: Record<string, Record<string, unknown>>,
  name: string,
  use: (agent: PreparedAgent, data: ReturnType<typeof agentFolder>['data']) => Promise<T>,
): Promise<T> {
  const { root, data } = agentFolder(server.openaiUrl, agents);
  const agent = await prepareFolderAgent(root, name, KEYS, OPTIONS);
  try {
    return await use(agent, data);
  } finally {
    await agent.close();
  }
}

for (const model of ['gpt', 'claude'] as const) {
  describe(`agent turn (${model === 'gpt' ? 'OpenAI' : 'Anthropic'} wire protocol)`, () => {
    it('gives a failed SQL back to the model, which fixes it, then answers with the rows', async () => {
      await withAgent({ sales: shopAgent(model) }, 'sales', async (agent, data) => {
        const best = [...data.stores].sort((a, b) => b.sales - a.sales)[0]!;
        server.script(
          {
            text: ['Let me look.'],
            toolCalls: [{ name: 'execute_sql', arguments: { sql: 'SELECT nme FROM stores' } }],
          },
          {
            when: { test: (r) => r.rawBody.includes('no such column') },
            toolCalls: [
              { name: 'execute_sql', arguments: { sql: 'SELECT name, sales FROM stores ORDER BY sales DESC LIMIT 1' } },
            ],
          },
          { when: { test: (r) => r.rawBody.includes(best.name) }, text: [`The best store is `, best.name] },
        );
        const { events, result } = await ask(agent, 'Which store sold the most?');
        const results = events.filter((e) => e.type === 'tool-result');
        expect(results.map((e) => e.ok)).toEqual([false, true]);
        expect(results[0]!.error).toMatch(/nme/);
        expect(results[1]!.result?.rows).toEqual([[best.name, best.sales]]);
        expect(events.at(-1)).toEqual({ type: 'done', finishReason: 'stop' });
        expect(result.lastSql?.sql).toMatch(/ORDER BY sales DESC/);
        expect(result.lastSql?.result?.rows).toEqual([[best.name, best.sales]]);
        expect(result.messages.map((m) => m.role)).toEqual(['assistant', 'tool', 'assistant', 'tool', 'assistant']);
        expect(result.messages.at(-1)).toEqual({ role: 'assistant', text: `The best store is ${best.name}` });
        expect(result.messages[1]).toMatchObject({ role: 'tool', isError: true });
        const text = events.flatMap((e) => (e.type === 'text-delta' ? [e.text] : [])).join('');
        expect(text).toBe(`Let me look.The best store is ${best.name}`);
        // The system prompt holds the rendered dialect and the table's DDL read from the engine.
        expect(agent.system).toContain('Write sqlite SQL');
        expect(agent.system).toMatch(/CREATE TABLE "stores"/);
        // The key travelled in a header only, never in a body or the prompt.
        for (const request of server.requests) {
          expect(request.rawBody).not.toContain(KEYS.OXY_TEST_OPENAI_KEY);
          expect(request.rawBody).not.toContain(KEYS.OXY_TEST_ANTHROPIC_KEY);
        }
        expect(agent.system).not.toContain(KEYS.OXY_TEST_OPENAI_KEY);
        expect(server.requests).toHaveLength(3);
        expect(server.requests[0]!.protocol).toBe(model === 'gpt' ? 'openai' : 'anthropic');
      });
    });
  });
}

describe('agent turn', () => {
  it('runs the tool calls of one step together and gives their results in the order asked', async () => {
    await withAgent({ sales: shopAgent('gpt') }, 'sales', async (agent, data) => {
      const ids = data.stores.slice(0, 3).map((s) => s.id);
      server.script(
        {
          toolCalls: ids.map((id) => ({
            id: `call_${id}`,
            name: 'execute_sql',
            arguments: { sql: `SELECT name FROM stores WHERE id = ${id}` },
          })),
        },
        { text: ['done'] },
      );
      const { events, result } = await ask(agent, 'Names of the first three stores?');
      const results = events.filter((e) => e.type === 'tool-result');
      expect(results.map((e) => e.id)).toEqual(ids.map((id) => `call_${id}`));
      expect(results.map((e) => e.result?.rows[0]?.[0])).toEqual(data.stores.slice(0, 3).map((s) => s.name));
      const calls = events.filter((e) => e.type === 'tool-call');
      // Every call is announced before any result.
      expect(events.findIndex((e) => e.type === 'tool-result')).toBeGreaterThan(events.indexOf(calls.at(-1)!));
      const tools = result.messages.filter((m) => m.role === 'tool');
      expect(tools.map((m) => (m.role === 'tool' ? m.toolCallId : ''))).toEqual(ids.map((id) => `call_${id}`));
      // The second request carried the three results back.
      const second = server.requests[1]!.body.messages!.filter((m) => m.role === 'tool');
      expect(second.map((m) => m.tool_call_id)).toEqual(ids.map((id) => `call_${id}`));
    });
  });

  it('emits a chart the model asked for, checked against the SQL columns', async () => {
    await withAgent({ sales: shopAgent('claude') }, 'sales', async (agent, data) => {
      const sql = 'SELECT name, sales FROM stores ORDER BY id';
      server.script(
        {
          toolCalls: [
            {
              name: 'visualize',
              arguments: { title: 'Sales', database: 'shop', sql, type: 'bar', x: 'name', y: ['revenue'] },
            },
          ],
        },
        {
          when: { test: (r) => r.rawBody.includes('no column revenue') },
          toolCalls: [
            {
              name: 'visualize',
              arguments: { title: 'Sales by store', database: 'shop', sql, type: 'bar', x: 'name', y: 'sales' },
            },
          ],
        },
        { text: ['Here is the chart.'] },
      );
      const { events } = await ask(agent, 'Chart the sales by store');
      const charts = events.filter((e) => e.type === 'chart');
      expect(charts).toHaveLength(1);
      expect(charts[0]).toMatchObject({
        title: 'Sales by store',
        sql,
        database: 'shop',
        spec: { type: 'bar', x: 'name', y: ['sales'], source: { database: 'shop', sql } },
      });
      const results = events.filter((e) => e.type === 'tool-result');
      expect(results.map((e) => e.ok)).toEqual([false, true]);
      expect(results[1]!.result?.rows.map((r) => r[0])).toEqual(data.stores.map((s) => s.name));
    });
  });

  it('validates SQL through EXPLAIN and refuses a write', async () => {
    await withAgent({ sales: shopAgent('gpt') }, 'sales', async (agent) => {
      server.script(
        {
          toolCalls: [
            { id: 'a', name: 'validate_sql', arguments: { sql: 'SELECT name FROM stores' } },
            { id: 'b', name: 'validate_sql', arguments: { sql: 'DELETE FROM stores' } },
            { id: 'c', name: 'validate_sql', arguments: { sql: 'SELECT * FROM nowhere' } },
          ],
        },
        { text: ['ok'] },
      );
      const { events } = await ask(agent, 'check these');
      const results = events.filter((e) => e.type === 'tool-result');
      expect(results.map((e) => e.ok)).toEqual([true, false, false]);
      expect(results[1]!.error).toMatch(/refused/);
      expect(results[2]!.error).toMatch(/nowhere/);
    });
  });

  it('ends the turn with a clear message when max_tool_calls is reached', async () => {
    const max = 2 + Math.floor(Math.random() * 3);
    await withAgent({ sales: shopAgent('gpt', { max_tool_calls: max }) }, 'sales', async (agent) => {
      server.script({
        repeat: true,
        toolCalls: [{ name: 'execute_sql', arguments: { sql: 'SELECT count(*) FROM stores' } }],
      });
      const { events, result } = await ask(agent, 'loop forever');
      const results = events.filter((e) => e.type === 'tool-result');
      expect(results.filter((e) => e.ok)).toHaveLength(max);
      expect(results.at(-1)).toMatchObject({ ok: false, error: expect.stringMatching(/max_tool_calls/) });
      expect(result.finishReason).toBe('max-tool-calls');
      expect(result.messages.at(-1)).toEqual({ role: 'assistant', text: maxToolCallsMessage(max) });
      expect(server.requests).toHaveLength(max + 1);
    });
  });

  it('retries a 429 before any output and then answers', async () => {
    await withAgent({ sales: shopAgent('claude') }, 'sales', async (agent) => {
      server.script({ fault: 'status', status: 429, retryAfter: '0' }, { text: ['after the wait'] });
      const { events, result } = await ask(agent, 'hello');
      expect(events.filter((e) => e.type === 'retry')).toHaveLength(1);
      expect(result.messages).toEqual([{ role: 'assistant', text: 'after the wait' }]);
      expect(result.finishReason).toBe('stop');
    });
  });

  it('reports a stream cut after output as an error, keeping the text the user saw', async () => {
    await withAgent({ sales: shopAgent('gpt') }, 'sales', async (agent) => {
      server.script({ fault: 'cut', afterChunks: 2, text: ['one ', 'two ', 'three'] });
      const { events, result } = await ask(agent, 'hello');
      expect(events.at(-1)).toMatchObject({ type: 'error' });
      expect(events.some((e) => e.type === 'done')).toBe(false);
      expect(result.finishReason).toBe('error');
      expect(result.messages).toEqual([{ role: 'assistant', text: 'one two ' }]);
    });
  });

  it('stops when aborted mid-turn', async () => {
    await withAgent({ sales: shopAgent('gpt') }, 'sales', async (agent) => {
      server.script({ text: ['first ', 'second ', 'third'], chunkDelayMs: 300 });
      const controller = new AbortController();
      const events: AgentEvent[] = [];
      const result = await runAgentTurn(agent, {
        history: [],
        question: 'slow answer',
        signal: controller.signal,
        onEvent: (e) => {
          events.push(e);
          if (e.type === 'text-delta') controller.abort();
        },
      });
      expect(result.finishReason).toBe('aborted');
      expect(events.at(-1)).toEqual({ type: 'done', finishReason: 'aborted' });
      expect(events.filter((e) => e.type === 'text-delta')).toHaveLength(1);
      await expect.poll(() => server.requests[0]!.closedEarly).toBe(true);
    });
  });

  it('sends the history before the question', async () => {
    await withAgent({ sales: shopAgent('gpt') }, 'sales', async (agent) => {
      server.script({ text: ['yes'] });
      const marker = randomUUID();
      await runAgentTurn(agent, {
        history: [
          { role: 'user', text: `earlier ${marker}` },
          { role: 'assistant', text: 'earlier answer' },
        ],
        question: 'and now?',
        signal: new AbortController().signal,
        onEvent: () => undefined,
      });
      const sent = server.requests[0]!.body.messages!.map((m) => m.role);
      expect(sent).toEqual(['system', 'user', 'assistant', 'user']);
      expect(server.requests[0]!.rawBody).toContain(marker);
      expect(server.requests[0]!.lastUserMessage).toBe('and now?');
    });
  });
});

describe('agent context files', () => {
  it('puts the files the globs name in the prompt, never a file outside the folder', async () => {
    const inside = randomUUID();
    const secretWord = randomUUID();
    const { root } = agentFolder(
      server.openaiUrl,
      {
        sales: shopAgent('gpt', {
          system_instructions: 'Glossary:\n{{ context.docs }}',
          context: [{ name: 'docs', type: 'file', src: ['docs/*.md', '../*.txt', '/etc/hostname'] }],
        }),
      },
      { files: { 'docs/terms.md': `revenue: ${inside}` } },
    );
    fs.writeFileSync(path.join(root, '..', `outside-${randomUUID()}.txt`), secretWord);
    const agent = await prepareFolderAgent(root, 'sales', KEYS);
    await agent.close();
    expect(agent.system).toContain(`-- docs/terms.md\nrevenue: ${inside}`);
    expect(agent.system).not.toContain(secretWord);
    // No DDL placed by the template: it is appended.
    expect(agent.system).toMatch(/CREATE TABLE "stores"/);
  });
});

describe('agent preparation errors', () => {
  it('a broken template and an unknown tool database are one line each', async () => {
    const broken = agentFolder(server.openaiUrl, {
      a: shopAgent('gpt', { system_instructions: 'Hi {{ databases.shop.dialect ' }),
    });
    await expect(prepareFolderAgent(broken.root, 'a', KEYS)).rejects.toThrow(/^agent a: system_instructions: .*\S$/);
    const missing = agentFolder(server.openaiUrl, {
      b: shopAgent('gpt', { tools: [{ name: 'sql', type: 'execute_sql', database: 'warehouse' }] }),
    });
    await expect(prepareFolderAgent(missing.root, 'b', KEYS)).rejects.toThrow(/config.yml has no database warehouse/);
  });
});
