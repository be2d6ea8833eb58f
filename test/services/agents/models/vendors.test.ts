import { afterEach, describe, expect, it } from 'vitest';
import { keySource } from '../../../../src/services/agents/models/key-source.js';
import { ModelClient } from '../../../../src/services/agents/models/model-client.js';
import type { ModelConfig } from '../../../../src/services/agents/models/model-config.js';

/**
 * Where a model's requests go is the config's word alone: the SDK's own environment variables
 * (OPENAI_BASE_URL, ANTHROPIC_BASE_URL) must not redirect a key. The fetch below only records the
 * URL it is asked for and answers 400, so nothing leaves the machine.
 */
const CASES = [
  { vendor: 'openai', variable: 'OPENAI_BASE_URL', expected: 'https://api.openai.com/v1/chat/completions' },
  { vendor: 'anthropic', variable: 'ANTHROPIC_BASE_URL', expected: 'https://api.anthropic.com/v1/messages' },
] as const;

const saved = { ...process.env };
afterEach(() => {
  for (const { variable } of CASES) {
    if (saved[variable] === undefined) delete process.env[variable];
    else process.env[variable] = saved[variable];
  }
});

describe('model vendors', () => {
  for (const { vendor, variable, expected } of CASES)
    it(`sends ${vendor} requests to its default URL whatever ${variable} says`, async () => {
      process.env[variable] = 'http://127.0.0.1:9/v1';
      const urls: string[] = [];
      const recordingFetch: typeof fetch = async (input) => {
        urls.push(String(input instanceof Request ? input.url : input));
        return new Response(JSON.stringify({ error: { message: 'recorded' } }), { status: 400 });
      };
      const model: ModelConfig = { name: 'm', vendor, model_ref: 'x', key_var: 'K' };
      const client = new ModelClient({ keys: keySource({ K: 'k' }), fetch: recordingFetch });
      for await (const _ of client.streamTurn({ model, messages: [{ role: 'user', text: 'hi' }] }));
      expect(urls).toEqual([expected]);
    });
});
