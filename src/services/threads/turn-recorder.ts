import type { EntityRepository, RowValues } from '../../repositories/entity.repository.js';
import type { ThreadAgentEvent } from './thread-agent.js';

interface PendingCall {
  id: string;
  name: string;
  input: Record<string, unknown>;
}

/**
 * Stores a turn's events as `messages` rows as they happen: the assistant's text and tool calls
 * when its first tool result arrives (or the turn ends), each tool result as a `tool` message
 * (the SQL and a result summary in its metadata), charts as `charts` rows of the thread, token
 * usage on the assistant message it belongs to, and a failure as an assistant message saying
 * what went wrong. With `store` false (a read-only server) nothing is written.
 * `record` answers what the streamed event gains from storing (the stored ids).
 */
export class TurnRecorder {
  private text = '';
  private calls: PendingCall[] = [];
  private readonly sqlOf = new Map<string, PendingCall>();
  private charts: string[] = [];
  private readonly claimed = new Set<string>();
  private inputTokens = 0;
  private outputTokens = 0;

  constructor(
    private readonly repo: EntityRepository,
    private readonly thread: RowValues,
    private readonly store: boolean,
  ) {}

  async record(event: ThreadAgentEvent): Promise<Record<string, unknown>> {
    switch (event.type) {
      case 'text-delta':
        this.text += event.text;
        return {};
      case 'tool-call': {
        const call = { id: event.id, name: event.name, input: event.input };
        this.calls.push(call);
        this.sqlOf.set(event.id, call);
        return {};
      }
      case 'tool-result': {
        const assistant = await this.flush();
        const call = this.sqlOf.get(event.id);
        const sql = typeof call?.input.sql === 'string' ? call.input.sql : undefined;
        const summary = event.result
          ? `${String(event.result.rowCount)} row(s)${event.result.truncated ? ' (truncated)' : ''}`
          : (event.error ?? '');
        const row = await this.insert('tool', summary, {
          toolCallId: event.id,
          toolName: event.name,
          ok: event.ok,
          ...(sql === undefined ? {} : { sql }),
          ...(event.result ? { result: event.result } : {}),
          ...(event.error === undefined ? {} : { error: event.error }),
        });
        return { ...(assistant ? { assistantMessageId: assistant.id } : {}), ...(row ? { messageId: row.id } : {}) };
      }
      case 'chart': {
        if (!this.store) return {};
        const chart = await this.chartOf(event);
        this.charts.push(String(chart.id));
        return { chartId: chart.id };
      }
      case 'usage':
        this.inputTokens += event.inputTokens;
        this.outputTokens += event.outputTokens;
        return {};
      case 'done': {
        const row = await this.flush({ finishReason: event.finishReason });
        return row ? { messageId: row.id } : {};
      }
      case 'error': {
        await this.flush();
        const row = await this.insert('assistant', event.message, {
          error: { code: event.code, message: event.message },
        });
        return row ? { messageId: row.id } : {};
      }
      default:
        return {};
    }
  }

  /**
   * The chart row of a `chart` event: the one the agent core saved for the thread (the newest of
   * that title not yet claimed), else a new one drawing the SQL the agent ran.
   */
  private async chartOf(event: Extract<ThreadAgentEvent, { type: 'chart' }>): Promise<RowValues> {
    const saved = (
      await this.repo.list('charts', { where: { thread_id: this.thread.id, title: event.title }, limit: 100 })
    ).items.filter((row) => !this.claimed.has(String(row.id)));
    const found = saved.at(-1);
    if (found) {
      this.claimed.add(String(found.id));
      return found;
    }
    const { source } = event.spec;
    const chart = await this.repo.insert('charts', {
      project_id: this.thread.project_id,
      thread_id: this.thread.id,
      title: event.title,
      // The chart draws the SQL the agent ran, unless its spec names its own source.
      spec:
        source.query_id || source.sql
          ? event.spec
          : { ...event.spec, source: { database: event.database, sql: event.sql } },
    });
    this.claimed.add(String(chart.id));
    return chart;
  }

  /** Stores what the assistant said since the last message (nothing when it said nothing). */
  async flush(extra: Record<string, unknown> = {}): Promise<RowValues | undefined> {
    const said = this.text !== '' || this.calls.length > 0 || this.charts.length > 0;
    if (!said && this.inputTokens === 0 && this.outputTokens === 0 && Object.keys(extra).length === 0) return undefined;
    const metadata = {
      ...(this.calls.length ? { toolCalls: this.calls } : {}),
      ...(this.charts.length ? { charts: this.charts } : {}),
      ...extra,
    };
    const row = await this.insert('assistant', this.text, metadata, {
      input_tokens: this.inputTokens,
      output_tokens: this.outputTokens,
    });
    this.text = '';
    this.calls = [];
    this.charts = [];
    this.inputTokens = 0;
    this.outputTokens = 0;
    return row;
  }

  private async insert(
    role: 'assistant' | 'tool',
    content: string,
    metadata: Record<string, unknown>,
    tokens: RowValues = {},
  ): Promise<RowValues | undefined> {
    if (!this.store) return undefined;
    return this.repo.insert('messages', {
      thread_id: this.thread.id,
      role,
      content,
      metadata,
      ...tokens,
    });
  }
}
