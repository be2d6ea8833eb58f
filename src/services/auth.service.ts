import crypto from 'node:crypto';
import { nowTimestamp } from '../db/timestamp.js';
import { ConflictError, OxyError, ValidationError } from '../errors.js';
import type { EntityRepository, RowValues } from '../repositories/entity.repository.js';
import { hashPassword, verifyPassword } from './password-hash.js';
import { API_KEY, API_KEY_SCOPE, sha256 } from './api-key.service.js';
import { signSession, verifySession } from './session-token.js';

/** The account requests act as when OXY_AUTH=none. */
export const LOCAL_OWNER_EMAIL = 'owner@localhost';

export interface Actor {
  userId: string;
  role: 'owner' | 'admin' | 'member';
  /** How the request proved who it is. */
  via: 'local' | 'session' | 'api_key';
  /** An API key limited to one workspace (see permission.service.ts). */
  workspaceId?: string;
}

export class AuthError extends OxyError {
  constructor(code: 'unauthenticated' | 'invalid_credentials' | 'invalid_api_key' | 'user_disabled' | 'forbidden', message: string) {
    super(code, message, { status: code === 'user_disabled' || code === 'forbidden' ? 403 : 401 });
  }
}

/** Accounts, sign-in, sessions and API keys. */
export class AuthService {
  constructor(
    private readonly repo: EntityRepository,
    private readonly sessionSecret: Buffer,
  ) {}

  /** Creates the local owner account on first start (OXY_AUTH=none) and returns it. */
  async ensureLocalOwner(): Promise<RowValues> {
    const existing = await this.repo.findBy('users', { email: LOCAL_OWNER_EMAIL });
    if (existing) return existing;
    try {
      return await this.repo.insert('users', { email: LOCAL_OWNER_EMAIL, name: 'Local owner', role: 'owner', status: 'active' });
    } catch (error) {
      // Another process created it at the same moment.
      const created = await this.repo.findBy('users', { email: LOCAL_OWNER_EMAIL });
      if (created) return created;
      throw error;
    }
  }

  /** Adds an account with a password (the `oxy users create` command). */
  async createUser(input: { email: string; name?: string; role: 'admin' | 'member' | 'owner'; password: string }): Promise<RowValues> {
    if (input.password.length < 8) throw new ValidationError('the password must have at least 8 characters', [{ field: 'password', message: 'too short' }]);
    const email = input.email.trim().toLowerCase();
    if (await this.repo.findBy('users', { email })) throw new ConflictError(`a user with email ${email} already exists`, { fields: ['email'] });
    return this.repo.insert('users', { email, name: input.name ?? email.split('@')[0], role: input.role, status: 'active', password_hash: await hashPassword(input.password) });
  }

  async setPassword(userId: string, password: string): Promise<void> {
    await this.repo.update('users', userId, { password_hash: await hashPassword(password) });
  }

  /** Checks email and password; the same error for an unknown email and a wrong password. */
  async login(email: string, password: string, options: { recordLogin: boolean }): Promise<{ user: RowValues; token: string }> {
    const user = await this.repo.findBy('users', { email: email.trim().toLowerCase() });
    const ok = await verifyPassword(password, (user?.password_hash as string | null) ?? undefined);
    if (!user || !ok) throw new AuthError('invalid_credentials', 'wrong email or password');
    if (user.status !== 'active') throw new AuthError('user_disabled', 'this account is disabled');
    const current = options.recordLogin ? await this.repo.update('users', String(user.id), { last_login_at: nowTimestamp() }) : user;
    return { user: current, token: signSession(this.sessionSecret, String(user.id)) };
  }

  async actorForSession(token: string): Promise<Actor> {
    const userId = verifySession(this.sessionSecret, token);
    if (!userId) throw new AuthError('unauthenticated', 'the session is invalid or expired; sign in again');
    return this.activeActor(userId, 'session');
  }

  async actorForApiKey(key: string): Promise<Actor> {
    const m = API_KEY.exec(key);
    const row = m ? await this.repo.findBy('secrets', { scope: API_KEY_SCOPE, name: m[1] }) : undefined;
    const stored = row?.ciphertext as Buffer | undefined;
    const given = m ? sha256(m[2]!) : Buffer.alloc(32);
    const matches = stored !== undefined && stored.length === given.length && crypto.timingSafeEqual(stored, given);
    if (!row || !matches) throw new AuthError('invalid_api_key', 'the API key is not valid');
    if (row.revoked_at) throw new AuthError('invalid_api_key', 'the API key was revoked');
    if (row.expires_at && String(row.expires_at) <= nowTimestamp()) throw new AuthError('invalid_api_key', 'the API key has expired');
    const actor = await this.activeActor(String(row.user_id), 'api_key');
    return row.workspace_id ? { ...actor, workspaceId: String(row.workspace_id) } : actor;
  }

  private async activeActor(userId: string, via: Actor['via']): Promise<Actor> {
    const user = await this.repo.find('users', userId);
    if (!user) throw new AuthError('unauthenticated', 'the account no longer exists');
    if (user.status !== 'active') throw new AuthError('user_disabled', 'this account is disabled');
    return { userId, role: user.role as Actor['role'], via };
  }
}
