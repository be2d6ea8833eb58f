import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSqliteSource } from '../../bench/generate-sqlite-source.js';
import { entities, type EntityDef } from '../../src/db/entities.js';
import { openSqlite } from '../../src/db/sqlite-driver.js';
import { firstDifference } from '../../src/transfer/verify-entity.js';
import { freshDatabase, tempDir } from '../support/backends.js';
import { runOxy } from '../support/run-cli.js';

const ENTITIES = entities as readonly EntityDef[];

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const query = (url: string, text: string) => withClient(url, async (c) => (await c.query(text)).rows);

/** The status of the run recorded in the target's ledger, if any. */
async function runStatus(url: string): Promise<string | undefined> {
  const [ledger] = await query(url, `select to_regclass('oxy_transfer.run')::text as t`);
  if (!ledger?.t) return undefined;
  return (await query(url, 'select status from oxy_transfer.run'))[0]?.status;
}

/** When the run recorded in the target finished (ms since the epoch, the finishing transaction's start), or -Infinity while it has not. */
async function finishedAt(url: string): Promise<number> {
  if ((await runStatus(url)) !== 'finished') return -Infinity;
  const [run] = await query(url, 'select extract(epoch from finished_at) * 1000 as at from oxy_transfer.run');
  return Number(run.at);
}

/** Every table of the target holds exactly the source's rows: same count, no id twice, no value different. */
async function expectSameAsSource(file: string, url: string, counts: Record<string, number>): Promise<void> {
  const source = openSqlite(file, { readonly: true });
  try {
    await withClient(url, async (client) => {
      for (const entity of ENTITIES) {
        const { rows } = await client.query(
          `select count(*)::int as n, count(distinct id)::int as d from "${entity.table}"`,
        );
        expect(rows[0], entity.table).toEqual({ n: counts[entity.table], d: counts[entity.table] });
        expect(await firstDifference(source, client, entity), entity.table).toBeUndefined();
      }
    });
  } finally {
    source.close();
  }
}

/** A deterministic pseudo-random sequence, so that a failure can be replayed from its seed. */
function random(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2 ** 31), s / 2 ** 31);
}

/** CopyDone: the message that ends PostgreSQL's COPY TO output ('c', length 4). */
const COPY_DONE = Buffer.from([0x63, 0, 0, 0, 4]);

/**
 * A TCP proxy in front of PostgreSQL that delivers every server reply as it comes, except that
 * after a CopyDone it holds the rest (CommandComplete, ReadyForQuery) back for 20 ms: the end of
 * a COPY TO and its row count then always arrive in separate reads, as they sometimes do on a
 * busy machine. Resolves with the URL to use instead of `url`, the number of replies it split
 * so far, and a function that closes it.
 */
async function splittingProxy(url: string): Promise<{ url: string; splits: () => number; close: () => Promise<void> }> {
  const upstream = new URL(url);
  const sockets = new Set<net.Socket>();
  let splits = 0;
  const server = net.createServer((client) => {
    const server = net.connect(Number(upstream.port || 5432), upstream.hostname);
    for (const socket of [client, server]) {
      sockets.add(socket);
      socket.on('error', () => {
        client.destroy();
        server.destroy();
      });
      socket.on('close', () => sockets.delete(socket));
    }
    client.pipe(server);
    let sending = Promise.resolve();
    server.on('data', (data: Buffer) => {
      sending = sending.then(async () => {
        for (let rest = data; rest.length > 0;) {
          const end = rest.indexOf(COPY_DONE);
          const cut = end < 0 ? rest.length : end + COPY_DONE.length;
          client.write(rest.subarray(0, cut));
          rest = rest.subarray(cut);
          if (end >= 0) {
            splits++;
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
        }
      });
    });
    server.on('end', () => void sending.then(() => client.end()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const proxied = new URL(url);
  proxied.hostname = '127.0.0.1';
  proxied.port = String((server.address() as net.AddressInfo).port);
  return {
    url: proxied.toString(),
    splits: () => splits,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe('oxy migrate-sqlite under faults', () => {
  const dir = tempDir('oxy-faults-');
  const file = path.join(dir, 'source.sqlite');
  const cleanups: (() => Promise<void>)[] = [];
  let counts: Record<string, number>;
  const target = async () => {
    const db = await freshDatabase('postgres');
    cleanups.push(db.cleanup);
    return db.url;
  };

  beforeAll(async () => {
    counts = await generateSqliteSource(file, 3000); // ~32,000 rows: 3,000 messages and run steps, 20,000 catalog columns
  });
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('survives SIGKILL at random points: after each kill --resume continues, and no row is lost or copied twice', async () => {
    // Kill points are drawn within an undisturbed run's own duration on this machine, so some
    // land mid-copy however fast the machine and the Node.js version are.
    const started = performance.now();
    const whole = await runOxy(['migrate-sqlite', '--from', file, '--to', await target(), '--batch-size', '400']);
    expect(whole.code, whole.stderr).toBe(0);
    const duration = performance.now() - started;
    const to = await target();
    const seed = Number(process.env.OXY_FAULT_SEED ?? Date.now() % 100_000);
    const next = random(seed);
    const kills: string[] = [];
    for (let round = 0; round < 8; round++) {
      const status = await runStatus(to);
      if (status === 'finished') break;
      const mode = status === 'running' ? ['--resume'] : [];
      const delay = Math.round(duration * (0.15 + next() * 0.7));
      const killed = await runOxy(
        ['migrate-sqlite', '--from', file, '--to', to, '--batch-size', '400', ...mode],
        {},
        { timeoutMs: delay },
      );
      kills.push(
        `${mode[0] ?? 'fresh'} killed after ${delay} ms: ${killed.code === null ? 'SIGKILL' : `exit ${killed.code}`}`,
      );
      if (killed.code !== null) expect(killed.code, `seed ${seed}: ${kills.join('; ')}\n${killed.stderr}`).toBe(0);
      // The command runs in a child process (relaunch.ts): killing the command stops the copy
      // there and then, rather than leaving it to finish on its own after the kill. (A statement
      // already on its way when the child learns of the kill still completes: 200 ms of grace.)
      else
        expect(await finishedAt(to), `seed ${seed}: ${kills.join('; ')}\n${killed.stderr}`).toBeLessThanOrEqual(
          killed.killedAt! + 200,
        );
    }
    const status = await runStatus(to);
    if (status !== 'finished') {
      const last = await runOxy([
        'migrate-sqlite',
        '--from',
        file,
        '--to',
        to,
        '--batch-size',
        '400',
        ...(status === 'running' ? ['--resume'] : []),
        '--json',
      ]);
      expect(last.code, `seed ${seed}: ${kills.join('; ')}\n${last.stderr}`).toBe(0);
      expect(JSON.parse(last.stdout).ok).toBe(true);
    }
    expect(kills.filter((k) => k.endsWith('SIGKILL')).length, `seed ${seed}: ${kills.join('; ')}`).toBeGreaterThan(0);
    await expectSameAsSource(file, to, counts);
  }, 240_000);

  it("proves every batch when the end of PostgreSQL's COPY output and its row count arrive apart", async () => {
    const to = await target();
    const proxy = await splittingProxy(to);
    try {
      const result = await runOxy([
        'migrate-sqlite',
        '--from',
        file,
        '--to',
        proxy.url,
        '--batch-size',
        '1000',
        '--json',
      ]);
      expect(result.code, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout).ok).toBe(true);
      expect(proxy.splits()).toBeGreaterThan(10); // one per batch proven, at least
    } finally {
      await proxy.close();
    }
    await expectSameAsSource(file, to, counts);
  }, 120_000);

  it('a verification that outlives any pool timeout does not break the run (the verifier has a connection of its own)', async () => {
    const to = await target();
    // The first time the verifier records a proven batch, the database makes it wait 11 s (longer
    // than the 10 s a pool waits for a free connection): an event trigger puts a sleeping row
    // trigger on the ledger table as soon as migrate-sqlite creates it.
    await query(
      to,
      `create schema oxy_test;
       create table oxy_test.slept (at timestamptz);
       create function oxy_test.slow() returns trigger language plpgsql as $$
       begin
         if not exists (select 1 from oxy_test.slept) then insert into oxy_test.slept values (now()); perform pg_sleep(11); end if;
         return new;
       end $$;
       create function oxy_test.on_ddl() returns event_trigger language plpgsql as $$
       begin
         if to_regclass('oxy_transfer.verified') is not null and not exists (select 1 from pg_trigger where tgname = 'oxy_test_slow') then
           create trigger oxy_test_slow before insert or update on oxy_transfer.verified for each row execute function oxy_test.slow();
         end if;
       end $$;
       create event trigger oxy_test_ddl on ddl_command_end execute function oxy_test.on_ddl();`,
    );
    const started = performance.now();
    const result = await runOxy(['migrate-sqlite', '--from', file, '--to', to, '--batch-size', '1000', '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).ok).toBe(true);
    expect((await query(to, 'select count(*)::int as n from oxy_test.slept'))[0].n).toBe(1);
    expect(performance.now() - started).toBeGreaterThan(11_000);
    await expectSameAsSource(file, to, counts);
  }, 120_000);

  it("refuses a target holding unrelated tables named like oxy's, naming the fix, and writes nothing", async () => {
    const to = await target();
    await query(to, 'create table users (id serial primary key, login text)');
    const before = JSON.stringify(
      await query(
        to,
        `select table_schema, table_name from information_schema.tables where table_schema not in ('pg_catalog', 'information_schema') order by 1, 2`,
      ),
    );
    const result = await runOxy(['migrate-sqlite', '--from', file, '--to', to]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^Error: the target is not an oxy database: it already has tables named users and no oxy schema$/m,
    );
    expect(result.stderr).toMatch(/^Hint: migrate into an empty database/m);
    expect(result.stderr).not.toMatch(/oxy migrate\b(?!-sqlite)/);
    const after = JSON.stringify(
      await query(
        to,
        `select table_schema, table_name from information_schema.tables where table_schema not in ('pg_catalog', 'information_schema') order by 1, 2`,
      ),
    );
    expect(after).toBe(before);
  });

  it("--restart does not empty unrelated tables named like oxy's either", async () => {
    const to = await target();
    await query(
      to,
      `create table users (id serial primary key, login text); insert into users (login) values ('kept')`,
    );
    const result = await runOxy(['migrate-sqlite', '--from', file, '--to', to, '--restart']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^Error: the target is not an oxy database/m);
    expect((await query(to, 'select login from users'))[0].login).toBe('kept');
  });

  it('names the rows whose foreign keys point nowhere, found when PostgreSQL re-validates them, and leaves the target unfinished', async () => {
    const bad = path.join(dir, 'orphan.sqlite');
    fs.copyFileSync(file, bad);
    const raw = openSqlite(bad);
    raw.pragma('foreign_keys = OFF');
    const orphan = '01900000-0000-7000-8000-00000000dead';
    raw
      .prepare(
        `insert into messages (id, thread_id, role, content, input_tokens, output_tokens, metadata, created_at, updated_at)
                 values (?, '01900000-0000-7000-8000-000000000000', 'user', 'orphan', 0, 0, null, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')`,
      )
      .run(orphan);
    raw.close();
    const to = await target();
    const result = await runOxy(['migrate-sqlite', '--from', bad, '--to', to]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(
        `^Error: cannot copy messages: messages row ${orphan} column thread_id: refers to a missing threads row \\(orphaned foreign key; 1 row: ${orphan}\\)$`,
        'm',
      ),
    );
    expect(await runStatus(to)).toBe('running');
  });

  it('names rows that share a unique key once PostgreSQL compares their UUIDs (SQLite compared them as text)', async () => {
    const bad = path.join(dir, 'duplicate.sqlite');
    fs.copyFileSync(file, bad);
    const raw = openSqlite(bad);
    raw.pragma('foreign_keys = OFF');
    const step = raw.prepare('select id, run_id, step_index from run_steps order by id limit 1').get() as {
      id: string;
      run_id: string;
      step_index: number;
    };
    const twin = '01900000-0000-7000-8000-00000000beef';
    // The same run and step index as an existing step, with the run's id in upper case: distinct text, one UUID.
    raw
      .prepare(
        `insert into run_steps (id, run_id, step_index, name, status, created_at, updated_at)
                 values (?, ?, ?, 'twin', 'succeeded', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')`,
      )
      .run(twin, step.run_id.toUpperCase(), step.step_index);
    raw.close();
    const to = await target();
    const ids = [twin, step.id].sort().join(', ');
    // --dry-run finds them too, and writes nothing.
    const dry = await runOxy(['migrate-sqlite', '--from', bad, '--to', to, '--dry-run']);
    expect(dry.code).toBe(1);
    expect(dry.stderr).toContain(
      `run_steps row ${ids.split(', ')[0]} column run_id, step_index: shares its unique key with another row once PostgreSQL compares UUIDs (case does not count there) (2 rows: ${ids})`,
    );
    expect(await runStatus(to)).toBeUndefined();
    const result = await runOxy(['migrate-sqlite', '--from', bad, '--to', to]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(
        `^Error: cannot copy run_steps: run_steps rows ${ids} have the same run_id, step_index \\(${step.run_id.toLowerCase()}, ${step.step_index}\\), which must be unique$`,
        'm',
      ),
    );
    expect(await runStatus(to)).toBe('running');
  });
});
