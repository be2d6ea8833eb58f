import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, type AppDatabase } from '../../src/db/connect.js';
import { migrateToLatest } from '../../src/db/migrator.js';
import { parseDatabaseUrl } from '../../src/db/url.js';
import { ConflictError } from '../../src/errors.js';
import { EntityRepository, type RowValues } from '../../src/repositories/entity.repository.js';
import { BACKENDS, freshDatabase, type TestDatabase } from '../support/backends.js';

const id = (n: number) => `01900000-0000-7000-8000-${String(n).padStart(12, '0')}`;
const AT = '2026-05-06T07:08:09.123Z';
const MICRO = '2026-05-06T07:08:09.123456Z';
const LONG = 'ü'.repeat(512 * 1024); // 1 MB of UTF-8
const JSON_VALUE = {
  z: [1, 2.5, 0, null, true, 'ünï😀'],
  a: { deeper: { deepest: [{}, []] } },
  'key with "quotes"': 'tab\tnew\nline',
};

/** Writes the same edge-case rows on a backend and reads them back. */
async function roundTrip(repo: EntityRepository): Promise<Record<string, RowValues>> {
  const t = { created_at: AT, updated_at: MICRO };
  const out: Record<string, RowValues> = {};
  out.user = await repo.insert('users', {
    id: id(1),
    email: 'a@b.c',
    name: '',
    role: 'admin',
    status: 'disabled',
    last_login_at: MICRO,
    ...t,
  });
  out.ws = await repo.insert('workspaces', { id: id(2), name: '😀'.repeat(100), slug: 'w', owner_id: id(1), ...t });
  out.project = await repo.insert('projects', {
    id: id(3),
    workspace_id: id(2),
    name: 'ü'.repeat(200),
    settings: JSON_VALUE,
    ...t,
  });
  out.thread = await repo.insert('threads', {
    id: id(4),
    project_id: id(3),
    title: LONG,
    is_processing: true,
    agent_id: null,
    workflow_id: null,
    user_id: null,
    ...t,
  });
  out.thread2 = await repo.insert('threads', { id: id(5), project_id: id(3), title: 'x', is_processing: false, ...t });
  out.message = await repo.insert('messages', {
    id: id(6),
    thread_id: id(4),
    role: 'tool',
    content: 'c',
    input_tokens: Number.MAX_SAFE_INTEGER,
    output_tokens: -1,
    metadata: [JSON_VALUE, 'scalar'],
    ...t,
  });
  out.message2 = await repo.insert('messages', {
    id: id(7),
    thread_id: id(4),
    role: 'user',
    content: '',
    metadata: null,
    ...t,
  });
  out.secret = await repo.insert('secrets', {
    id: id(8),
    scope: 's',
    name: 'n',
    ciphertext: Buffer.from([0, 0, 1, 0, 255]),
    nonce: Buffer.alloc(0),
    key_id: 'k',
    ...t,
  });
  return out;
}

const results: Partial<Record<(typeof BACKENDS)[number], Record<string, RowValues>>> = {};

for (const backend of BACKENDS) {
  describe(`values through the repository (${backend})`, () => {
    let db: TestDatabase;
    let app: AppDatabase;
    let repo: EntityRepository;

    beforeAll(async () => {
      db = await freshDatabase(backend);
      app = await connectDatabase(parseDatabaseUrl(db.url, 'test'));
      await migrateToLatest(app.db, app.dialect);
      repo = new EntityRepository(app);
      results[backend] = await roundTrip(repo);
    });
    afterAll(async () => {
      await app.close();
      await db.cleanup();
    });

    it('come back as the JS values that went in', async () => {
      const r = results[backend]!;
      expect(r.user).toMatchObject({
        name: '',
        last_login_at: MICRO,
        created_at: AT,
        updated_at: MICRO,
        status: 'disabled',
      });
      expect(r.thread!.title).toBe(LONG);
      expect(r.project!.settings).toEqual(JSON_VALUE);
      expect(r.thread).toMatchObject({ is_processing: true, agent_id: null });
      expect(r.thread2).toMatchObject({ is_processing: false, user_id: null });
      expect(r.message).toMatchObject({
        input_tokens: Number.MAX_SAFE_INTEGER,
        output_tokens: -1,
        metadata: [JSON_VALUE, 'scalar'],
      });
      expect(r.message2).toMatchObject({ input_tokens: 0, output_tokens: 0, metadata: null });
      expect(Buffer.isBuffer(r.secret!.ciphertext)).toBe(true);
      expect([...(r.secret!.ciphertext as Buffer)]).toEqual([0, 0, 1, 0, 255]);
      expect(await repo.get('projects', id(3))).toEqual(r.project);
    });

    it('refuse a name longer than the limit the same way on both backends', async () => {
      const error = await repo
        .insert('projects', { workspace_id: id(2), name: 'n'.repeat(201) })
        .catch((e: unknown) => e);
      expect((error as { code?: string }).code).toBe('validation');
      expect((error as Error).message).toBe('invalid projects row: name is longer than 200 characters');
    });

    it('turn a duplicate unique value into a conflict naming the column', async () => {
      const error = await repo.insert('workspaces', { name: 'x', slug: 'w', owner_id: id(1) }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConflictError);
      expect((error as Error).message).toBe('a workspaces row with slug="w" already exists');
    });

    it('turn a reference to a missing row into a conflict naming the column', async () => {
      const error = await repo
        .insert('messages', { thread_id: id(999), role: 'user', content: 'x' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConflictError);
      expect((error as Error).message).toBe(`thread_id refers to threads ${id(999)}, which does not exist`);
    });

    it('refuse to delete a user who still owns a workspace, and cascade a project to its threads and messages', async () => {
      const error = await repo.delete('users', id(1)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConflictError);
      expect((error as Error).message).toMatch(/workspaces\.owner_id still refer/);
      await repo.delete('projects', id(3));
      expect(await repo.find('threads', id(4))).toBeUndefined();
      expect(await repo.count('messages')).toBe(0);
    });
  });
}

describe('both backends', () => {
  it('return identical rows for identical writes', () => {
    expect(results.postgres).toEqual(results.sqlite);
    expect(JSON.stringify(results.postgres)).toBe(JSON.stringify(results.sqlite));
  });
});
