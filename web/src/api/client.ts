import createClient from 'openapi-fetch';
import type { paths } from './openapi';

export type { paths, components } from './openapi';

/** One typed client for the whole API: paths, bodies and answers come from the server's OpenAPI document. */
export const api = createClient<paths>({ baseUrl: '', credentials: 'same-origin' });

/** What the server says went wrong (its `{"error":{"code","message","details"}}` envelope). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

type Envelope = { error?: { code?: string; message?: string; details?: unknown } | string; message?: string };

/** The ApiError for a failed response's body (any shape: the envelope, or text from a proxy). */
export function apiError(status: number, body: unknown): ApiError {
  const envelope = (typeof body === 'object' && body !== null ? body : {}) as Envelope;
  const inner = typeof envelope.error === 'object' ? envelope.error : undefined;
  const message =
    inner?.message ?? envelope.message ?? (typeof body === 'string' && body ? body : `the server answered ${status}`);
  return new ApiError(status, inner?.code ?? 'http_' + status, message, inner?.details);
}

/**
 * The data of an openapi-fetch answer, or throws its ApiError; for TanStack Query's queryFn and mutationFn.
 *
 * @example
 * const projects = await ok(api.GET('/api/projects', { params: { query: { limit: 100 } } }));
 */
export async function ok<T>(answer: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await answer;
  if (!response.ok) throw apiError(response.status, error);
  return data as T;
}
