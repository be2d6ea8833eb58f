import pg from 'pg';

/** Held (shared) by every `oxy start` serving the local PostgreSQL. */
const USE = 0x6f78795f7374; // 'oxy_st'
/** Held (shared) by those that count the container as started by an `oxy start`. */
const MANAGED = 0x6f78795f6d67; // 'oxy_mg'

/**
 * One `oxy start`'s hold on the local PostgreSQL it serves: advisory locks on a connection of its
 * own, which PostgreSQL releases when that process stops or dies. The last one to leave knows it
 * is last, and stops the container if an `oxy start` started it (a container started by hand is
 * left running); it keeps its exclusive lock until the container is down, so none can join a
 * database that is about to stop.
 */
export class SharedUse {
  private constructor(
    private readonly client: pg.Client,
    /** Whether the container counts as started by an `oxy start` (this one, or one still running). */
    readonly managed: boolean,
  ) {}

  /** Takes a hold. `startedHere`: this `oxy start` created or started the container. */
  static async join(url: string, startedHere: boolean): Promise<SharedUse> {
    const client = await connect(url);
    try {
      const managed = startedHere || !(await tryExclusive(client, MANAGED, true));
      if (managed) await client.query('select pg_advisory_lock_shared($1)', [MANAGED]);
      await client.query('select pg_advisory_lock_shared($1)', [USE]);
      return new SharedUse(client, managed);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
  }

  /** True when an `oxy start` holds the database now (false too when it does not answer). */
  static async inUse(url: string): Promise<boolean> {
    let client: pg.Client | undefined;
    try {
      client = await connect(url);
      return !(await tryExclusive(client, USE, true));
    } catch {
      return false;
    } finally {
      await client?.end().catch(() => undefined);
    }
  }

  /**
   * Lets go. Returns 'stop' when this was the last hold on a container an `oxy start` started: the
   * caller stops it, then calls `done()` (the exclusive lock keeps newcomers out until then).
   * Otherwise the container stays up: 'others' use it, or it was 'not ours' to stop.
   */
  async leave(): Promise<{ verdict: 'stop' | 'others' | 'not ours'; done: () => Promise<void> }> {
    const done = () => this.client.end().catch(() => undefined);
    try {
      await this.client.query('select pg_advisory_unlock_shared($1)', [USE]);
      if (!this.managed) return { verdict: 'not ours', done };
      if (await tryExclusive(this.client, USE, false)) return { verdict: 'stop', done };
      return { verdict: 'others', done };
    } catch {
      return { verdict: this.managed ? 'stop' : 'not ours', done }; // the server went away: nobody is using it
    }
  }
}

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({
    connectionString: url,
    application_name: 'oxy start',
    connectionTimeoutMillis: 5_000,
  });
  client.on('error', () => undefined); // the server stopping under an idle hold is not an error
  await client.connect();
  return client;
}

/** Tries the exclusive lock on `key`: true when no one held it shared; `release` lets it go at once. */
async function tryExclusive(client: pg.Client, key: number, release: boolean): Promise<boolean> {
  const { rows } = await client.query<{ ok: boolean }>('select pg_try_advisory_lock($1) as ok', [key]);
  const ok = rows[0]?.ok === true;
  if (ok && release) await client.query('select pg_advisory_unlock($1)', [key]);
  return ok;
}
