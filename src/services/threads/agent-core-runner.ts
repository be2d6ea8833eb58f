import type { AgentEnvironment } from '../agents/agent-environment.js';
import { prepareAppAgent, runAgentTurn, type PrepareOptions } from '../agents/agent-turn.js';
import type { AppServices } from '../app-services.js';
import type { ThreadAgentRunner, ThreadTurnInput } from './thread-agent.js';

/**
 * Threads' turns run by the agent core (SQL, validate, visualize and workflow tools); titles by
 * `titles` (a short call to the agent's model). The core saves a visualize call's chart linked
 * to the thread (`threadId`); the thread finds it by its `chart` event.
 */
export class AgentCoreRunner implements ThreadAgentRunner {
  constructor(
    private readonly services: () => AppServices,
    private readonly options: PrepareOptions = {},
    private readonly titles?: ThreadAgentRunner['title'],
    /** A read-only server: the agent's tools write nothing (no chart row, no workflow run). */
    private readonly readonly = false,
  ) {}

  async run(agentId: string, input: ThreadTurnInput): Promise<{ finishReason: string }> {
    const agent = await prepareAppAgent(this.services(), agentId, this.options);
    try {
      const result = await runAgentTurn(this.readonly ? { ...agent, env: readingOnly(agent.env) } : agent, input);
      return { finishReason: result.finishReason };
    } finally {
      await agent.close();
    }
  }

  title(agentId: string, question: string, signal: AbortSignal): Promise<string | undefined> {
    return this.titles ? this.titles(agentId, question, signal) : Promise.resolve(undefined);
  }
}

/**
 * The agent's environment on a read-only server: SQL (read-only anyway), catalog and context
 * files as they are; charts are shown but not kept, and workflows (whose tasks may export
 * files) are refused with a message the model passes on.
 */
function readingOnly(env: AgentEnvironment): AgentEnvironment {
  return Object.create(env, {
    saveChart: { value: undefined },
    runWorkflow: {
      value: () =>
        Promise.reject(
          new Error('this oxy server is read-only: it runs no workflow from an agent (workflows may write)'),
        ),
    },
  }) as AgentEnvironment;
}
