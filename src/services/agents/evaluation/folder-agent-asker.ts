import { prepareFolderAgent, runAgentTurn, type AgentEvent } from '../agent-turn.js';
import type { AnsweredTurn } from './evaluate-agent.js';

/**
 * The agent a test file targets, prepared once from its project folder (folder mode: model and
 * databases from config.yml); each question is a fresh turn without history. A turn that ends
 * on an error event without having run SQL rejects with that error, so the run reports it.
 */
export async function folderAgentAsker(
  root: string,
  target: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<(question: string, signal: AbortSignal) => Promise<AnsweredTurn>> {
  const agent = await prepareFolderAgent(root, target, env);
  return async (question, signal) => {
    let failure: Extract<AgentEvent, { type: 'error' }> | undefined;
    const turn = await runAgentTurn(agent, {
      history: [],
      question,
      signal,
      onEvent: (event) => {
        if (event.type === 'error') failure = event;
      },
    });
    if (!turn.lastSql && failure) throw new Error(`${failure.code}: ${failure.message}`);
    return { lastSql: turn.lastSql, usage: turn.usage };
  };
}
