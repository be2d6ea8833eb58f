import { Type } from '@sinclair/typebox';
import { workflowErrors } from '../workflow-errors.js';
import type { TaskType } from './task-type.js';

/** Makes a chart from an earlier SQL task's result (`data`: its name), with oxy's chart fields. */
export const visualizeTask: TaskType = {
  type: 'visualize',
  fields: {
    data: Type.String({ minLength: 1 }),
    chart: Type.Union([Type.String(), Type.Object({}, { additionalProperties: true })]),
    title: Type.String(),
    x: Type.String(),
    y: Type.Union([Type.String(), Type.Array(Type.String(), { minItems: 1 })]),
    series: Type.String(),
  },
  required: ['data'],
  run: async (task) => {
    throw workflowErrors.taskTypeNotRunnable('visualize', String(task.name));
  },
};
