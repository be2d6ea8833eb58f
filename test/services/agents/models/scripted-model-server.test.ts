import { generateText, jsonSchema, tool } from 'ai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ModelConfig } from '../../../../src/services/agents/models/model-config.js';
import { languageModel } from '../../../../src/services/agents/models/vendors.js';
import { ScriptedModelServer } from '../../../support/scripted-model-server.js';

// The scripted server must be indistinguishable from the providers for the SDK's own parsers:
// these check its wire shapes directly (bare fetch) and through the SDK's non-streaming path,
// which the model client does not use but later code (titles, judges) may.
let server: ScriptedModelServer;
beforeAll(async () => {
  server = await ScriptedModelServer.start();
});
afterAll(async () => {
  await server?.close();
});
beforeEach(() => server.reset());

async function post(path: string, body: unknown): Promise<Response> {
  return fetch(server.url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

describe('scripted model server, OpenAI Chat Completions', () => {
  it('streams SSE data chunks, a usage chunk only when include_usage asks, and [DONE]', async () => {
    server.script({ text: ['a', 'b'], usage: { input: 5, output: 2 } }, { text: ['c'] });
    const withUsage = await (
      await post('/v1/chat/completions', { model: 'm', stream: true, stream_options: { include_usage: true } })
    ).text();
    const datas = withUsage.split('\n\n').filter(Boolean);
    expect(datas.every((d) => d.startsWith('data: '))).toBe(true);
    expect(datas.at(-1)).toBe('data: [DONE]');
    const chunks = datas.slice(0, -1).map((d) => JSON.parse(d.slice(6)));
    expect(chunks.map((c) => c.choices[0]?.delta?.content).filter(Boolean)).toEqual(['a', 'b']);
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 5, completion_tokens: 2 } });
    const without = await (await post('/v1/chat/completions', { model: 'm', stream: true })).text();
    expect(without).not.toContain('prompt_tokens');
  });

  it('answers a non-streaming request that the SDK parses, tool calls included', async () => {
    server.script({ text: ['Two stores.'], toolCalls: [{ id: 'call_1', name: 'lookup', arguments: { q: 'x' } }] });
    const model: ModelConfig = { name: 'g', vendor: 'openai', model_ref: 'gpt-x', api_url: server.openaiUrl };
    const result = await generateText({
      model: languageModel({ model, apiKey: 'k' }),
      prompt: 'How many stores?',
      tools: { lookup: tool({ inputSchema: jsonSchema({ type: 'object' }) }) },
      maxRetries: 0,
    });
    expect(result.text).toBe('Two stores.');
    expect(result.toolCalls.map((c) => [c.toolCallId, c.input])).toEqual([['call_1', { q: 'x' }]]);
    expect(server.requests[0]!.body.stream).not.toBe(true);
  });
});

describe('scripted model server, Anthropic Messages', () => {
  it('streams the named events from message_start to message_stop', async () => {
    server.script({
      text: ['hi'],
      toolCalls: [{ name: 'lookup', arguments: ['{"q":', '"x"}'] }],
      usage: { input: 9, output: 4 },
    });
    const body = await (await post('/v1/messages', { model: 'c', stream: true, max_tokens: 10 })).text();
    const events = body
      .split('\n\n')
      .filter(Boolean)
      .map((block) => {
        const [eventLine, dataLine] = block.split('\n');
        const data = JSON.parse(dataLine!.slice(6));
        expect(eventLine).toBe(`event: ${data.type}`);
        return data;
      });
    expect(events.map((e) => e.type)).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      'content_block_delta',
      'content_block_stop',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(events[5].content_block).toMatchObject({ type: 'tool_use', name: 'lookup' });
    expect(events.filter((e) => e.delta?.type === 'input_json_delta').map((e) => e.delta.partial_json)).toEqual([
      '{"q":',
      '"x"}',
    ]);
    expect(events[9]).toMatchObject({ delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 4 } });
  });

  it('answers a non-streaming request that the SDK parses', async () => {
    server.script({ text: ['Nine.'], usage: { input: 3, output: 1 } });
    const model: ModelConfig = { name: 'c', vendor: 'anthropic', model_ref: 'claude-x', api_url: server.anthropicUrl };
    const result = await generateText({ model: languageModel({ model, apiKey: 'k' }), prompt: 'Count', maxRetries: 0 });
    expect(result.text).toBe('Nine.');
    expect(result.usage).toMatchObject({ inputTokens: 3, outputTokens: 1 });
  });

  it("answers errors in the provider's error shape", async () => {
    server.script({ fault: 'status', status: 429, retryAfter: '7' });
    const response = await post('/v1/messages', { model: 'c', stream: true });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('7');
    expect(await response.json()).toEqual({
      type: 'error',
      error: { type: 'rate_limit_error', message: 'scripted 429' },
    });
  });
});
