import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, ok, type components } from '../../api/client';
import { streamEvents } from '../../api/sse';
import { useReadonly } from '../../app/session';
import { DataTable } from '../../components/DataTable';
import { ErrorNote } from '../../components/ErrorNote';
import { StatusBadge, durationBetween, formatDuration, formatTime } from './run-status';
import './workflows.css';

type Step = components['schemas']['RunStepsRow'];

const FINISHED = ['succeeded', 'failed', 'cancelled'];
/** Wait before following the stream again after it dropped. */
const RECONNECT_MS = 1000;

type Output =
  | {
      kind: 'table';
      columns: { name: string; type?: string }[];
      rows: unknown[][];
      rowCount: number;
      truncated: boolean;
    }
  | { kind: 'text'; text: string }
  | { kind: 'loop'; iterations: unknown[] }
  | { kind: 'group'; outputs: Record<string, unknown> };

function OutputPreview({ step }: { step: Step }) {
  const output = step.output as Output | null;
  if (!output) return null;
  switch (output.kind) {
    case 'table':
      return (
        <>
          <DataTable label={`Output of ${step.name}`} columns={output.columns} rows={output.rows} maxHeight={240} />
          <p className="muted">
            {output.rowCount} row{output.rowCount === 1 ? '' : 's'}
            {output.truncated || output.rows.length < output.rowCount ? ` (first ${output.rows.length} shown)` : ''}
          </p>
        </>
      );
    case 'text':
      return <pre aria-label={`Output of ${step.name}`}>{output.text}</pre>;
    case 'loop':
      return <p className="muted">{output.iterations.length} iterations</p>;
    case 'group':
      return <p className="muted">{Object.keys(output.outputs).length} tasks</p>;
    default:
      return null;
  }
}

function StepItem({ step }: { step: Step }) {
  return (
    <li className="step" aria-label={`Step ${step.name}: ${step.status}`}>
      <div className="step-head">
        <strong>{step.path ?? step.name}</strong>
        <StatusBadge status={step.status} />
        {step.task_type && <span className="muted">{step.task_type}</span>}
        <span className="muted">
          {step.status === 'running' ? 'running…' : formatDuration(step.duration_ms ?? undefined)}
        </span>
      </div>
      {step.error && <ErrorNote error={step.error} />}
      <OutputPreview step={step} />
    </li>
  );
}

/**
 * Follows a run's events (resuming after the last one seen when the stream drops) and refreshes
 * the run and its steps as they arrive. `generation` restarts it (a retried run goes on).
 */
function useRunEvents(runId: string, generation: number, onEvent: () => void) {
  const lastId = useRef<string | undefined>(undefined);
  const [streamError, setStreamError] = useState<unknown>(undefined);
  const latest = useRef(onEvent);
  useEffect(() => {
    latest.current = onEvent;
  }, [onEvent]);
  useEffect(() => {
    const controller = new AbortController();
    let finished = false;
    const follow = async () => {
      while (!controller.signal.aborted && !finished) {
        try {
          const headers: Record<string, string> = lastId.current ? { 'last-event-id': lastId.current } : {};
          await streamEvents(`/api/runs/${runId}/events`, { signal: controller.signal, headers }, (event) => {
            if (event.id) lastId.current = event.id;
            if (event.event === 'run_finished') finished = true;
            setStreamError(undefined);
            latest.current();
          });
          // The stream ends once the run has finished; otherwise it dropped: follow again.
          if (!finished) await new Promise((resolve) => setTimeout(resolve, RECONNECT_MS));
        } catch (error) {
          if (controller.signal.aborted) return;
          setStreamError(error);
          // A refused stream (the run is gone, no access) will not come back.
          if (error instanceof Error && 'status' in error && Number(error.status) < 500) return;
          await new Promise((resolve) => setTimeout(resolve, RECONNECT_MS));
        }
      }
      latest.current();
    };
    void follow();
    return () => controller.abort();
  }, [runId, generation]);
  return streamError;
}

/** One run: its steps live (status, duration, output), Cancel while it runs, Retry once it failed. */
export default function RunPage() {
  const { id = '' } = useParams();
  const readonly = useReadonly();
  const queryClient = useQueryClient();
  const [generation, setGeneration] = useState(0);
  const run = useQuery({
    queryKey: ['run', id],
    queryFn: () => ok(api.GET('/api/runs/{id}', { params: { path: { id } } })),
  });
  const steps = useQuery({
    queryKey: ['run-steps', id],
    queryFn: () => ok(api.GET('/api/run_steps', { params: { query: { run_id: id, limit: 500 } } })),
  });
  const workflowId = run.data?.workflow_id;
  const workflow = useQuery({
    queryKey: ['workflow', workflowId],
    enabled: Boolean(workflowId),
    queryFn: () => ok(api.GET('/api/workflows/{id}', { params: { path: { id: workflowId! } } })),
  });
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: ['run', id] });
    void queryClient.invalidateQueries({ queryKey: ['run-steps', id] });
  };
  const streamError = useRunEvents(id, generation, refresh);
  const cancel = useMutation({
    mutationFn: () => ok(api.POST('/api/runs/{id}/cancel', { params: { path: { id } } })),
    onSuccess: refresh,
  });
  const retry = useMutation({
    mutationFn: () => ok(api.POST('/api/runs/{id}/retry', { params: { path: { id } } })),
    onSuccess: (row) => {
      queryClient.setQueryData(['run', id], row);
      setGeneration((g) => g + 1);
      refresh();
    },
  });
  const status = run.data?.status;
  const finished = status !== undefined && FINISHED.includes(status);
  const items = [...(steps.data?.items ?? [])].sort((a, b) => a.step_index - b.step_index);

  return (
    <section>
      {workflow.data && (
        <p>
          <Link to={`/workflows/${workflow.data.id}`}>← {workflow.data.name}</Link>
        </p>
      )}
      <h1>
        {workflow.data ? `${workflow.data.name} ` : ''}run{run.data ? ` #${run.data.run_index}` : ''}
      </h1>
      {run.error && <ErrorNote error={run.error} />}
      {run.data && (
        <div className="toolbar">
          <span role="status" aria-label={`Run status: ${run.data.status}`}>
            <StatusBadge status={run.data.status} />
          </span>
          <span className="muted">
            {run.data.started_at ? `started ${formatTime(run.data.started_at)}` : 'queued'}
            {run.data.finished_at
              ? `, took ${formatDuration(durationBetween(run.data.started_at ?? run.data.created_at, run.data.finished_at))}`
              : ''}
          </span>
          {!finished && (
            <button
              type="button"
              className="danger"
              disabled={readonly || cancel.isPending}
              onClick={() => cancel.mutate()}
            >
              Cancel
            </button>
          )}
          {(status === 'failed' || status === 'cancelled') && (
            <button
              type="button"
              className="primary"
              disabled={readonly || retry.isPending}
              onClick={() => retry.mutate()}
            >
              Retry
            </button>
          )}
        </div>
      )}
      {run.data?.variables != null && Object.keys(run.data.variables as object).length > 0 && (
        <p className="muted">
          Variables:{' '}
          {Object.entries(run.data.variables as Record<string, unknown>)
            .map(([k, v]) => `${k} = ${typeof v === 'string' ? v : JSON.stringify(v)}`)
            .join(', ')}
        </p>
      )}
      {run.data?.error && <ErrorNote error={run.data.error} />}
      {cancel.error && <ErrorNote error={cancel.error} />}
      {retry.error && <ErrorNote error={retry.error} />}
      {streamError !== undefined && <ErrorNote error={streamError} />}
      {steps.error && <ErrorNote error={steps.error} />}
      <h2>Steps</h2>
      {steps.data && items.length === 0 && <p className="muted">No steps yet.</p>}
      <ol className="steps" aria-label="Steps">
        {items.map((step) => (
          <StepItem key={step.id} step={step} />
        ))}
      </ol>
    </section>
  );
}
