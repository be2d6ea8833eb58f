import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { VERSION } from '../src/version.js';
import { OXY_BIN, ROOT, runOxy } from './support/run-cli.js';

/** The modules `oxy <args>` loads, as URLs relative to the project (dependencies by package path). */
async function modulesLoadedBy(args: string[]): Promise<string[]> {
  const log = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'oxy-modules-')), 'loaded.txt');
  try {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', path.join(ROOT, 'test/support/register-module-log.mjs'), OXY_BIN, ...args],
      { env: { ...process.env, OXY_TEST_MODULE_LOG: log } },
    );
    expect(stdout.trim()).not.toBe('');
    const root = `${pathToFileURL(ROOT).href}/`;
    return fs
      .readFileSync(log, 'utf8')
      .split('\n')
      .filter((url) => url.startsWith(root))
      .map((url) => url.slice(root.length));
  } finally {
    fs.rmSync(path.dirname(log), { recursive: true, force: true });
  }
}

describe('oxy --version and --help', () => {
  it('prints the version alone, and the help with every command', async () => {
    for (const flag of ['--version', '-V']) {
      const version = await runOxy([flag]);
      expect([version.code, version.stdout.trim(), version.stderr]).toEqual([0, VERSION, '']);
    }
    const help = await runOxy(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['serve', 'migrate-sqlite', 'ask', 'run'])
      expect(help.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
  });

  it('--version loads no command, so it answers at once (the help loads them all)', async () => {
    const forVersion = await modulesLoadedBy(['--version']);
    expect(forVersion).toContain('dist/cli.js');
    const dependency = (m: string) => m.startsWith('node_modules/') && !m.startsWith('node_modules/commander/');
    expect(forVersion.filter((m) => m.startsWith('dist/commands/') || dependency(m))).toEqual([]);
    // The same probe sees the commands when they are loaded: it can tell the two apart.
    const forHelp = await modulesLoadedBy(['--help']);
    expect(forHelp).toContain('dist/commands/migrate-sqlite.js');
    expect(forHelp.filter(dependency).length).toBeGreaterThan(10);
  });
});
