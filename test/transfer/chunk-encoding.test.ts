import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connectDatabase } from '../../src/db/connect.js';
import type { ColumnDef } from '../../src/db/entities.js';
import { migrateToLatest } from '../../src/db/migrator.js';
import { openSqlite } from '../../src/db/sqlite-driver.js';
import { parseDatabaseUrl } from '../../src/db/url.js';
import { quickField } from '../../src/transfer/batch-encoder.js';
import { ChunkReader } from '../../src/transfer/copy-entity.js';
import { escapeCopyField } from '../../src/transfer/copy-text.js';
import { EncoderPool } from '../../src/transfer/encoder-pool.js';
import { registerChecks } from '../../src/transfer/sqlite-functions.js';
import { postgresCopyText } from '../../src/transfer/value-codec.js';
import { tempDir } from '../support/backends.js';

/** What the general path writes for a value (batch-encoder.ts field()), or undefined where it refuses it. */
function general(column: ColumnDef, value: unknown): string | undefined {
  // Integers reach the encoder as their decimal text (SQLite casts them).
  if (column.type === 'integer' && typeof value === 'string') return value;
  try {
    const text = postgresCopyText(column.type, value);
    if (text === null) return column.nullable ? '\\N' : undefined;
    if (column.enum && !column.enum.includes(text)) return undefined;
    return column.type === 'text' ? escapeCopyField(text) : text;
  } catch {
    return undefined;
  }
}

describe('migrate-sqlite encoding', () => {
  it('the quick path writes exactly what the general path writes, and leaves it every value it cannot vouch for', () => {
    const cases: [ColumnDef, unknown[]][] = [
      [
        { name: 'id', type: 'uuid' },
        [
          '0190f3c2-7b1a-7c3d-8e4f-0123456789ab',
          '0190F3C2-7B1A-7C3D-8E4F-0123456789AB',
          '0190f3c2-7b1a-7c3d-8e4f-0123456789a',
          '0190f3c2x7b1a-7c3d-8e4f-0123456789ab',
          42n,
          null,
        ],
      ],
      [
        { name: 'content', type: 'text', nullable: true },
        ['plain', '', 'ü and 😀', 'tab\there', 'line\nbreak', 'back\\slash', 'nul\u0000', '\r\b\f\v', 7n, null],
      ],
      [{ name: 'role', type: 'text', enum: ['user', 'assistant'] }, ['user', 'assistant', 'admin', 'User']],
      [
        { name: 'at', type: 'timestamp' },
        [
          '2026-01-02T03:04:05.000Z',
          '2026-01-02T03:04:05.120Z',
          '2026-01-02T03:04:05.100000Z',
          '2026-01-02T03:04:05.000001Z',
          '2026-02-28T23:59:59.999999Z',
          '2024-02-29T00:00:00.000Z',
          '2026-02-29T00:00:00.000Z',
          '2026-04-31T00:00:00.000Z',
          '2026-13-01T00:00:00.000Z',
          '2026-01-01T24:00:00.000Z',
          '2026-01-01 00:00:00.000Z',
          '2026-01-01T00:00:00.0000Z',
          '2026-01-01T00:00:00Z',
          '2026-01-01T00:00:00.000+01:00',
        ],
      ],
      [{ name: 'n', type: 'integer', nullable: true }, ['0', '-9223372036854775808', null]],
    ];
    let quick = 0;
    for (const [column, values] of cases) {
      const write = quickField(column, column.enum ? new Set(column.enum) : undefined);
      for (const value of values) {
        const fast = write(value);
        if (fast === undefined) continue;
        quick++;
        expect(fast, `${column.type} ${JSON.stringify(String(value))}`).toBe(general(column, value));
      }
    }
    // The common values took the quick path (else this test would prove nothing).
    expect(quick).toBeGreaterThanOrEqual(12);
  });

  const dir = tempDir('oxy-chunks-');
  const pools: EncoderPool[] = [];
  afterAll(async () => {
    for (const pool of pools) await pool.close();
  });

  it('reads an entity in id order in planned ranges, cutting a range short where its text grows past the chunk size', async () => {
    const file = path.join(dir, 'source.sqlite');
    const app = await connectDatabase(parseDatabaseUrl(`sqlite://${file}`, 'test'));
    await migrateToLatest(app.db, app.dialect);
    await app.close();
    const db = openSqlite(file);
    const now = '2026-01-01T00:00:00.000Z';
    db.pragma('foreign_keys = OFF'); // messages of a thread that is not there: only the encoding is under test
    const insert = db.prepare(
      `insert into messages (id, thread_id, role, content, created_at, updated_at) values (?, ?, 'user', ?, ?, ?)`,
    );
    const ids: string[] = [];
    db.transaction(() => {
      for (let i = 0; i < 6_000; i++) {
        const id = `00000000-0000-7000-8000-${String(i).padStart(12, '0')}`;
        ids.push(id);
        // Every 1000th row is 300 kB: two of them pass a chunk's size limit.
        insert.run(id, ids[0], i % 1000 === 999 ? 'x'.repeat(300_000) : `message ${i}`, now, now);
      }
    })();
    registerChecks(db);
    const pool = new EncoderPool(db, file, 2);
    pools.push(pool);
    const reader = new ChunkReader(pool, db, 'messages', ids[1_499]!);
    const seen: string[] = [];
    let chunks = 0;
    for (let chunk = await reader.next(); chunk; chunk = await reader.next()) {
      chunks++;
      const lines = Buffer.from(chunk.text).toString('utf8').split('\n');
      expect(lines.pop()).toBe('');
      expect(lines.length).toBe(chunk.rows);
      seen.push(...lines.map((line) => line.split('\t')[0]!));
      expect(seen.at(-1)).toBe(chunk.lastId);
      expect(chunk.text.length).toBeLessThan(2 * 300_000 + (1 << 19));
    }
    expect(seen).toEqual(ids.slice(1_500));
    expect(chunks).toBeGreaterThan(2);
    db.close();
  });
});
