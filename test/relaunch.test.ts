import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { relaunched } from '../src/relaunch.js';
import { tempDir } from './support/backends.js';

interface Seen {
  execArgv: string[];
  argv: string[];
  mark?: string;
}

/**
 * A stand-in for bin/oxy.js that records the Node flags, arguments and relaunch mark it was
 * started with, then ends with `ending` (JavaScript).
 */
function recorder(ending: string): { script: string; seen: () => Seen | undefined } {
  const dir = tempDir('oxy-relaunch-');
  const out = path.join(dir, 'seen.json');
  const script = path.join(dir, 'record.mjs');
  fs.writeFileSync(
    script,
    `import fs from 'node:fs';
fs.writeFileSync(${JSON.stringify(out)}, JSON.stringify({ execArgv: process.execArgv, argv: process.argv.slice(2), mark: process.env.OXY_RELAUNCHED }));
${ending}\n`,
  );
  return { script, seen: () => (fs.existsSync(out) ? JSON.parse(fs.readFileSync(out, 'utf8')) : undefined) };
}

describe('relaunch', () => {
  it('runs migrate-sqlite again in a child Node process with its V8 flags and the same arguments, and passes its exit code on', async () => {
    const { script, seen } = recorder('process.exit(3);');
    const args = ['--verbose', 'migrate-sqlite', '--from', 'a b.sqlite', '--dry-run'];
    expect(await relaunched([process.execPath, script, ...args])).toBe(3);
    const child = seen()!;
    expect(child.execArgv).toEqual(expect.arrayContaining(['--single-threaded-gc', '--max-semi-space-size=1']));
    expect(child.argv).toEqual(args);
    expect(child.mark).toBe('1');
  });

  it('turns a child that crashed on a signal into exit code 128 + the signal, without taking the parent down', async () => {
    const { script } = recorder("process.kill(process.pid, 'SIGUSR2');");
    expect(await relaunched([process.execPath, script, 'migrate-sqlite'])).toBe(128 + 12);
  });

  it('runs every other command in place', async () => {
    const { script, seen } = recorder('process.exit(3);');
    for (const args of [['serve'], ['migrate'], ['--help'], []])
      expect(await relaunched([process.execPath, script, ...args]), args.join(' ')).toBeUndefined();
    expect(seen()).toBeUndefined();
  });
});
