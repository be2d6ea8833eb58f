import type { AuthMode } from '../../config.js';
import { defineError } from '../../errors.js';
import type { EntityRepository, RowValues } from '../../repositories/entity.repository.js';
import type { AuthService } from '../auth.service.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Where a project made from the command line goes: an existing workspace, or one to create for `ownerId`. */
export type Placement =
  | { kind: 'existing'; workspaceId: string; label: string }
  | { kind: 'new'; ownerId: string; label: string; name: string; slug: string };

/** Errors of choosing a workspace from the command line (`--workspace`); one line each, with the fix. */
export const placementErrors = {
  noOwner: defineError('no_owner', (what: string) => ({
    message: `no owner account to hold the ${what} workspace`,
    hint: 'create one with `oxy users create --email E --role owner`, or name a workspace with --workspace',
  })),
  workspaceMissing: defineError('workspace_missing', (key: string) => ({
    message: `no workspace ${JSON.stringify(key)}`,
    hint: "name a workspace by its id or slug (GET /api/workspaces lists them), or leave --workspace out to use the owner's first",
  })),
  slugTaken: defineError('workspace_slug_taken', (slug: string) => ({
    message: `the workspace slug ${slug} belongs to another user's workspace`,
    hint: 'name the workspace to use with --workspace',
  })),
};

/**
 * The workspace a command-line project (the demo, an import) goes to: the one named by
 * `--workspace` (id or slug); else the owner's first, the owner being the local owner
 * (OXY_AUTH=none) or the first active owner account; else a new workspace for that owner.
 */
export async function choosePlacement(
  repo: EntityRepository,
  auth: AuthService,
  options: { auth: AuthMode; workspace?: string | undefined; fallback: { name: string; slug: string }; what: string },
): Promise<Placement> {
  if (options.workspace !== undefined) {
    const key = options.workspace;
    const row =
      (UUID.test(key) ? await repo.findBy('workspaces', { id: key.toLowerCase() }) : undefined) ??
      (await repo.findBy('workspaces', { slug: key }));
    if (!row) throw placementErrors.workspaceMissing(key);
    return { kind: 'existing', workspaceId: String(row.id), label: String(row.slug) };
  }
  const owner = options.auth === 'none' ? await auth.ensureLocalOwner() : await firstOwner(repo, options.what);
  const ownerId = String(owner.id);
  const owned = (await repo.list('workspaces', { where: { owner_id: ownerId }, limit: 1 })).items[0];
  if (owned) return { kind: 'existing', workspaceId: String(owned.id), label: String(owned.slug) };
  if (await repo.findBy('workspaces', { slug: options.fallback.slug }))
    throw placementErrors.slugTaken(options.fallback.slug);
  return { kind: 'new', ownerId, label: options.fallback.slug, ...options.fallback };
}

/** The placement's workspace id, creating it (with its owner membership, as WorkspaceService does) inside the caller's transaction. */
export async function placedWorkspace(repo: EntityRepository, placement: Placement): Promise<string> {
  if (placement.kind === 'existing') return placement.workspaceId;
  const workspace = await repo.insert('workspaces', {
    name: placement.name,
    slug: placement.slug,
    owner_id: placement.ownerId,
  });
  await repo.insert('workspace_members', { workspace_id: workspace.id, user_id: placement.ownerId, role: 'owner' });
  return String(workspace.id);
}

async function firstOwner(repo: EntityRepository, what: string): Promise<RowValues> {
  const owner = (await repo.list('users', { where: { role: 'owner', status: 'active' }, limit: 1 })).items[0];
  if (!owner) throw placementErrors.noOwner(what);
  return owner;
}
