import { EventSourceParserStream } from 'eventsource-parser/stream';
import { apiError } from './client';

export interface ServerEvent {
  id: string | undefined;
  event: string;
  data: unknown;
}

/**
 * Reads a server-sent event stream from a fetch (any method: `POST /api/threads/:id/messages`
 * answers with one) and calls `onEvent` with each event's parsed JSON data, until the stream
 * ends or `signal` aborts. A non-2xx answer throws its ApiError before any event.
 *
 * @example
 * await streamEvents(`/api/runs/${id}/events`, { signal }, (e) => console.log(e.event, e.data));
 */
export async function streamEvents(
  url: string,
  init: RequestInit,
  onEvent: (event: ServerEvent) => void,
): Promise<void> {
  const response = await fetch(url, {
    credentials: 'same-origin',
    ...init,
    headers: { accept: 'text/event-stream', ...(init.headers ?? {}) },
  });
  if (!response.ok) {
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: the text is the message
    }
    throw apiError(response.status, body);
  }
  if (!response.body) return;
  const reader = response.body
    .pipeThrough(new TextDecoderStream())
    .pipeThrough(new EventSourceParserStream())
    .getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    let data: unknown = value.data;
    try {
      data = JSON.parse(value.data);
    } catch {
      // plain text data stays text
    }
    onEvent({ id: value.id, event: value.event ?? 'message', data });
  }
}
