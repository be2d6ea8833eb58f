import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openMigratedDatabase } from '../../src/db/open-app-database.js';
import { buildApp } from '../../src/server/app.js';
import { createAppServices } from '../../src/services/app-services.js';
import { BACKENDS } from '../support/backends.js';
import { testApp, type TestApp } from '../support/app.js';
import { ScriptedModelServer, type RecordedRequest } from '../support/scripted-model-server.js';
import { userDatabase, type UserDatabase } from '../support/user-databases.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const TURN_PROCESS = path.join(ROOT, 'test', 'support', 'thread-turn-process.ts');
const LEASE_MS = 1_500;
const RESTART_LEASE_MS = 5_000;
const RETRY = { maxRetries: 2, baseDelayMs: 10, maxDelayMs: 5_000 };

interface SseEvent {
  id: number;
  event: string;
  data: Record<string, unknown>;
}

/** Parses a text/event-stream body. */
function parseSse(text: string): SseEvent[] {
  return text
    .split('\n\n')
    .filter((block) => block.includes('data:'))
    .map((block) => {
      const field = (name: string) =>
        block
          .split('\n')
          .find((line) => line.startsWith(`${name}: `))
          ?.slice(name.length + 2);
      return { id: Number(field('id')), event: String(field('event')), data: JSON.parse(String(field('data'))) };
    });
}

/** A live SSE response read as it arrives: `until` waits for an event, `done` for the end. */
function follow(response: Response) {
  let text = '';
  const decoder = new TextDecoder();
  const waiters: Array<() => void> = [];
  const done = (async () => {
    for await (const chunk of response.body!) {
      text += decoder.decode(chunk as Uint8Array, { stream: true });
      for (const wake of waiters.splice(0)) wake();
    }
    return parseSse(text);
  })();
  return {
    done,
    events: () => parseSse(text),
    async until(type: string): Promise<SseEvent[]> {
      for (;;) {
        const events = parseSse(text);
        if (events.some((e) => e.event === type)) return events;
        await Promise.race([new Promise<void>((resolve) => waiters.push(resolve)), done.then(() => delay(1))]);
        if (
          !parseSse(text).some((e) => e.event === type) &&
          (await Promise.race([done.then(() => true), delay(0, false)]))
        )
          throw new Error(`the stream ended without ${type}: ${text}`);
      }
    },
  };
}

const isTitleRequest = (request: RecordedRequest) => JSON.stringify(request.body).includes('Give a title');

for (const backend of BACKENDS) {
  describe(`threads (${backend})`, () => {
    let t: TestApp;
    let model: ScriptedModelServer;
    let base: string;
    let project: string;
    let agent: string;
    let shopAgent: string;
    let shop: UserDatabase;

    const newThread = async (agentId: string | null = agent) =>
      String((await t.services.repo.insert('threads', { project_id: project, agent_id: agentId, title: '' })).id);
    const ask = (thread: string, content: string, headers: Record<string, string> = {}) =>
      fetch(`${base}/api/threads/${thread}/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ content }),
      });
    const stored = async (thread: string) => {
      const res = await t.app.inject({ url: `/api/threads/${thread}/messages` });
      expect(res.statusCode).toBe(200);
      return (res.json() as { items: Array<Record<string, any>> }).items;
    };
    const threadRow = (thread: string) => t.services.repo.get('threads', thread);

    beforeAll(async () => {
      model = await ScriptedModelServer.start();
      t = await testApp(backend, { services: { threads: { leaseMs: LEASE_MS, retry: RETRY } } });
      base = await t.app.listen({ port: 0, host: '127.0.0.1' });
      const ws = (
        await t.app.inject({ method: 'POST', url: '/api/workspaces', payload: { name: 'W', slug: `w-${backend}` } })
      ).json();
      project = String(
        (
          await t.services.repo.insert('projects', {
            workspace_id: ws.id,
            name: 'P',
            settings: {
              models: [
                { name: 'scripted', vendor: 'openai_compat', model_ref: 'scripted-1', api_url: model.openaiUrl },
              ],
            },
          })
        ).id,
      );
      agent = String(
        (
          await t.services.repo.insert('agents', {
            project_id: project,
            name: 'sales',
            definition: 'model: scripted\nsystem_instructions: You answer questions about sales.\n',
          })
        ).id,
      );
    });
    beforeAll(async () => {
      shop = await userDatabase('sqlite');
      await t.services.repo.insert('databases', {
        project_id: project,
        name: 'shop',
        kind: 'sqlite',
        config: shop.config,
      });
      const definition = [
        'model: scripted',
        'system_instructions: Write {{ databases.shop.dialect }} SQL.',
        'tools:',
        '  - { name: execute_sql, type: execute_sql, database: shop }',
        '  - { name: visualize, type: visualize }',
      ].join('\n');
      shopAgent = String(
        (await t.services.repo.insert('agents', { project_id: project, name: 'shop', definition })).id,
      );
    });
    afterAll(async () => shop?.cleanup());
    afterEach(() => model.reset());
    afterAll(async () => {
      await t?.close();
      await model?.close();
    });

    it('streams a turn, stores it as it streamed, and titles the thread', async () => {
      model.script(
        { when: { test: isTitleRequest }, text: ['"Best stores', ' last quarter"'] },
        { text: ['The best', ' store is ', 'Lyon.'], usage: { input: 120, output: 9 } },
      );
      const thread = await newThread();
      const res = await ask(thread, 'which stores sold the most last quarter?');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const events = parseSse(await res.text());
      expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
      expect(events.map((e) => e.event)).toEqual([
        'user-message',
        'text-delta',
        'text-delta',
        'text-delta',
        'usage',
        'done',
        'title',
      ]);
      const streamedText = events
        .filter((e) => e.event === 'text-delta')
        .map((e) => e.data.text)
        .join('');
      expect(streamedText).toBe('The best store is Lyon.');
      expect(events.find((e) => e.event === 'usage')!.data).toEqual({ inputTokens: 120, outputTokens: 9 });

      // Reload equals stream: the question, then the answer with its tokens, ids as streamed.
      const messages = await stored(thread);
      expect(messages.map((m) => [m.role, m.content])).toEqual([
        ['user', 'which stores sold the most last quarter?'],
        ['assistant', streamedText],
      ]);
      expect(messages[0]!.id).toBe(events[0]!.data.messageId);
      expect(messages[1]).toMatchObject({ input_tokens: 120, output_tokens: 9, metadata: { finishReason: 'stop' } });
      expect(messages[1]!.id).toBe(events.find((e) => e.event === 'done')!.data.messageId);
      const row = await threadRow(thread);
      expect(row).toMatchObject({ is_processing: false, title: 'Best stores last quarter', turn_owner: null });
      // The agent's instructions and the question reached the model.
      const sent = JSON.stringify(model.requests.find((r) => !isTitleRequest(r))!.body);
      expect(sent).toContain('You answer questions about sales.');
      expect(sent).toContain('which stores sold the most last quarter?');
    });

    it('streams and stores a tool-calling turn: a SQL error the model fixes, the rows, a chart of the thread', async () => {
      const sql = 'select name, id from items order by id';
      model.script(
        { when: { test: isTitleRequest }, text: ['Items'] },
        { text: ['Looking.'], toolCalls: [{ name: 'execute_sql', arguments: { sql: 'select nme from items' } }] },
        {
          when: { test: (r) => r.rawBody.includes('no such column') },
          toolCalls: [{ name: 'execute_sql', arguments: { sql } }],
        },
        {
          when: { test: (r) => r.rawBody.includes('plum') && !r.rawBody.includes('chart_id') },
          toolCalls: [
            {
              name: 'visualize',
              arguments: { title: 'Items', database: 'shop', sql, type: 'bar', x: 'name', y: ['id'] },
            },
          ],
          usage: { input: 50, output: 5 },
        },
        { text: ['Three items: apple, pear, plum.'], usage: { input: 80, output: 9 } },
      );
      const thread = await newThread(shopAgent);
      const events = parseSse(await (await ask(thread, 'what items are there?')).text());
      expect(events.map((e) => e.event)).toEqual([
        'user-message',
        'text-delta',
        'tool-call',
        'tool-result',
        'tool-call',
        'tool-result',
        'tool-call',
        'tool-result',
        'chart',
        'text-delta',
        'usage',
        'done',
        'title',
      ]);
      const calls = events.filter((e) => e.event === 'tool-call').map((e) => e.data.input as { sql?: string });
      expect(calls.slice(0, 2)).toEqual([{ sql: 'select nme from items' }, { sql }]);
      const results = events.filter((e) => e.event === 'tool-result');
      expect(results.map((e) => e.data.ok)).toEqual([false, true, true]);
      expect(results[1]!.data.result).toMatchObject({
        rows: [
          ['apple', '1'],
          ['pear', '2'],
          ['plum', '3'],
        ],
        rowCount: 3,
      });
      const chartEvent = events.find((e) => e.event === 'chart')!;
      expect((await t.services.repo.get('charts', String(chartEvent.data.chartId))).thread_id).toBe(thread);
      expect((await t.services.repo.list('charts', { where: { thread_id: thread } })).items).toHaveLength(1);

      // Reload equals stream: every text, every SQL, every result summary, the chart and the tokens.
      const messages = await stored(thread);
      expect(messages.map((m) => m.role)).toEqual([
        'user',
        'assistant',
        'tool',
        'assistant',
        'tool',
        'assistant',
        'tool',
        'assistant',
      ]);
      const streamedText = events
        .filter((e) => e.event === 'text-delta')
        .map((e) => e.data.text)
        .join('');
      expect(
        messages
          .filter((m) => m.role === 'assistant')
          .map((m) => m.content)
          .join(''),
      ).toBe(streamedText);
      const tools = messages.filter((m) => m.role === 'tool');
      expect(tools.map((m) => m.metadata.toolCallId)).toEqual(results.map((e) => e.data.id));
      expect(tools.map((m) => m.metadata.sql)).toEqual([calls[0]!.sql, sql, sql]);
      expect(tools[0]!.metadata.error).toBe(results[0]!.data.error);
      expect(tools[1]!.metadata.result).toEqual(results[1]!.data.result);
      expect(messages.at(-1)).toMatchObject({
        content: 'Three items: apple, pear, plum.',
        input_tokens: 130,
        output_tokens: 14,
        metadata: { charts: [chartEvent.data.chartId], finishReason: 'stop' },
      });
      expect(messages.map((m) => m.id)).toEqual(
        expect.arrayContaining(events.flatMap((e) => [e.data.messageId, e.data.assistantMessageId]).filter(Boolean)),
      );
    });

    it('sends the earlier messages of the thread with the next question', async () => {
      model.script({ text: ['First.'] }, { when: { test: isTitleRequest }, text: ['T'] }, { text: ['Second.'] });
      const thread = await newThread();
      await (await ask(thread, 'one?')).text();
      await (await ask(thread, 'two?')).text();
      const second = model.requests.filter((r) => !isTitleRequest(r))[1]!;
      const turns = (second.body.messages ?? []).filter((m) => m.role !== 'system').map((m) => [m.role, m.content]);
      expect(turns).toEqual([
        ['user', 'one?'],
        ['assistant', 'First.'],
        ['user', 'two?'],
      ]);
      expect((await stored(thread)).map((m) => m.content)).toEqual(['one?', 'First.', 'two?', 'Second.']);
    });

    it('falls back to the first words of the question when the title call fails', async () => {
      model.script({ text: ['ok'] }, { fault: 'status', status: 400, message: 'no titles here' });
      const thread = await newThread();
      await (await ask(thread, 'how many orders did each of our stores take in March this year?')).text();
      expect((await threadRow(thread)).title).toBe('how many orders did each of our stores');
    });

    it('refuses a question to a thread without an agent with a 400', async () => {
      const res = await ask(await newThread(null), 'anyone?');
      expect(res.status).toBe(400);
      expect(((await res.json()) as any).error).toMatchObject({ code: 'thread_has_no_agent' });
    });

    it('answers 409 to a second question during a turn, lets a second tab follow it, and stops it keeping what was said', async () => {
      model.script({ text: ['Counting', ' orders', ' now'], chunkDelayMs: 30_000 });
      const thread = await newThread();
      const first = follow(await ask(thread, 'count the orders'));
      await first.until('text-delta');
      expect((await threadRow(thread)).is_processing).toBe(true);

      const second = await ask(thread, 'and the customers?');
      expect(second.status).toBe(409);
      expect(((await second.json()) as any).error.code).toBe('thread_busy');

      // A second tab replays the turn from the start, another resumes after event 1.
      const tab = follow(await fetch(`${base}/api/threads/${thread}/events`));
      const resumed = follow(
        await fetch(`${base}/api/threads/${thread}/events`, { headers: { 'last-event-id': '1' } }),
      );
      await tab.until('text-delta');
      await resumed.until('text-delta');

      const stop = await t.app.inject({ method: 'POST', url: `/api/threads/${thread}/stop` });
      expect(stop.statusCode).toBe(200);
      expect(stop.json()).toMatchObject({ is_processing: false });
      const events = await first.done;
      expect(events.at(-1)).toMatchObject({ event: 'done', data: { finishReason: 'stopped' } });
      expect(await tab.done).toEqual(events);
      expect(await resumed.done).toEqual(events.slice(1));
      const messages = await stored(thread);
      expect(messages.map((m) => [m.role, m.content])).toEqual([
        ['user', 'count the orders'],
        ['assistant', 'Counting'],
      ]);
      expect(messages[1]!.metadata).toEqual({ finishReason: 'stopped' });
      // Stopped, the thread answers again; a thread answering nothing has nothing to stop.
      expect((await t.app.inject({ method: 'POST', url: `/api/threads/${thread}/stop` })).statusCode).toBe(409);
    });

    it('answers a thread marked processing by no turn (a flag written through the rows API)', async () => {
      model.script({ text: ['Yes.'] }, { when: { test: isTitleRequest }, text: ['T'] });
      const thread = await newThread();
      const patched = await t.app.inject({
        method: 'PATCH',
        url: `/api/threads/${thread}`,
        payload: { is_processing: true },
      });
      expect(patched.statusCode).toBe(200);
      const res = await ask(thread, 'free?');
      expect(res.status).toBe(200);
      expect(parseSse(await res.text()).at(-2)).toMatchObject({ event: 'done' });
    });

    it('stops a turn running on another server of the same database', async () => {
      model.script({ text: ['Counting', ' slowly'], chunkDelayMs: 30_000 });
      const thread = await newThread();
      const turn = follow(await ask(thread, 'count slowly'));
      await turn.until('text-delta');
      const { database } = await openMigratedDatabase(t.config);
      // Its start-up keeps this process (also the server running the turn here) busy: a long lease.
      const other = await buildApp(
        await createAppServices(t.config, database, { threads: { leaseMs: RESTART_LEASE_MS } }),
      );
      try {
        // The other server has no events of the turn to give…
        expect((await other.inject({ url: `/api/threads/${thread}/events` })).statusCode).toBe(409);
        // …but stops it: the server running it sees the request at its next heartbeat.
        const stop = await other.inject({ method: 'POST', url: `/api/threads/${thread}/stop` });
        expect(stop.statusCode).toBe(200);
        expect(stop.json()).toMatchObject({ is_processing: false, turn_owner: null });
      } finally {
        await other.close();
        await database.close();
      }
      expect((await turn.done).at(-1)).toMatchObject({ event: 'done', data: { finishReason: 'stopped' } });
      expect((await stored(thread)).map((m) => [m.role, m.content])).toEqual([
        ['user', 'count slowly'],
        ['assistant', 'Counting'],
      ]);
    });

    it('retries a 429 and answers', async () => {
      model.script(
        { when: { test: isTitleRequest }, text: ['T'] },
        { fault: 'status', status: 429, retryAfter: '0' },
        { text: ['Fine.'] },
      );
      const thread = await newThread();
      const events = parseSse(await (await ask(thread, 'still there?')).text());
      expect(events.map((e) => e.event)).toEqual(['user-message', 'retry', 'text-delta', 'usage', 'done', 'title']);
      expect((await stored(thread)).map((m) => m.content)).toEqual(['still there?', 'Fine.']);
    });

    it('ends the turn with the provider error stored when every retry fails', async () => {
      const failure = { fault: 'status' as const, status: 503, message: 'overloaded, try later' };
      model.script(failure, failure, failure);
      const thread = await newThread();
      const events = parseSse(await (await ask(thread, 'anyone there?')).text());
      expect(events.filter((e) => e.event === 'retry')).toHaveLength(RETRY.maxRetries);
      const error = events.at(-1)!;
      expect(error.event).toBe('error');
      const messages = await stored(thread);
      expect(messages.map((m) => [m.role, m.content])).toEqual([
        ['user', 'anyone there?'],
        ['assistant', error.data.message],
      ]);
      expect(String(error.data.message)).toMatch(/503|overloaded/);
      expect((await threadRow(thread)).is_processing).toBe(false);
    });

    it('stores a stream cut mid-answer as the turn error, keeping the partial answer', async () => {
      model.script({ fault: 'cut', afterChunks: 1, text: ['Half an', ' answer'] });
      const thread = await newThread();
      const events = parseSse(await (await ask(thread, 'tell me')).text());
      const error = events.at(-1)!;
      expect(error.event).toBe('error');
      expect(String(error.data.message)).not.toBe('');
      const messages = await stored(thread);
      expect(messages.map((m) => [m.role, m.content])).toEqual([
        ['user', 'tell me'],
        ['assistant', 'Half an'],
        ['assistant', error.data.message],
      ]);
      expect(messages[2]!.metadata).toEqual({ error: { code: error.data.code, message: error.data.message } });
      expect((await threadRow(thread)).is_processing).toBe(false);
    });

    it('releases a turn whose server died when the next server starts, not one whose server lives', async () => {
      model.script(
        { text: ['Working', ' on it'], chunkDelayMs: 30_000 },
        { text: ['Alive', ' still'], chunkDelayMs: 30_000 },
      );
      const dead = await newThread();
      const child = spawn(process.execPath, ['--import', 'tsx', TURN_PROCESS], {
        cwd: ROOT,
        env: {
          ...process.env,
          OXY_DATABASE_URL: t.url,
          OXY_STATE_DIR: t.stateDir,
          THREAD_ID: dead,
          LEASE_MS: String(LEASE_MS),
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('streaming') && resolve());
        child.once('exit', (code) => reject(new Error(`the turn process exited (${String(code)})`)));
      });
      const alive = await newThread();
      const live = follow(await ask(alive, 'are you alive?'));
      await live.until('text-delta');
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      expect((await threadRow(dead)).is_processing).toBe(true);

      // The next server. Starting it keeps this process busy for seconds on a loaded machine, when
      // the live server (here the same process) cannot beat: its lease is longer than that.
      const { database } = await openMigratedDatabase(t.config);
      const services = await createAppServices(t.config, database, { threads: { leaseMs: RESTART_LEASE_MS } });
      const restarted = await buildApp(services);
      await delay(RESTART_LEASE_MS + 500);
      try {
        await restarted.ready();
        expect((await threadRow(dead)).is_processing).toBe(false);
        expect((await threadRow(alive)).is_processing).toBe(true);
        const messages = await stored(dead);
        expect(messages.map((m) => m.role)).toEqual(['user', 'assistant']);
        expect(messages[1]!.metadata).toMatchObject({ error: { code: 'turn_interrupted' } });
      } finally {
        await restarted.close();
        await database.close();
      }
      await t.app.inject({ method: 'POST', url: `/api/threads/${alive}/stop` });
      await live.done;
    });
  });
}

describe('threads on a read-only server', () => {
  let t: TestApp;
  let model: ScriptedModelServer;
  let shop: UserDatabase;
  beforeAll(async () => {
    model = await ScriptedModelServer.start();
    shop = await userDatabase('sqlite');
    t = await testApp('sqlite', { readonly: true, services: { readonly: true, threads: { retry: RETRY } } });
  });
  afterAll(async () => {
    await t?.close();
    await model?.close();
    await shop?.cleanup();
  });

  it('answers, streamed, and stores nothing (not even the chart it draws); stop is refused', async () => {
    const { repo } = t.services;
    const owner = await t.services.auth.findLocalOwner();
    const ws = await t.services.workspaces.create({ name: 'W', slug: 'w-ro' }, String(owner!.id));
    const project = await repo.insert('projects', {
      workspace_id: ws.id,
      name: 'P',
      settings: { models: [{ name: 'scripted', vendor: 'openai_compat', model_ref: 'm', api_url: model.openaiUrl }] },
    });
    const agent = await repo.insert('agents', {
      project_id: project.id,
      name: 'a',
      definition: [
        'model: scripted',
        'system_instructions: Answer briefly.',
        'tools:',
        '  - { name: visualize, type: visualize }',
      ].join('\n'),
    });
    await repo.insert('databases', { project_id: project.id, name: 'shop', kind: 'sqlite', config: shop.config });
    const thread = await repo.insert('threads', { project_id: project.id, agent_id: agent.id, title: '' });
    const sql = 'select name, id from items';
    model.script(
      {
        toolCalls: [
          {
            name: 'visualize',
            arguments: { title: 'Items', database: 'shop', sql, type: 'bar', x: 'name', y: ['id'] },
          },
        ],
      },
      { text: ['Read', ' only.'] },
    );
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/threads/${String(thread.id)}/messages`,
      payload: { content: 'hi?' },
    });
    expect(res.statusCode).toBe(200);
    const events = parseSse(res.body);
    expect(
      events.map((e) => e.event),
      res.body,
    ).toEqual(['user-message', 'tool-call', 'tool-result', 'chart', 'text-delta', 'text-delta', 'usage', 'done']);
    expect(events.find((e) => e.event === 'tool-result')!.data.ok).toBe(true);
    expect(events.some((e) => 'messageId' in e.data || 'chartId' in e.data)).toBe(false);
    expect(await repo.count('charts')).toBe(0);
    expect((await t.app.inject({ url: `/api/threads/${String(thread.id)}/messages` })).json().items).toEqual([]);
    expect(await repo.get('threads', String(thread.id))).toMatchObject({ is_processing: false, title: '' });
    const stop = await t.app.inject({ method: 'POST', url: `/api/threads/${String(thread.id)}/stop` });
    expect(stop.statusCode).toBe(403);
  });
});
