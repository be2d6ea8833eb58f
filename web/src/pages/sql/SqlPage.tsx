import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, ok } from '../../api/client';
import { useProject, useReadonly } from '../../app/session';
import { CodeEditor } from '../../components/CodeEditor';
import { DataTable } from '../../components/DataTable';
import { ErrorNote } from '../../components/ErrorNote';
import { ChartBuilder } from './ChartBuilder';
import type { QueryResult } from './chart-builder';
import './sql.css';

/** The catalog as CodeMirror's SQL completion wants it: table (and dataset.table) → column names. */
function completionSchema(doc: {
  datasets: { name: string; tables: { name: string; columns: { name: string }[] }[] }[];
}): Record<string, string[]> {
  const schema: Record<string, string[]> = {};
  for (const dataset of doc.datasets)
    for (const table of dataset.tables) {
      const columns = table.columns.map((c) => c.name);
      schema[table.name] ??= columns;
      schema[`${dataset.name}.${table.name}`] = columns;
    }
  return schema;
}

/**
 * The SQL editor: pick a database of the current project, write SQL (completion from the catalog),
 * run it (button or Ctrl/Cmd+Enter), see the rows, save them as a query or draw them as a chart.
 * `?database=<id or name>&sql=<text>` prefills; `?query=<id>` opens a saved query.
 */
export default function SqlPage() {
  const { project } = useProject();
  const readonly = useReadonly();
  const [params] = useSearchParams();
  const queryClient = useQueryClient();
  const [databaseChoice, setDatabaseChoice] = useState<string | null>(null);
  const [sql, setSql] = useState(() => params.get('sql') ?? '');
  // A new ?sql= (another "Open in SQL editor" link while this page is open) replaces the text.
  const [prefill, setPrefill] = useState(() => params.get('sql'));
  if (params.get('sql') !== prefill) {
    setPrefill(params.get('sql'));
    if (params.get('sql') !== null) setSql(params.get('sql')!);
    setDatabaseChoice(null);
  }
  const [result, setResult] = useState<QueryResult | null>(null);
  const [name, setName] = useState('');
  const [savedQuery, setSavedQuery] = useState<{ id: string; name: string; sql: string; database: string } | null>(
    null,
  );
  const [showChart, setShowChart] = useState(false);

  const databases = useQuery({
    queryKey: ['databases', project?.id],
    enabled: Boolean(project),
    queryFn: () => ok(api.GET('/api/databases', { params: { query: { project_id: project!.id, limit: 200 } } })),
  });

  const queryId = params.get('query');
  const opened = useQuery({
    queryKey: ['query', queryId],
    enabled: Boolean(queryId),
    queryFn: () => ok(api.GET('/api/queries/{id}', { params: { path: { id: queryId! } } })),
  });
  // A saved query opened from the library: its text and database replace the editor's (once per query).
  const [openedId, setOpenedId] = useState<string | null>(null);
  if (opened.data && opened.data.id !== openedId) {
    setOpenedId(opened.data.id);
    setSql(opened.data.sql);
    setName(opened.data.name);
    if (opened.data.database_id) setDatabaseChoice(opened.data.database_id);
    setSavedQuery({
      id: opened.data.id,
      name: opened.data.name,
      sql: opened.data.sql,
      database: opened.data.database_id ?? '',
    });
  }

  const items = useMemo(() => databases.data?.items ?? [], [databases.data]);
  const wanted = databaseChoice ?? params.get('database');
  const database = items.find((d) => d.id === wanted) ?? items.find((d) => d.name === wanted) ?? items[0];

  const schema = useQuery({
    queryKey: ['schema', database?.id],
    enabled: Boolean(database),
    queryFn: () => ok(api.GET('/api/databases/{id}/schema', { params: { path: { id: database!.id } } })),
  });
  const sqlSchema = useMemo(
    () => (schema.data && typeof schema.data === 'object' ? completionSchema(schema.data) : undefined),
    [schema.data],
  );

  const run = useMutation({
    mutationFn: (input: { project: string; database: string; sql: string }) =>
      ok(
        api.POST('/api/projects/{id}/sql', {
          params: { path: { id: input.project } },
          body: { database: input.database, sql: input.sql },
        }),
      ),
    onSuccess: (data) => setResult(data as QueryResult),
    onError: () => setResult(null),
  });
  const runNow = useCallback(() => {
    if (!project || !database || !sql.trim()) return;
    run.mutate({ project: project.id, database: database.id, sql });
  }, [project, database, sql, run]);

  const save = useMutation({
    mutationFn: () =>
      ok(
        api.POST('/api/queries', {
          body: { project_id: project!.id, database_id: database!.id, name: name.trim(), sql },
        }),
      ),
    onSuccess: (query) => {
      setSavedQuery({ id: query.id, name: query.name, sql: query.sql, database: query.database_id ?? '' });
      void queryClient.invalidateQueries({ queryKey: ['queries'] });
    },
  });

  // A chart of an unchanged saved query draws from that query; otherwise from its own SQL.
  const source =
    savedQuery && savedQuery.sql === sql && savedQuery.database === database?.id
      ? { query_id: savedQuery.id }
      : { database: database?.id ?? '', sql };

  useEffect(() => {
    document.title = 'SQL editor · oxy';
  }, []);

  if (!project) return <h1>SQL editor</h1>;
  return (
    <div className="sql-page">
      <h1>SQL editor</h1>
      <div className="toolbar">
        <label>
          Database
          <select value={database?.id ?? ''} onChange={(e) => setDatabaseChoice(e.target.value)}>
            {items.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name} ({d.kind})
              </option>
            ))}
          </select>
        </label>
        {databases.isSuccess && !items.length && <p>This project has no database yet.</p>}
      </div>
      <ErrorNote error={databases.error ?? schema.error ?? opened.error} />
      <CodeEditor
        language="sql"
        label="SQL"
        value={sql}
        onChange={setSql}
        onRun={runNow}
        sqlSchema={sqlSchema}
        placeholder="select … (Ctrl+Enter runs)"
      />
      <div className="toolbar">
        <button
          type="button"
          className="primary"
          onClick={runNow}
          disabled={!database || !sql.trim() || run.isPending}
          aria-keyshortcuts="Control+Enter Meta+Enter"
        >
          {run.isPending ? 'Running…' : 'Run'}
        </button>
        <form
          className="save-query"
          onSubmit={(e) => {
            e.preventDefault();
            save.mutate();
          }}
        >
          <label>
            Query name
            <input value={name} onChange={(e) => setName(e.target.value)} maxLength={200} required />
          </label>
          <button type="submit" disabled={readonly || !database || !sql.trim() || !name.trim() || save.isPending}>
            Save as query
          </button>
        </form>
        <button
          type="button"
          aria-expanded={showChart}
          onClick={() => setShowChart((v) => !v)}
          disabled={!result || !result.columns.length}
        >
          Chart
        </button>
      </div>
      <ErrorNote error={save.error} />
      {save.isSuccess && savedQuery && (
        <p role="status">
          Saved as query <Link to={`/library#query-${savedQuery.id}`}>{savedQuery.name}</Link>.
        </p>
      )}
      <ErrorNote error={run.error} />
      {result && (
        <section aria-label="Result" className="sql-result">
          <p className="result-summary" role="status">
            {result.rowCount.toLocaleString('en-US')} row{result.rowCount === 1 ? '' : 's'}
            {result.truncated ? ' (truncated: the statement had more)' : ''} in {Math.round(result.elapsedMs)} ms
          </p>
          {showChart && (
            <ChartBuilder
              result={result}
              source={source}
              projectId={project.id}
              readonly={readonly}
              defaultTitle={name}
            />
          )}
          <DataTable columns={result.columns} rows={result.rows} label="Result rows" />
        </section>
      )}
    </div>
  );
}
