/**
 * A thread's conversation as the page shows it: built from the stored messages (a reload) or from
 * the turn's events (live); both give the same items in the same order.
 */

export interface ToolResult {
  columns: { name: string; type?: string }[];
  rows: unknown[][];
  rowCount: number;
  truncated?: boolean;
}

export type Item =
  | { kind: 'user'; key: string; text: string }
  | { kind: 'text'; key: string; text: string }
  | {
      kind: 'tool';
      key: string;
      id: string;
      name: string;
      sql?: string;
      database?: string;
      done: boolean;
      ok?: boolean;
      result?: ToolResult;
      error?: string;
    }
  | { kind: 'chart'; key: string; title: string; chartId?: string }
  | { kind: 'error'; key: string; code: string; message: string }
  | { kind: 'stopped'; key: string };

export interface StoredMessage {
  id: string;
  role: string;
  content: string;
  metadata: unknown;
}

type Meta = {
  toolCalls?: { id: string; name: string; input?: Record<string, unknown> }[];
  charts?: string[];
  finishReason?: string;
  error?: { code?: string; message?: string };
  toolCallId?: string;
  toolName?: string;
  ok?: boolean;
  sql?: string;
  result?: ToolResult;
};

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

/** The stored messages as items (an assistant message's charts came before its text, its tool calls after). */
export function fromMessages(messages: StoredMessage[]): Item[] {
  const items: Item[] = [];
  for (const message of messages) {
    const meta = (message.metadata ?? {}) as Meta;
    if (message.role === 'user') items.push({ kind: 'user', key: message.id, text: message.content });
    else if (message.role === 'assistant') {
      if (meta.error) {
        items.push({
          kind: 'error',
          key: message.id,
          code: meta.error.code ?? 'error',
          message: meta.error.message ?? message.content,
        });
        continue;
      }
      for (const chartId of meta.charts ?? [])
        items.push({ kind: 'chart', key: `${message.id}:${chartId}`, title: '', chartId });
      if (message.content) items.push({ kind: 'text', key: message.id, text: message.content });
      for (const call of meta.toolCalls ?? [])
        items.push({
          kind: 'tool',
          key: `${message.id}:${call.id}`,
          id: call.id,
          name: call.name,
          sql: text(call.input?.sql),
          database: text(call.input?.database),
          done: false,
        });
      if (meta.finishReason === 'stopped') items.push({ kind: 'stopped', key: `${message.id}:stopped` });
    } else if (message.role === 'tool') {
      const call = items.find((item) => item.kind === 'tool' && item.id === meta.toolCallId);
      const done = {
        done: true,
        ok: meta.ok,
        ...(meta.result ? { result: meta.result } : {}),
        ...(meta.ok === false ? { error: message.content } : {}),
      };
      if (call?.kind === 'tool') Object.assign(call, done, call.sql ? {} : { sql: meta.sql });
      else
        items.push({
          kind: 'tool',
          key: message.id,
          id: meta.toolCallId ?? message.id,
          name: meta.toolName ?? 'tool',
          sql: meta.sql,
          ...done,
        });
    }
  }
  return items;
}

/** The items after one event of a turn (`seq` keeps keys unique). */
export function applyEvent(items: Item[], type: string, data: Record<string, unknown>, seq: number): Item[] {
  const key = `live-${String(seq)}`;
  switch (type) {
    case 'user-message':
      return [...items, { kind: 'user', key, text: String(data.content ?? '') }];
    case 'text-delta': {
      const last = items.at(-1);
      const delta = String(data.text ?? '');
      if (last?.kind === 'text') return [...items.slice(0, -1), { ...last, text: last.text + delta }];
      return [...items, { kind: 'text', key, text: delta }];
    }
    case 'tool-call': {
      const input = (data.input ?? {}) as Record<string, unknown>;
      return [
        ...items,
        {
          kind: 'tool',
          key,
          id: String(data.id),
          name: String(data.name),
          sql: text(input.sql),
          database: text(input.database),
          done: false,
        },
      ];
    }
    case 'tool-result':
      return items.map((item) =>
        item.kind === 'tool' && item.id === data.id
          ? {
              ...item,
              done: true,
              ok: data.ok === true,
              ...(data.result ? { result: data.result as ToolResult } : {}),
              ...(data.error !== undefined ? { error: String(data.error) } : {}),
            }
          : item,
      );
    case 'chart':
      return [
        ...items,
        {
          kind: 'chart',
          key,
          title: String(data.title ?? ''),
          ...(data.chartId ? { chartId: String(data.chartId) } : {}),
        },
      ];
    case 'error':
      return [
        ...items,
        { kind: 'error', key, code: String(data.code ?? 'error'), message: String(data.message ?? '') },
      ];
    case 'done':
      return data.finishReason === 'stopped' ? [...items, { kind: 'stopped', key }] : items;
    default:
      return items;
  }
}
