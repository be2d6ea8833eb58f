import { streamText, type LanguageModel, type TextStreamPart, type ToolSet } from 'ai';
import { OxyError } from '../../../errors.js';
import { resolveKey, type KeySource } from './key-source.js';
import { modelErrors } from './model-errors.js';
import type { FinishReason, ModelEvent, TurnRequest } from './model-turn.js';
import {
  classify,
  DEFAULT_RETRY,
  IdleTimeoutError,
  StreamEndedError,
  retryDelay,
  type Failure,
  type RetryOptions,
} from './retry-policy.js';
import { toSdkMessages, toSdkTools } from './sdk-messages.js';
import { languageModel } from './vendors.js';

export interface ModelClientOptions {
  keys: KeySource;
  retry?: Partial<RetryOptions>;
  /** An attempt that receives nothing for this long is aborted (connect, first token, or between chunks); default 120 s. */
  idleTimeoutMs?: number;
  fetch?: typeof globalThis.fetch;
}

/** How one attempt ended: the turn is over, or it failed before anything reached the caller. */
type Attempt = { over: true } | { over: false; failure: Failure };

/**
 * The one way agents talk to models, whatever the vendor.
 *
 * @example
 * const client = new ModelClient({ keys: keySource(process.env) });
 * for await (const event of client.streamTurn({ model, system, messages, tools, signal })) {
 *   if (event.type === 'text-delta') process.stdout.write(event.text);
 * }
 */
export class ModelClient {
  private readonly retry: RetryOptions;
  private readonly idleTimeoutMs: number;

  constructor(private readonly options: ModelClientOptions) {
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.idleTimeoutMs = options.idleTimeoutMs ?? 120_000;
  }

  /**
   * Streams one model turn. Never throws: every failure is an `error` event, and the stream ends
   * after `finish` or `error`. Breaking out of the loop aborts the request.
   */
  async *streamTurn(request: TurnRequest): AsyncGenerator<ModelEvent, void, undefined> {
    let apiKey: string | undefined;
    try {
      apiKey = await resolveKey(request.model, this.options.keys);
    } catch (error) {
      yield errorEvent(error, undefined);
      return;
    }
    const model = languageModel({ model: request.model, apiKey, fetch: this.options.fetch });
    for (let attempt = 1; ; attempt++) {
      const outcome = yield* this.attempt(model, request, apiKey);
      if (outcome.over) return;
      // Retrying is safe only because nothing of this attempt reached the caller: a retry after
      // streamed text or a tool call would repeat or contradict what the user already saw (and
      // a tool may already be running), so past the first output a failure ends the turn instead.
      const { failure } = outcome;
      const delayMs = retryDelay(failure, attempt, this.retry);
      const error = giveUp(request.model.name, failure, attempt, delayMs, this.retry);
      if (error) {
        yield errorEvent(error, apiKey);
        return;
      }
      yield { type: 'retry', attempt, delayMs, reason: mask(failure.reason, apiKey) };
      if (!(await sleep(delayMs, request.signal))) {
        yield { type: 'finish', reason: 'aborted' };
        return;
      }
    }
  }

  private async *attempt(
    model: LanguageModel,
    request: TurnRequest,
    apiKey: string | undefined,
  ): AsyncGenerator<ModelEvent, Attempt, undefined> {
    const watch = new AttemptWatch(request.signal, this.idleTimeoutMs);
    let emitted = 0;
    let failure: unknown;
    try {
      const result = streamText({
        model,
        system: request.system,
        messages: toSdkMessages(request.messages),
        tools: request.tools?.length ? toSdkTools(request.tools) : undefined,
        maxRetries: 0, // retries are ours: only before any output (see streamTurn)
        abortSignal: watch.signal,
        onError: () => undefined, // reported as our `error` event, not logged by the SDK
      });
      for await (const part of result.fullStream) {
        // Data came: the clock stops while the caller takes the events (its pace is not the
        // model's silence) and starts again when we wait for the model.
        watch.pause();
        if (part.type === 'error') {
          failure = part.error;
          break;
        }
        if (part.type === 'abort') break;
        if (part.type === 'finish' && part.rawFinishReason === undefined) {
          // The SDK closes a stream that just stopped with finish "other"; the provider never said why.
          failure = new StreamEndedError();
          break;
        }
        for (const event of toEvents(part)) {
          if (event.type === 'text-delta' || event.type === 'reasoning-delta' || event.type === 'tool-call') emitted++;
          yield event;
        }
        if (part.type === 'finish') return { over: true };
        watch.touch();
      }
    } catch (error) {
      failure = error;
    } finally {
      watch.close();
    }
    if (request.signal?.aborted) {
      yield { type: 'finish', reason: 'aborted' };
      return { over: true };
    }
    const classified = classify(watch.timedOut ?? failure ?? new Error('the stream ended without a finish'));
    if (emitted > 0) {
      yield errorEvent(modelErrors.streamCut(emitted, classified.reason), apiKey);
      return { over: true };
    }
    return { over: false, failure: classified };
  }
}

/** The error ending the turn instead of another attempt, or undefined to retry. */
function giveUp(
  model: string,
  failure: Failure,
  attempt: number,
  delayMs: number,
  retry: RetryOptions,
): OxyError | undefined {
  if (!failure.retryable) {
    return failure.status !== undefined
      ? modelErrors.refused(model, failure.status, failure.reason.replace(/^HTTP \d+: /, ''))
      : modelErrors.failed(model, failure.reason);
  }
  if (failure.retryAfterMs !== undefined && delayMs > retry.maxDelayMs) return modelErrors.rateLimited(model, delayMs);
  if (attempt > retry.maxRetries) return modelErrors.unavailable(model, attempt, failure.reason);
  return undefined;
}

/**
 * One attempt's abort signal: the caller's signal, or no data for `idleMs` (connect, headers,
 * first token, or between chunks). `touch` restarts the idle clock.
 */
class AttemptWatch {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  timedOut: IdleTimeoutError | undefined;
  private readonly onAbort = () => this.controller.abort(this.caller?.reason);

  constructor(
    private readonly caller: AbortSignal | undefined,
    private readonly idleMs: number,
  ) {
    if (caller?.aborted) this.controller.abort(caller.reason);
    caller?.addEventListener('abort', this.onAbort, { once: true });
    this.touch();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  pause(): void {
    clearTimeout(this.timer);
  }

  touch(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timedOut = new IdleTimeoutError(this.idleMs);
      this.controller.abort(this.timedOut);
    }, this.idleMs);
  }

  /** Stops the clock and aborts whatever is still open (a consumer that stopped reading). */
  close(): void {
    clearTimeout(this.timer);
    this.caller?.removeEventListener('abort', this.onAbort);
    this.controller.abort();
  }
}

/** The events one SDK stream part gives (most parts, e.g. `text-start`, give none). */
function toEvents(part: TextStreamPart<ToolSet>): ModelEvent[] {
  if (part.type === 'text-delta') return part.text ? [{ type: 'text-delta', text: part.text }] : [];
  if (part.type === 'reasoning-delta') return part.text ? [{ type: 'reasoning-delta', text: part.text }] : [];
  if (part.type === 'tool-call') return [toolCallEvent(part)];
  if (part.type === 'finish')
    return [
      {
        type: 'usage',
        inputTokens: part.totalUsage.inputTokens ?? null,
        outputTokens: part.totalUsage.outputTokens ?? null,
      },
      { type: 'finish', reason: finishReason(part.finishReason) },
    ];
  return [];
}

function toolCallEvent(part: {
  toolCallId: string;
  toolName: string;
  input: unknown;
  invalid?: boolean;
  error?: unknown;
}): ModelEvent {
  const event: ModelEvent = { type: 'tool-call', id: part.toolCallId, name: part.toolName, input: part.input as never };
  if (part.invalid)
    event.invalid = part.error instanceof Error ? part.error.message.split('\n')[0] : 'invalid arguments';
  return event;
}

function finishReason(reason: string): FinishReason {
  return (['stop', 'length', 'tool-calls', 'content-filter'] as const).find((r) => r === reason) ?? 'other';
}

function errorEvent(error: unknown, apiKey: string | undefined): ModelEvent {
  if (error instanceof OxyError)
    return {
      type: 'error',
      code: error.code,
      message: mask(error.message, apiKey),
      ...(error.hint ? { hint: error.hint } : {}),
    };
  return { type: 'error', code: 'model_failed', message: mask(String(error), apiKey) };
}

/** The text with the key (if any) replaced by ***: providers echo keys in their 401 messages. */
function mask(text: string, apiKey: string | undefined): string {
  return apiKey && apiKey.length >= 4 ? text.split(apiKey).join('***') : text;
}

/** Waits, or answers false at once when the signal aborts. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (value: boolean) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(value);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
