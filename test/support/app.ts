import fs from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../../src/config.js';
import { openMigratedDatabase } from '../../src/db/open-app-database.js';
import type { AppDatabase } from '../../src/db/connect.js';
import { buildApp, type AppOptions } from '../../src/server/app.js';
import { createAppServices, type AppServices, type AppServicesOptions } from '../../src/services/app-services.js';
import { freshDatabase, tempDir, type Backend } from './backends.js';

export interface TestApp {
  app: FastifyInstance;
  services: AppServices;
  database: AppDatabase;
  config: Config;
  stateDir: string;
  url: string;
  /** Closes the app and the database, removes the state folder and the database. */
  close(): Promise<void>;
}

/**
 * The real app on a fresh database of `backend` and a fresh state folder, built exactly as
 * `oxy serve` builds it, but not listening (use `app.inject`).
 */
export async function testApp(
  backend: Backend,
  options: AppOptions & {
    env?: Record<string, string>;
    chartData?: AppServicesOptions['chartData'];
    /** More service options (thread leases, model retries, a read-only service layer). */
    services?: AppServicesOptions;
  } = {},
): Promise<TestApp> {
  const db = await freshDatabase(backend);
  const stateDir = tempDir('oxy-test-state-');
  const config = loadConfig({ OXY_STATE_DIR: stateDir, OXY_DATABASE_URL: db.url, ...options.env });
  const { database } = await openMigratedDatabase(config);
  const services = await createAppServices(config, database, {
    ...options.services,
    ...(options.chartData ? { chartData: options.chartData } : {}),
  });
  // A read-only server finds the local owner a read-write start created before it.
  if (options.readonly && config.auth === 'none') await services.auth.ensureLocalOwner();
  // The API alone unless a test serves a web app folder of its own (webRoot).
  const app = await buildApp(services, { webRoot: false, ...options });
  return {
    app,
    services,
    database,
    config,
    stateDir,
    url: db.url,
    async close() {
      await app.close();
      await database.close();
      await db.cleanup();
      fs.rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
