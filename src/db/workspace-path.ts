import { entities, entityByTable, type EntityDef } from './entities.js';

/** One hop from a table up towards its workspace: `table.column` refers to `target.id`. */
export interface PathStep {
  readonly table: string;
  readonly column: string;
  readonly target: string;
}

const ROOT = 'workspaces';
const cache = new Map<string, readonly PathStep[] | undefined>();

/**
 * How rows of `table` belong to a workspace, derived from the foreign keys of entities.ts: the
 * chain of reference columns from the table up to `workspaces` (e.g. messages.thread_id →
 * threads.project_id → projects.workspace_id). Each hop takes the first `cascade` reference
 * that itself leads to a workspace: the row a child cannot outlive is the one that owns it.
 * `[]` for workspaces (a row is its own workspace); undefined for tables outside any workspace
 * (users).
 *
 * @example
 * workspacePath('messages') // [{table:'messages',column:'thread_id',target:'threads'}, …, {table:'projects',column:'workspace_id',target:'workspaces'}]
 */
export function workspacePath(table: string): readonly PathStep[] | undefined {
  if (table === ROOT) return [];
  if (cache.has(table)) return cache.get(table);
  const entity = entityByTable(table);
  let path: PathStep[] | undefined;
  for (const column of entity.columns) {
    const ref = column.references;
    if (!ref || ref.onDelete !== 'cascade' || ref.table === table) continue;
    const above = workspacePath(ref.table);
    if (above) {
      path = [{ table, column: column.name, target: ref.table }, ...above];
      break;
    }
  }
  cache.set(table, path);
  return path;
}

/** The tables whose rows belong to a workspace. */
export function workspaceTables(): string[] {
  return (entities as readonly EntityDef[]).map((e) => e.table).filter((t) => workspacePath(t) !== undefined);
}
