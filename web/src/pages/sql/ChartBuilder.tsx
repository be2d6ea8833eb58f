import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useMemo, useState } from 'react';
import { Link } from 'react-router';
import { api, ok } from '../../api/client';
import { EChart } from '../../components/EChart';
import { ErrorNote } from '../../components/ErrorNote';
import { CHART_TYPES, PREVIEW, previewChart, type ChartType, type QueryResult } from './chart-builder';

type Source = { query_id: string } | { database: string; sql: string };

/** The preview of a spec given as JSON text, kept while the text, the result and the title stay the same. */
function usePreview(specText: string, result: QueryResult, title: string) {
  return useMemo(() => previewChart(JSON.parse(specText), result, title), [specText, result, title]);
}

/**
 * A small chart builder over the result already in the browser: type, x, y (one or more), series,
 * title; the preview is drawn from the server's own spec check and option builder, and saving
 * creates a chart whose source is the saved query (when unchanged) or the editor's SQL.
 */
export function ChartBuilder({
  result,
  source,
  projectId,
  readonly,
  defaultTitle,
}: {
  result: QueryResult;
  source: Source;
  projectId: string;
  readonly: boolean;
  defaultTitle: string;
}) {
  const id = useId();
  const queryClient = useQueryClient();
  const columns = result.columns.map((c) => c.name);
  const [type, setType] = useState<ChartType>('bar');
  const [x, setX] = useState(columns[0] ?? '');
  const [y, setY] = useState<string[]>(columns.length > 1 ? [columns[1]!] : []);
  const [series, setSeries] = useState('');
  const [title, setTitle] = useState(defaultTitle);

  const shown = (c: string) => columns.includes(c);
  const spec = {
    type,
    source,
    ...(x && shown(x) ? { x } : {}),
    ...(y.some(shown) ? { y: y.filter(shown) } : {}),
    ...(series && shown(series) ? { series } : {}),
  };
  // Keyed by the spec's text: the option (and so the drawn chart) changes only when the spec does.
  const preview = usePreview(JSON.stringify(spec), result, title);

  const save = useMutation({
    mutationFn: () => {
      if ('error' in preview) throw preview.error;
      return ok(api.POST('/api/charts', { body: { project_id: projectId, title: title.trim(), spec: preview.spec } }));
    },
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['charts'] }),
  });

  return (
    <section className="chart-builder" aria-labelledby="chart-builder-heading">
      <h2 id="chart-builder-heading">Chart</h2>
      <div className="toolbar">
        <div className="field">
          <label htmlFor={`${id}-chart-type`}>Chart type</label>
          <select id={`${id}-chart-type`} value={type} onChange={(e) => setType(e.target.value as ChartType)}>
            {CHART_TYPES.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-x`}>X</label>
          <select id={`${id}-x`} value={x} onChange={(e) => setX(e.target.value)}>
            <option value="">(none)</option>
            {columns.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </div>
        <fieldset className="y-columns">
          <legend>Y</legend>
          {columns.map((c) => (
            <label key={c} className="check">
              <input
                type="checkbox"
                checked={y.includes(c)}
                onChange={(e) => setY((old) => (e.target.checked ? [...old, c] : old.filter((o) => o !== c)))}
              />
              {c}
            </label>
          ))}
        </fieldset>
        <div className="field">
          <label htmlFor={`${id}-series`}>Series</label>
          <select id={`${id}-series`} value={series} onChange={(e) => setSeries(e.target.value)}>
            <option value="">(none)</option>
            {columns.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-chart-title`}>Chart title</label>
          <input id={`${id}-chart-title`} value={title} onChange={(e) => setTitle(e.target.value)} maxLength={200} />
        </div>
        <button
          type="button"
          className="primary"
          onClick={() => save.mutate()}
          disabled={readonly || 'error' in preview || !title.trim() || save.isPending}
        >
          Save chart
        </button>
      </div>
      <ErrorNote error={save.error} />
      {save.isSuccess && (
        <p role="status">
          Chart saved: <Link to={`/library#chart-${save.data.id}`}>{save.data.title}</Link>.
        </p>
      )}
      {'error' in preview ? (
        <ErrorNote error={preview.error} />
      ) : (
        <EChart option={preview.option} label={`Chart preview: ${title || type}`} height={PREVIEW.height} />
      )}
    </section>
  );
}
