import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../../src/services/agents/agent-turn.js';
import { toHistory } from '../../../src/services/threads/thread.service.js';
import { TurnRecorder } from '../../../src/services/threads/turn-recorder.js';
import { ThreadRepository } from '../../../src/repositories/thread.repository.js';
import { BACKENDS } from '../../support/backends.js';
import { testApp, type TestApp } from '../../support/app.js';

/** A turn with a SQL error the model corrects, a result, a chart and usage: the events the agent core emits. */
const TURN: AgentEvent[] = [
  { type: 'text-delta', text: 'Let me look.' },
  { type: 'tool-call', id: 'c1', name: 'execute_sql', input: { sql: 'select nme from stores' } },
  { type: 'tool-result', id: 'c1', name: 'execute_sql', ok: false, error: 'no such column: nme' },
  { type: 'tool-call', id: 'c2', name: 'execute_sql', input: { sql: 'select name, sales from stores' } },
  {
    type: 'tool-result',
    id: 'c2',
    name: 'execute_sql',
    ok: true,
    result: {
      columns: [
        { name: 'name', type: 'text' },
        { name: 'sales', type: 'integer' },
      ] as never,
      rows: [['Lyon', 12]],
      rowCount: 1,
      truncated: false,
    },
  },
  {
    type: 'chart',
    title: 'Sales by store',
    spec: { type: 'bar', source: {}, x: 'name', y: ['sales'] },
    sql: 'select name, sales from stores',
    database: 'demo',
  },
  { type: 'usage', inputTokens: 300, outputTokens: 40 },
  { type: 'text-delta', text: 'Lyon sold the most.' },
  { type: 'done', finishReason: 'stop' },
];

for (const backend of BACKENDS) {
  describe(`a turn's events stored as messages (${backend})`, () => {
    let t: TestApp;
    let thread: Record<string, unknown>;
    beforeAll(async () => {
      t = await testApp(backend);
      const ws = (
        await t.app.inject({ method: 'POST', url: '/api/workspaces', payload: { name: 'W', slug: `rec-${backend}` } })
      ).json();
      const project = await t.services.repo.insert('projects', { workspace_id: ws.id, name: 'P' });
      thread = await t.services.repo.insert('threads', { project_id: project.id, title: 't' });
    });
    afterAll(async () => t?.close());

    it('stores tool calls, results with their SQL, the chart of the thread, tokens, and reloads as history', async () => {
      const recorder = new TurnRecorder(t.services.repo, thread, true);
      const ids: Record<string, unknown>[] = [];
      for (const event of TURN) ids.push(await recorder.record(event));
      const messages = await new ThreadRepository(t.database).messages(String(thread.id));
      expect(messages.map((m) => [m.role, m.content])).toEqual([
        ['assistant', 'Let me look.'],
        ['tool', 'no such column: nme'],
        ['assistant', ''],
        ['tool', '1 row(s)'],
        ['assistant', 'Lyon sold the most.'],
      ]);
      expect(messages[0]!.metadata).toEqual({
        toolCalls: [{ id: 'c1', name: 'execute_sql', input: { sql: 'select nme from stores' } }],
      });
      expect(messages[1]!.metadata).toEqual({
        toolCallId: 'c1',
        toolName: 'execute_sql',
        ok: false,
        sql: 'select nme from stores',
        error: 'no such column: nme',
      });
      expect(messages[3]!.metadata).toMatchObject({
        ok: true,
        sql: 'select name, sales from stores',
        result: { rows: [['Lyon', 12]], rowCount: 1 },
      });
      const chartId = ids[5]!.chartId;
      expect(messages[4]).toMatchObject({
        input_tokens: 300,
        output_tokens: 40,
        metadata: { charts: [chartId], finishReason: 'stop' },
      });
      const chart = await t.services.repo.get('charts', String(chartId));
      expect(chart).toMatchObject({
        thread_id: thread.id,
        title: 'Sales by store',
        spec: { type: 'bar', source: { database: 'demo', sql: 'select name, sales from stores' } },
      });
      // The ids streamed are the rows stored.
      expect(ids[2]).toEqual({ assistantMessageId: messages[0]!.id, messageId: messages[1]!.id });
      expect(ids[8]).toEqual({ messageId: messages[4]!.id });

      expect(toHistory([{ role: 'user', content: 'who sold most?', metadata: null }, ...messages])).toEqual([
        { role: 'user', text: 'who sold most?' },
        {
          role: 'assistant',
          text: 'Let me look.',
          toolCalls: [{ id: 'c1', name: 'execute_sql', input: { sql: 'select nme from stores' } }],
        },
        { role: 'tool', toolCallId: 'c1', toolName: 'execute_sql', output: 'no such column: nme', isError: true },
        {
          role: 'assistant',
          text: '',
          toolCalls: [{ id: 'c2', name: 'execute_sql', input: { sql: 'select name, sales from stores' } }],
        },
        {
          role: 'tool',
          toolCallId: 'c2',
          toolName: 'execute_sql',
          output: (messages[3]!.metadata as { result: unknown }).result,
        },
        { role: 'assistant', text: 'Lyon sold the most.' },
      ]);
    });

    it('stores nothing when told not to (a read-only server)', async () => {
      const other = await t.services.repo.insert('threads', { project_id: thread.project_id, title: 'ro' });
      const recorder = new TurnRecorder(t.services.repo, other, false);
      for (const event of TURN) expect(await recorder.record(event)).toEqual({});
      expect(await new ThreadRepository(t.database).messages(String(other.id))).toEqual([]);
    });
  });
}
