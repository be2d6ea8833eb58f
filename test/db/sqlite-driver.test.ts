import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sqliteDriver } from '../../src/db/sqlite-driver.js';
import { tempDir } from '../support/backends.js';
import { ROOT } from '../support/run-cli.js';

const require = createRequire(import.meta.url);
const nodeMajor = Number(process.versions.node.split('.')[0]);

describe('the SQLite driver', () => {
  it('is better-sqlite3 13 on Node 22 and newer, 12 on Node 20', () => {
    const expected = nodeMajor >= 22 ? 'better-sqlite3-napi' : 'better-sqlite3';
    expect(sqliteDriver()).toBe(require(expected));
    const version = (require(`${expected}/package.json`) as { version: string }).version;
    expect(version.split('.')[0]).toBe(nodeMajor >= 22 ? '13' : '12');
  });

  it('survives the garbage collector freeing statements of closed databases (better-sqlite3 12 aborts on Node 24 here)', () => {
    const dir = tempDir();
    // What oxy serve does at start-up (open, migrate, close, open again), then garbage for the
    // collector to run on its own between callbacks: where better-sqlite3 12 on Node 24 fails
    // \`Assertion failed: (env) != nullptr\` and aborts the process.
    const script = `
      const { openSqlite } = await import(${JSON.stringify(path.join(ROOT, 'dist', 'db', 'sqlite-driver.js'))});
      let sum = 0;
      for (let k = 0; k < 20; k++) {
        const db = openSqlite(${JSON.stringify(dir)} + '/db' + k + '.sqlite');
        for (let i = 0; i < 2000; i++) sum += db.prepare('select ? as n').get(1).n;
        db.close();
        await new Promise((resolve) => setImmediate(resolve));
      }
      const garbage = [];
      for (let i = 0; i < 2e6; i++) garbage.push({ i });
      await new Promise((resolve) => setTimeout(resolve, 200));
      console.log(sum);`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(child.stderr).not.toMatch(/Assertion failed/);
    expect(child.status, child.stderr).toBe(0);
    expect(child.stdout.trim()).toBe('40000');
  });
});
