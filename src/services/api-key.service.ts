import crypto from 'node:crypto';
import { canonicalTimestamp, nowTimestamp } from '../db/timestamp.js';
import { NotFoundError, ValidationError } from '../errors.js';
import type { EntityRepository, RowValues } from '../repositories/entity.repository.js';
import { HASH_KEY_ID } from './secrets.service.js';

/** API keys are secrets rows of this scope holding a SHA-256 of the key, never the key. */
export const API_KEY_SCOPE = 'api_key';
export const API_KEY = /^oxy_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
/** A key created without `expires_at` expires after this many days. */
export const API_KEY_DEFAULT_DAYS = 90;
/** No key lives longer than this many days. */
export const API_KEY_MAX_DAYS = 365;

export const sha256 = (text: string) => crypto.createHash('sha256').update(text).digest();

const DAY_MS = 86_400_000;

export interface ApiKeyInput {
  expires_at?: string | null;
  /** Limit the key to one workspace (the caller's membership is checked by the route). */
  workspace_id?: string | null;
}

/** What the API shows of a key: never the key, nor its hash. */
export function publicKey(row: RowValues): RowValues {
  return {
    id: row.id,
    user_id: row.user_id,
    workspace_id: row.workspace_id ?? null,
    prefix: `oxy_${String(row.name)}_…`,
    expires_at: row.expires_at,
    revoked_at: row.revoked_at,
    created_at: row.created_at,
  };
}

/**
 * API keys for scripts: every key expires (90 days by default, at most 365), may be limited to one
 * workspace, and is stored as a SHA-256 hash; users manage their own, instance admins everyone's.
 */
export class ApiKeyService {
  constructor(
    private readonly repo: EntityRepository,
    private readonly now: () => number = Date.now,
  ) {}

  /** A new API key for `userId`: the full key is returned once and stored only as a hash. */
  async create(
    userId: string,
    input: ApiKeyInput,
  ): Promise<{ id: string; key: string; expires_at: string; workspace_id: string | null }> {
    const expiresAt = this.expiry(input.expires_at);
    const keyId = crypto.randomBytes(8).toString('hex');
    const secret = crypto.randomBytes(32).toString('base64url');
    const row = await this.repo.insert('secrets', {
      scope: API_KEY_SCOPE,
      name: keyId,
      ciphertext: sha256(secret),
      nonce: Buffer.alloc(0),
      key_id: HASH_KEY_ID,
      user_id: userId,
      workspace_id: input.workspace_id ?? null,
      expires_at: expiresAt,
    });
    return {
      id: String(row.id),
      key: `oxy_${keyId}_${secret}`,
      expires_at: String(row.expires_at),
      workspace_id: (row.workspace_id as string | null) ?? null,
    };
  }

  /** Keys of one user, or of everyone (`userId` undefined: instance admins). */
  async list(userId: string | undefined): Promise<RowValues[]> {
    const where = userId === undefined ? { scope: API_KEY_SCOPE } : { scope: API_KEY_SCOPE, user_id: userId };
    const page = await this.repo.list('secrets', { where, limit: 500 });
    return page.items.map(publicKey);
  }

  /** Revokes key `id`; `ownerId` set: only if it is that user's key (else 404). */
  async revoke(id: string, ownerId: string | undefined): Promise<RowValues> {
    const row = await this.repo.find('secrets', id);
    if (!row || row.scope !== API_KEY_SCOPE || (ownerId !== undefined && row.user_id !== ownerId))
      throw new NotFoundError(`API key ${id} not found`);
    return publicKey(await this.repo.update('secrets', id, { revoked_at: row.revoked_at ?? nowTimestamp() }));
  }

  private expiry(given: string | null | undefined): string {
    if (given === null)
      throw new ValidationError('API keys must expire', [
        {
          field: 'expires_at',
          message: `give a date within ${API_KEY_MAX_DAYS} days, or omit it for ${API_KEY_DEFAULT_DAYS} days`,
        },
      ]);
    if (given === undefined) return canonicalTimestamp(new Date(this.now() + API_KEY_DEFAULT_DAYS * DAY_MS));
    if (Date.parse(given) <= this.now()) {
      throw new ValidationError('expires_at is in the past', [
        { field: 'expires_at', message: `give a future date within ${API_KEY_MAX_DAYS} days` },
      ]);
    }
    if (Date.parse(given) > this.now() + API_KEY_MAX_DAYS * DAY_MS) {
      throw new ValidationError(`expires_at is more than ${API_KEY_MAX_DAYS} days away`, [
        { field: 'expires_at', message: `must be within ${API_KEY_MAX_DAYS} days` },
      ]);
    }
    return given;
  }
}
