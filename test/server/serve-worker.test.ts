import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startServer, type ServeOptions } from '../../src/server/run-server.js';
import { BACKENDS, freshDatabase, tempDir, type TestDatabase } from '../support/backends.js';

/** Which servers run a job worker: `oxy serve` by default, not with --no-worker nor --readonly. */
for (const backend of BACKENDS) {
  describe(`the job worker of oxy serve (${backend})`, () => {
    let db: TestDatabase;
    const stateDir = tempDir();
    const serve = async (options: Partial<ServeOptions>) => {
      const config = loadConfig({ OXY_STATE_DIR: stateDir, OXY_DATABASE_URL: db.url, OXY_LOG_LEVEL: 'warn' });
      const server = await startServer(
        config,
        { port: 0, host: '127.0.0.1', readonly: false, http2Only: false, ...options },
        { log: () => undefined, logStream: process.stderr },
      );
      const worker = server.worker && { concurrency: server.worker.concurrency, busy: server.worker.busy };
      await server.close();
      return worker;
    };
    beforeAll(async () => {
      db = await freshDatabase(backend);
    });
    afterAll(async () => {
      await db.cleanup();
    });

    it('runs one job at a time by default', async () => {
      expect(await serve({})).toEqual({ concurrency: 1, busy: 0 });
    });

    it('runs as many as --workers says', async () => {
      expect(await serve({ workers: 3 })).toEqual({ concurrency: 3, busy: 0 });
    });

    it('runs none with --no-worker, or --workers 0', async () => {
      expect(await serve({ worker: false })).toBeUndefined();
      expect(await serve({ workers: 0 })).toBeUndefined();
    });

    it('runs none when read-only (a job writes)', async () => {
      await serve({});
      expect(await serve({ readonly: true })).toBeUndefined();
    });
  });
}
