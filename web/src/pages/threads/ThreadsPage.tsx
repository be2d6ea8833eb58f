import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useDeferredValue, useState } from 'react';
import { Link } from 'react-router';
import { api, ok } from '../../api/client';
import { useProject } from '../../app/session';
import { ErrorNote } from '../../components/ErrorNote';
import './threads.css';

const PAGE = 50;

/** The project's threads (oldest first, as the API pages them), searchable by title. */
export default function ThreadsPage() {
  const { project } = useProject();
  const [search, setSearch] = useState('');
  const q = useDeferredValue(search.trim());
  const projectId = project?.id;
  const agents = useQuery({
    queryKey: ['agents', projectId],
    enabled: Boolean(projectId),
    queryFn: () => ok(api.GET('/api/agents', { params: { query: { project_id: projectId!, limit: 200 } } })),
  });
  const threads = useInfiniteQuery({
    queryKey: ['threads', projectId, q],
    enabled: Boolean(projectId),
    initialPageParam: undefined as string | undefined,
    placeholderData: keepPreviousData,
    queryFn: ({ pageParam }) =>
      ok(
        api.GET('/api/threads', {
          params: {
            query: {
              project_id: projectId!,
              limit: PAGE,
              ...(q ? { q } : {}),
              ...(pageParam ? { cursor: pageParam } : {}),
            },
          },
        }),
      ),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const agentName = new Map((agents.data?.items ?? []).map((a) => [a.id, a.name]));
  const rows = threads.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <div className="threads-page">
      <h1>Threads</h1>
      {!project && <p>No project yet.</p>}
      <label className="search">
        Search threads by title
        <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} />
      </label>
      <ErrorNote error={threads.error ?? agents.error} />
      {threads.isPending && projectId && <p className="loading">Loading…</p>}
      {threads.isSuccess && rows.length === 0 && (
        <p>{q ? `No thread's title contains “${q}”.` : 'No threads yet: ask a question.'}</p>
      )}
      <ul className="thread-list" aria-label="Threads">
        {rows.map((thread) => (
          <li key={thread.id}>
            <Link to={`/threads/${thread.id}`}>{thread.title.trim() || 'Untitled thread'}</Link>
            <span className="muted">{thread.agent_id ? (agentName.get(thread.agent_id) ?? 'agent') : 'no agent'}</span>
            <time className="muted" dateTime={thread.created_at}>
              {new Date(thread.created_at).toLocaleString()}
            </time>
            {thread.is_processing && <span className="badge">answering</span>}
          </li>
        ))}
      </ul>
      {threads.hasNextPage && (
        <button type="button" onClick={() => void threads.fetchNextPage()} disabled={threads.isFetchingNextPage}>
          {threads.isFetchingNextPage ? 'Loading…' : 'More threads'}
        </button>
      )}
    </div>
  );
}
