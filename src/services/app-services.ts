import type { Config } from '../config.js';
import type { AppDatabase } from '../db/connect.js';
import { EntityRepository } from '../repositories/entity.repository.js';
import { AuthService } from './auth.service.js';
import { loadInstallationSecret } from './installation-secret.js';
import { loadEncryptionKey, type EncryptionKey } from './encryption-key.js';
import { EntityService } from './entity.service.js';
import { SecretsService } from './secrets.service.js';

/** Everything the HTTP layer and the CLI call into, built once per process. */
export interface AppServices {
  readonly config: Config;
  readonly database: AppDatabase;
  readonly repo: EntityRepository;
  readonly entities: EntityService;
  readonly secrets: SecretsService;
  readonly auth: AuthService;
  readonly encryptionKey: EncryptionKey;
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
  return { config, database, repo, entities: new EntityService(repo), secrets, auth: new AuthService(repo, loadInstallationSecret(config.stateDir)), encryptionKey };
}
