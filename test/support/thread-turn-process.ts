/**
 * A server process for tests that asks a thread a question and then dies mid-turn (the test
 * kills it): the real ThreadService on the real database. Configured by env: OXY_DATABASE_URL,
 * OXY_STATE_DIR, THREAD_ID, QUESTION, LEASE_MS. Prints `streaming` once the answer has begun.
 */
import { loadConfig } from '../../src/config.js';
import { openMigratedDatabase } from '../../src/db/open-app-database.js';
import { createAppServices } from '../../src/services/app-services.js';

const env = process.env;
const config = loadConfig({ OXY_STATE_DIR: env.OXY_STATE_DIR!, OXY_DATABASE_URL: env.OXY_DATABASE_URL! });
const { database } = await openMigratedDatabase(config);
const services = await createAppServices(config, database, { threads: { leaseMs: Number(env.LEASE_MS ?? 30_000) } });
const log = await services.threads.ask(env.THREAD_ID!, env.QUESTION ?? 'question');
const unsubscribe = log.subscribe(() => {
  if (log.events.some((e) => e.type === 'text-delta')) {
    unsubscribe();
    process.stdout.write('streaming\n');
  }
});
