import pg from 'pg';

/** The advisory lock key every `oxy start` holds (shared) on the local PostgreSQL while it runs. */
const KEY = 0x6f78795f7374; // 'oxy_st'

/**
 * One `oxy start`'s hold on the local PostgreSQL it serves: a shared advisory lock on a connection
 * of its own. PostgreSQL releases it when that process stops or dies, so whichever `oxy start`
 * leaves last knows it, and only it stops the container: one never pulls the database from under
 * another.
 */
export class SharedUse {
  private constructor(private readonly client: pg.Client) {}

  /** Takes a hold; `others` tells whether another `oxy start` held one already. */
  static async join(url: string): Promise<{ use: SharedUse; others: boolean }> {
    const client = await connect(url);
    const alone = await tryExclusive(client);
    await client.query('select pg_advisory_lock_shared($1)', [KEY]);
    return { use: new SharedUse(client), others: !alone };
  }

  /** True when an `oxy start` holds the database now (false too when it does not answer). */
  static async inUse(url: string): Promise<boolean> {
    let client: pg.Client | undefined;
    try {
      client = await connect(url);
      return !(await tryExclusive(client));
    } catch {
      return false;
    } finally {
      await client?.end().catch(() => undefined);
    }
  }

  /** Lets go; true when no other `oxy start` holds the database any more. */
  async leave(): Promise<boolean> {
    try {
      await this.client.query('select pg_advisory_unlock_shared($1)', [KEY]);
      return await tryExclusive(this.client);
    } catch {
      return true; // the server went away: nobody is using it
    } finally {
      await this.client.end().catch(() => undefined);
    }
  }
}

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, application_name: 'oxy start', connectionTimeoutMillis: 5_000 });
  client.on('error', () => undefined); // the server stopping under an idle hold is not an error
  await client.connect();
  return client;
}

/** Takes and at once releases the exclusive lock: true when nobody held the shared one. */
async function tryExclusive(client: pg.Client): Promise<boolean> {
  const { rows } = await client.query<{ ok: boolean }>('select pg_try_advisory_lock($1) as ok', [KEY]);
  if (rows[0]?.ok) await client.query('select pg_advisory_unlock($1)', [KEY]);
  return rows[0]?.ok === true;
}
