import crypto from 'node:crypto';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { MAX_PAGE_SIZE, type EntityRepository, type RowValues } from '../repositories/entity.repository.js';
import { nowTimestamp } from '../db/timestamp.js';
import { API_KEY_SCOPE, sha256 } from './api-key.service.js';
import type { SessionRepository } from '../repositories/session.repository.js';
import type { AuthService } from './auth.service.js';
import { normalizeEmail } from './email-address.js';
import { hashPassword, verifyPassword } from './password-hash.js';
import { PASSWORD_MIN, requirePassword } from './password-rules.js';
import { sessionTokenHash } from './session-token.js';

export { PASSWORD_MIN };
import { ForbiddenError, type Access, type InstanceRole } from './permission.service.js';

/** An invitation token is valid this many days. */
export const INVITATION_DAYS = 7;
const DAY_MS = 86_400_000;
const INVITATION = /^oxyinv_([0-9a-f-]{36})_([A-Za-z0-9_-]{43})$/;
/** An account that has an invitation and no password yet keeps `invite$<expiry ms>$<sha256>` in password_hash. */
const INVITE_PREFIX = 'invite$';

export interface UserInput {
  email?: string;
  name?: string;
  role?: InstanceRole;
  status?: 'active' | 'disabled';
  password?: string;
}

export interface Invitation {
  token: string;
  expires_at: string;
}

/**
 * Accounts and the instance roles: owners and admins manage users, only an owner grants or
 * changes `owner`, an admin cannot change its own role, and the last active owner stays one.
 * New accounts get a password or an invitation token (shown once, stored hashed, expiring).
 */
export class UserService {
  constructor(
    private readonly repo: EntityRepository,
    private readonly auth: AuthService,
    private readonly sessions: SessionRepository,
    private readonly now: () => number = Date.now,
  ) {}

  async create(access: Access, input: UserInput): Promise<RowValues & { invitation?: Invitation }> {
    const role = input.role ?? 'member';
    if (role === 'owner' && access.instanceRole !== 'owner')
      throw new ForbiddenError('only an instance owner grants the owner role');
    const email = normalizeEmail(input.email ?? '');
    if (input.password !== undefined) {
      const user = await this.auth.createUser({
        email,
        role,
        password: input.password,
        ...(input.name ? { name: input.name } : {}),
      });
      return input.status === 'disabled' ? this.repo.update('users', String(user.id), { status: 'disabled' }) : user;
    }
    const user = await this.repo.insert('users', {
      email,
      name: input.name ?? email.split('@')[0],
      role,
      status: input.status ?? 'active',
    });
    return { ...user, invitation: await this.invite(String(user.id)) };
  }

  async update(access: Access, id: string, patch: UserInput): Promise<RowValues> {
    const target = await this.repo.get('users', id);
    const self = id === access.userId;
    if (self && patch.password !== undefined) {
      throw new ForbiddenError(
        'your own password changes only with the current one',
        'use POST /api/auth/password with current_password and new_password',
      );
    }
    if (target.role === 'owner' && access.instanceRole !== 'owner')
      throw new ForbiddenError("only an instance owner changes an owner's account");
    if (patch.role === 'owner' && target.role !== 'owner' && access.instanceRole !== 'owner')
      throw new ForbiddenError('only an instance owner grants the owner role');
    if (self && patch.role !== undefined && patch.role !== target.role && access.instanceRole !== 'owner')
      throw new ForbiddenError('an admin cannot change its own role');
    const losesOwner =
      target.role === 'owner' && ((patch.role !== undefined && patch.role !== 'owner') || patch.status === 'disabled');
    if (losesOwner) await this.keepAnOwner(id);
    const values: RowValues = { ...patch };
    delete values.password;
    if (typeof values.email === 'string') values.email = normalizeEmail(values.email);
    if (patch.password !== undefined) {
      requirePassword(patch.password);
      values.password_hash = await hashPassword(patch.password);
    }
    const updated = await this.repo.update('users', id, values);
    // A disabled account ends every session and API key at once, so enabling it later revives
    // none of them; a password set by an admin ends the sessions the old password opened.
    if (patch.status === 'disabled' && target.status !== 'disabled') await this.endAccess(id);
    else if (values.password_hash !== undefined) await this.sessions.revokeAllForUser(id);
    return updated;
  }

  /**
   * `oxy users disable`: the same rules as the API (the last active owner stays), every session
   * and API key of the account ends now.
   */
  async disableByEmail(email: string): Promise<{ user: RowValues; endedSessions: number; revokedKeys: number }> {
    const user = await this.byEmail(email);
    if (user.role === 'owner' && user.status !== 'disabled') await this.keepAnOwner(String(user.id));
    const updated = await this.repo.update('users', String(user.id), { status: 'disabled' });
    return { user: updated, ...(await this.endAccess(String(user.id))) };
  }

  /** `oxy users enable`: the account may sign in again (its old sessions and keys stay ended). */
  async enableByEmail(email: string): Promise<RowValues> {
    const user = await this.byEmail(email);
    return this.repo.update('users', String(user.id), { status: 'active' });
  }

  /** Ends every session and revokes every API key of an account. */
  private async endAccess(userId: string): Promise<{ endedSessions: number; revokedKeys: number }> {
    let revokedKeys = 0;
    for (;;) {
      const live = { scope: API_KEY_SCOPE, user_id: userId, revoked_at: null };
      const page = await this.repo.list('secrets', { where: live, limit: MAX_PAGE_SIZE });
      for (const key of page.items) await this.repo.update('secrets', String(key.id), { revoked_at: nowTimestamp() });
      revokedKeys += page.items.length;
      if (!page.nextCursor) break;
    }
    return { endedSessions: await this.sessions.revokeAllForUser(userId), revokedKeys };
  }

  private async byEmail(email: string): Promise<RowValues> {
    const user = await this.repo.findBy('users', { email: normalizeEmail(email) });
    if (!user) throw new NotFoundError(`no user with email ${normalizeEmail(email)}`);
    return user;
  }

  async delete(access: Access, id: string): Promise<void> {
    const target = await this.repo.get('users', id);
    if (target.role === 'owner' && access.instanceRole !== 'owner')
      throw new ForbiddenError("only an instance owner deletes an owner's account");
    if (target.role === 'owner') await this.keepAnOwner(id);
    await this.repo.delete('users', id);
  }

  /** An admin's new invitation for an account (its password stops working until it is accepted). */
  async reinvite(access: Access, id: string): Promise<Invitation> {
    const target = await this.repo.get('users', id);
    if (target.role === 'owner' && access.instanceRole !== 'owner')
      throw new ForbiddenError("only an instance owner changes an owner's account");
    const invitation = await this.invite(id);
    await this.sessions.revokeAllForUser(id);
    return invitation;
  }

  /** A new invitation for an account (replacing any earlier one and any password). */
  async invite(userId: string): Promise<Invitation> {
    const secret = crypto.randomBytes(32).toString('base64url');
    const expires = this.now() + INVITATION_DAYS * DAY_MS;
    await this.repo.update('users', userId, {
      password_hash: `${INVITE_PREFIX}${expires}$${sha256(secret).toString('base64url')}`,
    });
    return { token: `oxyinv_${userId}_${secret}`, expires_at: new Date(expires).toISOString() };
  }

  /** Sets the password of an invited account; the token works once and until it expires. */
  async acceptInvitation(token: string, password: string): Promise<RowValues> {
    const invalid = () =>
      new ValidationError('the invitation is not valid or has expired', [
        { field: 'token', message: 'ask an admin for a new invitation' },
      ]);
    const m = INVITATION.exec(token);
    const user = m ? await this.repo.find('users', m[1]!).catch(() => undefined) : undefined;
    const stored =
      typeof user?.password_hash === 'string' && user.password_hash.startsWith(INVITE_PREFIX)
        ? user.password_hash.split('$')
        : undefined;
    const expected = Buffer.from(stored?.[2] ?? '', 'base64url');
    const given = sha256(m?.[2] ?? '');
    if (!user || !stored || expected.length !== given.length || !crypto.timingSafeEqual(expected, given))
      throw invalid();
    if (Number(stored[1]) <= this.now()) throw invalid();
    requirePassword(password);
    return this.repo.update('users', String(user.id), { password_hash: await hashPassword(password) });
  }

  /**
   * A signed-in user changes their own password, proving the current one; every other session of
   * theirs ends (the one whose token is `keepToken`, the caller's own, goes on).
   */
  async changePassword(userId: string, current: string, next: string, keepToken?: string): Promise<void> {
    const user = await this.repo.get('users', userId);
    if (!(await verifyPassword(current, (user.password_hash as string | null) ?? undefined))) {
      throw new ForbiddenError('the current password is wrong');
    }
    requirePassword(next, 'new_password');
    await this.repo.update('users', userId, { password_hash: await hashPassword(next) });
    await this.sessions.revokeAllForUser(userId, sessionTokenHash(keepToken));
  }

  /** `oxy users set-password`: the operator sets an account's password by email. */
  async setPasswordByEmail(email: string, password: string): Promise<RowValues> {
    const user = await this.byEmail(email);
    requirePassword(password);
    const updated = await this.repo.update('users', String(user.id), { password_hash: await hashPassword(password) });
    await this.sessions.revokeAllForUser(String(user.id));
    return updated;
  }

  private async keepAnOwner(leaving: string): Promise<void> {
    const owners = await this.repo.list('users', {
      where: { role: 'owner', status: 'active' },
      exclude: { id: leaving },
      limit: 1,
    });
    if (owners.items.length === 0)
      throw new ConflictError('the instance must keep an active owner', { hint: 'make another user owner first' });
  }
}
