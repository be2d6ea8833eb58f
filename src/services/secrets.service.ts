import type { EntityRepository, ListOptions, Page, RowValues } from '../repositories/entity.repository.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import type { EncryptionKey } from './encryption-key.js';
import { SecretRepository } from '../repositories/secret.repository.js';
import { open, seal, wrongKey, type Sealed } from './secret-cipher.js';

/** Scopes oxy keeps for itself (API key hashes); users cannot create or list them as secrets. */
export const RESERVED_SCOPES = ['api_key'] as const;
/** key_id of rows that hold a hash rather than a ciphertext. */
export const HASH_KEY_ID = 'hash:sha256';

export interface SecretInput {
  /** The workspace whose admins manage the secret; omitted or null: instance-wide (instance admins). */
  workspace_id?: string | null;
  scope?: string;
  name?: string;
  value?: string;
  expires_at?: string | null;
}

/**
 * Secrets are write-only: values are sealed with AES-256-GCM before they reach the repository and
 * only `reveal` (for connectors, never HTTP) opens them.
 */
export class SecretsService {
  constructor(
    private readonly repo: EntityRepository,
    private readonly key: EncryptionKey,
    private readonly secretRepo = new SecretRepository(repo.app),
  ) {}

  list(options: ListOptions): Promise<Page> {
    return this.repo.list('secrets', { ...options, exclude: { scope: RESERVED_SCOPES[0] } });
  }

  async get(id: string): Promise<RowValues> {
    return this.visible(await this.repo.get('secrets', id));
  }

  async create(input: SecretInput): Promise<RowValues> {
    const scope = input.scope ?? 'global';
    const name = required(input.name, 'name');
    const value = required(input.value, 'value');
    checkScope(scope);
    const workspace_id = input.workspace_id ?? null;
    if (workspace_id === null) await this.instanceNameFree(scope, name, undefined);
    return this.repo.insert('secrets', {
      workspace_id,
      scope,
      name,
      expires_at: input.expires_at ?? null,
      ...seal(this.key, value, context(scope, name)),
    });
  }

  async update(id: string, input: SecretInput): Promise<RowValues> {
    const current = this.visible(await this.repo.get('secrets', id));
    const scope = input.scope ?? (current.scope as string);
    const name = input.name ?? (current.name as string);
    checkScope(scope);
    const patch: RowValues = { scope, name };
    if (input.expires_at !== undefined) patch.expires_at = input.expires_at;
    const renamed = scope !== current.scope || name !== current.name;
    if (renamed && current.workspace_id === null) await this.instanceNameFree(scope, name, id);
    if (input.value !== undefined || renamed) {
      const value =
        input.value ??
        open(this.key, current as unknown as Sealed, context(current.scope as string, current.name as string));
      Object.assign(patch, seal(this.key, value, context(scope, name)));
    }
    return this.repo.update('secrets', id, patch);
  }

  async delete(id: string): Promise<void> {
    await this.get(id);
    await this.repo.delete('secrets', id);
  }

  /** The plaintext of a secret, for server-side use only. */
  async reveal(id: string): Promise<string> {
    const row = this.visible(await this.repo.get('secrets', id));
    return open(this.key, row as unknown as Sealed, context(row.scope as string, row.name as string));
  }

  /**
   * Proves the configured key opens the stored secrets (checks one sealed row per key id), so a
   * wrong key fails at start-up instead of producing garbage later.
   */
  async verifyKey(): Promise<void> {
    for (const keyId of await this.secretRepo.keyIds(HASH_KEY_ID)) {
      if (keyId !== this.key.id) throw wrongKey(keyId, this.key.id);
    }
    const sample = await this.repo.findBy('secrets', { key_id: this.key.id });
    if (sample) open(this.key, sample as unknown as Sealed, context(sample.scope as string, sample.name as string));
  }

  /** NULLs are distinct in unique constraints, so instance-wide (workspace_id NULL) names are checked here. */
  private async instanceNameFree(scope: string, name: string, exceptId: string | undefined): Promise<void> {
    const taken = await this.repo.findBy('secrets', { workspace_id: null, scope, name });
    if (taken && taken.id !== exceptId) {
      throw new ConflictError(
        `a secrets row with scope=${JSON.stringify(scope)}, name=${JSON.stringify(name)} already exists`,
        { fields: ['scope', 'name'] },
      );
    }
  }

  private visible(row: RowValues): RowValues {
    if ((RESERVED_SCOPES as readonly string[]).includes(row.scope as string)) {
      throw new NotFoundError(`secrets ${String(row.id)} not found`);
    }
    return row;
  }
}

function context(scope: string, name: string): string {
  return `${scope}/${name}`;
}

function required(value: string | undefined, field: string): string {
  if (value === undefined || value === '')
    throw new ValidationError(`${field} is required`, [{ field, message: 'is required' }]);
  return value;
}

function checkScope(scope: string): void {
  if ((RESERVED_SCOPES as readonly string[]).includes(scope)) {
    throw new ValidationError(`scope '${scope}' is reserved for oxy`, [{ field: 'scope', message: 'is reserved' }]);
  }
}
