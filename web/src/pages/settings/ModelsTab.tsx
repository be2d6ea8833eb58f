import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, ok } from '../../api/client';
import { useProject, useReadonly } from '../../app/session';
import { ErrorNote } from '../../components/ErrorNote';

type Model = Record<string, unknown> & { name: string; vendor: string; model_ref: string };
const VENDORS = ['openai', 'anthropic', 'openai_compat', 'ollama'];
const FIELDS = [
  ['name', 'Name (agents use it: model: NAME)'],
  ['model_ref', 'Model id at the provider'],
  ['api_url', 'API base URL'],
  ['key_secret', 'Key secret (name of an oxy secret)'],
  ['key_var', 'Key environment variable'],
] as const;

/** The project's `settings.models` (Oxy's fields); other settings keys are kept as they are. */
export function ModelsTab() {
  const { project } = useProject();
  const readonly = useReadonly();
  const queryClient = useQueryClient();
  const settings = (project?.settings ?? {}) as Record<string, unknown>;
  const models = (Array.isArray(settings.models) ? settings.models : []) as Model[];
  const [editing, setEditing] = useState<{ index: number; model: Model } | null>(null);
  const save = useMutation({
    mutationFn: (next: Model[]) =>
      ok(
        api.PATCH('/api/projects/{id}', {
          params: { path: { id: project!.id } },
          body: { settings: { ...settings, models: next } },
        }),
      ),
    onSuccess: async () => {
      setEditing(null);
      await queryClient.invalidateQueries({ queryKey: ['projects'] });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!editing) return;
    const model: Model = { ...editing.model };
    for (const [key] of FIELDS) if (model[key] === '') delete model[key];
    const next = [...models];
    if (editing.index < 0) next.push(model);
    else next[editing.index] = model;
    save.mutate(next);
  };
  const set = (key: string, value: string) =>
    setEditing((e) => (e ? { ...e, model: { ...e.model, [key]: value } } : e));

  return (
    <>
      <h2>Models</h2>
      <p className="muted">The models of project {project?.name}: agents name one in their model field.</p>
      <table className="settings-table">
        <caption>Models</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Vendor</th>
            <th scope="col">Model</th>
            <th scope="col">Key</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {models.map((m, index) => (
            <tr key={`${m.name}-${index}`}>
              <th scope="row">{m.name}</th>
              <td>{m.vendor}</td>
              <td>
                <code>{m.model_ref}</code>
              </td>
              <td>{m.key_secret ? `secret ${String(m.key_secret)}` : m.key_var ? `$${String(m.key_var)}` : 'none'}</td>
              <td className="settings-actions">
                <button
                  type="button"
                  disabled={readonly}
                  aria-label={`Edit model ${m.name}`}
                  onClick={() => setEditing({ index, model: { ...m } })}
                >
                  Edit
                </button>
                <button
                  type="button"
                  className="danger"
                  disabled={readonly || save.isPending}
                  aria-label={`Remove model ${m.name}`}
                  onClick={() => save.mutate(models.filter((_, i) => i !== index))}
                >
                  Remove
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {models.length === 0 && <p>No models yet.</p>}
      {!editing && <ErrorNote error={save.error} />}
      {!editing && (
        <button
          type="button"
          className="primary"
          disabled={readonly || !project}
          onClick={() => setEditing({ index: -1, model: { name: '', vendor: 'openai', model_ref: '' } })}
        >
          Add model
        </button>
      )}
      {editing && (
        <form className="settings-form" onSubmit={submit}>
          <h3>{editing.index < 0 ? 'Add a model' : `Edit ${models[editing.index]?.name ?? ''}`}</h3>
          <label>
            Vendor
            <select value={editing.model.vendor} onChange={(e) => set('vendor', e.target.value)}>
              {VENDORS.map((v) => (
                <option key={v}>{v}</option>
              ))}
            </select>
          </label>
          {FIELDS.map(([key, label]) => (
            <label key={key}>
              {label}
              <input
                value={typeof editing.model[key] === 'string' ? editing.model[key] : ''}
                required={key === 'name' || key === 'model_ref'}
                onChange={(e) => set(key, e.target.value)}
              />
            </label>
          ))}
          <ErrorNote error={save.error} />
          <div className="toolbar">
            <button type="submit" className="primary" disabled={readonly || save.isPending}>
              Save model
            </button>
            <button type="button" onClick={() => setEditing(null)}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </>
  );
}
