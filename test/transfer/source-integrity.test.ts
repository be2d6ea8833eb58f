import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqlite, type SqliteDatabase } from '../../src/db/sqlite-driver.js';
import { OxyError } from '../../src/errors.js';
import { checkTables, quickCheck } from '../../src/transfer/source-integrity.js';
import { readAhead } from '../../src/transfer/source-readahead.js';
import { openSqliteSource } from '../../src/transfer/sqlite-source.js';

describe('source integrity: a corrupt source is refused, a locked one is not called corrupt', () => {
  const open: SqliteDatabase[] = [];
  const dirs: string[] = [];
  afterEach(() => {
    for (const db of open.splice(0)) if (db.open) db.close();
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A rollback-journal file (where a writer's exclusive lock keeps readers out) with one table of `rows` rows. */
  function sourceFile(rows = 2000): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oxy-integrity-'));
    dirs.push(dir);
    const file = path.join(dir, 'db.sqlite');
    const db = openSqlite(file);
    db.pragma('journal_mode = delete');
    db.exec('create table notes (id integer primary key, body text not null); create index notes_body on notes (body)');
    const add = db.prepare('insert into notes (body) values (?)');
    db.transaction(() => {
      for (let i = 0; i < rows; i++) add.run(`note ${i} ${'x'.repeat(200)}`);
    })();
    db.close();
    return file;
  }

  /** A second connection holding the write lock, as a busy writer would. */
  function lockedByWriter(file: string): void {
    const writer = openSqlite(file);
    open.push(writer);
    writer.exec("begin exclusive; insert into notes (body) values ('pending')");
  }

  it('quickCheck says ok for a sound table, names the damage in a broken one', () => {
    const file = sourceFile();
    const reader = openSqlite(file, { readonly: true });
    open.push(reader);
    expect(quickCheck(reader, 'notes')).toEqual({ ok: true });
    expect(quickCheck(reader)).toEqual({ ok: true });
    reader.close();
    // Overwrite a page in the middle of the table's b-tree.
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.alloc(4096, 0xab), 0, 4096, 4096 * 20);
    fs.closeSync(fd);
    const again = openSqlite(file, { readonly: true });
    open.push(again);
    const result = quickCheck(again, 'notes');
    expect(result).toMatchObject({ ok: false, corrupt: true });
  });

  it('a check that cannot run because a writer holds the lock is reported as such, not as corruption', async () => {
    const file = sourceFile();
    const reader = openSqlite(file, { readonly: true, timeout: 50 });
    open.push(reader);
    lockedByWriter(file);
    const result = quickCheck(reader, 'notes');
    expect(result).toMatchObject({ ok: false, corrupt: false });
    expect(result.ok || result.detail).toMatch(/^SQLITE_BUSY: database is locked$/);
    const checker = { size: 2, check: async (table: string) => quickCheck(reader, table) };
    const failure = await checkTables(file, ['notes'], checker).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OxyError);
    expect((failure as OxyError).message).toBe(
      `${file} could not be checked (quick_check: notes: SQLITE_BUSY: database is locked)`,
    );
    expect((failure as OxyError).message).not.toMatch(/corrupt/);
    expect((failure as OxyError).hint).toMatch(/no other process is writing/);
  });

  it('the source is read ahead in order when it fits in half the memory available, else left alone', async () => {
    const file = sourceFile(50_000); // several 4 MB chunks
    const size = fs.statSync(file).size;
    expect(size).toBeGreaterThan(4 * 4 * 1024 * 1024);
    expect(await readAhead(file, size * 2)).toBe(size);
    expect(await readAhead(file, size * 2 - 1)).toBe(0);
    expect(await readAhead(file)).toBe(size); // a few MB: this machine has the memory
  });

  it('opening a source a writer has locked says so, with the way out', async () => {
    const file = sourceFile(10);
    // The schema is read when the source opens: that is where the lock is met first.
    const writer = openSqlite(file);
    open.push(writer);
    writer.exec('begin exclusive');
    writer.exec("insert into notes (body) values ('pending')");
    const started = performance.now();
    const failure = await openSqliteSource(file).catch((error: unknown) => error);
    expect(performance.now() - started).toBeGreaterThan(1000); // it waited for the lock first
    expect((failure as OxyError).message).toBe(`${file} is locked by another process: database is locked`);
    expect((failure as OxyError).hint).toMatch(/stop `oxy serve` on it/);
  });
});
