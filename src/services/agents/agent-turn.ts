import type { AppServices } from '../app-services.js';
import type { ChartSpec } from '../charts/chart-spec.js';
import type { QueryResult } from '../connectors/connector.js';
import type { TurnMessage } from './models/model-turn.js';

/** What a turn emits, in order, as it happens. */
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

/** An agent ready to run: its parsed definition, model, databases and rendered system prompt inputs. */
export interface PreparedAgent {
  name: string;
}

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
  /** The new messages (assistant and tool) to store, in order. */
  messages: TurnMessage[];
  /** The last SQL the turn ran and its result (for evaluations). */
  lastSql?: { database: string; sql: string; result?: QueryResult };
  usage: { inputTokens: number; outputTokens: number };
  finishReason: string;
}

/** Folder mode (oxy ask / oxy test inside an Oxy project folder): agent by name or file, models and databases from config.yml. */
export async function prepareFolderAgent(
  root: string,
  agent: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<PreparedAgent> {
  void root;
  void env;
  return { name: agent };
}

/** App mode (threads, API): an `agents` row of the application database, its project's settings.models and databases. */
export async function prepareAppAgent(services: AppServices, agentId: string): Promise<PreparedAgent> {
  void services;
  return { name: agentId };
}

/** Runs one turn; see AgentTurnResult. */
export async function runAgentTurn(agent: PreparedAgent, input: AgentTurnInput): Promise<AgentTurnResult> {
  void agent;
  await input.onEvent({ type: 'done', finishReason: 'stop' });
  return { messages: [], usage: { inputTokens: 0, outputTokens: 0 }, finishReason: 'stop' };
}
