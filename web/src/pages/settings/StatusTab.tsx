import { useQuery } from '@tanstack/react-query';
import { api, ok } from '../../api/client';
import { ErrorNote } from '../../components/ErrorNote';

/** The instance at a glance (GET /api/status, instance admins): database, migrations, job queue, workers. */
export function StatusTab() {
  const status = useQuery({
    queryKey: ['status'],
    queryFn: () => ok(api.GET('/api/status')),
    refetchInterval: 5_000,
  });
  const s = status.data;
  const totals = s?.jobs.kinds.reduce(
    (sum, k) => ({ queued: sum.queued + k.queued, running: sum.running + k.running, failed: sum.failed + k.failed }),
    { queued: 0, running: 0, failed: 0 },
  );
  return (
    <>
      <h2>Status</h2>
      <ErrorNote error={status.error} />
      {status.isLoading && <p className="loading">Loading…</p>}
      {s && totals && (
        <>
          <dl className="settings-facts">
            <dt>Server version</dt>
            <dd>{s.version}</dd>
            <dt>Backend</dt>
            <dd>{s.database.backend}</dd>
            <dt>Schema version</dt>
            <dd>
              {s.database.schemaVersion} of {s.database.latestSchemaVersion}
            </dd>
            <dt>Pending migrations</dt>
            <dd>
              {s.database.pendingMigrations.length}
              {s.database.pendingMigrations.length ? `: ${s.database.pendingMigrations.join(', ')}` : ''}
            </dd>
            {s.database.unknownMigrations.length > 0 && (
              <>
                <dt>Migrations newer than this server</dt>
                <dd>{s.database.unknownMigrations.join(', ')}</dd>
              </>
            )}
            <dt>Jobs queued</dt>
            <dd>{totals.queued}</dd>
            <dt>Jobs running</dt>
            <dd>{totals.running}</dd>
            <dt>Jobs failed</dt>
            <dd>{totals.failed}</dd>
            <dt>Workers holding leases</dt>
            <dd>
              {s.jobs.workers.length} ({s.jobs.workers.reduce((n, w) => n + w.leases, 0)} running leases)
            </dd>
            <dt>Expired leases</dt>
            <dd>{s.jobs.expiredLeases}</dd>
          </dl>
          <table className="settings-table">
            <caption>Jobs by kind</caption>
            <thead>
              <tr>
                <th scope="col">Kind</th>
                <th scope="col">Queued</th>
                <th scope="col">Running</th>
                <th scope="col">Succeeded</th>
                <th scope="col">Failed</th>
                <th scope="col">Cancelled</th>
              </tr>
            </thead>
            <tbody>
              {s.jobs.kinds.map((k) => (
                <tr key={k.kind}>
                  <th scope="row">{k.kind}</th>
                  <td>{k.queued}</td>
                  <td>{k.running}</td>
                  <td>{k.succeeded}</td>
                  <td>{k.failed}</td>
                  <td>{k.cancelled}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {s.jobs.kinds.length === 0 && <p>No jobs yet.</p>}
          {s.jobs.workers.length > 0 && (
            <ul className="list" aria-label="Workers">
              {s.jobs.workers.map((w) => (
                <li key={w.owner}>
                  <code>{w.owner}</code>: {w.leases} running
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </>
  );
}
