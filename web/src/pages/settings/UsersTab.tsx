import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, ok, type components } from '../../api/client';
import { useMe, useReadonly } from '../../app/session';
import { ErrorNote } from '../../components/ErrorNote';

type User = components['schemas']['UsersRow'];
const ROLES: User['role'][] = ['member', 'admin', 'owner'];

/** The instance's accounts: instance owners and admins invite them, set their role, disable them. */
export function UsersTab() {
  const me = useMe().data;
  const readonly = useReadonly();
  const queryClient = useQueryClient();
  const admin = me?.role === 'owner' || me?.role === 'admin';
  const users = useQuery({
    queryKey: ['users'],
    queryFn: () => ok(api.GET('/api/users', { params: { query: { limit: 200 } } })),
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['users'] });
  const update = useMutation({
    mutationFn: ({ id, body }: { id: string; body: { role?: User['role']; status?: User['status'] } }) =>
      ok(api.PATCH('/api/users/{id}', { params: { path: { id } }, body })),
    onSuccess: refresh,
  });
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<User['role']>('member');
  const invite = useMutation({
    mutationFn: () => ok(api.POST('/api/users', { body: { email, name, role } })),
    onSuccess: async () => {
      setEmail('');
      setName('');
      await refresh();
    },
  });
  const reinvite = useMutation({
    mutationFn: (id: string) => ok(api.POST('/api/users/{id}/invitation', { params: { path: { id } } })),
  });
  const token = invite.data?.invitation ?? reinvite.data;
  const canWrite = admin && !readonly;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    invite.mutate();
  };

  return (
    <>
      <h2>Users</h2>
      {!admin && <p className="muted">Only instance owners and admins manage accounts.</p>}
      <ErrorNote error={users.error} />
      <ErrorNote error={update.error} />
      <ErrorNote error={reinvite.error} />
      <table className="settings-table">
        <caption>Accounts</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Email</th>
            <th scope="col">Role</th>
            <th scope="col">Status</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {users.data?.items.map((u) => (
            <tr key={u.id}>
              <th scope="row">{u.name}</th>
              <td>{u.email}</td>
              <td>
                <select
                  aria-label={`Role of ${u.email}`}
                  value={u.role}
                  disabled={!canWrite || update.isPending}
                  onChange={(e) => update.mutate({ id: u.id, body: { role: e.target.value as User['role'] } })}
                >
                  {ROLES.map((r) => (
                    <option key={r}>{r}</option>
                  ))}
                </select>
              </td>
              <td>{u.status}</td>
              <td className="settings-actions">
                <button
                  type="button"
                  disabled={!canWrite || update.isPending || u.id === me?.id}
                  aria-label={`${u.status === 'active' ? 'Disable' : 'Enable'} ${u.email}`}
                  onClick={() =>
                    update.mutate({ id: u.id, body: { status: u.status === 'active' ? 'disabled' : 'active' } })
                  }
                >
                  {u.status === 'active' ? 'Disable' : 'Enable'}
                </button>
                <button
                  type="button"
                  disabled={!canWrite || reinvite.isPending}
                  aria-label={`New invitation for ${u.email}`}
                  onClick={() => reinvite.mutate(u.id)}
                >
                  Invite again
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form className="settings-form" onSubmit={submit}>
        <h3>Invite someone</h3>
        <label>
          Email
          <input type="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </label>
        <label>
          Full name
          <input required value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <label>
          Instance role
          <select value={role} onChange={(e) => setRole(e.target.value as User['role'])}>
            {ROLES.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </label>
        <ErrorNote error={invite.error} />
        <div className="toolbar">
          <button type="submit" className="primary" disabled={!canWrite || invite.isPending}>
            Invite
          </button>
        </div>
      </form>
      {token && (
        <div role="status" className="settings-secret-once">
          <p>
            Invitation token (shown once; it expires {new Date(token.expires_at).toLocaleString()}). The person accepts
            it with a password:
          </p>
          <OnceValue label="Invitation token" value={token.token} />
        </div>
      )}
    </>
  );
}

/** A value shown once (a new API key, an invitation token) with a copy button. */
export function OnceValue({ label, value }: { label: string; value: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="settings-once">
      <input readOnly aria-label={label} value={value} onFocus={(e) => e.target.select()} />
      <button
        type="button"
        onClick={() => {
          void navigator.clipboard.writeText(value).then(
            () => setCopied(true),
            () => setCopied(false),
          );
        }}
      >
        {copied ? 'Copied' : `Copy ${label.toLowerCase()}`}
      </button>
    </div>
  );
}
