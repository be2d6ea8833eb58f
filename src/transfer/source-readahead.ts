import fs from 'node:fs/promises';
import os from 'node:os';

/**
 * Reads the source file once from start to end, so that the page cache holds it before
 * `quick_check` and the copy read it in b-tree order. A file not in the cache is otherwise read
 * a page at a time in that order: on this project's machine a 1.4 GB source took 18.7 s to
 * quick_check cold, against 2.5 s to read in order and 1.3 s to check once cached. A file
 * larger than half the memory available is left alone (its start would be evicted before the
 * copy reached it). Returns the bytes read (0 when skipped).
 */
export async function readAhead(file: string, available = os.freemem()): Promise<number> {
  const handle = await fs.open(file, 'r');
  try {
    const { size } = await handle.stat();
    if (size > available / 2) return 0;
    const buffer = Buffer.allocUnsafe(CHUNK);
    let total = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK, total);
      if (bytesRead === 0) return total;
      total += bytesRead;
    }
  } finally {
    await handle.close();
  }
}

/** Large enough for the disk's sequential speed, small next to the transfer's memory. */
const CHUNK = 4 * 1024 * 1024;
