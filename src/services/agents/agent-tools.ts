import { checkChartSpec, CHART_TYPES, type ChartSpec } from '../charts/chart-spec.js';
import type { QueryResult } from '../connectors/connector.js';
import { checkStatement } from '../connectors/statement-guard.js';
import type { DatabaseKind } from '../connectors/database-config.js';
import type { AgentToolConfig } from './agent-definition.js';
import type { AgentEnvironment } from './agent-environment.js';
import type { AgentEvent } from './agent-turn.js';
import type { JsonValue, ToolDefinition } from './models/model-turn.js';

/** Rows of a result the model sees when the tool sets no `dry_run_limit`. */
export const DEFAULT_MODEL_ROWS = 100;
/** Rows of a result a `tool-result` event carries. */
export const EVENT_ROWS = 20;

/** What running one tool call gave: what goes back to the model, the event, and the SQL it ran. */
export interface ToolOutcome {
  output: JsonValue;
  isError: boolean;
  event: Extract<AgentEvent, { type: 'tool-result' }>;
  chart?: Extract<AgentEvent, { type: 'chart' }>;
  sql?: { database: string; sql: string; result?: QueryResult };
}

export interface ToolRunContext {
  env: AgentEnvironment;
  kinds: ReadonlyMap<string, DatabaseKind>;
  signal: AbortSignal;
  threadId?: string;
}

const sqlParameter = {
  type: 'object',
  properties: { sql: { type: 'string', description: 'one read-only SQL statement' } },
  required: ['sql'],
} as const;

/** The tool as the model is told about it. */
export function toolDefinition(tool: AgentToolConfig, databases: readonly string[]): ToolDefinition {
  if (tool.type === 'execute_sql')
    return {
      name: tool.name,
      description:
        tool.description ??
        `Run one read-only SQL statement on the database ${tool.database} and get its rows (at most ${tool.dry_run_limit ?? DEFAULT_MODEL_ROWS}).`,
      parameters: { ...sqlParameter, properties: { ...sqlParameter.properties }, required: ['sql'] },
    };
  if (tool.type === 'validate_sql')
    return {
      name: tool.name,
      description:
        tool.description ??
        `Check one SQL statement against the database ${tool.database} without running it (the engine's EXPLAIN).`,
      parameters: { ...sqlParameter, properties: { ...sqlParameter.properties }, required: ['sql'] },
    };
  if (tool.type === 'visualize')
    return {
      name: tool.name,
      description:
        tool.description ??
        'Show the user a chart of a SQL result: give the database, the SQL, the chart type and its columns.',
      parameters: {
        type: 'object',
        properties: {
          title: { type: 'string' },
          database: { type: 'string', enum: [...databases] },
          sql: { type: 'string', description: 'one read-only SQL statement giving the rows to draw' },
          type: { type: 'string', enum: [...CHART_TYPES] },
          x: { type: 'string', description: 'the column along the x axis' },
          y: { type: 'array', items: { type: 'string' }, description: 'the columns of values' },
          series: { type: 'string', description: 'a column splitting the rows into series' },
        },
        required: ['title', 'database', 'sql', 'type'],
      },
    };
  return {
    name: tool.name,
    description: tool.description ?? `Run the workflow ${tool.workflow_ref} and get its last output.`,
    parameters: {
      type: 'object',
      properties: { variables: { type: 'object', description: "values for the workflow's variables" } },
    },
  };
}

/** Runs one tool call; never throws (a failure is the tool's result, so the model can correct itself). */
export async function runTool(
  tool: AgentToolConfig | undefined,
  call: { id: string; name: string; input: Record<string, unknown>; invalid?: string },
  context: ToolRunContext,
): Promise<ToolOutcome> {
  const failed = (message: string, sql?: ToolOutcome['sql']): ToolOutcome => ({
    output: { error: message },
    isError: true,
    event: { type: 'tool-result', id: call.id, name: call.name, ok: false, error: message },
    ...(sql ? { sql } : {}),
  });
  if (!tool) return failed(`there is no tool named ${call.name}`);
  if (call.invalid) return failed(`the arguments are not valid JSON: ${call.invalid}`);
  try {
    if (tool.type === 'execute_sql') {
      const sql = textArgument(call.input, 'sql');
      const limit = tool.dry_run_limit ?? DEFAULT_MODEL_ROWS;
      let result: QueryResult;
      try {
        result = await context.env.runSql(tool.database, sql, limit, context.signal);
      } catch (error) {
        return failed(messageOf(error), { database: tool.database, sql });
      }
      return {
        output: resultForModel(result),
        isError: false,
        event: { type: 'tool-result', id: call.id, name: call.name, ok: true, result: resultForEvent(result) },
        sql: { database: tool.database, sql, result },
      };
    }
    if (tool.type === 'validate_sql') {
      const sql = textArgument(call.input, 'sql').trim().replace(/;\s*$/, '');
      const kind = context.kinds.get(tool.database);
      if (kind) {
        const verdict = checkStatement(sql, kind);
        if (!verdict.ok) return failed(`refused: ${verdict.reason}`);
      }
      const explain = kind === 'sqlite' ? `EXPLAIN QUERY PLAN ${sql}` : `EXPLAIN ${sql}`;
      const plan = await context.env.runSql(tool.database, explain, EVENT_ROWS, context.signal);
      return {
        output: { valid: true, plan: plan.rows.map((row) => row.map((cell) => String(cell)).join(' ')) },
        isError: false,
        event: { type: 'tool-result', id: call.id, name: call.name, ok: true, result: resultForEvent(plan) },
      };
    }
    if (tool.type === 'visualize') return await visualize(call, context, failed);
    const given = call.input.variables;
    const variables = {
      ...(tool.variables ?? {}),
      ...(given && typeof given === 'object' && !Array.isArray(given) ? (given as Record<string, unknown>) : {}),
    };
    const summary = await context.env.runWorkflow(tool.workflow_ref, variables, context.signal);
    return {
      output: { output: summary },
      isError: false,
      event: { type: 'tool-result', id: call.id, name: call.name, ok: true },
    };
  } catch (error) {
    return failed(messageOf(error));
  }
}

async function visualize(
  call: { id: string; name: string; input: Record<string, unknown> },
  context: ToolRunContext,
  failed: (message: string, sql?: ToolOutcome['sql']) => ToolOutcome,
): Promise<ToolOutcome> {
  const { input } = call;
  const database = textArgument(input, 'database');
  const sql = textArgument(input, 'sql');
  const title = typeof input.title === 'string' && input.title ? input.title : 'Chart';
  const y = typeof input.y === 'string' ? [input.y] : input.y;
  let spec: ChartSpec;
  try {
    spec = checkChartSpec(
      {
        type: input.type,
        source: { database, sql },
        ...(input.x !== undefined ? { x: input.x } : {}),
        ...(y !== undefined ? { y } : {}),
        ...(input.series !== undefined ? { series: input.series } : {}),
        title,
      },
      'chart',
    );
  } catch (error) {
    return failed(messageOf(error));
  }
  let result: QueryResult;
  try {
    result = await context.env.runSql(database, sql, EVENT_ROWS, context.signal);
  } catch (error) {
    return failed(messageOf(error), { database, sql });
  }
  const names = result.columns.map((c) => c.name);
  const missing = [spec.x, ...(spec.y ?? []), spec.series].find((c) => c !== undefined && !names.includes(c));
  if (missing !== undefined)
    return failed(`the SQL gives no column ${missing}; its columns are ${names.join(', ')}`, { database, sql, result });
  const chartId = await context.env.saveChart?.({
    title,
    spec,
    ...(context.threadId ? { threadId: context.threadId } : {}),
  });
  return {
    output: { shown: true, title, ...(chartId ? { chart_id: chartId } : {}) },
    isError: false,
    event: { type: 'tool-result', id: call.id, name: call.name, ok: true, result: resultForEvent(result) },
    chart: { type: 'chart', title, spec, sql, database },
    sql: { database, sql, result },
  };
}

function textArgument(input: Record<string, unknown>, name: string): string {
  const value = input[name];
  if (typeof value !== 'string' || value.trim() === '') throw new Error(`argument ${name} must be non-empty text`);
  return value;
}

function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const hint =
    error && typeof error === 'object' && 'hint' in error && typeof error.hint === 'string' ? error.hint : '';
  return hint ? `${text} (${hint})` : text;
}

function resultForEvent(result: QueryResult): NonNullable<Extract<AgentEvent, { type: 'tool-result' }>['result']> {
  return {
    columns: result.columns,
    rows: result.rows.slice(0, EVENT_ROWS),
    rowCount: result.rowCount,
    truncated: result.truncated || result.rows.length > EVENT_ROWS,
  };
}

function resultForModel(result: QueryResult): JsonValue {
  return {
    columns: result.columns.map((c) => c.name),
    rows: result.rows as JsonValue,
    rowCount: result.rowCount,
    truncated: result.truncated,
  };
}
