import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LATEST_SCHEMA_VERSION } from '../../src/db/migrations/index.js';
import { BACKENDS, freshDatabase, tempDir, type TestDatabase } from '../support/backends.js';
import { OXY_BIN, runOxy } from '../support/run-cli.js';

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts `oxy serve` and resolves once /api/health answers. */
async function startServe(
  env: Record<string, string>,
  port: number,
): Promise<{ child: ChildProcess; stderr: () => string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [OXY_BIN, 'serve', '--port', String(port), '--host', '127.0.0.1'], {
    env: { ...process.env, OXY_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  // Generous: on a loaded 2-core machine (CI running browser tests beside it) a cold start of the
  // CLI has taken over 10 s; a server that exits or never answers still fails.
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const ok = await fetch(`http://127.0.0.1:${port}/api/health`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return { child, stderr: () => stderr, exited };
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`oxy serve did not come up:\n${stderr}`);
}

for (const backend of BACKENDS) {
  describe(`oxy serve (${backend})`, () => {
    let db: TestDatabase;
    let env: Record<string, string>;
    beforeAll(async () => {
      db = await freshDatabase(backend);
      env = { OXY_STATE_DIR: tempDir(), ...(backend === 'postgres' ? { OXY_DATABASE_URL: db.url } : {}) };
    });
    afterAll(async () => {
      await db.cleanup();
    });

    it('migrates, answers /api/health with its backend, and finishes in-flight requests on SIGTERM', async () => {
      const port = await freePort();
      const server = await startServe(env, port);
      const health: unknown = await (await fetch(`http://127.0.0.1:${port}/api/health`)).json();
      expect(health).toMatchObject({ status: 'ok', database: { backend, schemaVersion: LATEST_SCHEMA_VERSION } });
      expect((await fetch(`http://127.0.0.1:${port}/api/live`)).status).toBe(200);
      const inFlight = Array.from({ length: 20 }, (_, i) =>
        fetch(`http://127.0.0.1:${port}/api/workspaces`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name: `w${i}`, slug: `w-${i}` }),
        }).then((r) => r.status),
      );
      // Signal as soon as the first answer arrives: the others are in flight or queued.
      await Promise.race(inFlight);
      server.child.kill('SIGTERM');
      const statuses = await Promise.allSettled(inFlight);
      expect(await server.exited).toBe(0);
      const answered = statuses
        .filter((s) => s.status === 'fulfilled')
        .map((s) => (s as PromiseFulfilledResult<number>).value);
      expect(
        answered.filter((s) => s !== 201 && s !== 503),
        JSON.stringify(answered),
      ).toEqual([]);
      expect(answered).toContain(201);
      expect(server.stderr()).toMatch(/SIGTERM received: finishing in-flight requests/);
      // Whatever was answered 201 was really stored.
      const again = await startServe(env, port);
      const list = (await (await fetch(`http://127.0.0.1:${port}/api/workspaces?limit=100`)).json()) as {
        items: unknown[];
      };
      expect(list.items.length).toBe(answered.filter((s) => s === 201).length);
      again.child.kill('SIGINT');
      expect(await again.exited).toBe(0);
    });

    it('says at start-up which auth mode it runs and who can connect', async () => {
      const port = await freePort();
      const server = await startServe(env, port);
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
      expect(server.stderr()).toMatch(
        /^auth: none \(no sign-in, everyone acts as the local owner\) — listening on 127\.0\.0\.1: only this machine can connect$/m,
      );
    });

    it('refuses a port that is taken with a one-line error and exit 1', async () => {
      const port = await freePort();
      const blocker = net.createServer();
      await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
      try {
        const result = await runOxy(['serve', '--port', String(port), '--host', '127.0.0.1'], env, {
          timeoutMs: 30_000,
        });
        expect(result.code).toBe(1);
        expect(result.stderr).toContain(`Error: port ${port} is already in use on 127.0.0.1`);
        expect(result.stderr).toContain(`Hint: pick another with --port ${port + 1}`);
      } finally {
        blocker.close();
      }
    });
  });
}
