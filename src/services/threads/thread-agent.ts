import { parse } from 'yaml';
import { ValidationError } from '../../errors.js';
import type { EntityRepository } from '../../repositories/entity.repository.js';
import type { AgentEvent } from '../agents/agent-turn.js';
import { ModelClient } from '../agents/models/model-client.js';
import { findModel, validateModels } from '../agents/models/model-config.js';
import type { TurnMessage } from '../agents/models/model-turn.js';
import { workspaceKeySource } from '../agents/models/workspace-keys.js';
import type { RetryOptions } from '../agents/models/retry-policy.js';
import type { SecretsService } from '../secrets.service.js';

/** What a turn emits, in order, as it happens: the agent core's events. */
export type ThreadAgentEvent = AgentEvent;

export interface ThreadTurnInput {
  history: TurnMessage[];
  question: string;
  signal: AbortSignal;
  onEvent: (event: ThreadAgentEvent) => void | Promise<void>;
  /** The thread asked: a chart the agent draws is linked to it. */
  threadId?: string;
}

/** How a thread's turn reaches its agent: the seam the agent core plugs into (prepareAppAgent + runAgentTurn). */
export interface ThreadAgentRunner {
  run(agentId: string, input: ThreadTurnInput): Promise<{ finishReason: string }>;
  /** A short title for a thread from its first question; undefined when the model cannot give one. */
  title?(agentId: string, question: string, signal: AbortSignal): Promise<string | undefined>;
}

/**
 * The agent of an `agents` row answering with its model alone (its `system_instructions`, no
 * tools): what threads run until the agent core's runAgentTurn is wired in its place. The model
 * comes from the agent's `model` (column or definition) among its project's `settings.models`;
 * keys from the environment or the workspace's secrets.
 */
export class ModelOnlyAgentRunner implements ThreadAgentRunner {
  constructor(
    private readonly repo: EntityRepository,
    private readonly secrets: SecretsService,
    private readonly env: Readonly<Record<string, string | undefined>>,
    private readonly clientOptions: { retry?: Partial<RetryOptions> } = {},
  ) {}

  async run(agentId: string, input: ThreadTurnInput): Promise<{ finishReason: string }> {
    const { client, model, system } = await this.prepare(agentId);
    const messages: TurnMessage[] = [...input.history, { role: 'user', text: input.question }];
    let finishReason = 'other';
    for await (const event of client.streamTurn({
      model,
      ...(system ? { system } : {}),
      messages,
      signal: input.signal,
    })) {
      if (event.type === 'text-delta') await input.onEvent(event);
      else if (event.type === 'retry') await input.onEvent(event);
      else if (event.type === 'usage')
        await input.onEvent({
          type: 'usage',
          inputTokens: event.inputTokens ?? 0,
          outputTokens: event.outputTokens ?? 0,
        });
      else if (event.type === 'finish') finishReason = event.reason;
      else if (event.type === 'error') {
        await input.onEvent({ type: 'error', code: event.code, message: event.message });
        return { finishReason: 'error' };
      }
    }
    await input.onEvent({ type: 'done', finishReason });
    return { finishReason };
  }

  async title(agentId: string, question: string, signal: AbortSignal): Promise<string | undefined> {
    const { client, model } = await this.prepare(agentId);
    let text = '';
    for await (const event of client.streamTurn({
      model,
      system:
        'Give a title of at most six words for a conversation that starts with the question below. Answer with the title only.',
      messages: [{ role: 'user', text: question }],
      signal,
    })) {
      if (event.type === 'text-delta') text += event.text;
      if (event.type === 'error') return undefined;
    }
    return text.trim() || undefined;
  }

  private async prepare(agentId: string) {
    const agent = await this.repo.get('agents', agentId);
    const project = await this.repo.get('projects', String(agent.project_id));
    const definition = (parse(String(agent.definition)) ?? {}) as { model?: unknown; system_instructions?: unknown };
    const name = agent.model ?? definition.model;
    if (typeof name !== 'string' || name === '')
      throw new ValidationError(
        `agent ${String(agent.name)} names no model: set its model (one of the project's models)`,
      );
    const settings = (project.settings ?? {}) as { models?: unknown };
    const model = findModel(validateModels(settings.models ?? []), name);
    const keys = workspaceKeySource(this.env, this.repo, this.secrets, String(project.workspace_id));
    const client = new ModelClient({ keys, ...(this.clientOptions.retry ? { retry: this.clientOptions.retry } : {}) });
    const system = typeof definition.system_instructions === 'string' ? definition.system_instructions : undefined;
    return { client, model, system };
  }
}
