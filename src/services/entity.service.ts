import { entityByTable, type TableName } from '../db/entities.js';
import { ValidationError } from '../errors.js';
import type { EntityRepository, ListOptions, Page, RowValues } from '../repositories/entity.repository.js';
import type { SessionRepository } from '../repositories/session.repository.js';
import { normalizeEmail } from './email-address.js';
import { parseYamlDefinition } from './yaml-definition.js';

type Prepare = (input: RowValues, current: RowValues | undefined) => RowValues;

/** Per-entity business rules applied before a write; entities without rules are stored as given. */
const RULES: Partial<Record<TableName, Prepare>> = {
  users: (input) => {
    if (typeof input.email !== 'string') return input;
    return { ...input, email: normalizeEmail(input.email) };
  },
  workspaces: (input) => {
    if (typeof input.slug === 'string' && !/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/.test(input.slug)) {
      throw new ValidationError('slug must be lowercase letters, digits and dashes', [{ field: 'slug', message: 'must match ^[a-z0-9-]+$' }]);
    }
    return input;
  },
  workflows: withParsedDefinition,
  agents: withParsedDefinition,
};

function withParsedDefinition(input: RowValues): RowValues {
  return typeof input.definition === 'string' ? { ...input, parsed: parseYamlDefinition(input.definition) } : input;
}

/**
 * Create, read, update and delete for the entities users manage through the API, with each
 * entity's rules (validated emails and slugs, parsed YAML definitions).
 */
export class EntityService {
  constructor(
    readonly repo: EntityRepository,
    private readonly sessions?: SessionRepository,
  ) {}

  list(table: TableName, options: ListOptions): Promise<Page> {
    return this.repo.list(table, options);
  }

  get(table: TableName, id: string): Promise<RowValues> {
    return this.repo.get(table, id);
  }

  /** Creates a row; columns marked `fromActor` default to `actorId` when omitted. */
  create(table: TableName, input: RowValues, actorId?: string): Promise<RowValues> {
    const values = { ...input };
    for (const column of entityByTable(table).columns) {
      if (column.fromActor && values[column.name] === undefined && actorId !== undefined) values[column.name] = actorId;
    }
    return this.repo.insert(table, this.prepare(table, values, undefined));
  }

  async update(table: TableName, id: string, patch: RowValues): Promise<RowValues> {
    const current = await this.repo.get(table, id);
    const updated = await this.repo.update(table, id, this.prepare(table, patch, current));
    // A disabled account's sessions end now, so enabling it later does not revive them.
    if (table === 'users' && updated.status === 'disabled' && current.status !== 'disabled') await this.sessions?.revokeAllForUser(id);
    return updated;
  }

  delete(table: TableName, id: string): Promise<void> {
    return this.repo.delete(table, id);
  }

  private prepare(table: TableName, input: RowValues, current: RowValues | undefined): RowValues {
    const rule = RULES[table];
    return rule ? rule(input, current) : input;
  }
}
