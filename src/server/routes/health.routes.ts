import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { currentSchemaVersion } from '../../db/migrator.js';
import { OxyError } from '../../errors.js';
import { VERSION } from '../../version.js';

/**
 * `/api/live`: the process is up. `/api/ready` and `/api/health`: a real round trip to the
 * database and its schema version; 503 with the reason when the database does not answer.
 */
export async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.get('/live', { config: { permission: { public: true } }, schema: { tags: ['health'] } }, async () => ({
    status: 'ok',
    version: VERSION,
  }));
  // What the web app needs before anything else: how to sign in, and whether writes are refused.
  const about = Type.Object({
    version: Type.String(),
    auth: Type.Union([Type.Literal('none'), Type.Literal('password')]),
    readonly: Type.Boolean(),
  });
  app.get(
    '/about',
    { config: { permission: { public: true } }, schema: { tags: ['health'], response: { 200: about } } },
    async () => ({
      version: VERSION,
      auth: app.services.config.auth,
      readonly: app.readonlyMode,
    }),
  );
  const check = async (_req: unknown, reply: FastifyReply) => {
    const { database } = app.services;
    try {
      // The version query is the round trip: it fails like a ping when the database is down.
      const schemaVersion = await currentSchemaVersion(database.db).catch(async (error: unknown) => {
        await database.ping();
        throw error;
      });
      return { status: 'ok', version: VERSION, database: { backend: database.dialect.backend, schemaVersion } };
    } catch (error) {
      const reason = error instanceof OxyError ? error.message : 'database did not answer';
      return reply.status(503).send({
        status: 'unavailable',
        version: VERSION,
        database: { backend: database.dialect.backend, error: reason },
      });
    }
  };
  app.get('/ready', { config: { permission: { public: true } }, schema: { tags: ['health'] } }, check);
  app.get('/health', { config: { permission: { public: true } }, schema: { tags: ['health'] } }, check);
}
