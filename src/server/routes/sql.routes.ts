import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { resultCsv } from '../../services/connectors/result-csv.js';
import type { ResultStream } from '../../services/connectors/connector.js';
import { clientGoneSignal } from '../client-gone.js';
import { attachment } from '../content-disposition.js';
import { idParams } from '../entity-schemas.js';

const errors = { 400: { $ref: 'error#' }, 404: { $ref: 'error#' }, 502: { $ref: 'error#' } };
const limit = Type.Optional(
  Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'most rows returned (default 10,000)' }),
);

const resultSchema = Type.Object({
  columns: Type.Array(Type.Object({ name: Type.String(), type: Type.String() })),
  rows: Type.Array(Type.Array(Type.Unknown()), {
    description: 'arrays aligned with columns: bigint and decimal as strings, timestamps ISO-8601, binary base64',
  }),
  rowCount: Type.Integer(),
  truncated: Type.Boolean({ description: 'true when the statement had more rows than limit' }),
  elapsedMs: Type.Number(),
});

const csvResponse = {
  description:
    'Every row of the result (no cap) as CSV (RFC 4180) with a header row, streamed; a transfer cut short means the statement failed midway.',
  content: { 'text/csv': { schema: { type: 'string' } } },
};

const sqlBody = {
  database: Type.String({
    minLength: 1,
    maxLength: 200,
    description: "the database's id or its name in the project",
  }),
  sql: Type.String({ minLength: 1, maxLength: 1_000_000 }),
};

const testSchema = Type.Object({
  ok: Type.Boolean(),
  serverVersion: Type.Optional(Type.String()),
  latencyMs: Type.Optional(Type.Number()),
  error: Type.Optional(Type.String({ description: "the driver's reason in one line, password masked" })),
});

/**
 * Reaching user data: testing a connection (admins: it reveals how the server answers), and
 * running read-only SQL (viewers: a read-only statement reads, as viewing a saved result does).
 * None of them writes to the application database, so --readonly lets them through.
 */
export async function sqlRoutes(app: FastifyInstance): Promise<void> {
  app.post(
    '/databases/:id/test',
    {
      config: { permission: { workspace: 'admin', table: 'databases', target: 'row' }, readonlyExempt: true },
      schema: { tags: ['databases'], params: idParams, response: { 200: testSchema, ...errors } },
    },
    (req) => app.services.connectors.test((req.params as { id: string }).id),
  );
  app.post(
    '/projects/:id/sql',
    {
      config: { permission: { workspace: 'viewer', table: 'projects', target: 'row' }, readonlyExempt: true },
      schema: {
        tags: ['projects'],
        params: idParams,
        body: Type.Object({ ...sqlBody, limit }, { additionalProperties: false }),
        response: { 200: resultSchema, ...errors },
      },
    },
    (req, reply) => {
      const { id } = req.params as { id: string };
      const body = req.body as { database: string; sql: string; limit?: number };
      return app.services.connectors.runInProject(id, body.database, body.sql, body.limit, clientGoneSignal(reply));
    },
  );
  app.post(
    '/projects/:id/sql.csv',
    {
      config: { permission: { workspace: 'viewer', table: 'projects', target: 'row' }, readonlyExempt: true },
      schema: {
        tags: ['projects'],
        summary: "Export a read-only statement's full result as CSV",
        params: idParams,
        body: Type.Object(sqlBody, { additionalProperties: false }),
        response: { 200: csvResponse, ...errors },
      },
    },
    async (req, reply) => {
      const { id } = req.params as { id: string };
      const body = req.body as { database: string; sql: string };
      const stream = await app.services.connectors.streamInProject(
        id,
        body.database,
        body.sql,
        clientGoneSignal(reply),
      );
      return sendCsv(reply, stream, 'result');
    },
  );
  app.post(
    '/queries/:id/run',
    {
      config: { permission: { workspace: 'viewer', table: 'queries', target: 'row' }, readonlyExempt: true },
      schema: {
        tags: ['queries'],
        params: idParams,
        querystring: Type.Object({ limit }, { additionalProperties: false }),
        response: { 200: resultSchema, ...errors },
      },
    },
    (req, reply) =>
      app.services.connectors.runSavedQuery(
        (req.params as { id: string }).id,
        (req.query as { limit?: number }).limit,
        undefined,
        clientGoneSignal(reply),
      ),
  );
  app.get(
    '/queries/:id/results.csv',
    {
      config: { permission: { workspace: 'viewer', table: 'queries', target: 'row' }, readonlyExempt: true },
      schema: {
        tags: ['queries'],
        summary: "Export a saved query's full result as CSV",
        params: idParams,
        response: { 200: csvResponse, ...errors },
      },
    },
    async (req, reply) => {
      const { name, stream } = await app.services.connectors.streamSavedQuery(
        (req.params as { id: string }).id,
        clientGoneSignal(reply),
      );
      return sendCsv(reply, stream, name);
    },
  );
}

/**
 * The result as a CSV download. Fastify pipes it to the socket, so rows are read only as fast as
 * the client takes them; an error after the headers went out destroys the response, so the
 * client sees a cut transfer (no final chunk), never a silently short file.
 */
function sendCsv(reply: FastifyReply, stream: ResultStream, name: string): FastifyReply {
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', attachment(name, 'csv'))
    .send(resultCsv(stream));
}
