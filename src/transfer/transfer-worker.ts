import { parentPort, workerData } from 'node:worker_threads';
import { entityByTable } from '../db/entities.js';
import { checkEntity } from './source-checks.js';
import { openSqliteSource } from './sqlite-source.js';

/**
 * Runs migrate-sqlite's source checks off the main thread, ahead of the copy.
 * workerData: { sourcePath }. Messages: { id, table } → { id, result } | { id, error }; 'close'.
 */
const { sourcePath } = workerData as { sourcePath: string };

async function main(): Promise<void> {
  const port = parentPort!;
  // The main thread has already run quick_check on this file.
  const source = await openSqliteSource(sourcePath, { verifyIntegrity: false });
  port.on('message', (msg: { id: number; table: string } | 'close') => {
    if (msg === 'close') {
      source.close();
      port.close();
      return;
    }
    try {
      port.postMessage({ id: msg.id, result: checkEntity(source.db, entityByTable(msg.table), 'pre-copy') });
    } catch (error) {
      port.postMessage({ id: msg.id, error: (error as Error).message });
    }
  });
}

main().catch((error: unknown) => {
  parentPort?.postMessage({ id: -1, error: (error as Error).message });
});
