import type { Config } from '../config.js';
import type { AppDatabase } from '../db/connect.js';
import { EntityRepository } from '../repositories/entity.repository.js';
import { MembershipRepository } from '../repositories/membership.repository.js';
import { ApiKeyService } from './api-key.service.js';
import { AuthService } from './auth.service.js';
import { loadInstallationSecret } from './installation-secret.js';
import { loadEncryptionKey, type EncryptionKey } from './encryption-key.js';
import { EntityService } from './entity.service.js';
import { PermissionService } from './permission.service.js';
import { SecretsService } from './secrets.service.js';
import { UserService } from './user.service.js';
import { WorkspaceService } from './workspace.service.js';

/** Everything the HTTP layer and the CLI call into, built once per process. */
export interface AppServices {
  readonly config: Config;
  readonly database: AppDatabase;
  readonly repo: EntityRepository;
  readonly entities: EntityService;
  readonly secrets: SecretsService;
  readonly auth: AuthService;
  readonly encryptionKey: EncryptionKey;
  readonly permissions: PermissionService;
  readonly workspaces: WorkspaceService;
  readonly users: UserService;
  readonly apiKeys: ApiKeyService;
}

/**
 * Wires the services on an open, migrated database and proves the encryption key opens the
 * stored secrets (a wrong key is an error at start-up, not garbage later).
 */
export async function createAppServices(config: Config, database: AppDatabase): Promise<AppServices> {
  const encryptionKey = loadEncryptionKey(config.stateDir, config.encryptionKeyBase64);
  const repo = new EntityRepository(database);
  const secrets = new SecretsService(repo, encryptionKey);
  await secrets.verifyKey();
  const auth = new AuthService(repo, loadInstallationSecret(config.stateDir));
  const membership = new MembershipRepository(database);
  const workspaces = new WorkspaceService(repo, membership);
  const entities = new EntityService(repo, { workspaces: (values, actorId) => workspaces.create(values, actorId) });
  return {
    config,
    database,
    repo,
    entities,
    secrets,
    auth,
    encryptionKey,
    permissions: new PermissionService(membership),
    workspaces,
    users: new UserService(repo, auth),
    apiKeys: new ApiKeyService(repo),
  };
}
