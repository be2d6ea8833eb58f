import { Type } from '@sinclair/typebox';
import type { DefinitionPath, TaskType } from './task-type.js';

const condition = Type.Object(
  { if: Type.String({ minLength: 1 }), tasks: Type.Array(Type.Unknown()) },
  { additionalProperties: false },
);

function conditions(task: Readonly<Record<string, unknown>>): Record<string, unknown>[] {
  return Array.isArray(task.conditions) ? (task.conditions as Record<string, unknown>[]) : [];
}

/** Runs the tasks of the first condition whose `if` template renders truthy, else the `else` tasks. */
export const conditionalTask: TaskType = {
  type: 'conditional',
  fields: {
    conditions: Type.Array(condition, { minItems: 1 }),
    else: Type.Union([Type.Array(Type.Unknown()), Type.Null()]),
  },
  required: ['conditions'],
  nested: (task) => [
    ...conditions(task).map((c, i) => ({ path: ['conditions', i, 'tasks'] as DefinitionPath, tasks: c?.tasks })),
    ...(Array.isArray(task.else) ? [{ path: ['else'] as DefinitionPath, tasks: task.else }] : []),
  ],
  templates: (task) =>
    conditions(task).flatMap((c, i) => (typeof c?.if === 'string' ? [['conditions', i, 'if'] as DefinitionPath] : [])),
  run: async (task, context) => {
    for (const condition of conditions(task)) {
      if (truthy(context.render(String(condition.if)))) {
        return { kind: 'group', outputs: await context.runTasks(condition.tasks as unknown[], context.path) };
      }
    }
    const otherwise = Array.isArray(task.else) ? task.else : [];
    return { kind: 'group', outputs: await context.runTasks(otherwise, context.path) };
  },
};

/** How Jinja text reads as a condition: empty, `false`, `0`, `none` and `null` (any case) are false. */
export function truthy(rendered: string): boolean {
  return !['', 'false', '0', 'none', 'null', 'undefined'].includes(rendered.trim().toLowerCase());
}
