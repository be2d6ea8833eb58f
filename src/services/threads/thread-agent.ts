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

/** How a thread's turn reaches its agent (the app: AgentCoreRunner, the agent core's prepareAppAgent + runAgentTurn). */
export interface ThreadAgentRunner {
  run(agentId: string, input: ThreadTurnInput): Promise<{ finishReason: string }>;
  /** A short title for a thread from its first question; undefined when the model cannot give one. */
  title?(agentId: string, question: string, signal: AbortSignal): Promise<string | undefined>;
}

/**
 * Thread titles from a short call to the model of the thread's agent (its `model`, column or
 * definition, among its project's `settings.models`; keys from the environment or the
 * workspace's secrets).
 */
export class ModelTitles {
  constructor(
    private readonly repo: EntityRepository,
    private readonly secrets: SecretsService,
    private readonly env: Readonly<Record<string, string | undefined>>,
    private readonly clientOptions: { retry?: Partial<RetryOptions> } = {},
  ) {}

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
    const definition = (parse(String(agent.definition)) ?? {}) as { model?: unknown };
    const name = agent.model ?? definition.model;
    if (typeof name !== 'string' || name === '')
      throw new ValidationError(
        `agent ${String(agent.name)} names no model: set its model (one of the project's models)`,
      );
    const settings = (project.settings ?? {}) as { models?: unknown };
    const model = findModel(validateModels(settings.models ?? []), name);
    const keys = workspaceKeySource(this.env, this.repo, this.secrets, String(project.workspace_id));
    const client = new ModelClient({ keys, ...(this.clientOptions.retry ? { retry: this.clientOptions.retry } : {}) });
    return { client, model };
  }
}
