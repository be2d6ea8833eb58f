import { Type } from '@sinclair/typebox';
import type { TaskType } from './task-type.js';

/** Renders a Jinja template from earlier tasks' outputs (a report, a message, SQL for a later task). */
export const formatterTask: TaskType = {
  type: 'formatter',
  fields: { template: Type.String() },
  required: ['template'],
  templates: () => [['template']],
  run: async (task, context) => ({ kind: 'text', text: context.render(String(task.template)) }),
};
