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
  ) {}

  async run(agentId: string, input: ThreadTurnInput & { threadId?: string }): Promise<{ finishReason: string }> {
    const agent = await prepareAppAgent(this.services(), agentId, this.options);
    try {
      const result = await runAgentTurn(agent, input);
      return { finishReason: result.finishReason };
    } finally {
      await agent.close();
    }
  }

  title(agentId: string, question: string, signal: AbortSignal): Promise<string | undefined> {
    return this.titles ? this.titles(agentId, question, signal) : Promise.resolve(undefined);
  }
}
