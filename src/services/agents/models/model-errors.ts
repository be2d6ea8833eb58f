import { defineError } from '../../../errors.js';

/**
 * Errors of talking to a model. Messages never carry an API key: the client masks the key out of
 * anything a provider answers before it becomes one of these.
 */
export const modelErrors = {
  keyMissing: defineError(
    'model_key_missing',
    (model: string, what: string) => ({
      message: `model ${model}: the API key is not available: ${what}`,
      hint: 'set the environment variable where oxy runs, or create the oxy secret named by key_secret',
    }),
    { status: 400, exitCode: 1 },
  ),
  notFound: defineError(
    'model_not_found',
    (name: string, known: string[]) => ({
      message: `no model is named ${JSON.stringify(name)}`,
      hint: known.length ? `use one of: ${known.join(', ')}` : 'add it to the models list of config.yml',
    }),
    { status: 400, exitCode: 1 },
  ),
  refused: defineError(
    'model_refused',
    (model: string, status: number, reason: string) => ({
      message: `model ${model}: the provider refused the request (HTTP ${status}): ${reason}`,
      hint:
        status === 401 || status === 403
          ? 'check the API key named by key_var or key_secret'
          : 'check model_ref and api_url in the model config',
    }),
    { status: 502, exitCode: 1 },
  ),
  unavailable: defineError(
    'model_unavailable',
    (model: string, attempts: number, reason: string) => ({
      message: `model ${model}: no answer after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${reason}`,
      hint: 'check that the model server is up (api_url), or try again later',
    }),
    { status: 502, exitCode: 1 },
  ),
  rateLimited: defineError(
    'model_rate_limited',
    (model: string, waitMs: number) => ({
      message: `model ${model}: the provider asks to wait ${Math.ceil(waitMs / 1000)} s before the next request`,
      hint: 'try again later, or use a key with a higher rate limit',
    }),
    { status: 503, exitCode: 1 },
  ),
  streamCut: defineError(
    'model_stream_cut',
    (chunks: number, reason: string) => ({
      message: `the model's stream was cut after ${chunks} streamed chunk${chunks === 1 ? '' : 's'}: ${reason}`,
      hint: 'ask again; what was streamed before the cut is kept',
    }),
    { status: 502, exitCode: 1 },
  ),
  failed: defineError(
    'model_failed',
    (model: string, reason: string) => ({ message: `model ${model}: ${reason}`, hint: 'ask again' }),
    { status: 502, exitCode: 1 },
  ),
};
