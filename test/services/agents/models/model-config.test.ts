import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { OxyError, ValidationError } from '../../../../src/errors.js';
import { keySource, resolveKey } from '../../../../src/services/agents/models/key-source.js';
import {
  findModel,
  validateModelConfig,
  validateModels,
  type ModelConfig,
} from '../../../../src/services/agents/models/model-config.js';

const openai = { name: 'gpt', vendor: 'openai', model_ref: 'gpt-4o-mini', key_var: 'OPENAI_API_KEY' };

function messageOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error('expected a validation error');
}

describe('model config', () => {
  it("accepts Oxy's fields for each vendor, with oxy's key_secret", () => {
    const models = validateModels([
      openai,
      { name: 'claude', vendor: 'anthropic', model_ref: 'claude-sonnet-4-5', key_secret: 'anthropic-key' },
      {
        name: 'local',
        vendor: 'ollama',
        model_ref: 'llama3.2',
        api_url: 'http://localhost:11434/v1',
        api_key: 'ollama',
      },
      {
        name: 'vllm',
        vendor: 'openai_compat',
        model_ref: 'qwen',
        api_url: 'http://gpu:8000/v1',
        headers: { 'X-Team': 'a' },
      },
    ]);
    expect(models.map((m) => m.name)).toEqual(['gpt', 'claude', 'local', 'vllm']);
  });

  it('names the field and the vendors allowed for an unknown vendor', () => {
    expect(messageOf(() => validateModels([openai, { ...openai, name: 'g', vendor: 'gemini' }]))).toBe(
      'models[1].vendor must be one of openai, anthropic, openai_compat, ollama',
    );
  });

  it('refuses a key written into the config, naming the two ways to give one', () => {
    const message = messageOf(() => validateModelConfig({ ...openai, api_key: 'sk-live-abc' }));
    expect(message).toMatch(/^model\.api_key is never stored in the config: name .*key_var.*key_secret/);
    expect(message).not.toContain('sk-live-abc');
  });

  it('asks for key_var (or key_secret) for the vendors that need a key', () => {
    const { key_var: _drop, ...withoutKey } = openai;
    expect(messageOf(() => validateModelConfig({ ...withoutKey, vendor: 'anthropic' }))).toMatch(
      /^model\.key_var must be set for vendor anthropic/,
    );
  });

  it('refuses key_var and key_secret together', () => {
    expect(messageOf(() => validateModelConfig({ ...openai, key_secret: 's' }))).toBe(
      'model.key_secret give key_var or key_secret, not both',
    );
  });

  it('needs api_url for openai_compat and an http(s) URL wherever given', () => {
    expect(messageOf(() => validateModelConfig({ name: 'x', vendor: 'openai_compat', model_ref: 'm' }))).toMatch(
      /^model\.api_url must be set for vendor openai_compat/,
    );
    expect(messageOf(() => validateModelConfig({ ...openai, api_url: 'localhost:11434' }))).toMatch(
      /^model\.api_url must be an http\(s\) URL/,
    );
  });

  it('names an unknown field and a missing one', () => {
    expect(messageOf(() => validateModelConfig({ ...openai, azure_deployment_id: 'd' }))).toBe(
      'model.azure_deployment_id is not a field of a model',
    );
    const { model_ref: _drop, ...withoutRef } = openai;
    expect(messageOf(() => validateModelConfig(withoutRef))).toMatch(/^model\.model_ref /);
  });

  it('refuses two models of one name', () => {
    expect(messageOf(() => validateModels([openai, { ...openai }]))).toBe(
      'models[1].name "gpt" is used by an earlier model',
    );
  });

  it('finds a model by name, or lists the names there are', () => {
    const models = validateModels([openai, { ...openai, name: 'gpt-big' }]);
    expect(findModel(models, 'gpt-big').name).toBe('gpt-big');
    const error = (() => {
      try {
        findModel(models, 'claude');
      } catch (e) {
        return e as OxyError;
      }
    })();
    expect(error).toMatchObject({ code: 'model_not_found', hint: 'use one of: gpt, gpt-big' });
  });
});

describe('model keys', () => {
  const model = (fields: Partial<ModelConfig>): ModelConfig => ({ ...(openai as ModelConfig), ...fields });

  it('reads key_var from the environment at call time', async () => {
    const key = `sk-${randomUUID()}`;
    const env: Record<string, string> = {};
    const keys = keySource(env);
    await expect(resolveKey(model({}), keys)).rejects.toMatchObject({ code: 'model_key_missing' });
    env.OPENAI_API_KEY = key;
    await expect(resolveKey(model({}), keys)).resolves.toBe(key);
  });

  it('reveals key_secret through the secret lookup', async () => {
    const key = `sk-${randomUUID()}`;
    const keys = keySource({}, async (name) => (name === 'team-key' ? key : undefined));
    await expect(resolveKey(model({ key_var: undefined, key_secret: 'team-key' }), keys)).resolves.toBe(key);
    await expect(resolveKey(model({ key_var: undefined, key_secret: 'other' }), keys)).rejects.toThrow(
      'model gpt: the API key is not available: no oxy secret is named other',
    );
  });

  it('needs no key for a local server without one', async () => {
    const local = validateModelConfig({ name: 'l', vendor: 'ollama', model_ref: 'llama3.2' });
    await expect(resolveKey(local, keySource({}))).resolves.toBeUndefined();
  });
});
