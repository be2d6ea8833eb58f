import { entityByTable, WORKSPACE_ROLES, type WorkspaceRole } from '../db/entities.js';
import { workspacePath } from '../db/workspace-path.js';
import { ConflictError, NotFoundError, OxyError } from '../errors.js';
import type { MembershipRepository } from '../repositories/membership.repository.js';
import type { RowValues } from '../repositories/entity.repository.js';
import type { RowScope } from '../repositories/workspace-scope.js';
import type { Actor } from './auth.service.js';

export type InstanceRole = Actor['role'];

/** What one request may reach: who it acts as, at which instance role, in which workspaces. */
export interface Access {
  readonly userId: string;
  /** A workspace-scoped API key acts as a plain member of the instance. */
  readonly instanceRole: InstanceRole;
  /** OXY_AUTH=none: one local user, owner of every workspace (there is no one to tell apart). */
  readonly everyWorkspace: boolean;
  /** An API key limited to one workspace: every other workspace's rows are invisible. */
  readonly onlyWorkspace?: string;
}

export class ForbiddenError extends OxyError {
  constructor(message: string, hint?: string) {
    super('forbidden', message, { status: 403, ...(hint ? { hint } : {}) });
  }
}

const INSTANCE_RANK: Record<InstanceRole, number> = { owner: 3, admin: 2, member: 1 };

/** True when `role` is `need` or stronger (owner > admin > editor > viewer). */
export function workspaceRoleAtLeast(role: WorkspaceRole | undefined, need: WorkspaceRole): boolean {
  return role !== undefined && WORKSPACE_ROLES.indexOf(role) <= WORKSPACE_ROLES.indexOf(need);
}

export function instanceRoleAtLeast(role: InstanceRole, need: InstanceRole): boolean {
  return INSTANCE_RANK[role] >= INSTANCE_RANK[need];
}

/** The same answer as for a reference to a row that does not exist: other workspaces stay invisible. */
function missingReference(column: string, table: string, value: unknown): ConflictError {
  return new ConflictError(`${column} refers to ${table} ${String(value)}, which does not exist`, { fields: [column] });
}

/**
 * The workspace rules: a row belongs to the workspace its foreign keys lead to (workspace-path.ts);
 * viewers read, editors write content, admins manage members, databases and secrets, owners
 * delete the workspace and transfer it. A row the caller may not see is 404 (as if it did not
 * exist), one it sees but may not change is 403. Rows outside every workspace (instance-wide
 * secrets, jobs without a project) are for instance owners and admins.
 */
export class PermissionService {
  constructor(private readonly members: MembershipRepository) {}

  accessOf(actor: Actor): Access {
    return {
      userId: actor.userId,
      instanceRole: actor.workspaceId ? 'member' : actor.role,
      everyWorkspace: actor.via === 'local',
      ...(actor.workspaceId ? { onlyWorkspace: actor.workspaceId } : {}),
    };
  }

  /** The list filter for `access` (applied in SQL by the repository). */
  scopeOf(access: Access): RowScope {
    return {
      userId: access.userId,
      everyWorkspace: access.everyWorkspace,
      unscoped: instanceRoleAtLeast(access.instanceRole, 'admin'),
      ...(access.onlyWorkspace ? { onlyWorkspace: access.onlyWorkspace } : {}),
    };
  }

  async roleIn(access: Access, workspaceId: string): Promise<WorkspaceRole | undefined> {
    if (access.onlyWorkspace && access.onlyWorkspace !== workspaceId) return undefined;
    if (access.everyWorkspace) return 'owner';
    return this.members.roleOf(access.userId, workspaceId);
  }

  /** `access` may act with `need` on row `id` of `table`; returns the row's workspace (null: none). */
  async requireRow(access: Access, table: string, id: string, need: WorkspaceRole): Promise<string | null> {
    return this.requirePlaced(access, table, id, need, () => new NotFoundError(`${table} ${id} not found`));
  }

  /** `access` may create a `table` row with `values` (its workspace comes from the values). */
  async requireCreate(access: Access, table: string, values: RowValues, need: WorkspaceRole): Promise<string | null> {
    const first = workspacePath(table)?.[0];
    if (!first) return null;
    const value = values[first.column];
    if (value == null) {
      if (!instanceRoleAtLeast(access.instanceRole, 'admin')) {
        throw new ForbiddenError(
          `only instance owners and admins create ${table} outside a workspace`,
          `give ${first.column}`,
        );
      }
      return null;
    }
    return this.requirePlaced(access, first.target, String(value), need, () =>
      missingReference(first.column, first.target, value),
    );
  }

  /**
   * Row `id` of `table` exists where `access` may act with `need`: in a workspace where it holds that
   * role, or outside every workspace for instance admins. Anything else is `hidden()`, the same error
   * as a row that does not exist. Returns the row's workspace (null: none).
   */
  private async requirePlaced(
    access: Access,
    table: string,
    id: string,
    need: WorkspaceRole,
    hidden: () => OxyError,
  ): Promise<string | null> {
    const placement = await this.members.placementOf(table, id);
    if (!placement.found) throw hidden();
    if (placement.workspaceId === null) {
      if (!instanceRoleAtLeast(access.instanceRole, 'admin')) throw hidden();
      return null;
    }
    await this.requireRole(access, placement.workspaceId, need, hidden);
    return placement.workspaceId;
  }

  /**
   * Every reference in `values` that leads to a workspace must be visible to `access` and lead to
   * `workspaceId`: rows never point into another workspace, and an update cannot move a row out.
   */
  async requireReferences(access: Access, table: string, values: RowValues, workspaceId: string | null): Promise<void> {
    const path = workspacePath(table);
    if (!path) return;
    const own = path[0];
    if (own && own.column in values && values[own.column] === null && workspaceId !== null) {
      throw new ConflictError(`${own.column} cannot be cleared: rows stay in their workspace`, {
        fields: [own.column],
      });
    }
    for (const column of entityByTable(table).columns) {
      const target = column.references?.table;
      const value = values[column.name];
      if (!target || value == null || workspacePath(target) === undefined) continue;
      const placement = await this.members.placementOf(target, String(value));
      if (!placement.found) continue; // the repository reports the dangling reference
      const visible =
        placement.workspaceId === null
          ? instanceRoleAtLeast(access.instanceRole, 'admin')
          : (await this.roleIn(access, placement.workspaceId)) !== undefined;
      if (!visible) throw missingReference(column.name, target, value);
      if (placement.workspaceId !== workspaceId) {
        throw new ConflictError(`${column.name} refers to ${target} ${String(value)} of another workspace`, {
          fields: [column.name],
        });
      }
    }
  }

  private async requireRole(
    access: Access,
    workspaceId: string,
    need: WorkspaceRole,
    hidden: () => OxyError,
  ): Promise<void> {
    const role = await this.roleIn(access, workspaceId);
    if (!role) throw hidden();
    if (!workspaceRoleAtLeast(role, need)) {
      throw new ForbiddenError(
        `this needs the ${need} role in the workspace; you are ${role === 'admin' ? 'an' : 'a'} ${role}`,
        `ask an admin of the workspace for the ${need} role`,
      );
    }
  }
}
