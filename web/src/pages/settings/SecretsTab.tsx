import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, ok } from '../../api/client';
import { useProject, useReadonly } from '../../app/session';
import { ErrorNote } from '../../components/ErrorNote';

/** The workspace's secrets: names listed, values written (created or replaced) and never shown. */
export function SecretsTab() {
  const { project } = useProject();
  const readonly = useReadonly();
  const queryClient = useQueryClient();
  const workspaceId = project?.workspace_id;
  const secrets = useQuery({
    queryKey: ['secrets', workspaceId],
    enabled: Boolean(workspaceId),
    queryFn: () => ok(api.GET('/api/secrets', { params: { query: { workspace_id: workspaceId, limit: 200 } } })),
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['secrets'] });
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const [replacing, setReplacing] = useState<{ id: string; name: string } | null>(null);
  const [done, setDone] = useState('');
  const save = useMutation({
    mutationFn: () =>
      replacing
        ? ok(api.PATCH('/api/secrets/{id}', { params: { path: { id: replacing.id } }, body: { value } }))
        : ok(api.POST('/api/secrets', { body: { workspace_id: workspaceId, name, value } })),
    onSuccess: async (row) => {
      setDone(`${replacing ? 'Replaced' : 'Saved'} secret ${row.name}.`);
      setName('');
      setValue('');
      setReplacing(null);
      await refresh();
    },
  });
  const remove = useMutation({
    mutationFn: (id: string) => ok(api.DELETE('/api/secrets/{id}', { params: { path: { id } } })),
    onSuccess: refresh,
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setDone('');
    save.mutate();
  };

  return (
    <>
      <h2>Secrets</h2>
      <p className="muted">
        Passwords and API keys, sealed in the database. Databases name them in password_secret, models in key_secret.
        Values are write-only: they are never shown again.
      </p>
      <ErrorNote error={secrets.error} />
      <ErrorNote error={remove.error} />
      <table className="settings-table">
        <caption>Secrets of this workspace</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Updated</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {secrets.data?.items.map((s) => (
            <tr key={s.id}>
              <th scope="row">{s.name}</th>
              <td>{new Date(s.updated_at).toLocaleString()}</td>
              <td className="settings-actions">
                <button
                  type="button"
                  disabled={readonly}
                  aria-label={`Replace ${s.name}`}
                  onClick={() => {
                    setReplacing({ id: s.id, name: s.name });
                    setValue('');
                  }}
                >
                  Replace
                </button>
                <button
                  type="button"
                  className="danger"
                  disabled={readonly || remove.isPending}
                  aria-label={`Delete ${s.name}`}
                  onClick={() => window.confirm(`Delete secret ${s.name}?`) && remove.mutate(s.id)}
                >
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {secrets.isSuccess && secrets.data.items.length === 0 && <p>No secrets yet.</p>}
      <form className="settings-form" onSubmit={submit}>
        <h3>{replacing ? `Replace ${replacing.name}` : 'Add a secret'}</h3>
        {!replacing && (
          <label>
            Secret name
            <input required value={name} maxLength={200} onChange={(e) => setName(e.target.value)} />
          </label>
        )}
        <label>
          Secret value
          <input
            required
            type="password"
            autoComplete="new-password"
            value={value}
            onChange={(e) => setValue(e.target.value)}
          />
        </label>
        <ErrorNote error={save.error} />
        <div className="toolbar">
          <button type="submit" className="primary" disabled={readonly || save.isPending || !workspaceId}>
            {replacing ? 'Replace secret' : 'Save secret'}
          </button>
          {replacing && (
            <button type="button" onClick={() => setReplacing(null)}>
              Cancel
            </button>
          )}
        </div>
        {done && <p role="status">{done}</p>}
      </form>
    </>
  );
}
