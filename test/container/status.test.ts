import { MIGRATIONS } from '../../src/db/migrations/index.js';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, freshDatabase, postgresAdminUrl, tempDir, type TestDatabase } from '../support/backends.js';
import { freePort } from '../support/postgres-server.js';
import { OXY_BIN, ROOT, runOxy } from '../support/run-cli.js';

const DOUBLE_DIR = path.join(ROOT, 'test', 'fixtures', 'docker');

for (const backend of BACKENDS) {
  describe(`oxy status on the configured database (${backend})`, () => {
    let db: TestDatabase;
    let env: Record<string, string>;
    beforeAll(async () => {
      db = await freshDatabase(backend);
      env = {
        OXY_DATABASE_URL: db.url,
        OXY_STATE_DIR: tempDir(),
        PATH: `${DOUBLE_DIR}:${process.env.PATH}`,
        OXY_DOCKER_DOUBLE_DIR: tempDir(),
        OXY_POSTGRES_PORT: String(await freePort()),
      };
    });
    afterAll(() => db.cleanup());

    it('reports what the database is before oxy migrate, exit 0 while it answers', async () => {
      // A SQLite file exists only once something created it.
      if (backend === 'sqlite') expect((await runOxy(['migrate'], env)).code).toBe(0);
      const before = await runOxy(['status', '--json'], env);
      expect(before.code, before.stderr).toBe(0);
      const facts = JSON.parse(before.stdout).database;
      expect(facts).toMatchObject({ backend, reachable: true });
      if (backend === 'postgres') {
        expect(facts).toMatchObject({ schemaVersion: 0, pendingMigrations: MIGRATIONS.map((m) => m.name) });
        expect(facts.serverVersion).toMatch(/^PostgreSQL \d+/);
      } else {
        expect(facts.file.sizeBytes).toBeGreaterThan(0);
        expect(facts.serverVersion).toMatch(/^SQLite 3\./);
      }
    });

    it('reports no pending migrations after oxy migrate', async () => {
      expect((await runOxy(['migrate'], env)).code).toBe(0);
      const after = await runOxy(['status'], env);
      expect(after.code).toBe(0);
      expect(after.stdout).toMatch(new RegExp(`^Database Connection\\n {2}Backend: +${backend}\\n`, 'm'));
      expect(after.stdout).toMatch(
        new RegExp(`^ {2}Schema version: +${MIGRATIONS.length} of ${MIGRATIONS.length}$`, 'm'),
      );
      expect(after.stdout).toMatch(/^ {2}Pending migrations: +none$/m);
      expect(after.stdout).toMatch(/^ {2}Jobs: +0 queued, 0 running, 0 failed; 0 workers holding leases$/m);
    });

    it('prints no colour codes when piped', async () => {
      expect((await runOxy(['status'], env)).stdout).not.toContain('\u001b[');
    });

    it('suggests env -u OXY_DATABASE_URL oxy start, since plain oxy start would serve the configured database', async () => {
      const { stdout } = await runOxy(['status'], env);
      expect(stdout).toMatch(
        /^ {2}env -u OXY_DATABASE_URL oxy start +# create oxy-postgres with PostgreSQL 18 and serve$/m,
      );
      expect(stdout).not.toMatch(/^ {2}oxy start +#/m);
    });

    it.runIf(backend === 'sqlite')(
      'suggests a migrate-sqlite dry run that works as printed: no masked password to paste',
      async () => {
        expect((await runOxy(['migrate'], env)).code).toBe(0);
        const { stdout } = await runOxy(['status'], env);
        expect(stdout).toContain(
          `PGPASSWORD=postgres oxy migrate-sqlite --from ${db.url.replace(/^sqlite:\/\//, '')} --to postgresql://postgres@localhost:${env.OXY_POSTGRES_PORT}/oxy --dry-run`,
        );
        expect(stdout).not.toContain('****');
      },
    );
  });
}

describe('oxy status when the configured database does not answer', () => {
  it('exits 1 and says why, with the password masked', async () => {
    const url = new URL(postgresAdminUrl());
    url.username = 'postgres';
    url.password = 'hunter2-secret';
    url.port = String(await freePort());
    const result = await runOxy(['status', '--json'], {
      OXY_DATABASE_URL: url.toString(),
      OXY_STATE_DIR: tempDir(),
      PATH: `${DOUBLE_DIR}:${process.env.PATH}`,
      OXY_DOCKER_DOUBLE_DIR: tempDir(),
    });
    expect(result.code).toBe(1);
    const facts = JSON.parse(result.stdout).database;
    expect(facts).toMatchObject({ backend: 'postgres', reachable: false });
    expect(facts.error).toMatch(/connect|refused|reach/i);
    expect(result.stdout + result.stderr).not.toContain('hunter2-secret');
  });

  it('exits 1 for a SQLite default that does not exist yet, and says what creates it', async () => {
    const result = await runOxy(['status'], {
      OXY_STATE_DIR: tempDir(),
      PATH: `${DOUBLE_DIR}:${process.env.PATH}`,
      OXY_DOCKER_DOUBLE_DIR: tempDir(),
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /^ {2}Reachable: +no — the SQLite file does not exist yet \(oxy serve or oxy migrate creates it\)$/m,
    );
    expect(result.stdout).toMatch(/^Useful Commands$/m);
  });
});

describe('oxy status on a terminal (util-linux script gives it a pseudo-terminal)', () => {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    OXY_STATE_DIR: tempDir(),
    PATH: `${DOUBLE_DIR}:${process.env.PATH}`,
    OXY_DOCKER_DOUBLE_DIR: tempDir(),
    OXY_DOCKER_DOUBLE_DAEMON: 'down',
  };
  delete env.OXY_DATABASE_URL;
  delete env.NO_COLOR;
  const onTerminal = (extra: NodeJS.ProcessEnv = {}) =>
    spawnSync('script', ['-qec', `'${process.execPath}' '${OXY_BIN}' status`, '/dev/null'], {
      env: { ...env, ...extra },
      encoding: 'utf8',
    });

  it('colours the titles and the states', () => {
    const tty = onTerminal();
    expect(tty.status).toBe(1);
    expect(tty.stdout).toContain('\u001b[1mDocker Daemon\u001b[0m');
    // The colour codes themselves are what is checked here.
    // eslint-disable-next-line no-control-regex
    expect(tty.stdout).toMatch(/Daemon: +\u001b\[31mDocker daemon is not running\u001b\[0m/);
  });

  it('shows the fix with the reason, not only in --json', () => {
    expect(onTerminal().stdout).toMatch(
      /Fix: +start Docker \(Docker Desktop, or: sudo systemctl start docker; podman machine start\), or run PostgreSQL without Docker: oxy start --runtime embedded/,
    );
  });

  it('prints no colour with NO_COLOR set', () => {
    const plain = onTerminal({ NO_COLOR: '1' });
    expect(plain.stdout).toContain('Docker Daemon');
    expect(plain.stdout).not.toContain('\u001b[');
  });
});
