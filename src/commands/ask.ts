import path from 'node:path';
import { Command } from 'commander';
import { loadConfig } from '../config.js';
import { openMigratedDatabase } from '../db/open-app-database.js';
import { NotFoundError, OxyError, UsageError } from '../errors.js';
import {
  prepareAppAgent,
  prepareFolderAgent,
  runAgentTurn,
  type AgentTurnResult,
  type PreparedAgent,
} from '../services/agents/agent-turn.js';
import { folderAgents, readFolderSettings } from '../services/agents/folder-agent.js';
import { createAppServices, type AppServices } from '../services/app-services.js';
import { findProjectRoot } from '../services/project/project-folder.js';
import { AGENT_FILE } from '../services/project/oxy-file-names.js';
import { JsonCollector, terminalPrinter } from './ask-output.js';
import { exitCodeFor, SHUTDOWN_SIGNALS } from './shutdown-signals.js';

interface AskOptions {
  agent?: string;
  project?: string;
  json?: boolean;
}

/** The agent `oxy ask` uses in a folder: --agent, else config.yml's defaults.agent, else the only one. */
async function folderAgentName(root: string, given: string | undefined): Promise<string> {
  if (given) return given;
  const fallback = readFolderSettings(root).defaults.agent;
  if (typeof fallback === 'string' && fallback) return fallback;
  const agents = [...(await folderAgents(root)).keys()];
  if (agents.length === 1) return agents[0]!;
  if (agents.length === 0)
    throw new UsageError(`${root} has no agent (*.agent.yml)`, 'add one, e.g. agents/sales.agent.yml');
  throw new UsageError(
    `${root} has ${agents.length} agents: ${agents.join(', ')}`,
    'choose one with --agent NAME, or set defaults.agent in config.yml',
  );
}

/** The id of the agents row named `name` (in `project`, a name or id, when given). */
async function appAgentId(services: AppServices, name: string, project: string | undefined): Promise<string> {
  let where: Record<string, unknown> = { name };
  if (project !== undefined) {
    const byId = await services.repo.find('projects', project).catch(() => undefined);
    const projects = byId
      ? [byId]
      : (await services.repo.list('projects', { where: { name: project }, limit: 2 })).items;
    if (projects.length === 0) throw new NotFoundError(`no project ${JSON.stringify(project)}`);
    if (projects.length > 1) throw new UsageError(`more than one project is named ${project}`, 'give its id');
    where = { ...where, project_id: projects[0]!.id };
  }
  const agents = (await services.repo.list('agents', { where, limit: 2 })).items;
  if (agents.length === 0)
    throw new NotFoundError(`no agent ${JSON.stringify(name)}${project ? ` in project ${project}` : ''}`);
  if (agents.length > 1)
    throw new UsageError(`more than one project has an agent ${name}`, 'name the project with --project');
  return String(agents[0]!.id);
}

/** Runs the turn, printing as it goes; Ctrl+C aborts it. */
async function ask(agent: PreparedAgent, question: string, json: boolean): Promise<void> {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`\n${signal}: stopping…\n`);
    controller.abort(signal);
    for (const s of SHUTDOWN_SIGNALS) process.once(s, (again) => process.exit(exitCodeFor(again)));
  };
  for (const s of SHUTDOWN_SIGNALS) process.once(s, onSignal);
  const collector = new JsonCollector();
  const print = terminalPrinter(
    (text) => process.stdout.write(text),
    (text) => process.stderr.write(text),
  );
  let failure: { code: string; message: string } | undefined;
  let result: AgentTurnResult;
  try {
    result = await runAgentTurn(agent, {
      history: [],
      question,
      signal: controller.signal,
      onEvent: (event) => {
        if (event.type === 'error') failure = event;
        if (json) collector.onEvent(event);
        else print(event);
      },
    });
  } finally {
    for (const s of SHUTDOWN_SIGNALS) process.off(s, onSignal);
  }
  if (json) process.stdout.write(`${JSON.stringify(collector.document(agent.name, question, result), null, 2)}\n`);
  if (controller.signal.aborted) process.exitCode = exitCodeFor(controller.signal.reason as NodeJS.Signals);
  if (failure) throw new OxyError(failure.code, failure.message, { exitCode: 1 });
}

/** `oxy ask [--agent NAME] "question"`: one question to an agent, the answer streamed to the terminal. */
export function askCommand(): Command {
  return new Command('ask')
    .description('ask an agent a question: its answer, the SQL it ran and the results stream to the terminal')
    .argument('<question>', 'the question')
    .option('--agent <name>', 'the agent (default: config.yml defaults.agent, or the only agent of the folder)')
    .option('--project <project>', 'outside a project folder: the project (name or id) of the agent')
    .option('--json', 'print one JSON document: answer, tool calls with SQL and results, charts, usage')
    .action(async (question: string, opts: AskOptions) => {
      const root = findProjectRoot(process.cwd());
      if (root) {
        const name = await folderAgentName(
          root,
          opts.agent && AGENT_FILE.test(opts.agent) ? path.resolve(opts.agent) : opts.agent,
        );
        const agent = await prepareFolderAgent(root, name, process.env);
        try {
          await ask(agent, question, opts.json === true);
        } finally {
          await agent.close();
        }
        return;
      }
      if (!opts.agent)
        throw new UsageError(
          'no Oxy project folder here (config.yml) to find the agent in',
          'run it inside a project folder, or name an agent of the application database with --agent NAME [--project P]',
        );
      const config = loadConfig();
      const { database } = await openMigratedDatabase(config);
      try {
        const services = await createAppServices(config, database);
        try {
          const agent = await prepareAppAgent(services, await appAgentId(services, opts.agent, opts.project));
          try {
            await ask(agent, question, opts.json === true);
          } finally {
            await agent.close();
          }
        } finally {
          await services.connectors.closeAll();
        }
      } finally {
        await database.close();
      }
    });
}
