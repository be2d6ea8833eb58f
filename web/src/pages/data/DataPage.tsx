import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useState, type FormEvent } from 'react';
import { api, ok, type components, type paths } from '../../api/client';
import { useAbout, useMe, useProject, useReadonly } from '../../app/session';
import { ErrorNote } from '../../components/ErrorNote';
import './data.css';

type Database = components['schemas']['DatabasesRow'];
type Kind = Database['kind'];
type Job = components['schemas']['JobsRow'];
type Config = Record<string, unknown>;
type SchemaDocument = Exclude<
  paths['/api/databases/{id}/schema']['get']['responses'][200]['content']['application/json'],
  string
>;

const KINDS: Kind[] = ['duckdb', 'sqlite', 'postgres', 'mysql'];
const RANK = { viewer: 0, editor: 1, admin: 2, owner: 3 } as const;
type WorkspaceRole = keyof typeof RANK;

/**
 * The signed-in user's role in a workspace: owner without sign-in (local access reaches every
 * workspace), else their membership. The server decides anyway; this only greys out buttons.
 */
function useWorkspaceRole(workspaceId: string | undefined): WorkspaceRole | undefined {
  const about = useAbout().data;
  const me = useMe().data;
  const local = about?.auth === 'none';
  const members = useQuery({
    queryKey: ['my-memberships', me?.id],
    enabled: Boolean(me && !local),
    queryFn: () =>
      ok(api.GET('/api/users/{id}/workspace_members', { params: { path: { id: me!.id }, query: { limit: 200 } } })),
  });
  if (local) return 'owner';
  return members.data?.items.find((m) => m.workspace_id === workspaceId)?.role;
}

/** The project's databases: add and edit them, test a connection, sync and browse the catalog, describe it. */
export default function DataPage() {
  const { project } = useProject();
  const role = useWorkspaceRole(project?.workspace_id);
  const readonly = useReadonly();
  /** Databases are managed by workspace admins; editors sync and describe them. */
  const access = {
    admin: !readonly && role !== undefined && RANK[role] >= RANK.admin,
    editor: !readonly && role !== undefined && RANK[role] >= RANK.editor,
    // A connection test changes nothing: a read-only server allows it (to its workspace admins).
    tester: role !== undefined && RANK[role] >= RANK.admin,
  };
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [editing, setEditing] = useState<Database | 'new' | null>(null);
  const databases = useQuery({
    queryKey: ['databases', project?.id],
    enabled: Boolean(project),
    queryFn: () =>
      ok(api.GET('/api/projects/{id}/databases', { params: { path: { id: project!.id }, query: { limit: 200 } } })),
  });
  const items = databases.data?.items ?? [];
  const selected = items.find((d) => d.id === selectedId) ?? items[0];

  return (
    <div className="data-page">
      <h1>Data</h1>
      <ErrorNote error={databases.error} />
      <div className="data-layout">
        <nav aria-label="Databases" className="data-databases">
          <h2>Databases</h2>
          {databases.isLoading && <p className="loading">Loading…</p>}
          <ul className="list">
            {items.map((d) => (
              <li key={d.id}>
                <button
                  type="button"
                  aria-current={selected?.id === d.id ? 'true' : undefined}
                  onClick={() => {
                    setSelectedId(d.id);
                    setEditing(null);
                  }}
                >
                  {d.name} <span className="badge">{d.kind}</span>
                </button>
              </li>
            ))}
          </ul>
          {databases.isSuccess && items.length === 0 && <p>No databases yet.</p>}
          {!readonly && role && !access.admin && (
            <p className="muted">Workspace admins add and change databases; you may read them.</p>
          )}
          <button
            type="button"
            className="primary"
            disabled={!access.admin || !project}
            onClick={() => setEditing('new')}
          >
            Add database
          </button>
        </nav>
        <div className="data-main">
          {editing && project && (
            <DatabaseForm
              projectId={project.id}
              database={editing === 'new' ? undefined : editing}
              onDone={(saved) => {
                setEditing(null);
                if (saved) setSelectedId(saved.id);
              }}
            />
          )}
          {!editing && selected && (
            <DatabaseDetail key={selected.id} database={selected} access={access} onEdit={() => setEditing(selected)} />
          )}
        </div>
      </div>
    </div>
  );
}

interface Access {
  admin: boolean;
  editor: boolean;
  tester: boolean;
}

function DatabaseDetail({ database, access, onEdit }: { database: Database; access: Access; onEdit(): void }) {
  const queryClient = useQueryClient();
  const [jobId, setJobId] = useState<string | null>(null);
  const test = useMutation({
    mutationFn: () => ok(api.POST('/api/databases/{id}/test', { params: { path: { id: database.id } } })),
  });
  const sync = useMutation({
    mutationFn: () => ok(api.POST('/api/databases/{id}/sync', { params: { path: { id: database.id } } })),
    onSuccess: (job) => setJobId(job.id),
  });
  const job = useQuery({
    queryKey: ['job', jobId],
    enabled: Boolean(jobId),
    queryFn: () => ok(api.GET('/api/jobs/{id}', { params: { path: { id: jobId! } } })),
    refetchInterval: (q) => (q.state.data && !isActive(q.state.data) ? false : 500),
  });
  const finished = job.data && !isActive(job.data) ? job.data.status : undefined;
  useEffect(() => {
    if (finished === 'succeeded') void queryClient.invalidateQueries({ queryKey: ['schema', database.id] });
  }, [finished, database.id, queryClient]);

  return (
    <section aria-labelledby="database-heading">
      <h2 id="database-heading">
        {database.name} <span className="badge">{database.kind}</span>
      </h2>
      <p className="muted data-summary">{summary(database)}</p>
      <div className="toolbar">
        <button type="button" onClick={onEdit} disabled={!access.admin}>
          Edit
        </button>
        <button type="button" onClick={() => test.mutate()} disabled={!access.tester || test.isPending}>
          Test connection
        </button>
        <button
          type="button"
          className="primary"
          onClick={() => sync.mutate()}
          disabled={!access.editor || sync.isPending || Boolean(job.data && isActive(job.data))}
        >
          Sync
        </button>
      </div>
      <ErrorNote error={test.error} />
      {test.data &&
        (test.data.ok ? (
          <p role="status" className="data-ok">
            Connected{test.data.serverVersion ? ` to ${test.data.serverVersion}` : ''}
            {test.data.latencyMs !== undefined ? ` in ${test.data.latencyMs} ms` : ''}.
          </p>
        ) : (
          <p role="alert" className="error-note">
            Connection failed: {test.data.error}
          </p>
        ))}
      <ErrorNote error={sync.error} />
      <ErrorNote error={job.error} />
      {job.data && <SyncProgress job={job.data} />}
      <Catalog database={database} readonly={!access.editor} />
    </section>
  );
}

function isActive(job: Job): boolean {
  return job.status === 'queued' || job.status === 'running';
}

function SyncProgress({ job }: { job: Job }) {
  const progress = (job.progress ?? {}) as { phase?: string; done?: number; total?: number };
  const result = (job.result ?? {}) as Record<string, unknown>;
  const active = isActive(job);
  const max = progress.total ?? 1;
  const value = job.status === 'succeeded' ? max : progress.total ? (progress.done ?? 0) : undefined;
  return (
    <div className="data-sync">
      <label>
        Sync progress{progress.phase ? ` (${progress.phase})` : ''}
        <progress max={max} value={value} />
      </label>
      <p role="status">
        {active && `Sync ${job.status}…`}
        {job.status === 'succeeded' && `Sync succeeded${describeResult(result)}.`}
        {job.status === 'cancelled' && 'Sync cancelled.'}
      </p>
      {job.status === 'failed' && (
        <p role="alert" className="error-note">
          Sync failed: {job.last_error}
        </p>
      )}
    </div>
  );
}

/** The catalog sync's summary (catalog.service.ts SyncSummary) in words. */
function describeResult(result: Record<string, unknown>): string {
  const n = (key: string) => (typeof result[key] === 'number' ? result[key] : 0);
  if (typeof result.tables !== 'number') return '';
  return `: ${n('datasets')} datasets, ${n('tables')} tables, ${n('columns')} columns (${n('added')} added, ${n('updated')} updated, ${n('removed')} removed)`;
}

function summary(database: Database): string {
  const c = (database.config ?? {}) as Config;
  if (database.kind === 'duckdb') return String(c.path ?? c.dataset ?? '');
  if (database.kind === 'sqlite') return String(c.path ?? '');
  const host = c.host ?? (c.host_var ? `$${String(c.host_var)}` : '');
  const user = c.user ?? (c.user_var ? `$${String(c.user_var)}` : '');
  return `${String(user)}@${String(host)}${c.port ? `:${String(c.port)}` : ''}${c.database ? `/${String(c.database)}` : ''}`;
}

function Catalog({ database, readonly }: { database: Database; readonly: boolean }) {
  const queryClient = useQueryClient();
  const schema = useQuery({
    queryKey: ['schema', database.id],
    queryFn: async () =>
      (await ok(api.GET('/api/databases/{id}/schema', { params: { path: { id: database.id } } }))) as SchemaDocument,
  });
  const [tableId, setTableId] = useState<string | null>(null);
  const describe = useMutation({
    mutationFn: ({
      table,
      id,
      description,
    }: {
      table: 'datasets' | 'tables' | 'columns';
      id: string;
      description: string | null;
    }) => ok(api.PATCH(`/api/${table}/{id}`, { params: { path: { id } }, body: { description } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['schema', database.id] }),
  });
  const save = (table: 'datasets' | 'tables' | 'columns', id: string) => (description: string) =>
    describe.mutateAsync({ table, id, description: description.trim() ? description : null });
  const doc = schema.data;
  const table = doc?.datasets.flatMap((ds) => ds.tables).find((t) => t.id === tableId);

  return (
    <section aria-labelledby="catalog-heading" className="data-catalog">
      <h3 id="catalog-heading">Catalog</h3>
      <ErrorNote error={schema.error} />
      <ErrorNote error={describe.error} />
      {doc && (
        <p className="muted">{doc.syncedAt ? `Synced ${new Date(doc.syncedAt).toLocaleString()}` : 'Never synced.'}</p>
      )}
      <div className="data-catalog-panes">
        <ul className="data-tree" aria-label="Datasets and tables">
          {doc?.datasets.map((ds) => (
            <li key={ds.id}>
              <strong>{ds.name}</strong>{' '}
              <Description
                label={`dataset ${ds.name}`}
                value={ds.description}
                readOnly={readonly}
                onSave={save('datasets', ds.id)}
              />
              <ul>
                {ds.tables.map((t) => (
                  <li key={t.id}>
                    <button
                      type="button"
                      className="link"
                      aria-current={t.id === tableId ? 'true' : undefined}
                      onClick={() => setTableId(t.id)}
                    >
                      {t.name}
                    </button>{' '}
                    <span className="muted">
                      {t.kind}
                      {t.rowCount !== null ? `, ~${t.rowCount} rows` : ''}
                    </span>
                  </li>
                ))}
              </ul>
            </li>
          ))}
        </ul>
        {table && (
          <div className="data-table-detail">
            <h4>Table {table.name}</h4>
            <Description
              label={`table ${table.name}`}
              value={table.description}
              readOnly={readonly}
              onSave={save('tables', table.id)}
            />
            <table className="data-columns">
              <caption>Columns of {table.name}</caption>
              <thead>
                <tr>
                  <th scope="col">Column</th>
                  <th scope="col">Type</th>
                  <th scope="col">Description</th>
                </tr>
              </thead>
              <tbody>
                {table.columns.map((c) => (
                  <tr key={c.id}>
                    <th scope="row">{c.name}</th>
                    <td>
                      <code>{c.type}</code>
                      {c.nullable ? '' : ' not null'}
                    </td>
                    <td>
                      <Description
                        label={`column ${c.name}`}
                        value={c.description}
                        readOnly={readonly}
                        onSave={save('columns', c.id)}
                      />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
    </section>
  );
}

/** A description shown as text, edited in place (an input, Save and Cancel). */
function Description(props: {
  label: string;
  value: string | null;
  readOnly: boolean;
  onSave(value: string): Promise<unknown>;
}) {
  const [draft, setDraft] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  if (draft === null)
    return (
      <span className="data-description">
        <span className={props.value ? '' : 'muted'}>{props.value ?? 'No description'}</span>{' '}
        <button
          type="button"
          className="small"
          aria-label={`Edit description of ${props.label}`}
          disabled={props.readOnly}
          onClick={() => setDraft(props.value ?? '')}
        >
          Edit
        </button>
      </span>
    );
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSaving(true);
    try {
      await props.onSave(draft);
      setDraft(null);
    } catch {
      // shown by the catalog's error note
    } finally {
      setSaving(false);
    }
  };
  return (
    <form className="data-description" onSubmit={(e) => void submit(e)}>
      <input
        aria-label={`Description of ${props.label}`}
        value={draft}
        autoFocus
        maxLength={10000}
        onChange={(e) => setDraft(e.target.value)}
        onKeyDown={(e) => e.key === 'Escape' && setDraft(null)}
      />
      <button type="submit" className="small primary" disabled={saving}>
        Save
      </button>
      <button type="button" className="small" onClick={() => setDraft(null)}>
        Cancel
      </button>
    </form>
  );
}

/** The fields of each kind the form edits; others in a stored config (e.g. host_var) are kept as they are. */
const FIELDS: Record<Kind, string[]> = {
  duckdb: ['path', 'dataset', 'timeout_ms', 'row_limit'],
  sqlite: ['path', 'timeout_ms', 'row_limit'],
  postgres: ['host', 'port', 'user', 'database', 'password_secret', 'password_var', 'ssl', 'timeout_ms', 'row_limit'],
  mysql: ['host', 'port', 'user', 'database', 'password_secret', 'password_var', 'ssl', 'timeout_ms', 'row_limit'],
};
const NUMBERS = new Set(['port', 'timeout_ms', 'row_limit']);
const LABELS: Record<string, string> = {
  path: 'File path',
  dataset: 'Folder of CSV/Parquet files',
  host: 'Host',
  port: 'Port',
  user: 'User',
  database: 'Database name',
  password_secret: 'Password secret (name of an oxy secret)',
  password_var: 'Password environment variable',
  timeout_ms: 'Statement timeout (ms)',
  row_limit: 'Row limit',
};

function DatabaseForm({
  projectId,
  database,
  onDone,
}: {
  projectId: string;
  database: Database | undefined;
  onDone(saved?: Database): void;
}) {
  const queryClient = useQueryClient();
  const id = useId();
  const [name, setName] = useState(database?.name ?? '');
  const [kind, setKind] = useState<Kind>(database?.kind ?? 'sqlite');
  const [values, setValues] = useState<Config>(() => ({ ...((database?.config ?? {}) as Config) }));
  const secrets = useQuery({
    queryKey: ['secrets'],
    queryFn: () => ok(api.GET('/api/secrets', { params: { query: { limit: 200 } } })),
  });
  const save = useMutation({
    mutationFn: (config: Config) =>
      database
        ? ok(api.PATCH('/api/databases/{id}', { params: { path: { id: database.id } }, body: { name, kind, config } }))
        : ok(api.POST('/api/databases', { body: { project_id: projectId, name, kind, config } })),
    onSuccess: async (saved) => {
      await queryClient.invalidateQueries({ queryKey: ['databases'] });
      onDone(saved);
    },
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const config: Config = {};
    const all = new Set(Object.values(FIELDS).flat());
    // Keep what the form does not edit (e.g. host_var), drop other kinds' fields.
    for (const [key, value] of Object.entries(values))
      if (!all.has(key) || FIELDS[kind].includes(key)) config[key] = value;
    for (const key of FIELDS[kind]) {
      const value = config[key];
      if (value === '' || value === undefined || value === false) delete config[key];
      else if (NUMBERS.has(key) && typeof value === 'string') config[key] = Number(value);
    }
    save.mutate(config);
  };
  const set = (key: string, value: unknown) => setValues((v) => ({ ...v, [key]: value }));

  return (
    <form className="data-form" onSubmit={submit} aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>{database ? `Edit ${database.name}` : 'Add a database'}</h2>
      <label>
        Name
        <input required value={name} onChange={(e) => setName(e.target.value)} maxLength={200} />
      </label>
      <label>
        Kind
        <select value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
          {KINDS.map((k) => (
            <option key={k} value={k}>
              {k}
            </option>
          ))}
        </select>
      </label>
      {FIELDS[kind].map((key) =>
        key === 'ssl' ? (
          <label key={key} className="data-check">
            <input type="checkbox" checked={values.ssl === true} onChange={(e) => set('ssl', e.target.checked)} />
            Use SSL
          </label>
        ) : (
          <label key={key}>
            {LABELS[key]}
            <input
              type={NUMBERS.has(key) ? 'number' : 'text'}
              value={values[key] === undefined ? '' : String(values[key] as string | number)}
              onChange={(e) => set(key, e.target.value)}
              list={key === 'password_secret' ? `${id}-secrets` : undefined}
              required={key === 'path' && kind === 'sqlite'}
              placeholder={key === 'path' || key === 'dataset' ? '/absolute/path' : undefined}
            />
          </label>
        ),
      )}
      <datalist id={`${id}-secrets`}>
        {secrets.data?.items.map((s) => (
          <option key={s.id} value={s.name} />
        ))}
      </datalist>
      {(kind === 'postgres' || kind === 'mysql') && (
        <p className="muted">Passwords are never stored here: name an oxy secret (Settings → Secrets) or a variable.</p>
      )}
      <ErrorNote error={save.error} />
      <div className="toolbar">
        <button type="submit" className="primary" disabled={save.isPending}>
          Save
        </button>
        <button type="button" onClick={() => onDone()}>
          Cancel
        </button>
      </div>
    </form>
  );
}
