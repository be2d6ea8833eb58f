import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { api, ok, type components } from '../../api/client';
import { useProject, useReadonly } from '../../app/session';
import { EChart } from '../../components/EChart';
import { ErrorNote } from '../../components/ErrorNote';
import './library.css';

type Query = components['schemas']['QueriesRow'];
type Chart = components['schemas']['ChartsRow'];

/** Asks once before deleting: the button turns into "Delete <name>?" with Confirm and Cancel. */
function DeleteButton({ what, disabled, onDelete }: { what: string; disabled: boolean; onDelete: () => void }) {
  const [asking, setAsking] = useState(false);
  if (!asking)
    return (
      <button type="button" className="danger" disabled={disabled} onClick={() => setAsking(true)}>
        Delete
      </button>
    );
  return (
    <span className="confirm" role="group" aria-label={`Delete ${what}?`}>
      Delete {what}?
      <button
        type="button"
        className="danger"
        onClick={() => {
          setAsking(false);
          onDelete();
        }}
      >
        Confirm delete
      </button>
      <button type="button" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  );
}

function QueryItem({ query, readonly }: { query: Query; readonly: boolean }) {
  const queryClient = useQueryClient();
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState(query.name);
  const done = () => void queryClient.invalidateQueries({ queryKey: ['queries'] });
  const rename = useMutation({
    mutationFn: () => ok(api.PATCH('/api/queries/{id}', { params: { path: { id: query.id } }, body: { name } })),
    onSuccess: () => {
      setRenaming(false);
      done();
    },
  });
  const remove = useMutation({
    mutationFn: () => ok(api.DELETE('/api/queries/{id}', { params: { path: { id: query.id } } })),
    onSuccess: done,
  });
  return (
    <li id={`query-${query.id}`} aria-label={query.name}>
      {renaming ? (
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            rename.mutate();
          }}
        >
          <label>
            New name for {query.name}
            <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} />
          </label>
          <button type="submit" className="primary" disabled={rename.isPending}>
            Save name
          </button>
          <button type="button" onClick={() => setRenaming(false)}>
            Cancel
          </button>
        </form>
      ) : (
        <div className="item-head">
          <Link to={`/sql?query=${query.id}`}>{query.name}</Link>
          <span className="item-actions">
            <button type="button" disabled={readonly} onClick={() => setRenaming(true)}>
              Rename
            </button>
            <DeleteButton what={query.name} disabled={readonly || remove.isPending} onDelete={() => remove.mutate()} />
          </span>
        </div>
      )}
      <pre className="query-sql">{query.sql}</pre>
      <ErrorNote error={rename.error ?? remove.error} />
    </li>
  );
}

function ChartItem({ chart, readonly }: { chart: Chart; readonly: boolean }) {
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [title, setTitle] = useState(chart.title);
  const [specText, setSpecText] = useState(() => JSON.stringify(chart.spec, null, 2));
  const data = useQuery({
    queryKey: ['charts', chart.id, 'data', chart.updated_at],
    queryFn: () => ok(api.GET('/api/charts/{id}/data', { params: { path: { id: chart.id } } })),
  });
  const done = () => void queryClient.invalidateQueries({ queryKey: ['charts'] });
  const update = useMutation({
    mutationFn: () => {
      let spec: unknown;
      try {
        spec = JSON.parse(specText);
      } catch (error) {
        throw new Error(`the spec is not JSON: ${(error as Error).message}`, { cause: error });
      }
      return ok(
        api.PATCH('/api/charts/{id}', {
          params: { path: { id: chart.id } },
          body: { title, spec: spec as never },
        }),
      );
    },
    onSuccess: () => {
      setEditing(false);
      done();
    },
  });
  const remove = useMutation({
    mutationFn: () => ok(api.DELETE('/api/charts/{id}', { params: { path: { id: chart.id } } })),
    onSuccess: done,
  });
  return (
    <li id={`chart-${chart.id}`} aria-label={chart.title} className="chart-item">
      <div className="item-head">
        <h3>{chart.title}</h3>
        <span className="item-actions">
          <button type="button" disabled={readonly} aria-expanded={editing} onClick={() => setEditing((v) => !v)}>
            Edit
          </button>
          <DeleteButton what={chart.title} disabled={readonly || remove.isPending} onDelete={() => remove.mutate()} />
        </span>
      </div>
      {editing && (
        <form
          className="chart-edit"
          onSubmit={(e) => {
            e.preventDefault();
            update.mutate();
          }}
        >
          <label>
            Title
            <input value={title} onChange={(e) => setTitle(e.target.value)} required maxLength={200} />
          </label>
          <label>
            Spec (JSON)
            <textarea value={specText} onChange={(e) => setSpecText(e.target.value)} rows={10} spellCheck={false} />
          </label>
          <div className="toolbar">
            <button type="submit" className="primary" disabled={update.isPending}>
              Save chart
            </button>
            <button type="button" onClick={() => setEditing(false)}>
              Cancel
            </button>
          </div>
        </form>
      )}
      <ErrorNote error={update.error ?? remove.error ?? data.error} />
      {data.isPending && <p className="loading">Drawing…</p>}
      {data.data && <EChart option={data.data.option} label={`Chart: ${chart.title}`} />}
    </li>
  );
}

/** Saved queries (open in the SQL editor, rename, delete) and charts (drawn, edit, delete) of the current project. */
export default function LibraryPage() {
  const { project } = useProject();
  const readonly = useReadonly();
  const queries = useQuery({
    queryKey: ['queries', project?.id],
    enabled: Boolean(project),
    queryFn: () => ok(api.GET('/api/queries', { params: { query: { project_id: project!.id, limit: 200 } } })),
  });
  const charts = useQuery({
    queryKey: ['charts', project?.id],
    enabled: Boolean(project),
    queryFn: () => ok(api.GET('/api/charts', { params: { query: { project_id: project!.id, limit: 200 } } })),
  });
  useEffect(() => {
    document.title = 'Queries & charts · oxy';
  }, []);
  return (
    <div className="library-page">
      <h1>Queries &amp; charts</h1>
      <section aria-labelledby="queries-heading">
        <h2 id="queries-heading">Queries</h2>
        <ErrorNote error={queries.error} />
        {queries.isPending && project && <p className="loading">Loading…</p>}
        {queries.data && !queries.data.items.length && (
          <p>
            No saved queries yet: write one in the <Link to="/sql">SQL editor</Link>.
          </p>
        )}
        <ul className="list" aria-label="Saved queries">
          {queries.data?.items.map((q) => (
            <QueryItem key={q.id} query={q} readonly={readonly} />
          ))}
        </ul>
      </section>
      <section aria-labelledby="charts-heading">
        <h2 id="charts-heading">Charts</h2>
        <ErrorNote error={charts.error} />
        {charts.data && !charts.data.items.length && <p>No charts yet: draw one from a result in the SQL editor.</p>}
        <ul className="list" aria-label="Charts">
          {charts.data?.items.map((c) => (
            <ChartItem key={`${c.id}-${c.updated_at}`} chart={c} readonly={readonly} />
          ))}
        </ul>
      </section>
    </div>
  );
}
