import { prepareAppAgent, runAgentTurn } from '../agents/agent-turn.js';
import type { AppServices } from '../app-services.js';
import type { ThreadAgentRunner, ThreadTurnInput } from './thread-agent.js';

/**
 * Threads' turns run by the agent core (tools: SQL, charts, workflows), titles by `titles`.
 * The chart rows of a turn are created by the thread (TurnRecorder, from `chart` events), so the
 * core is not given the thread's id.
 */
export class AgentCoreRunner implements ThreadAgentRunner {
  constructor(
    private readonly services: () => AppServices,
    private readonly titles?: ThreadAgentRunner['title'],
  ) {}

  async run(agentId: string, input: ThreadTurnInput): Promise<{ finishReason: string }> {
    const agent = await prepareAppAgent(this.services(), agentId);
    const result = await runAgentTurn(agent, input);
    return { finishReason: result.finishReason };
  }

  title(agentId: string, question: string, signal: AbortSignal): Promise<string | undefined> {
    return this.titles ? this.titles(agentId, question, signal) : Promise.resolve(undefined);
  }
}
