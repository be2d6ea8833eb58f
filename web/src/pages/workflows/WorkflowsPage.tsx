import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, ok } from '../../api/client';
import { useProject, useReadonly } from '../../app/session';
import { ErrorNote } from '../../components/ErrorNote';
import { StatusBadge, formatTime } from './run-status';
import './workflows.css';

/** What a new workflow starts as: one formatter task, valid as it stands. */
function starter(name: string): string {
  return `name: ${name}\ndescription: ''\ntasks:\n  - name: hello\n    type: formatter\n    template: Hello from ${name}\n`;
}

/** The latest run of a workflow (runs list in creation order: the last is the newest). */
function LatestRun({ workflowId }: { workflowId: string }) {
  const runs = useQuery({
    queryKey: ['runs', { workflow_id: workflowId }],
    queryFn: () => ok(api.GET('/api/runs', { params: { query: { workflow_id: workflowId, limit: 500 } } })),
  });
  if (runs.error) return <ErrorNote error={runs.error} />;
  const latest = runs.data?.items.at(-1);
  if (!runs.data) return null;
  if (!latest) return <span className="muted">never run</span>;
  return (
    <span>
      <Link to={`/runs/${latest.id}`} aria-label={`Latest run #${latest.run_index}: ${latest.status}`}>
        <StatusBadge status={latest.status} />
      </Link>{' '}
      <span className="muted">{formatTime(latest.started_at ?? latest.created_at)}</span>
    </span>
  );
}

/** The project's workflows, each with its latest run, and a form creating one. */
export default function WorkflowsPage() {
  const { project } = useProject();
  const readonly = useReadonly();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const workflows = useQuery({
    queryKey: ['workflows', { project_id: project?.id }],
    enabled: Boolean(project),
    queryFn: () => ok(api.GET('/api/workflows', { params: { query: { project_id: project!.id, limit: 500 } } })),
  });
  const create = useMutation({
    mutationFn: (workflowName: string) =>
      ok(
        api.POST('/api/workflows', {
          body: { project_id: project!.id, name: workflowName, definition: starter(workflowName) },
        }),
      ),
    onSuccess: async (row) => {
      await queryClient.invalidateQueries({ queryKey: ['workflows'] });
      void navigate(`/workflows/${row.id}`);
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (name.trim()) create.mutate(name.trim());
  };

  return (
    <section>
      <h1>Workflows</h1>
      {!project && <p className="muted">No project yet.</p>}
      {workflows.error && <ErrorNote error={workflows.error} />}
      {workflows.isPending && project && <p className="loading">Loading workflows…</p>}
      {workflows.data && workflows.data.items.length === 0 && <p>No workflows in this project yet.</p>}
      {workflows.data && workflows.data.items.length > 0 && (
        <ul className="list workflow-list" aria-label="Workflows">
          {workflows.data.items.map((w) => (
            <li key={w.id}>
              <Link to={`/workflows/${w.id}`}>{w.name}</Link>
              <LatestRun workflowId={w.id} />
            </li>
          ))}
        </ul>
      )}
      <form className="create-workflow" onSubmit={submit} aria-label="New workflow">
        <label>
          New workflow name
          <input
            value={name}
            onChange={(e) => setName(e.target.value)}
            pattern="[A-Za-z][A-Za-z0-9_\-]*"
            title="letters, digits, _ and -, starting with a letter"
            required
            disabled={readonly || !project}
          />
        </label>
        <button type="submit" className="primary" disabled={readonly || !project || create.isPending}>
          Create workflow
        </button>
      </form>
      {create.error && <ErrorNote error={create.error} />}
    </section>
  );
}
