import crypto from 'node:crypto';
import { nowTimestamp } from '../db/timestamp.js';
import { ConflictError, OxyError } from '../errors.js';
import type { EntityRepository, RowValues } from '../repositories/entity.repository.js';
import type { SessionRepository } from '../repositories/session.repository.js';
import { API_KEY, API_KEY_MAX_DAYS, API_KEY_SCOPE, sha256 } from './api-key.service.js';
import { normalizeEmail } from './email-address.js';
import { requirePassword } from './password-rules.js';
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from './password-hash.js';
import { newSessionToken, SESSION_DAYS, sessionTokenHash } from './session-token.js';

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
  constructor(
    code: 'unauthenticated' | 'invalid_credentials' | 'invalid_api_key' | 'user_disabled' | 'forbidden',
    message: string,
  ) {
    super(code, message, { status: code === 'user_disabled' || code === 'forbidden' ? 403 : 401 });
  }
}

/** A session's last_seen_at is written at most this often (not on every request). */
const LAST_SEEN_EVERY_MS = 5 * 60_000;

/** Accounts, sign-in, sessions and API keys. */
export class AuthService {
  constructor(
    private readonly repo: EntityRepository,
    private readonly sessions: SessionRepository,
    /** The password check; a test passes a counting wrapper to compare the work of sign-ins. */
    private readonly checkPassword: typeof verifyPassword = verifyPassword,
  ) {}

  /** Creates the local owner account on first start (OXY_AUTH=none) and returns it. */
  async ensureLocalOwner(): Promise<RowValues> {
    const existing = await this.repo.findBy('users', { email: LOCAL_OWNER_EMAIL });
    if (existing) return existing;
    try {
      return await this.repo.insert('users', {
        email: LOCAL_OWNER_EMAIL,
        name: 'Local owner',
        role: 'owner',
        status: 'active',
      });
    } catch (error) {
      // Another process created it at the same moment.
      const created = await this.repo.findBy('users', { email: LOCAL_OWNER_EMAIL });
      if (created) return created;
      throw error;
    }
  }

  /** The local owner account, without creating it (--readonly creates nothing). */
  async findLocalOwner(): Promise<RowValues> {
    const owner = await this.repo.findBy('users', { email: LOCAL_OWNER_EMAIL });
    if (!owner) {
      throw new OxyError(
        'no_local_owner',
        `OXY_AUTH=none acts as the local owner (${LOCAL_OWNER_EMAIL}), which this database does not have yet and --readonly cannot create`,
        {
          hint: 'start `oxy serve` once without --readonly to create it, or use OXY_AUTH=password',
        },
      );
    }
    return owner;
  }

  /** Adds an account with a password (the `oxy users create` command). */
  async createUser(input: {
    email: string;
    name?: string;
    role: 'admin' | 'member' | 'owner';
    password: string;
  }): Promise<RowValues> {
    requirePassword(input.password);
    const email = normalizeEmail(input.email);
    if (await this.repo.findBy('users', { email }))
      throw new ConflictError(`a user with email ${email} already exists`, { fields: ['email'] });
    return this.repo.insert('users', {
      email,
      name: input.name ?? email.split('@')[0],
      role: input.role,
      status: 'active',
      password_hash: await hashPassword(input.password),
    });
  }

  /**
   * Checks email and password and starts a stored session; the token is returned once, only its
   * hash is kept. An unknown email, an account without a password and a wrong password get the
   * same error after the same scrypt work (a dummy hash stands in), so neither the answer nor its
   * timing tells which accounts exist.
   */
  async login(email: string, password: string): Promise<{ user: RowValues; token: string }> {
    const user = await this.repo.findBy('users', { email: normalizeEmail(email) });
    // Only a real password hash counts: an invitation (`invite$…`) or no hash gets the dummy's work.
    const stored =
      typeof user?.password_hash === 'string' && user.password_hash.startsWith('scrypt$')
        ? user.password_hash
        : undefined;
    const ok = await this.checkPassword(password, stored ?? DUMMY_PASSWORD_HASH);
    if (!user || !stored || !ok) throw new AuthError('invalid_credentials', 'wrong email or password');
    if (user.status !== 'active') throw new AuthError('user_disabled', 'this account is disabled');
    const current = await this.repo.update('users', String(user.id), { last_login_at: nowTimestamp() });
    const { token, hash } = newSessionToken();
    const expires = new Date(Date.now() + SESSION_DAYS * 86_400_000).toISOString();
    await this.repo.insert('sessions', {
      user_id: user.id,
      token_hash: hash,
      expires_at: expires,
      revoked_at: null,
      last_seen_at: null,
    });
    return { user: current, token };
  }

  /** Ends the session the token belongs to, if any (signing out twice is not an error). */
  async logout(token: string | undefined): Promise<void> {
    const hash = sessionTokenHash(token);
    const session = hash ? await this.repo.findBy('sessions', { token_hash: hash }) : undefined;
    if (session && !session.revoked_at)
      await this.repo.update('sessions', String(session.id), { revoked_at: nowTimestamp() });
  }

  /**
   * Who a session cookie signs in: only a stored, unrevoked, unexpired session of an active user.
   * `touch` records last_seen_at (at most every few minutes); --readonly passes false.
   */
  async actorForSession(token: string, options: { touch: boolean } = { touch: true }): Promise<Actor> {
    const hash = sessionTokenHash(token);
    const session = hash ? await this.repo.findBy('sessions', { token_hash: hash }) : undefined;
    if (!session || session.revoked_at || Date.parse(String(session.expires_at)) <= Date.now())
      throw new AuthError('unauthenticated', 'the session has ended or is not valid; sign in again');
    const actor = await this.activeActor(String(session.user_id), 'session');
    const seen = session.last_seen_at ? Date.parse(String(session.last_seen_at)) : 0;
    if (options.touch && Date.now() - seen > LAST_SEEN_EVERY_MS)
      await this.repo.update('sessions', String(session.id), { last_seen_at: nowTimestamp() });
    return actor;
  }

  async actorForApiKey(key: string): Promise<Actor> {
    const m = API_KEY.exec(key);
    const row = m ? await this.repo.findBy('secrets', { scope: API_KEY_SCOPE, name: m[1] }) : undefined;
    const stored = row?.ciphertext as Buffer | undefined;
    const given = m ? sha256(m[2]!) : Buffer.alloc(32);
    const matches = stored !== undefined && stored.length === given.length && crypto.timingSafeEqual(stored, given);
    if (!row || !matches) throw new AuthError('invalid_api_key', 'the API key is not valid');
    if (row.revoked_at) throw new AuthError('invalid_api_key', 'the API key was revoked');
    // A key made before expiry was required (expires_at null) lives as long as the longest allowed.
    const expires = row.expires_at
      ? Date.parse(String(row.expires_at))
      : Date.parse(String(row.created_at)) + API_KEY_MAX_DAYS * 86_400_000;
    if (expires <= Date.now()) throw new AuthError('invalid_api_key', 'the API key has expired');
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
