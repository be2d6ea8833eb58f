import type { WorkspaceRole } from '../db/entities.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import type { EntityRepository, RowValues } from '../repositories/entity.repository.js';
import type { MembershipRepository } from '../repositories/membership.repository.js';

const TRANSFER = 'transfer ownership with POST /api/workspaces/:id/transfer';

/**
 * Workspaces and their members. The creator is the owner; a workspace always has exactly one
 * owner member, the same user as `workspaces.owner_id`, changed only by a transfer.
 */
export class WorkspaceService {
  constructor(
    private readonly repo: EntityRepository,
    private readonly members: MembershipRepository,
  ) {}

  /** Creates a workspace owned by `actorId`, with its owner membership, in one transaction. */
  async create(values: RowValues, actorId: string): Promise<RowValues> {
    if (values.owner_id !== undefined && values.owner_id !== actorId) {
      throw new ValidationError(`owner_id must be you: the creator owns a new workspace; ${TRANSFER}`, [
        { field: 'owner_id', message: 'must be the caller' },
      ]);
    }
    return this.members.createWorkspace(values, actorId);
  }

  async addMember(workspaceId: string, input: { user_id: string; role: WorkspaceRole }): Promise<RowValues> {
    notOwner(input.role);
    return this.repo.insert('workspace_members', {
      workspace_id: workspaceId,
      user_id: input.user_id,
      role: input.role,
    });
  }

  async setRole(workspaceId: string, userId: string, role: WorkspaceRole): Promise<RowValues> {
    notOwner(role);
    const member = await this.existing(workspaceId, userId);
    if (member.role === 'owner') throw new ConflictError(`the owner's role changes only with a transfer: ${TRANSFER}`);
    return this.repo.update('workspace_members', String(member.id), { role });
  }

  async removeMember(workspaceId: string, userId: string): Promise<void> {
    const member = await this.existing(workspaceId, userId);
    if (member.role === 'owner') throw new ConflictError(`the owner cannot be removed: ${TRANSFER} first`);
    await this.repo.delete('workspace_members', String(member.id));
  }

  /** Makes `userId` the owner (a member first if need be); the previous owner stays as an admin. */
  async transfer(workspaceId: string, userId: string): Promise<RowValues> {
    const user = await this.repo.find('users', userId);
    if (!user)
      throw new ConflictError(`user_id refers to users ${userId}, which does not exist`, { fields: ['user_id'] });
    if (user.status !== 'active')
      throw new ConflictError(`user ${userId} is disabled and cannot own a workspace`, { fields: ['user_id'] });
    return this.members.transferOwnership(workspaceId, userId);
  }

  private async existing(workspaceId: string, userId: string): Promise<RowValues> {
    const member = await this.members.member(workspaceId, userId);
    if (!member) throw new NotFoundError(`user ${userId} is not a member of workspace ${workspaceId}`);
    return member;
  }
}

function notOwner(role: WorkspaceRole): void {
  if (role === 'owner')
    throw new ValidationError(`a workspace has one owner: ${TRANSFER}`, [
      { field: 'role', message: 'must be admin, editor or viewer' },
    ]);
}
