import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { workflowProblems } from '../../services/workflows/workflow-definition.js';
import { idParams } from '../entity-schemas.js';

const problemsSchema = Type.Object({
  problems: Type.Array(
    Type.Object({
      line: Type.Integer({ minimum: 1 }),
      column: Type.Integer({ minimum: 1 }),
      path: Type.String({ description: 'the field, as `tasks[1].sql`; empty for the whole definition' }),
      message: Type.String(),
    }),
    { description: 'empty when the definition would save' },
  ),
});

/**
 * Checking a workflow definition without saving it (the web editor checks as the user types).
 * It stores nothing, so viewers and a read-only server may use it.
 */
export async function workflowRoutes(app: FastifyInstance): Promise<void> {
  app.post(
    '/projects/:id/workflows/validate',
    {
      config: { permission: { workspace: 'viewer', table: 'projects', target: 'row' }, readonlyExempt: true },
      schema: {
        tags: ['workflows'],
        description:
          'Checks a workflow definition (YAML) as saving it in the project would, and answers every problem with its line, column and field; an empty list means it saves. Nothing is stored.',
        params: idParams,
        body: Type.Object({ definition: Type.String({ maxLength: 1_000_000 }) }, { additionalProperties: false }),
        response: { 200: problemsSchema, 400: { $ref: 'error#' }, 404: { $ref: 'error#' } },
      },
    },
    async (req) => ({ problems: workflowProblems((req.body as { definition: string }).definition) }),
  );
}
