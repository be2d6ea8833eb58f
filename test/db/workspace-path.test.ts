import { describe, expect, it } from 'vitest';
import { TABLE_NAMES } from '../../src/db/entities.js';
import { workspacePath, workspaceTables } from '../../src/db/workspace-path.js';

describe('workspacePath (derived from the foreign keys of entities.ts)', () => {
  it("follows a row's cascade references up to its workspace", () => {
    expect(workspacePath('messages')?.map((s) => `${s.table}.${s.column}`)).toEqual([
      'messages.thread_id',
      'threads.project_id',
      'projects.workspace_id',
    ]);
  });

  it('prefers the reference a row cannot outlive (cascade) over set-null ones', () => {
    expect(workspacePath('runs')?.[0]).toEqual({ table: 'runs', column: 'workflow_id', target: 'workflows' });
  });

  it('leaves users and their sessions outside every workspace and puts every other table in one', () => {
    expect(workspacePath('users')).toBeUndefined();
    expect(workspacePath('sessions')).toBeUndefined();
    expect(workspaceTables()).toEqual(TABLE_NAMES.filter((t) => t !== 'users' && t !== 'sessions'));
  });
});
