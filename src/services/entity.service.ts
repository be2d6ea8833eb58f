import { entityByTable, type TableName } from '../db/entities.js';
import { ValidationError, type FieldError } from '../errors.js';
import { validateModels } from './agents/models/model-config.js';
import type { EntityRepository, ListOptions, Page, RowValues } from '../repositories/entity.repository.js';
import { prepareChartWrite } from './charts/chart-write-rule.js';
import { validateDatabaseConfig } from './connectors/database-config.js';
import { parseYamlDefinition } from './yaml-definition.js';
import { parseWorkflowDefinition } from './workflows/workflow-definition.js';

type Prepare = (
  input: RowValues,
  current: RowValues | undefined,
  repo: EntityRepository,
) => RowValues | Promise<RowValues>;
/** How rows of a table are inserted when that takes more than one row (a workspace and its owner member). */
export type Creator = (values: RowValues, actorId: string) => Promise<RowValues>;
/** Told after a row of a table changed or was deleted (a database row's connections close). */
export type ChangeListener = (id: string) => Promise<void>;

/** Per-entity business rules applied before a write (checks may read other rows); entities without rules are stored as given. */
const RULES: Partial<Record<TableName, Prepare>> = {
  workspaces: (input, current) => {
    if (current && 'owner_id' in input && input.owner_id !== current.owner_id) {
      throw new ValidationError('owner_id changes only with a transfer: POST /api/workspaces/:id/transfer', [
        { field: 'owner_id', message: 'cannot be changed here' },
      ]);
    }
    if (typeof input.slug === 'string' && !/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/.test(input.slug)) {
      throw new ValidationError('slug must be lowercase letters, digits and dashes', [
        { field: 'slug', message: 'must match ^[a-z0-9-]+$' },
      ]);
    }
    return input;
  },
  databases: (input, current) => {
    if ('kind' in input || 'config' in input)
      validateDatabaseConfig(String(input.kind ?? current?.kind), input.config ?? current?.config ?? {});
    return input;
  },
  projects: (input) => {
    const settings = input.settings as Record<string, unknown> | null | undefined;
    if (settings && typeof settings === 'object' && 'models' in settings) checkModels(settings.models);
    return input;
  },
  workflows: (input) =>
    typeof input.definition === 'string' ? { ...input, parsed: parseWorkflowDefinition(input.definition) } : input,
  agents: withParsedDefinition,
  charts: prepareChartWrite,
};

/** A project's `settings.models` as agents will read them: a bad entry is a 400 when written, not when asked. */
function checkModels(models: unknown): void {
  try {
    validateModels(models);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const fields = ((error.details as { fields?: FieldError[] } | undefined)?.fields ?? []).map((f) => ({
      ...f,
      field: `settings.${f.field}`,
    }));
    throw new ValidationError(`settings.${error.message}`, fields);
  }
}

function withParsedDefinition(input: RowValues): RowValues {
  return typeof input.definition === 'string' ? { ...input, parsed: parseYamlDefinition(input.definition) } : input;
}

/**
 * Create, read, update and delete for the entities users manage through the API, with each
 * entity's rules (validated slugs, parsed YAML definitions).
 */
export class EntityService {
  constructor(
    readonly repo: EntityRepository,
    private readonly creators: Partial<Record<TableName, Creator>> = {},
    private readonly listeners: Partial<Record<TableName, ChangeListener>> = {},
  ) {}

  list(table: TableName, options: ListOptions): Promise<Page> {
    return this.repo.list(table, options);
  }

  get(table: TableName, id: string): Promise<RowValues> {
    return this.repo.get(table, id);
  }

  /** Creates a row; columns marked `fromActor` default to `actorId` when omitted. */
  async create(table: TableName, input: RowValues, actorId?: string): Promise<RowValues> {
    const values = { ...input };
    for (const column of entityByTable(table).columns) {
      if (column.fromActor && values[column.name] === undefined && actorId !== undefined) values[column.name] = actorId;
    }
    const prepared = await this.prepare(table, values, undefined);
    const creator = this.creators[table];
    if (creator && actorId !== undefined) return creator(prepared, actorId);
    return this.repo.insert(table, prepared);
  }

  async update(table: TableName, id: string, patch: RowValues): Promise<RowValues> {
    const current = await this.repo.get(table, id);
    const row = await this.repo.update(table, id, await this.prepare(table, patch, current));
    await this.listeners[table]?.(id);
    return row;
  }

  async delete(table: TableName, id: string): Promise<void> {
    await this.repo.delete(table, id);
    await this.listeners[table]?.(id);
  }

  private async prepare(table: TableName, input: RowValues, current: RowValues | undefined): Promise<RowValues> {
    const rule = RULES[table];
    return rule ? rule(input, current, this.repo) : input;
  }
}
