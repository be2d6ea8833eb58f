import type { EntityRepository, RowValues } from '../repositories/entity.repository.js';

/** The account requests act as when OXY_AUTH=none. */
export const LOCAL_OWNER_EMAIL = 'owner@localhost';

export interface Actor {
  userId: string;
  role: 'owner' | 'admin' | 'member';
  /** How the request proved who it is. */
  via: 'local' | 'session' | 'api_key';
}

/** Accounts, sign-in and API keys. */
export class AuthService {
  constructor(private readonly repo: EntityRepository) {}

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
}
