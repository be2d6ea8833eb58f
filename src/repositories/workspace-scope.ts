import { sql, type ExpressionBuilder, type Expression, type SqlBool } from 'kysely';
import { workspacePath } from '../db/workspace-path.js';

/**
 * Which workspaces' rows a query may return: those where `userId` is a member (only
 * `onlyWorkspace`, when set), plus rows that belong to no workspace when `unscoped` is true.
 * `everyWorkspace` lifts the membership condition (OXY_AUTH=none's single local user).
 */
export interface RowScope {
  readonly userId: string;
  readonly everyWorkspace?: boolean;
  readonly onlyWorkspace?: string;
  readonly unscoped?: boolean;
}

/** `select workspace_id from workspace_members where …`: the workspaces a scope may see. */
function visibleWorkspaces(scope: RowScope) {
  const only = scope.onlyWorkspace ? sql` and workspace_id = ${scope.onlyWorkspace}` : sql``;
  return sql`select workspace_id from workspace_members where user_id = ${scope.userId}${only}`;
}

/**
 * The condition on `table`'s rows for `scope`, following the table's workspace path with nested
 * `in (select …)` so that it composes with any other filter, ordering and limit.
 */
export function scopeCondition(table: string, scope: RowScope) {
  return (eb: ExpressionBuilder<any, any>): Expression<SqlBool> => {
    const path = workspacePath(table);
    if (!path) return eb.val(true) as unknown as Expression<SqlBool>;
    let allowed = scope.everyWorkspace
      ? scope.onlyWorkspace
        ? sql`select id from workspaces where id = ${scope.onlyWorkspace}`
        : sql`select id from workspaces`
      : visibleWorkspaces(scope);
    for (const step of [...path].reverse().slice(0, -1)) {
      allowed = sql`select id from ${sql.table(step.table)} where ${sql.ref(step.column)} in (${allowed})`;
    }
    const first = path[0];
    const column = first ? `${table}.${first.column}` : `${table}.id`;
    const member = sql<SqlBool>`${sql.ref(column)} in (${allowed})`;
    return scope.unscoped && first
      ? eb.or([member as unknown as Expression<SqlBool>, eb(column, 'is', null)])
      : (member as unknown as Expression<SqlBool>);
  };
}
