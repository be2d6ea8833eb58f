import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ok } from '../../api/client';
import { useReadonly } from '../../app/session';
import { ErrorNote } from '../../components/ErrorNote';
import { OnceValue } from './UsersTab';

/** The signed-in user's API keys: a new key is shown once, with a copy button; old ones are revoked. */
export function ApiKeysTab() {
  const readonly = useReadonly();
  const queryClient = useQueryClient();
  const keys = useQuery({ queryKey: ['api-keys'], queryFn: () => ok(api.GET('/api/auth/api-keys')) });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['api-keys'] });
  const create = useMutation({
    mutationFn: () => ok(api.POST('/api/auth/api-keys', { body: {} })),
    onSuccess: refresh,
  });
  const revoke = useMutation({
    mutationFn: (id: string) => ok(api.DELETE('/api/auth/api-keys/{id}', { params: { path: { id } } })),
    onSuccess: refresh,
  });
  return (
    <>
      <h2>API keys</h2>
      <p className="muted">Your keys for scripts and the CLI: send one as Authorization: Bearer KEY.</p>
      <ErrorNote error={keys.error} />
      <ErrorNote error={revoke.error} />
      <table className="settings-table">
        <caption>Your API keys</caption>
        <thead>
          <tr>
            <th scope="col">Key</th>
            <th scope="col">Created</th>
            <th scope="col">Expires</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {keys.data?.items.map((k) => (
            <tr key={k.id}>
              <th scope="row">
                <code>{k.prefix}…</code>
              </th>
              <td>{new Date(k.created_at).toLocaleString()}</td>
              <td>{k.expires_at ? new Date(k.expires_at).toLocaleString() : 'never'}</td>
              <td>
                {k.revoked_at ? (
                  'revoked'
                ) : (
                  <button
                    type="button"
                    className="danger"
                    disabled={readonly || revoke.isPending}
                    aria-label={`Revoke ${k.prefix}`}
                    onClick={() => revoke.mutate(k.id)}
                  >
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {keys.isSuccess && keys.data.items.length === 0 && <p>No API keys yet.</p>}
      <ErrorNote error={create.error} />
      <button type="button" className="primary" disabled={readonly || create.isPending} onClick={() => create.mutate()}>
        Create API key
      </button>
      {create.data && (
        <div role="status" className="settings-secret-once">
          <p>New key (shown once: copy it now; it expires {new Date(create.data.expires_at).toLocaleString()}):</p>
          <OnceValue label="API key" value={create.data.key} />
        </div>
      )}
    </>
  );
}
