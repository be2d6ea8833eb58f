import { Type } from '@sinclair/typebox';
import type { DefinitionPath, TaskType } from './task-type.js';

/** Runs another workflow file (`src`, relative to the project folder) with `variables`; cycles are refused. */
export const workflowTask: TaskType = {
  type: 'workflow',
  fields: {
    src: Type.String({ minLength: 1 }),
    variables: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  },
  required: ['src'],
  templates: (task) =>
    task.variables && typeof task.variables === 'object'
      ? Object.entries(task.variables)
          .filter(([, value]) => typeof value === 'string')
          .map(([key]) => ['variables', key] as DefinitionPath)
      : [],
  run: async (task, context) => {
    const given = (task.variables ?? {}) as Record<string, unknown>;
    const variables = Object.fromEntries(
      Object.entries(given).map(([key, value]) => [key, typeof value === 'string' ? context.render(value) : value]),
    );
    return { kind: 'group', outputs: await context.runWorkflow(String(task.src), variables) };
  },
};
