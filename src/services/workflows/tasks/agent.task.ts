import { Type } from '@sinclair/typebox';
import { workflowErrors } from '../workflow-errors.js';
import type { TaskType } from './task-type.js';

/** Asks an agent (`agent_ref`, an `*.agent.yml` of the project) a templated `prompt`; its answer is the output. Oxy's extra fields are accepted. */
export const agentTask: TaskType = {
  type: 'agent',
  fields: {
    agent_ref: Type.String({ minLength: 1 }),
    prompt: Type.String({ minLength: 1 }),
    variables: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
    retry: Type.Integer({ minimum: 0 }),
    consistency_run: Type.Integer({ minimum: 0 }),
    consistency_prompt: Type.Union([Type.String(), Type.Null()]),
  },
  required: ['agent_ref', 'prompt'],
  templates: () => [['prompt']],
  run: async (task, context) => {
    if (!context.agents) throw workflowErrors.taskTypeNotRunnable('agent', String(task.name));
    const variables = (task.variables ?? {}) as Record<string, unknown>;
    const prompt = context.render(String(task.prompt), { ...variables, variables });
    context.reportInput(prompt);
    const text = await context.agents.ask(String(task.agent_ref), prompt, context.signal);
    return { kind: 'text', text };
  },
};
