import { Type } from '@sinclair/typebox';
import type { TaskOutput } from '../task-output.js';
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
  run: async (task, context) => {
    const values = typeof task.values === 'string' ? context.renderList(task.values) : (task.values as unknown[]);
    const name = String(task.name);
    const iterations: { value: unknown; outputs: Record<string, TaskOutput> }[] = new Array(values.length);
    let next = 0;
    // `concurrency` iterations at a time; their outputs keep the order of the values.
    const worker = async () => {
      while (next < values.length) {
        const index = next++;
        const value = values[index];
        const outputs = await context.runTasks(task.tasks as unknown[], `${context.path}[${index}]`, {
          [name]: { value, index },
        });
        iterations[index] = { value, outputs };
      }
    };
    const slots = Math.min(Number(task.concurrency ?? 1), Math.max(values.length, 1));
    await Promise.all(Array.from({ length: slots }, worker));
    return { kind: 'loop', iterations };
  },
};
