import { APICallError, InvalidResponseDataError } from 'ai';

export interface RetryOptions {
  /** Attempts after the first; default 3. */
  maxRetries: number;
  /** First backoff delay; doubled each attempt (with jitter); default 500 ms. */
  baseDelayMs: number;
  /** A longer wait (e.g. a Retry-After of minutes) ends the turn instead; default 30 s. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { maxRetries: 3, baseDelayMs: 500, maxDelayMs: 30_000 };

/** An attempt that failed, as the retry decision sees it. */
export interface Failure {
  retryable: boolean;
  /** The provider's HTTP status, when it answered one. */
  status: number | undefined;
  /** What the provider asked for (Retry-After / retry-after-ms), in ms. */
  retryAfterMs: number | undefined;
  /** One line for the user (not yet masked). */
  reason: string;
}

/** The client's own "nothing came for this long" abort. */
export class IdleTimeoutError extends Error {
  constructor(readonly ms: number) {
    super(`no data from the model for ${ms} ms`);
  }
}

/** The stream ended (cleanly, as HTTP goes) without the provider's finish reason: cut short. */
export class StreamEndedError extends Error {
  constructor() {
    super('the stream ended before the model finished');
  }
}

/**
 * What went wrong: a provider status (429, 408 and 5xx are worth another attempt, as the AI SDK
 * marks them `isRetryable`; 4xx others are not), an error the provider sent inside its stream
 * (overloaded, server error), our idle timeout, or the network (refused, reset, cut). Anything
 * else (a malformed answer, a bad request we built) is not retried.
 */
export function classify(error: unknown): Failure {
  if (APICallError.isInstance(error))
    return {
      retryable: error.isRetryable,
      status: error.statusCode,
      retryAfterMs: retryAfter(error.responseHeaders),
      reason:
        error.statusCode === undefined
          ? networkReason(error) // could not connect
          : error.statusCode >= 300
            ? `HTTP ${error.statusCode}: ${firstLine(error.message)}`
            : `connection lost: ${networkReason(error.cause ?? error)}`, // after a 200, mid-stream
    };
  if (error instanceof IdleTimeoutError || error instanceof StreamEndedError)
    return { retryable: true, status: undefined, retryAfterMs: undefined, reason: error.message };
  // The OpenAI-compatible provider reports the same ending itself.
  if (InvalidResponseDataError.isInstance(error) && /without a finish reason/i.test(error.message))
    return classify(new StreamEndedError());
  const provider = providerError(error);
  if (provider)
    return {
      retryable: /overloaded|server_error|api_error|rate_limit|timeout/i.test(provider.type),
      status: undefined,
      retryAfterMs: undefined,
      reason: `${provider.type}: ${firstLine(provider.message)}`,
    };
  if (isNetworkError(error))
    return { retryable: true, status: undefined, retryAfterMs: undefined, reason: networkReason(error) };
  return { retryable: false, status: undefined, retryAfterMs: undefined, reason: networkReason(error) };
}

/** The wait before attempt `attempt + 1` (attempt counts from 1): the provider's ask, else exponential backoff. */
export function retryDelay(failure: Failure, attempt: number, options: RetryOptions): number {
  if (failure.retryAfterMs !== undefined) return failure.retryAfterMs;
  const exponential = options.baseDelayMs * 2 ** (attempt - 1);
  return Math.round(exponential * (0.8 + Math.random() * 0.4));
}

/** Retry-After in seconds or as an HTTP date, or OpenAI's retry-after-ms; undefined when absent or unreadable. */
export function retryAfter(headers: Record<string, string> | undefined): number | undefined {
  if (!headers) return undefined;
  const ms = Number.parseFloat(headers['retry-after-ms'] ?? '');
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers['retry-after'];
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (value.trim() !== '' && Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** An error item a provider sent inside its stream (Anthropic `{type, message}`, OpenAI `{message, type, code}`). */
function providerError(error: unknown): { type: string; message: string } | undefined {
  if (error === null || typeof error !== 'object' || error instanceof Error) return undefined;
  const { type, message } = error as { type?: unknown; message?: unknown };
  return typeof type === 'string' && typeof message === 'string' ? { type, message } : undefined;
}

function isNetworkError(error: unknown): boolean {
  const text = `${errorText(error)} ${errorText((error as { cause?: unknown } | undefined)?.cause)}`;
  return /terminated|fetch failed|ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|socket|other side closed/i.test(text);
}

function networkReason(error: unknown): string {
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  const main = firstLine(errorText(error));
  const detail = cause ? firstLine(errorText(cause)) : '';
  const said = cause instanceof Error ? firstLine(cause.message) : detail;
  return detail && !main.includes(said) ? `${main} (${detail})` : main;
}

function errorText(error: unknown): string {
  if (error instanceof Error) return `${error.message}${'code' in error && error.code ? ` ${String(error.code)}` : ''}`;
  return error === undefined ? '' : String(error);
}

function firstLine(text: string): string {
  return (text.split('\n').find((line) => line.trim() !== '') ?? text).trim().slice(0, 300);
}
