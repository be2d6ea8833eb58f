import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';

const count = Type.Integer({ minimum: 0 });
const statusSchema = Type.Object(
  {
    version: Type.String({ description: "the server's oxy version" }),
    database: Type.Object({
      backend: Type.Union([Type.Literal('sqlite'), Type.Literal('postgres')]),
      schemaVersion: Type.Integer({ description: 'applied migrations this server knows' }),
      latestSchemaVersion: Type.Integer({ description: 'the migrations this server knows' }),
      pendingMigrations: Type.Array(Type.String(), { description: 'known migrations not applied' }),
      unknownMigrations: Type.Array(Type.String(), { description: 'applied migrations this server does not know' }),
    }),
    jobs: Type.Object({
      kinds: Type.Array(
        Type.Object({
          kind: Type.String(),
          queued: count,
          running: count,
          succeeded: count,
          failed: count,
          cancelled: count,
        }),
        { description: 'jobs of each kind in each status' },
      ),
      workers: Type.Array(Type.Object({ owner: Type.String(), leases: count }), {
        description: 'worker processes holding live leases now',
      }),
      expiredLeases: Type.Integer({ minimum: 0, description: 'running jobs whose worker stopped renewing its lease' }),
    }),
  },
  { title: 'InstanceStatus' },
);

/** `/api/status`: the instance's state for its admins (what `oxy status` tells an operator on the host). */
export async function statusRoutes(app: FastifyInstance): Promise<void> {
  app.get(
    '/status',
    {
      // Instance-wide facts: a key limited to one workspace does not read them.
      config: { permission: { instance: 'admin', scopedKeys: false } },
      schema: {
        tags: ['health'],
        operationId: 'getStatus',
        summary: 'The schema version and migrations, the job queue per kind, and the workers holding leases',
        response: { 200: statusSchema },
      },
    },
    () => app.services.status.status(),
  );
}
