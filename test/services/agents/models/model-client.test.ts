import { randomInt, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { keySource } from '../../../../src/services/agents/models/key-source.js';
import { ModelClient } from '../../../../src/services/agents/models/model-client.js';
import type { ModelConfig } from '../../../../src/services/agents/models/model-config.js';
import type { ModelEvent, ToolDefinition, TurnRequest } from '../../../../src/services/agents/models/model-turn.js';
import { ScriptedModelServer } from '../../../support/scripted-model-server.js';

// Every case runs through real HTTP against the scripted server, once per wire protocol and key
// path: OpenAI Chat Completions (key from an environment variable), Anthropic Messages (key from
// an environment variable), and an OpenAI-compatible server such as Ollama (key from an oxy secret).
const KEYS = { openai: `sk-${randomUUID()}`, anthropic: `sk-ant-${randomUUID()}`, ollama: `ol-${randomUUID()}` };
const VENDORS = [
  { vendor: 'openai', auth: (key: string): [string, string] => ['authorization', `Bearer ${key}`], key: KEYS.openai },
  { vendor: 'anthropic', auth: (key: string): [string, string] => ['x-api-key', key], key: KEYS.anthropic },
  { vendor: 'ollama', auth: (key: string): [string, string] => ['authorization', `Bearer ${key}`], key: KEYS.ollama },
] as const;

const TOOLS: ToolDefinition[] = [
  {
    name: 'execute_sql',
    description: 'Run one read-only SQL statement',
    parameters: { type: 'object', properties: { sql: { type: 'string' } }, required: ['sql'] },
  },
];

let server: ScriptedModelServer;
beforeAll(async () => {
  server = await ScriptedModelServer.start();
});
afterAll(async () => {
  await server?.close();
});
beforeEach(() => server.reset());

for (const { vendor, auth, key } of VENDORS) {
  describe(`model client, ${vendor}`, () => {
    const model = (): ModelConfig => ({
      name: `${vendor}-model`,
      vendor,
      model_ref: `${vendor}-test-1`,
      api_url: server.url + '/v1',
      ...(vendor === 'openai' ? { key_var: 'OXY_TEST_OPENAI_KEY' } : {}),
      ...(vendor === 'anthropic' ? { key_var: 'OXY_TEST_ANTHROPIC_KEY' } : {}),
      ...(vendor === 'ollama' ? { key_secret: 'ollama-key' } : {}),
      headers: { 'x-oxy-test': vendor },
    });
    const keys = keySource(
      { OXY_TEST_OPENAI_KEY: KEYS.openai, OXY_TEST_ANTHROPIC_KEY: KEYS.anthropic },
      async (name) => (name === 'ollama-key' ? KEYS.ollama : undefined),
    );
    const client = new ModelClient({ keys, retry: { baseDelayMs: 20 }, idleTimeoutMs: 2000 });
    const ask = (overrides: Partial<TurnRequest> = {}) =>
      collect(
        client.streamTurn({
          model: model(),
          system: 'You answer questions about data.',
          messages: [{ role: 'user', text: 'Which stores sold the most?' }],
          tools: TOOLS,
          ...overrides,
        }),
      );

    it('streams text deltas in order, then usage and finish', async () => {
      const chunks = Array.from({ length: randomInt(3, 9) }, (_, i) => `part ${i} `);
      server.script({ text: chunks });
      const events = await ask();
      expect(events.filter((e) => e.type === 'text-delta').map((e) => e.text)).toEqual(chunks);
      expect(events.at(-1)).toEqual({ type: 'finish', reason: 'stop' });
    });

    // OpenAI's own Chat Completions streams no reasoning; Anthropic and OpenAI-compatible servers do.
    if (vendor !== 'openai')
      it('streams reasoning deltas before the answer', async () => {
        server.script({ reasoning: ['Sales are in ', 'the orders table.'], text: ['Store 7.'] });
        const events = await ask();
        expect(events.filter((e) => e.type === 'reasoning-delta').map((e) => e.text)).toEqual([
          'Sales are in ',
          'the orders table.',
        ]);
        expect(events.map((e) => e.type).indexOf('text-delta')).toBe(2);
      });

    it('reports usage as the provider counted it', async () => {
      const usage = { input: randomInt(10, 5000), output: randomInt(1, 900) };
      server.script({ text: ['ok'], usage });
      const events = await ask();
      expect(events.find((e) => e.type === 'usage')).toEqual({
        type: 'usage',
        inputTokens: usage.input,
        outputTokens: usage.output,
      });
    });

    it('assembles a tool call whose arguments arrive split over chunks', async () => {
      server.script({
        toolCalls: [
          { id: 'call_split', name: 'execute_sql', arguments: ['{"sq', 'l": "SELECT st', 'ore FROM sales"}'] },
        ],
      });
      const events = await ask();
      expect(events.filter((e) => e.type === 'tool-call')).toEqual([
        { type: 'tool-call', id: 'call_split', name: 'execute_sql', input: { sql: 'SELECT store FROM sales' } },
      ]);
      expect(events.at(-1)).toEqual({ type: 'finish', reason: 'tool-calls' });
    });

    it('reports parallel tool calls each with its own id and arguments', async () => {
      server.script({
        text: ['Running both.'],
        toolCalls: [
          { id: 'call_a', name: 'execute_sql', arguments: { sql: 'SELECT 1' } },
          { id: 'call_b', name: 'execute_sql', arguments: { sql: 'SELECT 2' } },
        ],
      });
      const calls = (await ask()).filter((e) => e.type === 'tool-call');
      expect(calls.map((c) => [c.id, c.input])).toEqual([
        ['call_a', { sql: 'SELECT 1' }],
        ['call_b', { sql: 'SELECT 2' }],
      ]);
    });

    it('sends the tools, the system prompt and tool results back in the provider format', async () => {
      server.script({ text: ['Store 7 sold the most.'] });
      const resultMarker = `rows-${randomUUID()}`;
      await ask({
        messages: [
          { role: 'user', text: 'Which store sold the most?' },
          {
            role: 'assistant',
            text: '',
            toolCalls: [{ id: 'call_q1', name: 'execute_sql', input: { sql: 'SELECT 1' } }],
          },
          { role: 'tool', toolCallId: 'call_q1', toolName: 'execute_sql', output: { marker: resultMarker } },
        ],
      });
      const sent = server.requests[0]!;
      expect(sent.rawBody).toContain(resultMarker);
      expect(sent.rawBody).toContain('call_q1');
      expect(sent.rawBody).toContain('You answer questions about data.');
      expect(JSON.stringify(sent.body.tools)).toContain('execute_sql');
      expect(sent.body.stream).toBe(true);
    });

    it('puts the key in the auth header only, never in the body, and sends the configured headers', async () => {
      server.script({ text: ['ok'] });
      await ask();
      const sent = server.requests[0]!;
      const [header, value] = auth(key);
      expect(sent.headers[header]).toBe(value);
      expect(sent.headers['x-oxy-test']).toBe(vendor);
      expect(sent.rawBody).not.toContain(key);
    });

    it('waits as Retry-After asks after a 429, then streams the answer', async () => {
      server.script({ fault: 'status', status: 429, retryAfter: '0.4' }, { text: ['after the wait'] });
      const events = await ask();
      expect(events[0]).toMatchObject({ type: 'retry', attempt: 1, delayMs: 400 });
      expect(events.filter((e) => e.type === 'text-delta').map((e) => e.text)).toEqual(['after the wait']);
      const [first, second] = server.requests;
      expect(second!.receivedAt - first!.receivedAt).toBeGreaterThanOrEqual(350);
    });

    it('retries a 500 with backoff, then streams the answer', async () => {
      server.script({ fault: 'status', status: 500 }, { text: ['recovered'] });
      const events = await ask();
      expect(events.map((e) => e.type)).toEqual(['retry', 'text-delta', 'usage', 'finish']);
      expect(server.requests).toHaveLength(2);
    });

    it('retries a request that hangs past the idle timeout', async () => {
      const quick = new ModelClient({ keys, retry: { baseDelayMs: 20 }, idleTimeoutMs: 300 });
      server.script({ fault: 'hang' }, { text: ['answered'] });
      const events = await collect(quick.streamTurn({ model: model(), messages: [{ role: 'user', text: 'hello?' }] }));
      expect(events[0]).toMatchObject({ type: 'retry', reason: expect.stringContaining('no data from the model') });
      expect(events.filter((e) => e.type === 'text-delta')).toHaveLength(1);
      expect(server.requests[0]!.closedEarly).toBe(true);
    });

    it('retries a refused connection, then ends with one line naming the attempts', async () => {
      const closed = await ScriptedModelServer.start();
      await closed.close();
      const once = new ModelClient({ keys, retry: { maxRetries: 1, baseDelayMs: 10 } });
      const events = await collect(
        once.streamTurn({
          model: { ...model(), api_url: closed.url + '/v1' },
          messages: [{ role: 'user', text: 'hi' }],
        }),
      );
      expect(events.map((e) => e.type)).toEqual(['retry', 'error']);
      expect(events[1]).toMatchObject({ code: 'model_unavailable' });
      expect(messageOf(events[1])).toMatch(
        /^model \S+: no answer after 2 attempts: Cannot connect to API: .*ECONNREFUSED/,
      );
    });

    it('does not count a slow reader as a silent model', async () => {
      // Chunks 150 ms apart (under the 300 ms idle timeout); the reader dawdles 500 ms on the first.
      const quick = new ModelClient({ keys, idleTimeoutMs: 300 });
      server.script({ text: ['one ', 'two ', 'three ', 'four'], chunkDelayMs: 150 });
      const events: ModelEvent[] = [];
      for await (const event of quick.streamTurn({ model: model(), messages: [{ role: 'user', text: 'hi' }] })) {
        events.push(event);
        if (events.length === 1) await new Promise((resolve) => setTimeout(resolve, 500));
      }
      expect(events.map((e) => e.type)).toEqual([
        'text-delta',
        'text-delta',
        'text-delta',
        'text-delta',
        'usage',
        'finish',
      ]);
      expect(server.requests).toHaveLength(1);
    });

    it('gives up with one line when Retry-After asks for longer than the client waits', async () => {
      server.script({ fault: 'status', status: 429, retryAfter: '3600' }, { text: ['never taken'] });
      const events = await ask();
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ type: 'error', code: 'model_rate_limited' });
      expect(server.remaining).toBe(1);
    });

    it('ends with an error naming the cut, and does not retry, when the stream is cut mid-answer', async () => {
      server.script(
        { fault: 'cut', afterChunks: 3, text: ['one ', 'two ', 'three ', 'four ', 'five'] },
        { text: ['not taken'] },
      );
      const events = await ask();
      expect(events.filter((e) => e.type === 'text-delta').map((e) => e.text)).toEqual(['one ', 'two ', 'three ']);
      const last = events.at(-1)!;
      expect(last).toMatchObject({ type: 'error', code: 'model_stream_cut' });
      expect(messageOf(last)).toMatch(/^the model's stream was cut after 3 streamed chunks: /);
      expect(server.requests).toHaveLength(1);
      expect(server.remaining).toBe(1);
    });

    it('treats a stream that ends without the finish reason as cut, not as an answer', async () => {
      server.script({ fault: 'cut', graceful: true, afterChunks: 2, text: ['one ', 'two ', 'three'] });
      const events = await ask();
      expect(events.map((e) => e.type)).toEqual(['text-delta', 'text-delta', 'error']);
      expect(messageOf(events.at(-1))).toMatch(
        /cut after 2 streamed chunks: the stream ended before the model finished/,
      );
    });

    it('retries a stream that ends before any output', async () => {
      server.script({ fault: 'cut', graceful: true, afterChunks: 0, text: ['lost'] }, { text: ['whole'] });
      const events = await ask();
      expect(events.map((e) => e.type)).toEqual(['retry', 'text-delta', 'usage', 'finish']);
    });

    it('stops mid-stream on abort: the request is closed and the turn finishes as aborted', async () => {
      server.script({ text: Array.from({ length: 30 }, (_, i) => `w${i} `), chunkDelayMs: 40 });
      const controller = new AbortController();
      const events: ModelEvent[] = [];
      for await (const event of client.streamTurn({
        model: model(),
        messages: [{ role: 'user', text: 'a long answer please' }],
        signal: controller.signal,
      })) {
        events.push(event);
        if (events.length === 2) controller.abort();
      }
      expect(events.filter((e) => e.type === 'text-delta').length).toBeLessThan(5);
      expect(events.at(-1)).toEqual({ type: 'finish', reason: 'aborted' });
      await expect.poll(() => server.requests[0]!.closedEarly).toBe(true);
    });

    it('ends with one line and no request when the key is not available', async () => {
      const none = new ModelClient({ keys: keySource({}) });
      const events = await collect(none.streamTurn({ model: model(), messages: [{ role: 'user', text: 'hi' }] }));
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ type: 'error', code: 'model_key_missing' });
      expect(messageOf(events[0])).toMatch(
        vendor === 'ollama'
          ? /no oxy secret is named ollama-key$/
          : /environment variable OXY_TEST_\w+_KEY is not set$/,
      );
      expect(server.requests).toHaveLength(0);
    });

    it('reports a refused key in one line without the key, and does not retry', async () => {
      server.requireKey = `the-right-key-${randomUUID()}`;
      server.script({ text: ['not taken'] });
      const events = await ask();
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ type: 'error', code: 'model_refused' });
      const message = messageOf(events[0]);
      expect(message).toContain('HTTP 401');
      expect(message).not.toContain(key);
      expect(message).not.toContain('\n');
      expect(server.requests).toHaveLength(1);
    });

    it('retries an error the provider sends inside its stream before any output', async () => {
      server.script({ fault: 'stream-error', afterChunks: 0, text: ['lost'] }, { text: ['second try'] });
      const events = await ask();
      expect(events[0]).toMatchObject({ type: 'retry', reason: expect.stringMatching(/overloaded|server_error/) });
      expect(events.filter((e) => e.type === 'text-delta').map((e) => e.text)).toEqual(['second try']);
    });

    it("ends with the provider's in-stream error after output, without a retry", async () => {
      server.script({ fault: 'stream-error', afterChunks: 2, text: ['a', 'b', 'c'] }, { text: ['not taken'] });
      const events = await ask();
      expect(events.map((e) => e.type)).toEqual(['text-delta', 'text-delta', 'error']);
      expect(messageOf(events.at(-1))).toMatch(/cut after 2 streamed chunks: .*(Overloaded|overloaded)/);
      expect(server.remaining).toBe(1);
    });

    it('hands over a tool call whose arguments are not JSON, saying so', async () => {
      server.script({ toolCalls: [{ id: 'call_bad', name: 'execute_sql', arguments: ['{"sql": "SELECT', ' 1'] }] });
      const call = (await ask()).find((e) => e.type === 'tool-call');
      expect(call).toMatchObject({ id: 'call_bad', name: 'execute_sql', invalid: expect.any(String) });
    });

    it('closes the request when the caller stops reading', async () => {
      server.script({ text: Array.from({ length: 30 }, (_, i) => `w${i} `), chunkDelayMs: 40 });
      for await (const event of client.streamTurn({ model: model(), messages: [{ role: 'user', text: 'hi' }] }))
        if (event.type === 'text-delta') break;
      await expect.poll(() => server.requests[0]!.closedEarly).toBe(true);
    });

    it('sends nothing when the signal is already aborted', async () => {
      server.script({ text: ['not taken'] });
      const events = await ask({ signal: AbortSignal.abort() });
      expect(events).toEqual([{ type: 'finish', reason: 'aborted' }]);
      expect(server.requests).toHaveLength(0);
    });

    it('answers the turn the script matches to the question', async () => {
      server.script(
        { when: { lastUserMessage: /revenue/ }, text: ['revenue answer'], repeat: true },
        { when: { lastUserMessage: /stores/ }, text: ['stores answer'], repeat: true },
      );
      const revenue = await ask({ messages: [{ role: 'user', text: 'What was the revenue?' }] });
      const stores = await ask({ messages: [{ role: 'user', text: 'Which stores sold the most?' }] });
      expect(revenue.find((e) => e.type === 'text-delta')).toEqual({ type: 'text-delta', text: 'revenue answer' });
      expect(stores.find((e) => e.type === 'text-delta')).toEqual({ type: 'text-delta', text: 'stores answer' });
    });
  });
}

async function collect(stream: AsyncIterable<ModelEvent>): Promise<ModelEvent[]> {
  const events: ModelEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

function messageOf(event: ModelEvent | undefined): string {
  if (event?.type !== 'error') throw new Error(`expected an error event, got ${JSON.stringify(event)}`);
  return event.message;
}
