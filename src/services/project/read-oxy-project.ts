import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { checkWorkflow } from '../workflows/check-workflow.js';
import { formatPath } from '../workflows/yaml-source.js';
import { fromOxyDatabase } from './oxy-database.js';
import { AGENT_FILE, nameOfFile, WORKFLOW_FILE } from './oxy-file-names.js';
import { PROJECT_FILE } from './project-folder.js';

/** What one file (or config.yml entry) of an Oxy project becomes, or why it cannot. */
export type ImportItem<T> = { kind: ImportKind; name: string; source: string } & (
  { values: T; refused?: undefined } | { values?: undefined; refused: string }
);
export type ImportKind = 'database' | 'agent' | 'workflow' | 'query';

export interface OxyProjectContent {
  root: string;
  /** config.yml's `models` (Oxy's entries, `key_var` kept as a reference) and `defaults`. */
  settings: { folder: string; models: unknown[]; defaults: Record<string, unknown> };
  items: ImportItem<Record<string, unknown>>[];
}

const SKIPPED = new Set(['node_modules', '.git', '.db', 'output', '.databases']);

/**
 * Reads an Oxy project folder: config.yml's databases (Oxy `type` → kind, paths made absolute,
 * `*_var` references kept, never resolved), `*.agent.yml`, `*.procedure.yml` (checked as
 * `oxy validate` checks them) and `*.sql` files as saved queries. Each item carries the values
 * to store or the reason it is refused; nothing is written here.
 */
export function readOxyProject(root: string): OxyProjectContent {
  const config = (parse(readFileSync(path.join(root, PROJECT_FILE), 'utf8')) ?? {}) as Record<string, unknown>;
  const defaults = isRecord(config.defaults) ? config.defaults : {};
  const items: ImportItem<Record<string, unknown>>[] = [];
  const databases = Array.isArray(config.databases) ? config.databases : [];
  for (const entry of databases) items.push(databaseItem(root, entry));
  const databaseNames = items.filter((i) => i.values).map((i) => i.name);
  const defaultDatabase =
    typeof defaults.database === 'string'
      ? defaults.database
      : databaseNames.length === 1
        ? databaseNames[0]
        : undefined;
  const files = projectFiles(root);
  const sqlNames = files.filter((f) => f.endsWith('.sql')).map((f) => path.basename(f, '.sql'));
  // A query is named by its file (`total` for queries/total.sql), by its path when two share a name.
  const queryName = (relative: string) => {
    const base = path.basename(relative, '.sql');
    return sqlNames.filter((n) => n === base).length > 1 ? relative.replace(/\.sql$/, '') : base;
  };
  for (const file of files) {
    const relative = path.relative(root, file);
    const text = readFileSync(file, 'utf8');
    if (AGENT_FILE.test(file)) items.push(agentItem(relative, text));
    else if (WORKFLOW_FILE.test(file)) items.push(workflowItem(relative, text));
    else if (file.endsWith('.sql'))
      items.push({
        kind: 'query',
        name: queryName(relative),
        source: relative,
        values: { sql: text, database: defaultDatabase ?? null },
      });
  }
  return {
    root,
    settings: { folder: root, models: Array.isArray(config.models) ? config.models : [], defaults },
    items,
  };
}

function databaseItem(root: string, entry: unknown): ImportItem<Record<string, unknown>> {
  const name = isRecord(entry) && typeof entry.name === 'string' ? entry.name : '(unnamed)';
  const base = { kind: 'database' as const, name, source: `${PROJECT_FILE}: databases.${name}` };
  if (!isRecord(entry) || typeof entry.name !== 'string') return { ...base, refused: 'a database needs a name' };
  const mapped = fromOxyDatabase(root, entry);
  if ('refused' in mapped) return { ...base, refused: mapped.refused };
  return { ...base, values: mapped };
}

function agentItem(relative: string, text: string): ImportItem<Record<string, unknown>> {
  const name = nameOfFile(relative, AGENT_FILE);
  const base = { kind: 'agent' as const, name, source: relative };
  try {
    const parsed = parse(text) as unknown;
    if (!isRecord(parsed)) return { ...base, refused: 'an agent file must be a YAML mapping' };
    return { ...base, values: { definition: text, model: typeof parsed.model === 'string' ? parsed.model : null } };
  } catch (error) {
    return { ...base, refused: `invalid YAML: ${(error as Error).message.split('\n')[0]}` };
  }
}

function workflowItem(relative: string, text: string): ImportItem<Record<string, unknown>> {
  const name = nameOfFile(relative, WORKFLOW_FILE);
  const base = { kind: 'workflow' as const, name, source: relative };
  const { problems } = checkWorkflow(text);
  if (problems.length > 0) {
    const first = problems[0]!;
    const field = formatPath(first.path);
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more; run oxy validate)` : '';
    return { ...base, refused: `line ${first.line}: ${first.message}${field ? ` (${field})` : ''}${more}` };
  }
  return { ...base, values: { definition: text } };
}

function projectFiles(root: string): string[] {
  const found: string[] = [];
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED.has(entry.name)) walk(full);
      } else if (AGENT_FILE.test(entry.name) || WORKFLOW_FILE.test(entry.name) || entry.name.endsWith('.sql')) {
        found.push(full);
      }
    }
  };
  walk(root);
  return found.sort();
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
