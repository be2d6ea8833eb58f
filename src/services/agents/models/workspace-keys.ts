import type { EntityRepository } from '../../../repositories/entity.repository.js';
import type { SecretsService } from '../../secrets.service.js';
import { keySource, type KeySource } from './key-source.js';

/**
 * The keys a project's models may use: `key_var` from the environment oxy runs in, `key_secret`
 * from the secrets of the project's workspace (revealed at call time, as connectors reveal
 * `password_secret`). A secret of another workspace is not found.
 */
export function workspaceKeySource(
  env: Readonly<Record<string, string | undefined>>,
  repo: EntityRepository,
  secrets: SecretsService,
  workspaceId: string,
): KeySource {
  return keySource(env, async (name) => {
    const row = await repo.findBy('secrets', { workspace_id: workspaceId, name });
    return row ? secrets.reveal(String(row.id)) : undefined;
  });
}
