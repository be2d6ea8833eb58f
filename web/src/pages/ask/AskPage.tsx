import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { api, ok } from '../../api/client';
import { streamEvents } from '../../api/sse';
import { useProject, useReadonly } from '../../app/session';
import { DataTable } from '../../components/DataTable';
import { EChart } from '../../components/EChart';
import { ErrorNote } from '../../components/ErrorNote';
import { applyEvent, fromMessages, type Item, type StoredMessage } from './conversation';
import './ask.css';

/** Ask (`/`): pick an agent, ask; the thread (`/threads/:id`) shows the conversation and takes follow-ups. */
export default function AskPage() {
  const { id } = useParams();
  return id ? <ThreadView key={id} id={id} /> : <NewThread />;
}

function useAgents(projectId: string | undefined) {
  return useQuery({
    queryKey: ['agents', projectId],
    enabled: Boolean(projectId),
    queryFn: () => ok(api.GET('/api/agents', { params: { query: { project_id: projectId!, limit: 200 } } })),
  });
}

/** The project's only database, for SQL whose tool call does not name one. */
function useDefaultDatabase(projectId: string | undefined) {
  const databases = useQuery({
    queryKey: ['databases', projectId],
    enabled: Boolean(projectId),
    queryFn: () => ok(api.GET('/api/databases', { params: { query: { project_id: projectId!, limit: 200 } } })),
  });
  const items = databases.data?.items ?? [];
  return items.length === 1 ? items[0]!.name : undefined;
}

function NewThread() {
  const { project } = useProject();
  const readonly = useReadonly();
  const agents = useAgents(project?.id);
  const navigate = useNavigate();
  const [agentId, setAgentId] = useState('');
  const [question, setQuestion] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const list = agents.data?.items ?? [];
  const chosen = agentId || list[0]?.id || '';

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!project || !chosen || !question.trim()) return;
    setBusy(true);
    setError(undefined);
    try {
      const thread = await ok(
        api.POST('/api/threads', { body: { project_id: project.id, agent_id: chosen, title: '' } as never }),
      );
      void navigate(`/threads/${thread.id}`, { state: { question: question.trim() } });
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  return (
    <div className="ask-page">
      <h1>Ask</h1>
      {!project && <p>No project yet: make one first.</p>}
      <ErrorNote error={agents.error} />
      {agents.isSuccess && list.length === 0 && <p>This project has no agent yet.</p>}
      <form className="ask-form" onSubmit={(e) => void submit(e)}>
        <label>
          Agent
          <select value={chosen} onChange={(e) => setAgentId(e.target.value)} disabled={list.length === 0}>
            {list.map((agent) => (
              <option key={agent.id} value={agent.id}>
                {agent.name}
              </option>
            ))}
          </select>
        </label>
        <QuestionBox value={question} onChange={setQuestion} onSubmit={(e) => void submit(e)} />
        <div className="toolbar">
          <button type="submit" className="primary" disabled={readonly || busy || !chosen || !question.trim()}>
            Ask
          </button>
          {readonly && <span className="muted">This server is read-only: it starts no new thread.</span>}
        </div>
      </form>
      <ErrorNote error={error} />
    </div>
  );
}

function QuestionBox({
  value,
  onChange,
  onSubmit,
  label = 'Question',
}: {
  value: string;
  onChange(value: string): void;
  onSubmit(event: FormEvent): void;
  label?: string;
}) {
  return (
    <label className="question">
      {label}
      <textarea
        value={value}
        rows={3}
        placeholder="e.g. Which store sold the most in March?"
        onChange={(e) => onChange(e.target.value)}
        onKeyDown={(e) => {
          // Enter asks; Shift+Enter is a new line.
          if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
            e.preventDefault();
            onSubmit(e);
          }
        }}
      />
    </label>
  );
}

async function allMessages(id: string): Promise<StoredMessage[]> {
  const messages: StoredMessage[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await ok(
      api.GET('/api/threads/{id}/messages', {
        params: { path: { id }, query: { limit: 500, ...(cursor ? { cursor } : {}) } },
      }),
    );
    messages.push(...(page.items as StoredMessage[]));
    if (!page.nextCursor) return messages;
    cursor = page.nextCursor;
  }
}

function ThreadView({ id }: { id: string }) {
  const queryClient = useQueryClient();
  const location = useLocation();
  const navigate = useNavigate();
  const readonly = useReadonly();
  const thread = useQuery({
    queryKey: ['thread', id],
    queryFn: () => ok(api.GET('/api/threads/{id}', { params: { path: { id } } })),
  });
  const messages = useQuery({ queryKey: ['thread-messages', id], queryFn: () => allMessages(id) });
  const agents = useAgents(thread.data?.project_id);
  const database = useDefaultDatabase(thread.data?.project_id);
  const agent = agents.data?.items.find((a) => a.id === thread.data?.agent_id);

  /** The live turn's items, shown after the first `base` stored messages; null when no turn is shown live. */
  const [live, setLive] = useState<Item[] | null>(null);
  const [base, setBase] = useState(0);
  const [streaming, setStreaming] = useState(false);
  const [error, setError] = useState<unknown>();
  const [question, setQuestion] = useState('');
  const controller = useRef<AbortController | null>(null);
  const started = useRef(false);

  async function run(url: string, init: RequestInit, shownBefore: number) {
    const abort = new AbortController();
    controller.current = abort;
    setBase(shownBefore);
    setLive([]);
    setStreaming(true);
    setError(undefined);
    let items: Item[] = [];
    try {
      await streamEvents(url, { ...init, signal: abort.signal }, (event) => {
        const data = (event.data ?? {}) as Record<string, unknown>;
        items = applyEvent(items, event.event, data, Number(event.id ?? items.length));
        setLive(items);
        if (event.event === 'title') void queryClient.invalidateQueries({ queryKey: ['thread', id] });
      });
    } catch (err) {
      if (!abort.signal.aborted) setError(err);
    } finally {
      if (controller.current === abort) controller.current = null;
      setStreaming(false);
      if (!abort.signal.aborted) {
        // The stored conversation now holds the turn: show it (as a reload would).
        await Promise.all([
          queryClient.refetchQueries({ queryKey: ['thread-messages', id] }),
          queryClient.invalidateQueries({ queryKey: ['thread', id] }),
          queryClient.invalidateQueries({ queryKey: ['threads'] }),
        ]);
        setLive(null);
      }
    }
  }

  function ask(content: string) {
    const stored = messages.data ?? [];
    void run(
      `/api/threads/${id}/messages`,
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ content }) },
      stored.length,
    );
  }

  // A question brought from the Ask form is asked once; a turn already running is followed.
  useEffect(() => {
    if (started.current || !thread.data || !messages.data) return;
    started.current = true;
    const brought = (location.state as { question?: string } | null)?.question;
    if (brought) {
      void navigate(location.pathname, { replace: true, state: null });
      // eslint-disable-next-line react-hooks/set-state-in-effect -- starts the server's stream (an external system) once; its state follows the stream
      ask(brought);
    } else if (thread.data.is_processing) {
      const stored = messages.data;
      const lastQuestion = stored.map((m) => m.role).lastIndexOf('user');
      void run(`/api/threads/${id}/events`, {}, lastQuestion < 0 ? stored.length : lastQuestion);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps -- runs once, when the thread is loaded
  }, [thread.data, messages.data]);

  useEffect(() => () => controller.current?.abort(), []);

  async function stop() {
    try {
      await ok(api.POST('/api/threads/{id}/stop', { params: { path: { id } } }));
    } catch (err) {
      setError(err);
    }
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    const content = question.trim();
    if (!content || streaming) return;
    setQuestion('');
    ask(content);
  }

  const stored = messages.data ?? [];
  const items = live ? [...fromMessages(stored.slice(0, base)), ...live] : fromMessages(stored);
  const title = thread.data?.title.trim() || 'New thread';

  return (
    <div className="ask-page">
      <h1>{title}</h1>
      {agent && (
        <p className="muted">
          Agent <strong>{agent.name}</strong>
        </p>
      )}
      <ErrorNote error={thread.error ?? messages.error} />
      {(thread.isPending || messages.isPending) && <p className="loading">Loading…</p>}
      <ol className="conversation" aria-label="Conversation">
        {items.map((item) => (
          <li key={item.key} className={`item item-${item.kind}`}>
            <ItemView item={item} database={database} />
          </li>
        ))}
      </ol>
      {streaming && (
        <p className="loading" role="status">
          Answering…
        </p>
      )}
      <ErrorNote error={error} />
      {thread.data && (
        <form className="ask-form" onSubmit={submit}>
          <QuestionBox value={question} onChange={setQuestion} onSubmit={submit} label="Follow-up question" />
          <div className="toolbar">
            <button type="submit" className="primary" disabled={streaming || !question.trim()}>
              Ask
            </button>
            {streaming && (
              <button type="button" className="danger" onClick={() => void stop()} disabled={readonly}>
                Stop
              </button>
            )}
            <Link to="/">New question</Link>
          </div>
        </form>
      )}
    </div>
  );
}

function ItemView({ item, database }: { item: Item; database: string | undefined }) {
  switch (item.kind) {
    case 'user':
      return (
        <div className="bubble user">
          <span className="visually-hidden">You asked: </span>
          {item.text}
        </div>
      );
    case 'text':
      return <div className="bubble answer">{item.text}</div>;
    case 'stopped':
      return <p className="muted">Stopped: the answer ends here.</p>;
    case 'error':
      return (
        <p className="error-note" role="alert" data-code={item.code}>
          {item.message}
        </p>
      );
    case 'chart':
      return <ChartView chartId={item.chartId} title={item.title} />;
    case 'tool':
      return <ToolView item={item} database={item.database ?? database} />;
  }
}

function ToolView({ item, database }: { item: Extract<Item, { kind: 'tool' }>; database: string | undefined }) {
  const result = item.result;
  // A chart's rows are drawn as the chart below the answer; only a query's rows are a table here.
  const table =
    item.name !== 'visualize' && result && Array.isArray(result.columns) && Array.isArray(result.rows)
      ? result
      : undefined;
  const editor = item.sql
    ? `/sql?${new URLSearchParams({ ...(database ? { database } : {}), sql: item.sql }).toString()}`
    : undefined;
  return (
    <section className="tool" aria-label={`Tool call ${item.name}`}>
      {item.sql !== undefined ? (
        <details>
          <summary>
            SQL <span className="muted">({item.name})</span>
          </summary>
          <pre className="sql">
            <code>{item.sql}</code>
          </pre>
          {editor && <Link to={editor}>Open in SQL editor</Link>}
        </details>
      ) : (
        <p className="muted">Used {item.name}</p>
      )}
      {!item.done && <p className="loading">Running {item.name}…</p>}
      {item.error !== undefined && <p className="tool-error">{item.error}</p>}
      {table && (
        <>
          <DataTable columns={table.columns} rows={table.rows} label={`Result of ${item.name}`} maxHeight={280} />
          <p className="muted">
            {table.rowCount} row{table.rowCount === 1 ? '' : 's'}
            {table.truncated ? ` (first ${String(table.rows.length)} shown)` : ''}
          </p>
        </>
      )}
    </section>
  );
}

function ChartView({ chartId, title }: { chartId: string | undefined; title: string }) {
  const chart = useQuery({
    queryKey: ['chart', chartId],
    enabled: Boolean(chartId),
    queryFn: () => ok(api.GET('/api/charts/{id}', { params: { path: { id: chartId! } } })),
  });
  const data = useQuery({
    queryKey: ['chart-data', chartId],
    enabled: Boolean(chartId),
    queryFn: () => ok(api.GET('/api/charts/{id}/data', { params: { path: { id: chartId! } } })),
  });
  const name = title || chart.data?.title || 'Chart';
  if (!chartId) return <p className="muted">Chart “{name}” (not kept: this server is read-only).</p>;
  return (
    <figure className="chart">
      <figcaption>{name}</figcaption>
      <ErrorNote error={data.error} />
      {data.isPending && <p className="loading">Drawing…</p>}
      {data.data && <EChart option={data.data.option} label={`Chart: ${name}`} />}
    </figure>
  );
}
