import type { AgentEvent, AgentTurnResult } from '../services/agents/agent-turn.js';
import { markdownTable } from '../services/workflows/task-output.js';

/** Writes a turn's events to a terminal as they come: text, the SQL run, result tables, a line per chart. */
export function terminalPrinter(out: (text: string) => void, err: (text: string) => void): (e: AgentEvent) => void {
  let atLineStart = true;
  const write = (text: string) => {
    if (!text) return;
    out(text);
    atLineStart = text.endsWith('\n');
  };
  const block = (text: string) => write(`${atLineStart ? '' : '\n'}\n${text.trimEnd()}\n\n`);
  return (event) => {
    switch (event.type) {
      case 'text-delta':
        return write(event.text);
      case 'tool-call':
        if (typeof event.input.sql === 'string') return block(`[${event.name}]\n\`\`\`sql\n${event.input.sql}\n\`\`\``);
        return block(`[${event.name}] ${JSON.stringify(event.input)}`);
      case 'tool-result': {
        if (!event.ok) return block(`[${event.name} failed] ${event.error ?? ''}`);
        if (!event.result) return;
        const { rowCount, truncated, rows } = event.result;
        const more = rows.length < rowCount || truncated ? ` (first ${rows.length} shown)` : '';
        return block(
          `${markdownTable({ kind: 'table', ...event.result })}\n${rowCount} row${rowCount === 1 ? '' : 's'}${truncated ? ' or more' : ''}${more}`,
        );
      }
      case 'chart':
        return block(
          `[chart] ${event.title}: ${event.spec.type}${event.spec.y ? ` of ${event.spec.y.join(', ')}` : ''}${event.spec.x ? ` by ${event.spec.x}` : ''}`,
        );
      case 'retry':
        return err(`model busy (${event.reason}): retrying in ${event.delayMs} ms\n`);
      case 'done':
        return write(atLineStart ? '' : '\n');
      default:
        return;
    }
  };
}

/** The one JSON document `oxy ask --json` prints: the answer, every tool call with its SQL and result, charts, usage. */
export class JsonCollector {
  private answer = '';
  private readonly toolCalls: Record<string, unknown>[] = [];
  private readonly charts: unknown[] = [];
  private error: { code: string; message: string } | undefined;

  readonly onEvent = (event: AgentEvent): void => {
    if (event.type === 'text-delta') this.answer += event.text;
    else if (event.type === 'tool-call') this.toolCalls.push({ id: event.id, name: event.name, input: event.input });
    else if (event.type === 'tool-result') {
      const call = this.toolCalls.find((c) => c.id === event.id);
      if (call)
        Object.assign(call, {
          ok: event.ok,
          ...(event.result ? { result: event.result } : {}),
          ...(event.error ? { error: event.error } : {}),
        });
    } else if (event.type === 'chart') this.charts.push(event);
    else if (event.type === 'error') this.error = { code: event.code, message: event.message };
  };

  document(agent: string, question: string, result: AgentTurnResult): Record<string, unknown> {
    return {
      agent,
      question,
      answer: this.answer,
      toolCalls: this.toolCalls,
      charts: this.charts.map((c) => {
        const { type: _type, ...chart } = c as Record<string, unknown>;
        return chart;
      }),
      usage: result.usage,
      finishReason: result.finishReason,
      ...(this.error ? { error: this.error } : {}),
    };
  }
}
