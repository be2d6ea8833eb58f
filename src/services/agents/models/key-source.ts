import type { ModelConfig } from './model-config.js';
import { modelErrors } from './model-errors.js';

/**
 * Where API keys come from, asked at call time only: keys are never copied into a config, a
 * message or an error. `env` reads the environment oxy runs in (Oxy's `key_var`); `secret` reveals
 * an oxy secret of the project's workspace (`key_secret`).
 */
export interface KeySource {
  env(name: string): string | undefined;
  secret(name: string): Promise<string | undefined>;
}

/**
 * A KeySource over an environment and, optionally, a secret lookup (e.g. SecretsService by name in
 * the project's workspace). Without one, `key_secret` answers "not available".
 */
export function keySource(
  env: Readonly<Record<string, string | undefined>>,
  secret: (name: string) => Promise<string | undefined> = async () => undefined,
): KeySource {
  return { env: (name) => env[name], secret };
}

/** The model's API key, or undefined when it needs none; a one-line error naming what is missing. */
export async function resolveKey(model: ModelConfig, keys: KeySource): Promise<string | undefined> {
  if (model.key_var !== undefined) {
    const value = keys.env(model.key_var);
    if (value === undefined || value === '')
      throw modelErrors.keyMissing(model.name, `environment variable ${model.key_var} is not set`);
    return value;
  }
  if (model.key_secret !== undefined) {
    const value = await keys.secret(model.key_secret);
    if (value === undefined) throw modelErrors.keyMissing(model.name, `no oxy secret is named ${model.key_secret}`);
    return value;
  }
  return model.api_key;
}
