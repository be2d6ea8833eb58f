import { linter } from '@codemirror/lint';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api, ok, type components } from '../../api/client';
import { useReadonly } from '../../app/session';
import { CodeEditor } from '../../components/CodeEditor';
import { ErrorNote } from '../../components/ErrorNote';
import { StatusBadge, durationBetween, formatDuration, formatTime } from './run-status';
import { problemDiagnostics, type WorkflowProblem } from './workflow-lint';
import './workflows.css';

type Workflow = components['schemas']['WorkflowsRow'];

/** How long the editor waits after the last keystroke before asking the server to check the text. */
const CHECK_DELAY_MS = 400;

interface VariableSpec {
  type?: string;
  description?: string;
  default?: unknown;
}

/** The variables a workflow declares (its saved definition), as the run form shows them. */
function declaredVariables(workflow: Workflow): [string, VariableSpec][] {
  const variables = (workflow.parsed as { variables?: Record<string, unknown> } | null)?.variables;
  if (!variables || typeof variables !== 'object') return [];
  return Object.entries(variables).map(([name, spec]) => [
    name,
    spec && typeof spec === 'object' ? (spec as VariableSpec) : { default: spec },
  ]);
}

function initialText(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** A form value as the variable's declared type wants it (the server checks it). */
function typedValue(text: string, spec: VariableSpec): unknown {
  if (spec.type === 'number' || spec.type === 'integer') return text.trim() === '' ? text : Number(text);
  if (spec.type === 'boolean') return text === 'true';
  if (spec.type === 'array' || spec.type === 'object') {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

function RunForm({ workflow }: { workflow: Workflow }) {
  const readonly = useReadonly();
  const navigate = useNavigate();
  const variables = declaredVariables(workflow);
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(variables.map(([name, spec]) => [name, initialText(spec.default)])),
  );
  const start = useMutation({
    mutationFn: () =>
      ok(
        api.POST('/api/workflows/{id}/runs', {
          params: { path: { id: workflow.id } },
          body: {
            variables: Object.fromEntries(
              variables.map(([name, spec]) => [name, typedValue(values[name] ?? '', spec)]),
            ),
          },
        }),
      ),
    onSuccess: (run) => void navigate(`/runs/${run.id}`),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    start.mutate();
  };
  return (
    <form className="run-form" onSubmit={submit} aria-label="Run workflow">
      <h2>Run</h2>
      {variables.length === 0 && <p className="muted">This workflow declares no variables.</p>}
      {variables.map(([name, spec]) => (
        <label key={name}>
          {name}
          {spec.description && <span className="muted">{spec.description}</span>}
          <input value={values[name] ?? ''} onChange={(e) => setValues({ ...values, [name]: e.target.value })} />
        </label>
      ))}
      <div>
        <button type="submit" className="primary" disabled={readonly || start.isPending}>
          Run
        </button>
      </div>
      {start.error && <ErrorNote error={start.error} />}
    </form>
  );
}

function RunHistory({ workflowId }: { workflowId: string }) {
  const runs = useQuery({
    queryKey: ['runs', { workflow_id: workflowId }],
    queryFn: () => ok(api.GET('/api/runs', { params: { query: { workflow_id: workflowId, limit: 500 } } })),
  });
  return (
    <section className="run-history" aria-labelledby="run-history-heading">
      <h2 id="run-history-heading">Run history</h2>
      {runs.error && <ErrorNote error={runs.error} />}
      {runs.data && runs.data.items.length === 0 && <p className="muted">No runs yet.</p>}
      {runs.data && runs.data.items.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">Run</th>
              <th scope="col">Status</th>
              <th scope="col">Started</th>
              <th scope="col">Duration</th>
            </tr>
          </thead>
          <tbody>
            {[...runs.data.items].reverse().map((run) => (
              <tr key={run.id}>
                <td>
                  <Link to={`/runs/${run.id}`}>Run #{run.run_index}</Link>
                </td>
                <td>
                  <StatusBadge status={run.status} />
                </td>
                <td>{formatTime(run.started_at)}</td>
                <td>{run.finished_at ? formatDuration(durationBetween(run.started_at, run.finished_at)) : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** The YAML editor, checked by the server as the user types (the problems inline and as a list), and Save. */
function Editor({ workflow }: { workflow: Workflow }) {
  const readonly = useReadonly();
  const queryClient = useQueryClient();
  const [text, setText] = useState(workflow.definition);
  const [problems, setProblems] = useState<WorkflowProblem[] | undefined>(undefined);
  const [checkError, setCheckError] = useState<unknown>(undefined);
  const projectId = workflow.project_id;
  const extensions = useMemo(
    () => [
      linter(
        async (view) => {
          try {
            const doc = view.state.doc;
            const answer = await ok(
              api.POST('/api/projects/{id}/workflows/validate', {
                params: { path: { id: projectId } },
                body: { definition: doc.toString() },
              }),
            );
            // An answer for text typed over since is stale (the linter drops its diagnostics too).
            if (view.state.doc !== doc) return [];
            setProblems(answer.problems);
            setCheckError(undefined);
            return problemDiagnostics(view.state.doc, answer.problems);
          } catch (error) {
            setCheckError(error);
            return [];
          }
        },
        { delay: CHECK_DELAY_MS },
      ),
    ],
    [projectId],
  );
  const save = useMutation({
    mutationFn: () =>
      ok(api.PATCH('/api/workflows/{id}', { params: { path: { id: workflow.id } }, body: { definition: text } })),
    onSuccess: (row) => queryClient.setQueryData(['workflow', workflow.id], row),
  });
  const dirty = text !== workflow.definition;
  return (
    <section aria-labelledby="definition-heading">
      <h2 id="definition-heading">Definition</h2>
      <CodeEditor
        language="yaml"
        label="Workflow YAML"
        value={text}
        onChange={setText}
        readOnly={readonly}
        extensions={extensions}
        minHeight={320}
      />
      <div aria-live="polite">
        {problems && problems.length === 0 && <p className="problems-ok">No problems.</p>}
        {problems && problems.length > 0 && (
          <ul className="problems" aria-label="Problems">
            {problems.map((p, i) => (
              <li key={i}>
                Line {p.line}, column {p.column}
                {p.path ? ` (${p.path})` : ''}: {p.message}
              </li>
            ))}
          </ul>
        )}
      </div>
      {checkError !== undefined && <ErrorNote error={checkError} />}
      <div className="toolbar">
        <button
          type="button"
          className="primary"
          disabled={readonly || !dirty || save.isPending}
          onClick={() => save.mutate()}
        >
          Save
        </button>
        {save.isSuccess && !dirty && <span role="status">Saved.</span>}
      </div>
      {save.error && <ErrorNote error={save.error} />}
    </section>
  );
}

/** One workflow: its YAML (checked as typed, saved), a form running it, and its runs. */
export default function WorkflowPage() {
  const { id = '' } = useParams();
  const workflow = useQuery({
    queryKey: ['workflow', id],
    queryFn: () => ok(api.GET('/api/workflows/{id}', { params: { path: { id } } })),
  });
  return (
    <section>
      <p>
        <Link to="/workflows">← Workflows</Link>
      </p>
      <h1>{workflow.data ? workflow.data.name : 'Workflow'}</h1>
      {workflow.error && <ErrorNote error={workflow.error} />}
      {workflow.isPending && <p className="loading">Loading…</p>}
      {workflow.data && (
        <div className="workflow-grid">
          <Editor key={workflow.data.id} workflow={workflow.data} />
          <div>
            {/* Keyed by the saved definition: the form follows the variables it declares. */}
            <RunForm key={workflow.data.updated_at} workflow={workflow.data} />
            <RunHistory workflowId={workflow.data.id} />
          </div>
        </div>
      )}
    </section>
  );
}
