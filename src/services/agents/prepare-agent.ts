import { DIALECTS } from '../catalog/schema-document.js';
import type { DatabaseKind } from '../connectors/database-config.js';
import { createTemplateEnvironment } from '../workflows/template-environment.js';
import { parseAgentDefinition, type AgentDefinition } from './agent-definition.js';
import type { AgentEnvironment } from './agent-environment.js';
import { toolDefinition } from './agent-tools.js';
import type { PreparedAgent, PrepareOptions } from './agent-turn.js';
import { ModelClient } from './models/model-client.js';
import { findModel, validateModels } from './models/model-config.js';
import { ValidationError, type FieldError } from '../../errors.js';

/** How long reading the catalogs for the prompt may take. */
const PREPARE_TIMEOUT_MS = 60_000;

/** The databases an agent's tools name, in order, once each. */
export function toolDatabases(definition: AgentDefinition): string[] {
  const names = definition.tools.flatMap((t) => ('database' in t ? [t.database] : []));
  return [...new Set(names)];
}

/**
 * The agent ready to run, in either mode: the model looked up among `models`, the system prompt
 * rendered with `databases.NAME.dialect` / `.ddl` and `context.NAME`, the tools described. When the
 * instructions do not place the DDL themselves, it is appended so the model knows the tables.
 */
export async function prepareAgent(input: {
  name: string;
  source: string;
  models: unknown;
  env: AgentEnvironment;
  kind: (database: string) => Promise<DatabaseKind>;
  options: PrepareOptions;
}): Promise<PreparedAgent> {
  const { env } = input;
  try {
    let definition: AgentDefinition;
    try {
      definition = parseAgentDefinition(input.source);
    } catch (error) {
      if (error instanceof ValidationError)
        throw new ValidationError(
          `agent ${input.name}: ${error.message}`,
          (error.details as { fields?: FieldError[] } | undefined)?.fields ?? [],
        );
      throw error;
    }
    const model = findModel(validateModels(input.models ?? []), definition.model);
    const signal = AbortSignal.timeout(PREPARE_TIMEOUT_MS);
    const names = toolDatabases(definition);
    const kinds = new Map<string, DatabaseKind>();
    const databases: Record<string, { name: string; dialect: string; ddl: string }> = {};
    for (const name of names) {
      const kind = await input.kind(name);
      kinds.set(name, kind);
      databases[name] = { name, dialect: DIALECTS[kind], ddl: await env.ddl(name, signal) };
    }
    const context: Record<string, string> = {};
    for (const entry of definition.context) context[entry.name] = await env.contextFiles(entry.src);
    const template = createTemplateEnvironment();
    let system: string;
    try {
      system = template.renderString(definition.system_instructions, { databases, context });
    } catch (error) {
      const reason = (error as Error).message.replace('(unknown path)', '').replace(/\s+/g, ' ').trim();
      throw new ValidationError(`agent ${input.name}: system_instructions: ${reason}`, [
        { field: 'system_instructions', message: reason },
      ]);
    }
    if (names.length > 0 && !/\bddl\b/.test(definition.system_instructions)) {
      const schemas = names.map((n) => databases[n]!.ddl.trimEnd()).join('\n\n');
      system = `${system.trimEnd()}\n\nThe databases you can query (their tables as DDL):\n\n${schemas}\n`;
    }
    return {
      name: input.name,
      definition,
      model,
      system,
      tools: definition.tools.map((tool) => toolDefinition(tool, names)),
      env,
      kinds,
      client: new ModelClient({ ...input.options, keys: env.keys }),
      close: () => env.close(),
    };
  } catch (error) {
    await env.close();
    throw error;
  }
}
