import { parse } from 'yaml';
import { ValidationError } from '../../errors.js';

/** One tool of an agent file (Oxy's `tools` entries that oxy runs). */
export type AgentToolConfig =
  | { type: 'execute_sql'; name: string; description?: string; database: string; dry_run_limit?: number }
  | { type: 'validate_sql'; name: string; description?: string; database: string }
  | { type: 'visualize'; name: string; description?: string }
  | { type: 'workflow'; name: string; description?: string; workflow_ref: string; variables?: Record<string, unknown> };

/** An `*.agent.yml` (Oxy's fields): what the agent says, with which model, which tools and files. */
export interface AgentDefinition {
  model: string;
  description?: string;
  system_instructions: string;
  /** Named globs of files put in the prompt (`{{ context.NAME }}`). */
  context: { name: string; type: 'file'; src: string[] }[];
  tools: AgentToolConfig[];
  max_tool_calls: number;
}

export const DEFAULT_MAX_TOOL_CALLS = 10;
const TOOL_TYPES = ['execute_sql', 'validate_sql', 'visualize', 'workflow'] as const;

/** A problem of an agent file with the path of the field (`tools[1].database`). */
function problem(field: string, message: string): ValidationError {
  return new ValidationError(`${field} ${message}`, [{ field, message }]);
}

function text(record: Record<string, unknown>, key: string, at: string, required: boolean): string | undefined {
  const value = record[key];
  if (value === undefined || value === null) {
    if (required) throw problem(`${at}${key}`, 'is required');
    return undefined;
  }
  if (typeof value !== 'string' || value === '') throw problem(`${at}${key}`, 'must be non-empty text');
  return value;
}

/**
 * An agent file's text checked; a ValidationError naming the first bad field (with its path)
 * otherwise. Oxy's fields oxy does not use (`retrieval`, `tests`, `public`…) are accepted and ignored.
 */
export function parseAgentDefinition(source: string): AgentDefinition {
  let doc: unknown;
  try {
    doc = parse(source);
  } catch (error) {
    throw new ValidationError(`agent file is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw problem('agent', 'must be a mapping of fields');
  const record = doc as Record<string, unknown>;
  const model = text(record, 'model', '', true)!;
  const system = text(record, 'system_instructions', '', true)!;
  const description = text(record, 'description', '', false);
  const max = record.max_tool_calls ?? DEFAULT_MAX_TOOL_CALLS;
  if (!Number.isInteger(max) || (max as number) < 1 || (max as number) > 1000)
    throw problem('max_tool_calls', 'must be a whole number from 1 to 1000');
  return {
    model,
    system_instructions: system,
    ...(description ? { description } : {}),
    context: parseContext(record.context),
    tools: parseTools(record.tools),
    max_tool_calls: max as number,
  };
}

function parseContext(value: unknown): AgentDefinition['context'] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw problem('context', 'must be a list');
  return value.map((entry, i) => {
    const at = `context[${i}].`;
    if (!entry || typeof entry !== 'object') throw problem(`context[${i}]`, 'must be a mapping');
    const record = entry as Record<string, unknown>;
    const name = text(record, 'name', at, true)!;
    if (record.type !== undefined && record.type !== 'file')
      throw problem(`${at}type`, 'must be file (oxy reads files only)');
    const src = typeof record.src === 'string' ? [record.src] : record.src;
    if (!Array.isArray(src) || src.length === 0 || src.some((s) => typeof s !== 'string' || s === ''))
      throw problem(`${at}src`, 'must be a list of file globs');
    return { name, type: 'file' as const, src: src as string[] };
  });
}

function parseTools(value: unknown): AgentToolConfig[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw problem('tools', 'must be a list');
  const tools = value.map((entry, i): AgentToolConfig => {
    const at = `tools[${i}].`;
    if (!entry || typeof entry !== 'object') throw problem(`tools[${i}]`, 'must be a mapping');
    const record = entry as Record<string, unknown>;
    const type = record.type;
    if (!TOOL_TYPES.includes(type as never)) throw problem(`${at}type`, `must be one of ${TOOL_TYPES.join(', ')}`);
    const name = text(record, 'name', at, true)!;
    if (!/^[a-zA-Z0-9_-]{1,64}$/.test(name)) throw problem(`${at}name`, 'must be letters, digits, _ or - (at most 64)');
    const description = text(record, 'description', at, false);
    const base = { name, ...(description ? { description } : {}) };
    if (type === 'visualize') return { type, ...base };
    if (type === 'workflow') {
      const variables = record.variables;
      if (variables !== undefined && variables !== null && (typeof variables !== 'object' || Array.isArray(variables)))
        throw problem(`${at}variables`, 'must be a mapping');
      return {
        type,
        ...base,
        workflow_ref: text(record, 'workflow_ref', at, true)!,
        ...(variables ? { variables: variables as Record<string, unknown> } : {}),
      };
    }
    const database = text(record, 'database', at, true)!;
    if (type === 'validate_sql') return { type, ...base, database };
    const limit = record.dry_run_limit;
    if (limit !== undefined && limit !== null && (!Number.isInteger(limit) || (limit as number) < 1))
      throw problem(`${at}dry_run_limit`, 'must be a whole number of rows, at least 1');
    return { type: 'execute_sql', ...base, database, ...(typeof limit === 'number' ? { dry_run_limit: limit } : {}) };
  });
  tools.forEach((tool, i) => {
    if (tools.findIndex((t) => t.name === tool.name) !== i)
      throw problem(`tools[${i}].name`, `${JSON.stringify(tool.name)} is used by an earlier tool`);
  });
  return tools;
}
