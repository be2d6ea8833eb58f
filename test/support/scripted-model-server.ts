import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';

/**
 * A model server for tests that speaks the providers' real wire protocols, so the code under test
 * cannot tell it from the real thing: OpenAI Chat Completions (`POST /v1/chat/completions`, SSE
 * `data:` chunks ending in `data: [DONE]`, or one JSON answer) and Anthropic Messages
 * (`POST /v1/messages`, named SSE events from `message_start` to `message_stop`, or one JSON answer).
 *
 * It is fed a script of turns; each request takes the first turn whose `when` accepts it (a turn
 * without `when` accepts any request). A reply streams text chunks and tool calls (arguments split
 * over chunks) with usage; a fault answers 429/500, cuts the stream after N chunks, or hangs.
 * Every request is recorded (headers and body) so a test can assert what was sent.
 *
 * @example
 * const server = await ScriptedModelServer.start();
 * server.script({ text: ['Hello', ' world'], usage: { input: 12, output: 2 } });
 * // point a model at server.openaiUrl (…/v1) or server.anthropicUrl (…/v1)
 * await server.close();
 */
export class ScriptedModelServer {
  /** Every request received, in order. */
  readonly requests: RecordedRequest[] = [];
  /** When set, a request without this key (Bearer / x-api-key) gets the provider's 401, echoing what it sent. */
  requireKey: string | undefined;
  private readonly turns: ScriptTurn[] = [];

  private constructor(
    private readonly app: FastifyInstance,
    readonly url: string,
  ) {}

  static async start(): Promise<ScriptedModelServer> {
    const app = Fastify({ logger: false, bodyLimit: 20 * 1024 * 1024, forceCloseConnections: true });
    const server: ScriptedModelServer = new ScriptedModelServer(app, '');
    app.post('/v1/chat/completions', (request, reply) => server.answer('openai', request, reply));
    app.post('/v1/messages', (request, reply) => server.answer('anthropic', request, reply));
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };
    Object.assign(server, { url: `http://127.0.0.1:${port}` });
    return server;
  }

  /** The base URL an OpenAI-compatible client is given (`api_url`). */
  get openaiUrl(): string {
    return `${this.url}/v1`;
  }

  /** The base URL an Anthropic client is given (`api_url`). */
  get anthropicUrl(): string {
    return `${this.url}/v1`;
  }

  /** Appends turns to the script. */
  script(...turns: ScriptTurn[]): this {
    this.turns.push(...turns);
    return this;
  }

  /** Turns not taken yet. */
  get remaining(): number {
    return this.turns.length;
  }

  /** Forgets the script and the recorded requests. */
  reset(): void {
    this.requireKey = undefined;
    this.turns.length = 0;
    this.requests.length = 0;
  }

  async close(): Promise<void> {
    await this.app.close();
  }

  private async answer(protocol: Protocol, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const body = (request.body ?? {}) as RequestBody;
    const recorded: RecordedRequest = {
      protocol,
      path: request.url,
      headers: { ...request.headers } as Record<string, string>,
      body,
      rawBody: JSON.stringify(body),
      lastUserMessage: lastUserMessage(protocol, body),
      closedEarly: false,
      receivedAt: performance.now(),
    };
    this.requests.push(recorded);
    reply.hijack();
    const res = reply.raw;
    res.on('close', () => {
      if (!res.writableFinished) recorded.closedEarly = true;
    });
    if (this.requireKey !== undefined && presentedKey(protocol, recorded.headers) !== this.requireKey)
      return sendError(
        res,
        protocol,
        401,
        'invalid_api_key',
        `Incorrect API key provided: ${presentedKey(protocol, recorded.headers) ?? ''}`,
      );
    const turn = this.take(recorded);
    if (!turn)
      return sendError(
        res,
        protocol,
        500,
        'script_exhausted',
        'scripted model server: no turn of the script matches this request',
      );
    if ('fault' in turn && (turn.fault === 'status' || turn.fault === 'hang')) return fault(res, protocol, turn);
    const shaped = shape(turn, body, protocol);
    if (body.stream !== true) {
      await sleep(turn.delayMs ?? 0);
      return sendJson(res, 200, protocol === 'openai' ? openaiCompletion(shaped) : anthropicMessage(shaped));
    }
    const events = protocol === 'openai' ? openaiChunks(shaped) : anthropicEvents(shaped);
    await stream(res, events, turn, protocol);
  }

  private take(request: RecordedRequest): ScriptTurn | undefined {
    const index = this.turns.findIndex((turn) => accepts(turn.when, request));
    if (index < 0) return undefined;
    const turn = this.turns[index]!;
    if (!turn.repeat) this.turns.splice(index, 1);
    return turn;
  }
}

export type Protocol = 'openai' | 'anthropic';

export interface RecordedRequest {
  protocol: Protocol;
  path: string;
  headers: Record<string, string>;
  body: RequestBody;
  /** The body as received, for "is this string anywhere in what was sent" checks. */
  rawBody: string;
  /** The text of the last user message (OpenAI: a `user` message; Anthropic: a `user` text block). */
  lastUserMessage: string | undefined;
  /** True when the client went away before the answer was complete (an abort, a timeout). */
  closedEarly: boolean;
  /** performance.now() when the request arrived. */
  receivedAt: number;
}

export interface RequestBody {
  model?: string;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  messages?: Array<{ role: string; content: unknown; tool_calls?: unknown; tool_call_id?: string }>;
  system?: unknown;
  tools?: unknown[];
  [key: string]: unknown;
}

/** Which requests a turn answers. */
export interface TurnMatch {
  /** The last user message equals this string or matches this pattern. */
  lastUserMessage?: string | RegExp;
  protocol?: Protocol;
  /** Any other test on the request. */
  test?: (request: RecordedRequest) => boolean;
}

interface TurnBase {
  when?: TurnMatch;
  /** Stay in the script after answering (for evaluation-style tests with many questions). */
  repeat?: boolean;
}

export interface ScriptedToolCall {
  /** Default: a generated call_…/toolu_… id. */
  id?: string;
  name: string;
  /** The arguments' JSON text split into the chunks sent, or a value sent as two chunks. */
  arguments: string[] | Record<string, unknown>;
}

/** A reply: reasoning chunks, text chunks, then tool calls, then usage and the finish reason. */
export interface ReplyTurn extends TurnBase {
  /** Sent as `delta.reasoning_content` (OpenAI-compatible reasoning servers) or an Anthropic thinking block. */
  reasoning?: string[];
  text?: string[];
  toolCalls?: ScriptedToolCall[];
  usage?: { input: number; output: number };
  /** Default: `tool_calls`/`tool_use` when there are tool calls, else `stop`/`end_turn`. */
  finishReason?: string;
  /** Wait before the first chunk (after the response headers). */
  delayMs?: number;
  /** Wait between chunks. */
  chunkDelayMs?: number;
}

export type FaultTurn = TurnBase &
  (
    | { fault: 'status'; status: number; retryAfter?: string; message?: string }
    | { fault: 'hang' }
    /**
     * Streams the reply but closes the connection after `afterChunks` content chunks; `graceful`
     * ends the HTTP response properly instead (a proxy closing a stream it considers done).
     */
    | ({ fault: 'cut'; afterChunks: number; graceful?: boolean } & Omit<ReplyTurn, keyof TurnBase>)
    /** Streams the reply but sends the provider's in-stream error event (overloaded) after `afterChunks` chunks. */
    | ({ fault: 'stream-error'; afterChunks: number } & Omit<ReplyTurn, keyof TurnBase>)
  );

export type ScriptTurn = ReplyTurn | FaultTurn;

function accepts(match: TurnMatch | undefined, request: RecordedRequest): boolean {
  if (!match) return true;
  if (match.protocol !== undefined && match.protocol !== request.protocol) return false;
  const last = request.lastUserMessage ?? '';
  if (typeof match.lastUserMessage === 'string' && match.lastUserMessage !== last) return false;
  if (match.lastUserMessage instanceof RegExp && !match.lastUserMessage.test(last)) return false;
  return match.test ? match.test(request) : true;
}

function lastUserMessage(protocol: Protocol, body: RequestBody): string | undefined {
  const users = (body.messages ?? []).filter((m) => m.role === 'user');
  for (const message of users.reverse()) {
    const text = textOf(message.content, protocol);
    if (text !== undefined) return text;
  }
  return undefined;
}

function textOf(content: unknown, protocol: Protocol): string | undefined {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return undefined;
  // Anthropic sends tool results as `user` messages; those are not what the user said.
  const texts = content.filter((part: { type?: string }) => part.type === 'text') as Array<{ text: string }>;
  if (protocol === 'anthropic' && texts.length === 0) return undefined;
  return texts.map((part) => part.text).join('');
}

function presentedKey(protocol: Protocol, headers: Record<string, string>): string | undefined {
  if (protocol === 'anthropic') return headers['x-api-key'];
  return headers.authorization?.replace(/^Bearer /, '');
}

/** A reply reduced to what both protocols render. */
interface Shaped {
  id: string;
  model: string;
  reasoning: string[];
  text: string[];
  toolCalls: Array<{ id: string; name: string; chunks: string[] }>;
  usage: { input: number; output: number };
  finishReason: string;
  includeUsage: boolean;
}

function shape(turn: Omit<ReplyTurn, keyof TurnBase>, body: RequestBody, protocol: Protocol): Shaped {
  const toolCalls = (turn.toolCalls ?? []).map((call, i) => ({
    id: call.id ?? `${protocol === 'openai' ? 'call' : 'toolu'}_${randomUUID().replace(/-/g, '').slice(0, 20)}${i}`,
    name: call.name,
    chunks: Array.isArray(call.arguments) ? call.arguments : halves(JSON.stringify(call.arguments)),
  }));
  const defaultFinish = toolCalls.length
    ? protocol === 'openai'
      ? 'tool_calls'
      : 'tool_use'
    : protocol === 'openai'
      ? 'stop'
      : 'end_turn';
  return {
    id: protocol === 'openai' ? `chatcmpl-${randomUUID()}` : `msg_${randomUUID().replace(/-/g, '')}`,
    model: body.model ?? 'scripted',
    reasoning: turn.reasoning ?? [],
    text: turn.text ?? [],
    toolCalls,
    usage: turn.usage ?? { input: 0, output: 0 },
    finishReason: turn.finishReason ?? defaultFinish,
    includeUsage: body.stream_options?.include_usage === true,
  };
}

function halves(json: string): string[] {
  const middle = Math.ceil(json.length / 2);
  return [json.slice(0, middle), json.slice(middle)];
}

/** One SSE item: `event` (Anthropic names its events) and the JSON `data`; `content` marks a content chunk. */
interface SseItem {
  event?: string;
  data: unknown;
  content: boolean;
}

function openaiChunks(reply: Shaped): SseItem[] {
  const created = Math.floor(Date.now() / 1000);
  const chunk = (choice: Record<string, unknown>, content: boolean, usage: unknown = null): SseItem => ({
    content,
    data: {
      id: reply.id,
      object: 'chat.completion.chunk',
      created,
      model: reply.model,
      system_fingerprint: 'fp_scripted',
      choices: [{ index: 0, logprobs: null, finish_reason: null, ...choice }],
      ...(reply.includeUsage ? { usage } : {}),
    },
  });
  const items: SseItem[] = [chunk({ delta: { role: 'assistant', content: '', refusal: null } }, false)];
  for (const text of reply.reasoning) items.push(chunk({ delta: { reasoning_content: text } }, true));
  for (const text of reply.text) items.push(chunk({ delta: { content: text } }, true));
  reply.toolCalls.forEach((call, index) => {
    items.push(
      chunk(
        {
          delta: {
            tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }],
          },
        },
        true,
      ),
    );
    for (const part of call.chunks)
      items.push(chunk({ delta: { tool_calls: [{ index, function: { arguments: part } }] } }, true));
  });
  items.push(chunk({ delta: {}, finish_reason: reply.finishReason }, false));
  if (reply.includeUsage)
    items.push({
      content: false,
      data: {
        id: reply.id,
        object: 'chat.completion.chunk',
        created,
        model: reply.model,
        system_fingerprint: 'fp_scripted',
        choices: [],
        usage: openaiUsage(reply),
      },
    });
  items.push({ content: false, data: '[DONE]' });
  return items;
}

function openaiUsage(reply: Shaped) {
  return {
    prompt_tokens: reply.usage.input,
    completion_tokens: reply.usage.output,
    total_tokens: reply.usage.input + reply.usage.output,
  };
}

function openaiCompletion(reply: Shaped) {
  const toolCalls = reply.toolCalls.map((call) => ({
    id: call.id,
    type: 'function',
    function: { name: call.name, arguments: call.chunks.join('') },
  }));
  return {
    id: reply.id,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: reply.model,
    system_fingerprint: 'fp_scripted',
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: reply.text.length ? reply.text.join('') : null,
          refusal: null,
          ...(toolCalls.length ? { tool_calls: toolCalls } : {}),
        },
        logprobs: null,
        finish_reason: reply.finishReason,
      },
    ],
    usage: openaiUsage(reply),
  };
}

function anthropicEvents(reply: Shaped): SseItem[] {
  const event = (type: string, data: Record<string, unknown>, content = false): SseItem => ({
    event: type,
    data: { type, ...data },
    content,
  });
  const items: SseItem[] = [
    event('message_start', {
      message: {
        id: reply.id,
        type: 'message',
        role: 'assistant',
        model: reply.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: reply.usage.input, output_tokens: 1 },
      },
    }),
  ];
  let index = 0;
  if (reply.reasoning.length) {
    items.push(event('content_block_start', { index, content_block: { type: 'thinking', thinking: '' } }));
    for (const thinking of reply.reasoning)
      items.push(event('content_block_delta', { index, delta: { type: 'thinking_delta', thinking } }, true));
    items.push(event('content_block_delta', { index, delta: { type: 'signature_delta', signature: 'c2NyaXB0ZWQ=' } }));
    items.push(event('content_block_stop', { index }));
    index++;
  }
  if (reply.text.length) {
    items.push(event('content_block_start', { index, content_block: { type: 'text', text: '' } }));
    items.push(event('ping', {}));
    for (const text of reply.text)
      items.push(event('content_block_delta', { index, delta: { type: 'text_delta', text } }, true));
    items.push(event('content_block_stop', { index }));
    index++;
  }
  for (const call of reply.toolCalls) {
    items.push(
      event(
        'content_block_start',
        { index, content_block: { type: 'tool_use', id: call.id, name: call.name, input: {} } },
        true,
      ),
    );
    for (const part of call.chunks)
      items.push(
        event('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: part } }, true),
      );
    items.push(event('content_block_stop', { index }));
    index++;
  }
  items.push(
    event('message_delta', {
      delta: { stop_reason: reply.finishReason, stop_sequence: null },
      usage: { output_tokens: reply.usage.output },
    }),
  );
  items.push(event('message_stop', {}));
  return items;
}

function anthropicMessage(reply: Shaped) {
  return {
    id: reply.id,
    type: 'message',
    role: 'assistant',
    model: reply.model,
    content: [
      ...(reply.text.length ? [{ type: 'text', text: reply.text.join('') }] : []),
      ...reply.toolCalls.map((call) => ({
        type: 'tool_use',
        id: call.id,
        name: call.name,
        input: JSON.parse(call.chunks.join('')) as unknown,
      })),
    ],
    stop_reason: reply.finishReason,
    stop_sequence: null,
    usage: { input_tokens: reply.usage.input, output_tokens: reply.usage.output },
  };
}

async function stream(res: ServerResponse, items: SseItem[], turn: ScriptTurn, protocol: Protocol): Promise<void> {
  const reply = turn as ReplyTurn;
  const cutAfter =
    'fault' in turn && (turn.fault === 'cut' || turn.fault === 'stream-error') ? turn.afterChunks : undefined;
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  res.flushHeaders();
  await sleep(reply.delayMs ?? 0);
  let sent = 0;
  for (const item of items) {
    if (res.destroyed) return;
    if (item.content && cutAfter !== undefined && sent >= cutAfter) {
      if ('fault' in turn && turn.fault === 'stream-error') {
        res.end(streamError(protocol));
        return;
      }
      if ('fault' in turn && turn.fault === 'cut' && turn.graceful) {
        res.end();
        return;
      }
      // FIN after what was written (a reset could make the client drop bytes it had not read yet);
      // the chunked body never gets its last chunk, so the client sees a connection lost mid-answer.
      res.socket?.end();
      return;
    }
    const data = typeof item.data === 'string' ? item.data : JSON.stringify(item.data);
    res.write(`${item.event ? `event: ${item.event}\n` : ''}data: ${data}\n\n`);
    if (item.content) {
      sent++;
      await sleep(reply.chunkDelayMs ?? 0);
    }
  }
  res.end();
}

/** The error item a provider sends inside a stream that had started (Anthropic's `error` event, OpenAI's `error` chunk). */
function streamError(protocol: Protocol): string {
  return protocol === 'anthropic'
    ? `event: error\ndata: ${JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } })}\n\n`
    : `data: ${JSON.stringify({ error: { message: 'The server is overloaded', type: 'server_error', param: null, code: null } })}\n\n`;
}

function fault(res: ServerResponse, protocol: Protocol, turn: FaultTurn): void {
  if (turn.fault === 'hang') {
    // Headers never come; the client's timeout or abort ends it (the socket is closed by close()).
    return;
  }
  if (turn.fault === 'status') {
    const headers: Record<string, string> = turn.retryAfter === undefined ? {} : { 'retry-after': turn.retryAfter };
    const type = turn.status === 429 ? 'rate_limit_exceeded' : 'server_error';
    return sendError(res, protocol, turn.status, type, turn.message ?? `scripted ${turn.status}`, headers);
  }
}

/** The providers' error bodies: OpenAI `{error:{message,type,code}}`, Anthropic `{type:'error',error:{type,message}}`. */
function sendError(
  res: ServerResponse,
  protocol: Protocol,
  status: number,
  type: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  const body =
    protocol === 'openai'
      ? { error: { message, type, param: null, code: type } }
      : { type: 'error', error: { type: anthropicErrorType(status), message } };
  sendJson(res, status, body, headers);
}

function anthropicErrorType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 429) return 'rate_limit_error';
  if (status === 529) return 'overloaded_error';
  return status >= 500 ? 'api_error' : 'invalid_request_error';
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
