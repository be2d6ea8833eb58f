import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { FINISHED_RUN_STATUSES } from '../../services/workflows/run.service.js';
import { idParams } from '../entity-schemas.js';
import { openEventStream, resumeAfter } from '../sse.js';

const run = { $ref: 'runs.row#' };
const errors = { 400: { $ref: 'error#' }, 404: { $ref: 'error#' }, 409: { $ref: 'error#' } };
/** How often a subscriber looks for events another process appended (this process's wake it at once). */
const POLL_MS = 250;
const HEARTBEAT_MS = 15_000;
const FINISHED_GRACE_MS = 2_000;

/**
 * Workflow runs: start one (queued as a `workflow.run` job), follow it as Server-Sent Events,
 * cancel it, retry it from the failed step. The run and its steps are read through the
 * read-only `runs` and `run_steps` routes.
 */
export async function runRoutes(app: FastifyInstance): Promise<void> {
  app.post(
    '/workflows/:id/runs',
    {
      config: { permission: { workspace: 'editor', table: 'workflows', target: 'row' } },
      schema: {
        tags: ['workflows'],
        description:
          "Starts a run of the workflow with `variables` (checked against the workflow's declarations; defaults fill the rest). Answers 202 with the run, numbered per workflow (`run_index`) and queued; `GET /api/runs/:id/events` follows it.",
        params: idParams,
        body: Type.Object(
          { variables: Type.Optional(Type.Record(Type.String(), Type.Unknown())) },
          { additionalProperties: false },
        ),
        response: { 202: run, ...errors },
      },
    },
    async (req, reply) => {
      const { variables } = (req.body ?? {}) as { variables?: Record<string, unknown> };
      return reply.code(202).send(await app.services.runs.start((req.params as { id: string }).id, variables));
    },
  );
  app.post(
    '/runs/:id/cancel',
    {
      config: { permission: { workspace: 'editor', table: 'runs', target: 'row' } },
      schema: {
        tags: ['runs'],
        description:
          'Cancels a run: a queued one at once; a running one stops between steps and its running statement is cancelled. A finished run answers 409.',
        params: idParams,
        response: { 200: run, ...errors },
      },
    },
    (req) => app.services.runs.cancel((req.params as { id: string }).id),
  );
  app.post(
    '/runs/:id/retry',
    {
      config: { permission: { workspace: 'editor', table: 'runs', target: 'row' } },
      schema: {
        tags: ['runs'],
        description:
          'Runs a failed or cancelled run again from where it stopped, reusing the outputs of the steps that succeeded. Answers 202 with the queued run; any other status is a 409.',
        params: idParams,
        response: { 202: run, ...errors },
      },
    },
    async (req, reply) => reply.code(202).send(await app.services.runs.retry((req.params as { id: string }).id)),
  );
  app.get(
    '/runs/:id/events',
    {
      config: { permission: { workspace: 'viewer', table: 'runs', target: 'row' } },
      schema: {
        tags: ['runs'],
        description:
          'The run as Server-Sent Events (`text/event-stream`): `run_queued`, `run_started`, `step_started`, `step_finished` (status, duration, output summary or error), `run_cancel_requested`, `run_retried`, `run_finished`. Every event has an increasing `id`; a late subscriber gets every event from the start, and `Last-Event-ID` (or `?after=`) resumes after one. The stream ends once the run has finished and every event was sent.',
        params: idParams,
        querystring: Type.Object(
          { after: Type.Optional(Type.Integer({ minimum: 0, description: 'resume after this event id' })) },
          { additionalProperties: false },
        ),
        headers: Type.Object({
          'last-event-id': Type.Optional(Type.String({ pattern: '^[0-9]{1,15}$' })),
        }),
        response: {
          200: {
            description: 'text/event-stream',
            content: { 'text/event-stream': { schema: { type: 'string' } } },
          },
          ...errors,
        },
      },
    },
    async (req, reply) => {
      const { id } = req.params as { id: string };
      const after = resumeAfter(req.headers, req.query as { after?: number });
      await app.services.repo.get('runs', id);
      await streamRunEvents(app, id, after, reply);
    },
  );
}

/** Writes the run's events from `after` on, waking on appends of this process and polling for others', until it has finished. */
async function streamRunEvents(app: FastifyInstance, runId: string, after: number, reply: FastifyReply): Promise<void> {
  const { runs, repo } = app.services;
  const stream = openEventStream(reply);
  let wake: (() => void) | undefined;
  const onAppend = () => wake?.();
  runs.appended.on(runId, onAppend);
  stream.onClose(() => wake?.());
  let last = after;
  let lastType: string | undefined;
  let quietSince = Date.now();
  let finishedSince: number | undefined;
  try {
    while (!stream.closed) {
      const events = await runs.eventsAfter(runId, last);
      for (const event of events) {
        stream.send(Number(event.seq), String(event.type), event.data);
        last = Number(event.seq);
        lastType = String(event.type);
      }
      if (events.length > 0) quietSince = Date.now();
      if (events.length === 0) {
        const status = String((await repo.get('runs', runId)).status);
        // Finished, and its run_finished sent (the status is written just before that event is
        // appended; a run from before the event log has none: give up waiting after a while).
        if (FINISHED_RUN_STATUSES.includes(status)) {
          finishedSince ??= Date.now();
          if (lastType === 'run_finished' || Date.now() - finishedSince > FINISHED_GRACE_MS) break;
        } else finishedSince = undefined;
        if (Date.now() - quietSince > HEARTBEAT_MS) {
          stream.keepAlive();
          quietSince = Date.now();
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, POLL_MS);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
    }
  } finally {
    runs.appended.off(runId, onAppend);
    stream.end();
  }
}
