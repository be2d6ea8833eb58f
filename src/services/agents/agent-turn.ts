import type { AppServices } from '../app-services.js';
import type { ChartSpec } from '../charts/chart-spec.js';
import type { QueryResult } from '../connectors/connector.js';
import type { DatabaseKind } from '../connectors/database-config.js';
import type { AgentDefinition } from './agent-definition.js';
import type { AgentEnvironment } from './agent-environment.js';
import { runTool, type ToolOutcome } from './agent-tools.js';
import { prepareAppAgentIn } from './app-agent.js';
import { prepareFolderAgentIn } from './folder-agent.js';
import type { ModelClient, ModelClientOptions } from './models/model-client.js';
import type { ModelConfig } from './models/model-config.js';
import type { ModelEvent, ToolCall, ToolDefinition, TurnMessage } from './models/model-turn.js';

/** What a turn emits, in order, as it happens; it ends with one `done` or one `error`. */
export type AgentEvent =
  | { type: 'text-delta'; text: string }
  /** A tool the model called, e.g. execute_sql {sql}. */
  | { type: 'tool-call'; id: string; name: string; input: Record<string, unknown> }
  | {
      type: 'tool-result';
      id: string;
      name: string;
      ok: boolean;
      /** SQL tools: the first 20 rows of the result. */
      result?: { columns: QueryResult['columns']; rows: QueryResult['rows']; rowCount: number; truncated: boolean };
      error?: string;
    }
  | { type: 'chart'; title: string; spec: ChartSpec; sql: string; database: string }
  | { type: 'usage'; inputTokens: number; outputTokens: number }
  | { type: 'retry'; attempt: number; delayMs: number; reason: string }
  | { type: 'done'; finishReason: string }
  | { type: 'error'; code: string; message: string };

/**
 * An agent ready to run: its parsed definition, model, rendered system prompt, tools and the
 * environment its tools reach. Call `close` when done with it (it holds database connections).
 */
export interface PreparedAgent {
  name: string;
  definition: AgentDefinition;
  model: ModelConfig;
  /** The system prompt, rendered (Jinja) with the databases' dialects and DDL and the context files. */
  system: string;
  tools: ToolDefinition[];
  env: AgentEnvironment;
  kinds: ReadonlyMap<string, DatabaseKind>;
  client: ModelClient;
  close(): Promise<void>;
}

/** How the model client of a prepared agent behaves (tests shorten retries and timeouts). */
export type PrepareOptions = Omit<ModelClientOptions, 'keys'>;

export interface AgentTurnInput {
  /** Earlier messages of the thread, neutral shape. */
  history: TurnMessage[];
  question: string;
  signal: AbortSignal;
  onEvent: (event: AgentEvent) => void | Promise<void>;
  /** App mode: the thread a `visualize` call links its `charts` row to. */
  threadId?: string;
}

export interface AgentTurnResult {
  /** The new messages (assistant and tool) to store, in order; the question is not among them. */
  messages: TurnMessage[];
  /** The last SQL the turn ran and its result (for evaluations). */
  lastSql?: { database: string; sql: string; result?: QueryResult };
  usage: { inputTokens: number; outputTokens: number };
  /** The model's (`stop`, `length`…), or `aborted`, `max-tool-calls`, `error`. */
  finishReason: string;
}

/** Folder mode (oxy ask / oxy test inside an Oxy project folder): agent by name or file, models and databases from config.yml. */
export function prepareFolderAgent(
  root: string,
  agent: string,
  env: Readonly<Record<string, string | undefined>>,
  options: PrepareOptions = {},
): Promise<PreparedAgent> {
  return prepareFolderAgentIn(root, agent, env, options);
}

/** App mode (threads, API): an `agents` row of the application database, its project's settings.models and databases. */
export function prepareAppAgent(
  services: AppServices,
  agentId: string,
  options: PrepareOptions = {},
): Promise<PreparedAgent> {
  return prepareAppAgentIn(services, agentId, options);
}

/** The text the turn ends with when the agent used up its tool calls. */
export function maxToolCallsMessage(max: number): string {
  return `I stopped here: this agent may make at most ${max} tool calls per question (max_tool_calls in its file).`;
}

/**
 * Runs one turn: the model streams, its tool calls run (the calls of one step concurrently,
 * their results in the order asked), and the model goes on with the results until it stops,
 * fails, is aborted, or the agent's `max_tool_calls` is reached. Never rejects for a model or
 * tool failure: a failed tool is the model's to correct, a model failure is an `error` event.
 */
export async function runAgentTurn(agent: PreparedAgent, input: AgentTurnInput): Promise<AgentTurnResult> {
  const { signal, onEvent } = input;
  const messages: TurnMessage[] = [];
  const usage = { inputTokens: 0, outputTokens: 0 };
  const max = agent.definition.max_tool_calls;
  let toolCalls = 0;
  let lastSql: AgentTurnResult['lastSql'];
  const conversation: TurnMessage[] = [...input.history, { role: 'user', text: input.question }];
  const byName = new Map(agent.definition.tools.map((tool) => [tool.name, tool]));
  const end = async (finishReason: string): Promise<AgentTurnResult> => {
    await onEvent({ type: 'usage', ...usage });
    await onEvent({ type: 'done', finishReason });
    return { messages, ...(lastSql ? { lastSql } : {}), usage, finishReason };
  };

  for (;;) {
    let text = '';
    const calls: (ToolCall & { invalid?: string })[] = [];
    let finish: string | undefined;
    let failure: Extract<ModelEvent, { type: 'error' }> | undefined;
    for await (const event of agent.client.streamTurn({
      model: agent.model,
      system: agent.system,
      messages: [...conversation, ...messages],
      tools: agent.tools,
      signal,
    })) {
      if (event.type === 'text-delta') {
        text += event.text;
        await onEvent(event);
      } else if (event.type === 'tool-call') {
        calls.push({
          id: event.id,
          name: event.name,
          input: event.input,
          ...(event.invalid ? { invalid: event.invalid } : {}),
        });
        await onEvent({ type: 'tool-call', id: event.id, name: event.name, input: asRecord(event.input) });
      } else if (event.type === 'usage') {
        usage.inputTokens += event.inputTokens ?? 0;
        usage.outputTokens += event.outputTokens ?? 0;
      } else if (event.type === 'retry') await onEvent(event);
      else if (event.type === 'finish') finish = event.reason;
      else if (event.type === 'error') failure = event;
    }
    if (failure || finish === 'aborted' || signal.aborted || calls.length === 0) {
      // What the user saw is kept; tool calls never answered are not (a model needs their results).
      if (text) messages.push({ role: 'assistant', text });
      if (failure) {
        await onEvent({ type: 'usage', ...usage });
        await onEvent({ type: 'error', code: failure.code, message: failure.message });
        return { messages, ...(lastSql ? { lastSql } : {}), usage, finishReason: 'error' };
      }
      return end(signal.aborted || finish === 'aborted' ? 'aborted' : (finish ?? 'stop'));
    }
    messages.push({ role: 'assistant', text, toolCalls: calls.map(({ id, name, input }) => ({ id, name, input })) });
    const budget = Math.max(0, max - toolCalls);
    const over = calls.length > budget;
    toolCalls += Math.min(calls.length, budget);
    const context = {
      env: agent.env,
      kinds: agent.kinds,
      signal,
      ...(input.threadId ? { threadId: input.threadId } : {}),
    };
    const outcomes = await Promise.all(
      calls.map((call, i): Promise<ToolOutcome> | ToolOutcome =>
        i < budget
          ? runTool(byName.get(call.name), { ...call, input: asRecord(call.input) }, context)
          : refusedOverBudget(call, max),
      ),
    );
    for (const [i, outcome] of outcomes.entries()) {
      const call = calls[i]!;
      await onEvent(outcome.event);
      if (outcome.chart) await onEvent(outcome.chart);
      if (outcome.sql) lastSql = outcome.sql;
      messages.push({
        role: 'tool',
        toolCallId: call.id,
        toolName: call.name,
        output: outcome.output,
        ...(outcome.isError ? { isError: true } : {}),
      });
    }
    if (signal.aborted) return end('aborted');
    if (over) {
      const stop = maxToolCallsMessage(max);
      await onEvent({ type: 'text-delta', text: stop });
      messages.push({ role: 'assistant', text: stop });
      return end('max-tool-calls');
    }
  }
}

function refusedOverBudget(call: ToolCall, max: number): ToolOutcome {
  const message = `not run: the agent reached max_tool_calls (${max})`;
  return {
    output: { error: message },
    isError: true,
    event: { type: 'tool-result', id: call.id, name: call.name, ok: false, error: message },
  };
}

function asRecord(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
