import { execFileSync, spawnSync } from 'node:child_process';
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dockerCommands } from '../../src/container/docker-commands.js';
import { errorLine } from '../../src/container/docker-runtime.js';
import { ROOT } from '../support/run-cli.js';

/** The real docker client on PATH (not the test double), if this machine has one. */
function realDocker(): string | undefined {
  const double = path.join(ROOT, 'test', 'fixtures', 'docker');
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const file = path.join(dir, 'docker');
    if (dir !== double && fs.existsSync(file)) return file;
  }
  return undefined;
}

const docker = realDocker();
const SUBCOMMANDS = new Set(['container', 'volume']);

/** Splits an argument list into the docker subcommand and the docker flags it passes. */
function parse(args: readonly string[]): { subcommand: string[]; flags: string[] } {
  const subcommand = SUBCOMMANDS.has(args[0]!) ? args.slice(0, 2) : args.slice(0, 1);
  // Everything after `exec <container> <command>` belongs to the command run inside.
  const own = subcommand[0] === 'exec' ? args.slice(0, 2) : args;
  return { subcommand, flags: own.filter((a) => a.startsWith('-')) };
}

const samples = Object.entries(dockerCommands).map(
  ([name, make]) => [name, (make as (a: string & number) => string[])('oxy-postgres' as never)] as const,
);

/** Docker 28.2.2's own `--help` for a subcommand, recorded in test/fixtures/docker-help. */
const recordedHelp = (subcommand: string[]) =>
  fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'docker-help', `${subcommand.join('-')}.txt`), 'utf8');
const documents = (help: string, flag: string) => new RegExp(`(^|[\\s,])${flag}[\\s,=]`, 'm').test(help);

describe('the docker argument lists oxy uses', () => {
  it('use only flags Docker documents in its --help (recorded from Docker 28.2.2)', () => {
    expect(samples.length).toBeGreaterThanOrEqual(11);
    for (const [name, args] of samples) {
      const { subcommand, flags } = parse(args);
      for (const flag of flags)
        expect(documents(recordedHelp(subcommand), flag), `${name}: docker ${subcommand.join(' ')} ${flag}`).toBe(true);
    }
    // The check can fail: a flag Docker does not have is caught.
    expect(documents(recordedHelp(['stop']), '--grace')).toBe(false);
  });

  it.skipIf(!docker)('use only flags the docker client on this machine documents too', () => {
    for (const [name, args] of samples) {
      const { subcommand, flags } = parse(args);
      const help = execFileSync(docker!, [...subcommand, '--help'], { encoding: 'utf8' });
      for (const flag of flags)
        expect(documents(help, flag), `${name}: docker ${subcommand.join(' ')} ${flag}`).toBe(true);
    }
  });

  it('create the container the PostgreSQL 18 image expects', () => {
    const run = dockerCommands.run(15432);
    const value = (flag: string) => run.filter((_, i) => run[i - 1] === flag);
    expect(run.at(-1)).toBe('postgres:18-alpine');
    expect(value('--publish')).toEqual(['127.0.0.1:15432:5432']);
    expect(value('--volume')).toEqual(['oxy-postgres-data:/var/lib/postgresql']);
    expect(value('--env').sort()).toEqual([
      'PGDATA=/var/lib/postgresql/18/docker',
      'POSTGRES_DB=oxy',
      'POSTGRES_PASSWORD=postgres',
      'POSTGRES_USER=postgres',
    ]);
    expect(value('--label')).toEqual(['dev.oxy.managed=true']);
    expect(dockerCommands.stop('oxy-postgres')).toEqual(['stop', '-t', '10', 'oxy-postgres']);
  });

  it('are the only ones the test double answers: anything else fails loudly', () => {
    const double = path.join(ROOT, 'test', 'fixtures', 'docker', 'docker');
    const env = { ...process.env, OXY_DOCKER_DOUBLE_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'oxy-double-')) };
    expect(spawnSync(double, dockerCommands.serverVersion(), { env, encoding: 'utf8' }).status).toBe(0);
    const unknown = spawnSync(double, ['stop', '--grace', '10', 'oxy-postgres'], { env, encoding: 'utf8' });
    expect(unknown.status).toBe(64);
  });

  it.each([
    [
      "docker run's daemon error, not the pull progress before it",
      [
        "Unable to find image 'postgres:18-alpine' locally",
        'docker: Error response from daemon: Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io: no such host',
        '',
        "Run 'docker run --help' for more information",
      ].join('\n'),
      /^docker: Error response from daemon: Get/,
    ],
    [
      "docker start's daemon reason, not the generic line it ends with",
      [
        'Error response from daemon: failed to set up container networking: driver failed programming external connectivity on endpoint oxy-postgres (abc): Bind for 127.0.0.1:15432 failed: port is already allocated',
        'Error: failed to start containers: oxy-postgres',
      ].join('\n'),
      /^Error response from daemon: failed to set up container networking: .*port is already allocated$/,
    ],
    [
      'the Error line of a plain failure',
      'Error: No such container: oxy-postgres\n',
      /^Error: No such container: oxy-postgres$/,
    ],
    ['the last line when no line says Error', 'something odd\nlast words\n', /^last words$/],
  ])('report the line of stderr that names the error: %s', (_case, stderr, line) => {
    expect(errorLine(stderr)).toMatch(line);
  });
});
