import { sql } from 'kysely';
import type { AppDatabase } from '../db/connect.js';
import type { WorkspaceRole } from '../db/entities.js';
import { workspacePath } from '../db/workspace-path.js';
import { EntityRepository, type RowValues } from './entity.repository.js';

/** Where a row sits: not there at all, or in a workspace (null: a row outside every workspace). */
export type RowPlacement = { found: false } | { found: true; workspaceId: string | null };

/**
 * Workspace membership: who holds which role where, which workspace a row belongs to, and the
 * writes that must change memberships and workspaces together (one transaction each).
 */
export class MembershipRepository {
  constructor(private readonly app: AppDatabase) {}

  /** The role of `userId` in `workspaceId`, or undefined for a non-member. */
  async roleOf(userId: string, workspaceId: string): Promise<WorkspaceRole | undefined> {
    const row = await this.app.db
      .selectFrom('workspace_members')
      .select('role')
      .where('workspace_id', '=', workspaceId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row?.role as WorkspaceRole | undefined;
  }

  /** The workspace row `id` of `table` belongs to, following the table's workspace path in one query. */
  async placementOf(table: string, id: string): Promise<RowPlacement> {
    const path = workspacePath(table);
    if (!path) throw new Error(`${table} rows belong to no workspace`);
    if (path.length === 0) {
      const found = await this.app.db.selectFrom('workspaces').select('id').where('id', '=', id).executeTakeFirst();
      return found ? { found: true, workspaceId: String(found.id) } : { found: false };
    }
    // t0 is the row; each tN+1 the row tN refers to; the last hop's column is the workspace id.
    let query = this.app.db.selectFrom(`${table} as t0`) as any;
    for (const [i, step] of path.slice(0, -1).entries()) {
      query = query.leftJoin(`${step.target} as t${i + 1}`, `t${i + 1}.id`, `t${i}.${step.column}`);
    }
    const last = path[path.length - 1]!;
    const row = (await query
      .select(sql.ref(`t${path.length - 1}.${last.column}`).as('workspace_id'))
      .where('t0.id', '=', id)
      .executeTakeFirst()) as { workspace_id: unknown } | undefined;
    if (!row) return { found: false };
    return { found: true, workspaceId: row.workspace_id == null ? null : String(row.workspace_id) };
  }

  /** Creates a workspace and its owner membership in one transaction. */
  async createWorkspace(values: RowValues, ownerId: string): Promise<RowValues> {
    const row = { ...values, owner_id: ownerId };
    try {
      return await this.app.db.transaction().execute(async (trx) => {
        const repo = new EntityRepository({ ...this.app, db: trx }, true);
        const workspace = await repo.insert('workspaces', row);
        await repo.insert('workspace_members', { workspace_id: workspace.id, user_id: ownerId, role: 'owner' });
        return workspace;
      });
    } catch (error) {
      throw await new EntityRepository(this.app).explainFailure(error, 'workspaces', row);
    }
  }

  async member(workspaceId: string, userId: string): Promise<RowValues | undefined> {
    return new EntityRepository(this.app).findBy('workspace_members', { workspace_id: workspaceId, user_id: userId });
  }

  /**
   * Makes `newOwnerId` the owner of the workspace (a member first if need be) and the previous
   * owner an admin, keeping `workspaces.owner_id` in step: one transaction.
   */
  async transferOwnership(workspaceId: string, newOwnerId: string): Promise<RowValues> {
    return this.app.db.transaction().execute(async (trx) => {
      const repo = new EntityRepository({ ...this.app, db: trx }, true);
      const workspace = await repo.get('workspaces', workspaceId);
      const previous = String(workspace.owner_id);
      if (previous === newOwnerId) return workspace;
      const owners = await repo.list('workspace_members', { where: { workspace_id: workspaceId, role: 'owner' } });
      for (const owner of owners.items) await repo.update('workspace_members', String(owner.id), { role: 'admin' });
      const current = await repo.findBy('workspace_members', { workspace_id: workspaceId, user_id: newOwnerId });
      if (current) await repo.update('workspace_members', String(current.id), { role: 'owner' });
      else await repo.insert('workspace_members', { workspace_id: workspaceId, user_id: newOwnerId, role: 'owner' });
      return repo.update('workspaces', workspaceId, { owner_id: newOwnerId });
    });
  }
}
