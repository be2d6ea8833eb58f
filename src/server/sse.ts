import type { FastifyReply } from 'fastify';

/** An open Server-Sent Events response. */
export interface EventStream {
  /** One event: `id`, `event` and its JSON `data`. */
  send(id: number, type: string, data: unknown): void;
  /** A comment line that keeps proxies from closing a quiet stream. */
  keepAlive(): void;
  /** True once the client has gone. */
  readonly closed: boolean;
  /** Calls `listener` when the client goes. */
  onClose(listener: () => void): void;
  end(): void;
}

/**
 * The one way oxy answers with Server-Sent Events (workflow runs, thread turns): takes the reply
 * over from Fastify and writes the stream's headers; events are numbered by the caller so a client
 * resumes with `Last-Event-ID`.
 */
export function openEventStream(reply: FastifyReply): EventStream {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  let closed = false;
  raw.on('close', () => (closed = true));
  return {
    send(id, type, data) {
      if (!closed) raw.write(`id: ${String(id)}\nevent: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    keepAlive() {
      if (!closed) raw.write(': keep-alive\n\n');
    },
    get closed() {
      return closed;
    },
    onClose(listener) {
      raw.on('close', listener);
    },
    end() {
      if (!closed) raw.end();
    },
  };
}

/** Where a client resumes: `Last-Event-ID`, else `?after=`, else the start. */
export function resumeAfter(headers: Record<string, unknown>, query: { after?: number }): number {
  const header = headers['last-event-id'];
  return typeof header === 'string' ? Number(header) : (query.after ?? 0);
}
