import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { threadErrors } from '../../services/threads/thread-errors.js';
import type { TurnLog } from '../../services/threads/turn-log.js';
import { idParams } from '../entity-schemas.js';
import { openEventStream, resumeAfter } from '../sse.js';

const errors = { 400: { $ref: 'error#' }, 404: { $ref: 'error#' }, 409: { $ref: 'error#' } };
const HEARTBEAT_MS = 15_000;
const EVENTS =
  '`user-message`, `text-delta` {text}, `tool-call` {id, name, input: the SQL}, `tool-result` {id, name, ok, result: columns, first rows, rowCount, truncated; or error}, `chart` {title, spec, chartId}, `usage` {inputTokens, outputTokens}, `retry`, `title`, then `done` {finishReason} or `error` {code, message}. Events carry the ids of the rows stored for them and an increasing `id`.';
const eventStream = {
  200: {
    description: 'text/event-stream',
    content: { 'text/event-stream': { schema: { type: 'string' } } },
  },
  ...errors,
};
const resume = {
  querystring: Type.Object(
    { after: Type.Optional(Type.Integer({ minimum: 0, description: 'resume after this event id' })) },
    { additionalProperties: false },
  ),
  headers: Type.Object({ 'last-event-id': Type.Optional(Type.String({ pattern: '^[0-9]{1,15}$' })) }),
};

/**
 * Threads answering questions: ask (the turn streams back as Server-Sent Events), follow a turn
 * from another tab, stop it. The stored conversation is read with GET /api/threads/:id/messages
 * (the entity routes' list of a thread's messages, in creation order).
 */
export async function threadRoutes(app: FastifyInstance): Promise<void> {
  app.post(
    '/threads/:id/messages',
    {
      // A read-only server answers but stores nothing (see ThreadService), so it lets this through.
      config: { permission: { workspace: 'editor', table: 'threads', target: 'row' }, readonlyExempt: true },
      schema: {
        tags: ['threads'],
        description: `Asks the thread's agent a question: stores it, marks the thread processing and answers with the turn as Server-Sent Events (${EVENTS}) while every message is stored. A thread without an agent is a 400; a question while one is being answered a 409. A read-only server streams the answer and stores nothing.`,
        params: idParams,
        body: Type.Object(
          { content: Type.String({ minLength: 1, maxLength: 100_000, description: 'the question' }) },
          { additionalProperties: false },
        ),
        response: eventStream,
      },
    },
    async (req, reply) => {
      const { id } = req.params as { id: string };
      const log = await app.services.threads.ask(id, (req.body as { content: string }).content);
      await streamTurn(log, 0, reply);
    },
  );
  app.get(
    '/threads/:id/events',
    {
      config: { permission: { workspace: 'viewer', table: 'threads', target: 'row' } },
      schema: {
        tags: ['threads'],
        description:
          "Follows the thread's current (or last, for five minutes) turn as Server-Sent Events: replays what it already emitted, after `Last-Event-ID` (or `?after=`), then live until it ends. No turn: the stream ends at once. A turn running on another server of the same database is a 409.",
        params: idParams,
        ...resume,
        response: eventStream,
      },
    },
    async (req, reply) => {
      const { id } = req.params as { id: string };
      const thread = await app.services.repo.get('threads', id);
      const log = app.services.threads.follow(id);
      if (!log && thread.is_processing) throw threadErrors.elsewhere(id);
      await streamTurn(log, resumeAfter(req.headers, req.query as { after?: number }), reply);
    },
  );
  app.post(
    '/threads/:id/stop',
    {
      config: { permission: { workspace: 'editor', table: 'threads', target: 'row' } },
      schema: {
        tags: ['threads'],
        description:
          'Ends the turn, keeping what was said (stored with `finishReason: stopped`); answers with the released thread. A turn running on another server of the same database is stopped by that server at its next heartbeat. A thread answering nothing is a 409.',
        params: idParams,
        response: { 200: { $ref: 'threads.row#' }, ...errors },
      },
    },
    (req) => app.services.threads.stop((req.params as { id: string }).id),
  );
}

/** Writes the turn's events after `after`, then live until it has ended (no turn: an empty stream). */
async function streamTurn(log: TurnLog | undefined, after: number, reply: FastifyReply): Promise<void> {
  const stream = openEventStream(reply);
  if (!log) return stream.end();
  let wake: (() => void) | undefined;
  const unsubscribe = log.subscribe(() => wake?.());
  stream.onClose(() => wake?.());
  let last = after;
  try {
    while (!stream.closed) {
      for (const event of log.events.slice(last)) {
        stream.send(event.seq, event.type, event.data);
        last = event.seq;
      }
      if (log.finished && last >= log.events.length) break;
      const quiet = await new Promise<boolean>((resolve) => {
        if (log.events.length > last || log.finished || stream.closed) return resolve(false);
        const timer = setTimeout(() => resolve(true), HEARTBEAT_MS);
        wake = () => {
          clearTimeout(timer);
          resolve(false);
        };
      });
      wake = undefined;
      if (quiet) stream.keepAlive();
    }
  } finally {
    unsubscribe();
    stream.end();
  }
}
