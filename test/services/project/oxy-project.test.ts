import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { postgresAdminUrl, tempDir } from '../../support/backends.js';
import { ProjectDatabases } from '../../../src/services/project/project-databases.js';
import { readProjectFolder } from '../../../src/services/project/project-folder.js';
import { readOxyProject } from '../../../src/services/project/read-oxy-project.js';

function folder(files: Record<string, string>): string {
  const root = tempDir('oxy-project-');
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), text);
  }
  return root;
}

describe('an Oxy project folder', () => {
  const closers: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const close of closers) await close();
  });

  it('reads databases (paths absolute, *_var kept as references), agents, workflows and SQL files', () => {
    const root = folder({
      'config.yml': [
        'databases:',
        '  - name: local',
        '    type: duckdb',
        '    dataset: .db/',
        '  - name: wh',
        '    type: postgres',
        '    host_var: WH_HOST',
        '    user: analyst',
        '    password_var: WH_PASSWORD',
        '  - name: bq',
        '    type: bigquery',
        '  - name: leaky',
        '    type: mysql',
        '    host: h',
        '    user: u',
        '    password: hunter2',
        'models:',
        '  - { name: gpt, vendor: openai, model_ref: gpt-4o, key_var: OPENAI_API_KEY }',
        'defaults: { database: local }',
      ].join('\n'),
      'agents/analyst.agent.yml': 'model: gpt\nsystem_instructions: hi\n',
      'workflows/ok.procedure.yml': 'tasks:\n  - name: f\n    type: formatter\n    template: x\n',
      'workflows/bad.workflow.yml': 'tasks:\n  - name: f\n    type: nope\n',
      'queries/top.sql': 'select 1',
      '.db/ignored.sql': 'select 2',
    });
    const content = readOxyProject(root);
    expect(content.settings).toEqual({
      folder: root,
      models: [{ name: 'gpt', vendor: 'openai', model_ref: 'gpt-4o', key_var: 'OPENAI_API_KEY' }],
      defaults: { database: 'local' },
    });
    const summary = content.items.map((i) => [i.kind, i.name, i.refused ?? i.values]);
    expect(summary).toEqual([
      ['database', 'local', { kind: 'duckdb', config: { dataset: path.join(root, '.db') } }],
      [
        'database',
        'wh',
        { kind: 'postgres', config: { host_var: 'WH_HOST', user: 'analyst', password_var: 'WH_PASSWORD' } },
      ],
      ['database', 'bq', 'type bigquery is not one oxy reaches (duckdb, sqlite, postgres, mysql)'],
      [
        'database',
        'leaky',
        'a password written in config.yml is never used: name an environment variable with password_var',
      ],
      ['agent', 'analyst', { definition: 'model: gpt\nsystem_instructions: hi\n', model: 'gpt' }],
      ['query', 'top', { sql: 'select 1', database: 'local' }],
      ['workflow', 'bad', expect.stringMatching(/^line 3: `nope` is not a task type/)],
      ['workflow', 'ok', { definition: 'tasks:\n  - name: f\n    type: formatter\n    template: x\n' }],
    ]);
  });

  it('connects to a server through host_var, port_var and user_var read from the environment', async () => {
    const url = new URL(postgresAdminUrl());
    const root = folder({
      'config.yml': [
        'databases:',
        '  - name: pg',
        '    type: postgres',
        '    host_var: T_HOST',
        '    port_var: T_PORT',
        '    user_var: T_USER',
        '    database: postgres',
        ...(url.password ? ['    password_var: T_PASSWORD'] : []),
      ].join('\n'),
    });
    const env = {
      T_HOST: url.hostname,
      T_PORT: url.port || '5432',
      T_USER: decodeURIComponent(url.username),
      T_PASSWORD: decodeURIComponent(url.password),
    };
    const databases = new ProjectDatabases(readProjectFolder(root), env);
    closers.push(() => databases.close());
    const result = await databases.run('pg', 'select 40 + 2 as answer', {});
    expect(result.rows).toEqual([[42]]);
    const missing = new ProjectDatabases(readProjectFolder(root), { ...env, T_HOST: undefined });
    closers.push(() => missing.close());
    await expect(missing.run('pg', 'select 1', {})).rejects.toThrow(
      'environment variable T_HOST (host_var) is not set',
    );
  });
});
