import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { ValidationError } from '../../../errors.js';
import { modelErrors } from './model-errors.js';

/** The vendors oxy talks to; `openai_compat` and `ollama` are any server speaking OpenAI Chat Completions. */
export const MODEL_VENDORS = ['openai', 'anthropic', 'openai_compat', 'ollama'] as const;
export type ModelVendor = (typeof MODEL_VENDORS)[number];

/** Where Ollama listens by default (its OpenAI-compatible API). */
export const OLLAMA_DEFAULT_URL = 'http://localhost:11434/v1';

const envName = Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$', maxLength: 200 });

/**
 * One entry of config.yml's `models` (Oxy's fields), plus oxy's `key_secret`: the name of an oxy
 * secret holding the key. The key itself is never part of the config (Oxy's inline `api_key` is
 * accepted for `ollama` only, whose servers ignore it).
 */
export const ModelConfigSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200, description: 'the name agents use (`model: NAME`)' }),
    vendor: Type.Union(
      MODEL_VENDORS.map((v) => Type.Literal(v)),
      { description: MODEL_VENDORS.join(', ') },
    ),
    model_ref: Type.String({ minLength: 1, maxLength: 300, description: "the provider's model id" }),
    api_url: Type.Optional(Type.String({ pattern: '^https?://[^\\s]+$', maxLength: 2000, description: 'base URL' })),
    key_var: Type.Optional(envName),
    key_secret: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    api_key: Type.Optional(Type.String({ maxLength: 200 })),
    headers: Type.Optional(
      Type.Record(Type.String({ pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]+$" }), Type.String({ maxLength: 4000 })),
    ),
  },
  { additionalProperties: false },
);

export type ModelConfig = Static<typeof ModelConfigSchema>;

/**
 * A `models` entry checked: a ValidationError (400) naming the first bad field otherwise, e.g.
 * `models[1].key_var must be set for vendor anthropic (or key_secret)`.
 */
export function validateModelConfig(config: unknown, at = 'model'): ModelConfig {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) throw fieldError(at, 'must be an object');
  const record = config as Record<string, unknown>;
  const known = Object.keys(ModelConfigSchema.properties);
  const extra = Object.keys(record).find((key) => !known.includes(key));
  if (extra) throw fieldError(`${at}.${extra}`, 'is not a field of a model');
  const error = Value.Errors(ModelConfigSchema, config).First();
  if (error) {
    const field = error.path.replace(/^\//, '').split('/')[0] ?? '';
    throw fieldError(field ? `${at}.${field}` : at, describe(field, error.message));
  }
  const model = config as ModelConfig;
  checkKey(model, at);
  if (model.vendor === 'openai_compat' && model.api_url === undefined)
    throw fieldError(
      `${at}.api_url`,
      'must be set for vendor openai_compat (the server, e.g. http://localhost:8000/v1)',
    );
  return model;
}

/** config.yml's `models` list checked, names unique. */
export function validateModels(models: unknown): ModelConfig[] {
  if (!Array.isArray(models)) throw fieldError('models', 'must be a list');
  const checked = models.map((model, i) => validateModelConfig(model, `models[${i}]`));
  checked.forEach((model, i) => {
    if (checked.findIndex((other) => other.name === model.name) !== i)
      throw fieldError(`models[${i}].name`, `${JSON.stringify(model.name)} is used by an earlier model`);
  });
  return checked;
}

/** The model of this name, or a one-line error listing the names there are. */
export function findModel(models: readonly ModelConfig[], name: string): ModelConfig {
  const model = models.find((m) => m.name === name);
  if (!model)
    throw modelErrors.notFound(
      name,
      models.map((m) => m.name),
    );
  return model;
}

function checkKey(model: ModelConfig, at: string): void {
  if (model.api_key !== undefined && model.vendor !== 'ollama')
    throw fieldError(
      `${at}.api_key`,
      'is never stored in the config: name an environment variable (key_var) or an oxy secret (key_secret)',
    );
  if (model.key_var !== undefined && model.key_secret !== undefined)
    throw fieldError(`${at}.key_secret`, 'give key_var or key_secret, not both');
  const needsKey = model.vendor === 'openai' || model.vendor === 'anthropic';
  if (needsKey && model.key_var === undefined && model.key_secret === undefined)
    throw fieldError(
      `${at}.key_var`,
      `must be set for vendor ${model.vendor}: the environment variable holding the API key (or key_secret, an oxy secret)`,
    );
}

function describe(field: string, message: string): string {
  if (field === 'vendor') return `must be one of ${MODEL_VENDORS.join(', ')}`;
  if (field === 'api_url') return 'must be an http(s) URL, e.g. http://localhost:11434/v1';
  if (field === 'key_var') return 'must be an environment variable name';
  if (field === 'headers') return 'must map header names to string values';
  return message.toLowerCase();
}

function fieldError(field: string, message: string): ValidationError {
  return new ValidationError(`${field} ${message}`, [{ field, message }]);
}
