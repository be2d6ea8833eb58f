import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/backends.js';
import { runOxy } from '../support/run-cli.js';

const mode = (file: string) => fs.statSync(file).mode & 0o777;

describe('the SQLite file oxy creates', () => {
  it('is readable by its owner alone, its WAL too; a file that exists keeps its mode', async () => {
    const state = tempDir();
    const made = await runOxy(['migrate'], { OXY_STATE_DIR: state });
    expect(made.code, made.stderr).toBe(0);
    const file = path.join(state, 'db.sqlite');
    expect(mode(file).toString(8)).toBe('600');
    if (fs.existsSync(`${file}-wal`)) expect(mode(`${file}-wal`).toString(8)).toBe('600');

    const own = path.join(tempDir(), 'shared.sqlite');
    fs.writeFileSync(own, '', { mode: 0o640 });
    fs.chmodSync(own, 0o640);
    const kept = await runOxy(['migrate'], { OXY_DATABASE_URL: `sqlite://${own}` });
    expect(kept.code, kept.stderr).toBe(0);
    expect(mode(own).toString(8)).toBe('640');
  });
});
