import type { AppServices } from '../app-services.js';
import { AGENT_FILE, nameOfFile } from '../project/oxy-file-names.js';
import type { WorkflowAgents } from '../workflows/run-context.js';
import { prepareAppAgent, prepareFolderAgent, runAgentTurn, type PreparedAgent } from './agent-turn.js';

/** One question to a prepared agent: its answer's text; a model failure is an error. */
async function answer(agent: PreparedAgent, prompt: string, signal: AbortSignal): Promise<string> {
  try {
    let failure: string | undefined;
    const result = await runAgentTurn(agent, {
      history: [],
      question: prompt,
      signal,
      onEvent: (event) => {
        if (event.type === 'error') failure = event.message;
      },
    });
    if (failure) throw new Error(`agent ${agent.name}: ${failure}`);
    return result.messages
      .filter((m) => m.role === 'assistant')
      .map((m) => m.text)
      .join('');
  } finally {
    await agent.close();
  }
}

/** The agents of an Oxy project folder, for `agent` tasks of `oxy run` (agent_ref: a file or a name). */
export function folderWorkflowAgents(root: string, env: Readonly<Record<string, string | undefined>>): WorkflowAgents {
  return { ask: async (ref, prompt, signal) => answer(await prepareFolderAgent(root, ref, env), prompt, signal) };
}

/** The agents of a project of the application database, by name (`agents/sales.agent.yml` → `sales`). */
export function appWorkflowAgents(services: AppServices, projectId: string): WorkflowAgents {
  return {
    ask: async (ref, prompt, signal) => {
      const name = nameOfFile(ref, AGENT_FILE);
      const row = await services.repo.findBy('agents', { project_id: projectId, name });
      if (!row) throw new Error(`the project has no agent ${name}`);
      return answer(await prepareAppAgent(services, String(row.id)), prompt, signal);
    },
  };
}
