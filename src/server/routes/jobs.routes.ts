import type { FastifyInstance } from 'fastify';
import { idParams } from '../entity-schemas.js';

const job = { $ref: 'jobs.row#' };
const errors = { 400: { $ref: 'error#' }, 404: { $ref: 'error#' }, 409: { $ref: 'error#' } };

/**
 * Work that outlives a request runs as a job: these routes enqueue one and answer 202 with it at
 * once (GET /api/jobs/:id then shows its status, progress and result), or cancel one.
 */
export async function jobRoutes(app: FastifyInstance): Promise<void> {
  app.post(
    '/jobs/:id/cancel',
    {
      config: { permission: { workspace: 'editor', table: 'jobs', target: 'row' } },
      schema: {
        tags: ['jobs'],
        description:
          'Cancels a job: a queued one at once (status cancelled); a running one by a request its worker sees within a second, aborting the work. A finished job answers 409.',
        params: idParams,
        response: { 200: job, ...errors },
      },
    },
    (req) => app.services.jobs.cancel((req.params as { id: string }).id),
  );
  app.post(
    '/databases/:id/sync',
    {
      config: { permission: { workspace: 'editor', table: 'databases', target: 'row' } },
      schema: {
        tags: ['databases'],
        description:
          "Reads the database's catalog (datasets, tables, columns) in a `catalog.sync` job; answers 202 with the queued job.",
        params: idParams,
        response: { 202: job, ...errors },
      },
    },
    async (req, reply) => {
      const queued = await app.services.catalogSync.enqueue((req.params as { id: string }).id);
      return reply.code(202).send(queued);
    },
  );
}
