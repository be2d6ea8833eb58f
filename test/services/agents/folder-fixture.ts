import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { stringify } from 'yaml';
import { tempDir } from '../../support/backends.js';

/** The stores a fixture folder's SQLite database holds: random names and sales, so results cannot be guessed. */
export interface FixtureData {
  stores: { id: number; name: string; sales: number }[];
}

/**
 * An Oxy project folder for agent tests: config.yml with a SQLite database `shop` and two models
 * (OpenAI and Anthropic wire protocols at `modelUrl`, keys in environment variables), and agent files.
 */
export function agentFolder(
  modelUrl: string,
  agents: Record<string, Record<string, unknown>>,
  extra: { files?: Record<string, string> } = {},
): { root: string; data: FixtureData } {
  const root = tempDir('oxy-agent-');
  const stores = Array.from({ length: 5 }, (_, i) => ({
    id: i + 1,
    name: `store-${Math.random().toString(36).slice(2, 8)}`,
    sales: Math.round(Math.random() * 100_000) / 100,
  }));
  const db = new Database(path.join(root, 'shop.sqlite'));
  db.exec('CREATE TABLE stores (id INTEGER PRIMARY KEY, name TEXT NOT NULL, sales REAL NOT NULL)');
  const insert = db.prepare('INSERT INTO stores (id, name, sales) VALUES (?, ?, ?)');
  for (const s of stores) insert.run(s.id, s.name, s.sales);
  db.close();
  const config = {
    databases: [{ name: 'shop', type: 'sqlite', path: 'shop.sqlite' }],
    models: [
      { name: 'gpt', vendor: 'openai', model_ref: 'gpt-test', api_url: modelUrl, key_var: 'OXY_TEST_OPENAI_KEY' },
      {
        name: 'claude',
        vendor: 'anthropic',
        model_ref: 'claude-test',
        api_url: modelUrl,
        key_var: 'OXY_TEST_ANTHROPIC_KEY',
      },
    ],
    defaults: { agent: Object.keys(agents)[0] },
  };
  fs.writeFileSync(path.join(root, 'config.yml'), stringify(config));
  fs.mkdirSync(path.join(root, 'agents'));
  for (const [name, agent] of Object.entries(agents))
    fs.writeFileSync(path.join(root, 'agents', `${name}.agent.yml`), stringify(agent));
  for (const [file, text] of Object.entries(extra.files ?? {})) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  }
  return { root, data: { stores } };
}

/** A plain agent over `shop` with SQL and chart tools. */
export function shopAgent(model: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    model,
    system_instructions:
      'You answer questions about the shop. Write {{ databases.shop.dialect }} SQL.\n{{ databases.shop.ddl }}',
    tools: [
      { name: 'execute_sql', type: 'execute_sql', database: 'shop' },
      { name: 'validate_sql', type: 'validate_sql', database: 'shop' },
      { name: 'visualize', type: 'visualize' },
    ],
    ...extra,
  };
}
