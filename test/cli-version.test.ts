import { describe, expect, it } from 'vitest';
import { VERSION } from '../src/version.js';
import { runOxy } from './support/run-cli.js';

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
});
