import { Type } from '@sinclair/typebox';
import type { TaskType } from './task-type.js';

/** Runs its tasks once per value: a list, or a template yielding one (`"{{ stores.name }}"`). */
export const loopSequentialTask: TaskType = {
  type: 'loop_sequential',
  fields: {
    values: Type.Union([Type.String({ minLength: 1 }), Type.Array(Type.Unknown())]),
    concurrency: Type.Integer({ minimum: 1, maximum: 64 }),
    tasks: Type.Array(Type.Unknown(), { minItems: 1 }),
  },
  required: ['values', 'tasks'],
  nested: (task) => [{ path: ['tasks'], tasks: task.tasks }],
  templates: (task) => (typeof task.values === 'string' ? [['values']] : []),
};
