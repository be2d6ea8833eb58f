import { entityByTable, type ColumnDef, type TableName, type WorkspaceRole } from '../../src/db/entities.js';
import { workspacePath, workspaceTables } from '../../src/db/workspace-path.js';
import type { RowValues } from '../../src/repositories/entity.repository.js';
import type { TestApp } from './app.js';

export const PASSWORD = 'correct horse battery staple';

export type InstanceRole = 'owner' | 'admin' | 'member';

export interface Persona {
  readonly name: string;
  readonly instance: InstanceRole;
  /** The persona's role in every workspace the fixture makes; undefined: not a member. */
  readonly workspace?: WorkspaceRole;
}

/** Each instance role (members of no workspace) and each workspace role (plain instance members). */
export const PERSONAS: readonly Persona[] = [
  { name: 'instance owner', instance: 'owner' },
  { name: 'instance admin', instance: 'admin' },
  { name: 'instance member', instance: 'member' },
  { name: 'workspace owner', instance: 'member', workspace: 'owner' },
  { name: 'workspace admin', instance: 'member', workspace: 'admin' },
  { name: 'workspace editor', instance: 'member', workspace: 'editor' },
  { name: 'workspace viewer', instance: 'member', workspace: 'viewer' },
  { name: 'non-member', instance: 'member' },
];

export interface SignedIn {
  readonly persona: Persona;
  readonly id: string;
  readonly email: string;
  readonly cookie: string;
}

let counter = 0;
/** A value no earlier call returned (names, slugs, emails, integers in unique constraints). */
export const unique = () => `u${Date.now().toString(36)}${++counter}`;
const uniqueInt = () => ++counter;

/** The users, their sessions, and rows to build requests from, on one running test app. */
export class RoleFixture {
  readonly people = new Map<string, SignedIn>();
  /** One row of every table in the shared workspace, for reads. */
  readonly shared: Partial<Record<TableName, string>> = {};
  workspaceId = '';

  constructor(readonly t: TestApp) {}

  get services() {
    return this.t.services;
  }

  person(name: string): SignedIn {
    const found = this.people.get(name);
    if (!found) throw new Error(`no persona ${name}`);
    return found;
  }

  async signIn(email: string, password = PASSWORD): Promise<string> {
    const res = await this.t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password } });
    if (res.statusCode !== 200) throw new Error(`sign-in of ${email} failed: ${res.body}`);
    return String(res.headers['set-cookie']).split(';')[0]!;
  }

  async user(role: InstanceRole = 'member'): Promise<RowValues> {
    return this.services.auth.createUser({ email: `${unique()}@example.com`, role, password: PASSWORD });
  }

  async setUp(): Promise<void> {
    for (const persona of PERSONAS) {
      const user = await this.user(persona.instance);
      const email = String(user.email);
      this.people.set(persona.name, { persona, id: String(user.id), email, cookie: await this.signIn(email) });
    }
    this.workspaceId = await this.workspace();
    for (const table of workspaceTables() as TableName[]) {
      if (table !== 'workspaces' && table !== 'workspace_members')
        this.shared[table] = await this.row(table, this.workspaceId);
    }
    this.shared.workspaces = this.workspaceId;
    this.shared.users = this.person('workspace viewer').id;
    const member = await this.services.repo.findBy('workspace_members', {
      workspace_id: this.workspaceId,
      user_id: this.person('workspace viewer').id,
    });
    this.shared.workspace_members = String(member!.id);
  }

  /** A new workspace owned by the workspace-owner persona, with the other workspace personas as members. */
  async workspace(): Promise<string> {
    const owner = PERSONAS.find((p) => p.workspace === 'owner')!;
    const ws = await this.services.workspaces.create({ name: 'W', slug: unique() }, this.person(owner.name).id);
    for (const persona of PERSONAS) {
      if (!persona.workspace || persona.workspace === 'owner') continue;
      await this.services.workspaces.addMember(String(ws.id), {
        user_id: this.person(persona.name).id,
        role: persona.workspace,
      });
    }
    return String(ws.id);
  }

  /** A new row of `table` in workspace `ws`, with new parents all the way up. */
  async row(table: TableName, ws: string): Promise<string> {
    if (table === 'workspaces') return this.workspace();
    if (table === 'secrets')
      return String(
        (await this.services.secrets.create({ workspace_id: ws, name: unique(), value: 'sample-secret' })).id,
      );
    const values: RowValues = {};
    const own = workspacePath(table)?.[0];
    for (const column of entityByTable(table).columns) {
      if (column.managed) continue;
      const ref = column.references;
      if (ref && (column.name === own?.column || !column.nullable))
        values[column.name] =
          ref.table === 'workspaces'
            ? ws
            : ref.table === 'users'
              ? this.person('workspace owner').id
              : await this.row(ref.table as TableName, ws);
      else if (!ref && !column.nullable && column.default === undefined) values[column.name] = sampleValue(column);
    }
    return String((await this.services.repo.insert(table, values)).id);
  }

  /** A valid body for POST /api/<table> in workspace `ws`: required columns, and the parent in `ws`. */
  async createBody(table: TableName, ws: string): Promise<RowValues> {
    const values: RowValues = table === 'secrets' ? { value: 'sample-secret' } : {};
    // A database row's config has a default ({}) that its kind refuses: give one that fits.
    if (table === 'databases') values.config = { dataset: '/data' };
    const own = workspacePath(table)?.[0];
    for (const column of entityByTable(table).columns) {
      if (column.managed || column.fromActor) continue;
      const ref = column.references;
      if (ref && (column.name === own?.column || !column.nullable))
        values[column.name] = ref.table === 'workspaces' ? ws : await this.row(ref.table as TableName, ws);
      else if (!ref && !column.nullable && column.default === undefined) values[column.name] = sampleValue(column);
    }
    return values;
  }
}

/** A valid PATCH body for `table`: its first plain input column, with a new value. */
export function patchBody(table: TableName): RowValues {
  const column = entityByTable(table).columns.find((c) => !c.managed && !c.references && !c.fromActor)!;
  return { [column.name]: sampleValue(column) };
}

/** A chart spec drawing the rows of test/support/fixed-chart-data.ts. */
export const SAMPLE_CHART_SPEC = {
  type: 'bar',
  source: { database: 'shop', sql: 'select month, revenue from sales' },
  x: 'month',
  y: ['revenue'],
};

export function sampleValue(column: ColumnDef): unknown {
  if (column.enum) return column.enum[0];
  if (column.name === 'email') return `${unique()}@example.com`;
  // A valid workflow (agents only need a YAML mapping).
  if (column.name === 'definition') return 'name: sample\ntasks:\n  - name: t\n    type: formatter\n    template: hi\n';
  if (column.name === 'spec') return SAMPLE_CHART_SPEC;
  // A database row's config is checked against its kind (the sample kind is duckdb).
  if (column.name === 'config') return { dataset: '/data' };
  switch (column.type) {
    case 'text':
      return unique();
    case 'integer':
      return uniqueInt();
    case 'json':
      return {};
    case 'boolean':
      return false;
    case 'timestamp':
      return '2026-01-01T00:00:00.000Z';
    default:
      throw new Error(`no sample for ${column.name} (${column.type})`);
  }
}
