import { Type } from '@sinclair/typebox';
import { buildChartOption } from '../../charts/chart-option.js';
import { checkChartSpec, type ChartSpec } from '../../charts/chart-spec.js';
import { renderChartSvg } from '../../charts/chart-svg.js';
import { workflowErrors } from '../workflow-errors.js';
import type { TaskType } from './task-type.js';

const SIZE = { width: 800, height: 450 };

/**
 * Draws an earlier SQL task's result (`data`: its name) with oxy's chart fields; the output is the
 * chart as an SVG document (text), which `export` can write to a file.
 */
export const visualizeTask: TaskType = {
  type: 'visualize',
  fields: {
    data: Type.String({ minLength: 1 }),
    chart: Type.Union([Type.String(), Type.Object({}, { additionalProperties: true })]),
    title: Type.String(),
    x: Type.String(),
    y: Type.Union([Type.String(), Type.Array(Type.String(), { minItems: 1 })]),
    series: Type.String(),
  },
  required: ['data'],
  run: async (task, context) => {
    const name = String(task.name);
    const data = context.output(String(task.data));
    if (!data || data.kind !== 'table')
      throw workflowErrors.chartData(name, `data ${String(task.data)} is not the table of an earlier task`);
    const chart = task.chart;
    const fields = typeof chart === 'object' && chart !== null ? (chart as Record<string, unknown>) : {};
    const y = task.y ?? fields.y;
    const title = typeof task.title === 'string' ? task.title : name;
    let spec: ChartSpec;
    try {
      spec = checkChartSpec({
        ...fields,
        type: typeof chart === 'string' ? chart : (fields.type ?? 'bar'),
        // Drawn from the earlier output, never queried again: the source only names it.
        source: { database: 'workflow', sql: `-- the output of ${String(task.data)}` },
        ...(task.x !== undefined ? { x: task.x } : {}),
        ...(y !== undefined ? { y: typeof y === 'string' ? [y] : y } : {}),
        ...(task.series !== undefined ? { series: task.series } : {}),
        title,
      });
    } catch (error) {
      throw workflowErrors.chartData(name, (error as Error).message);
    }
    const columns = data.columns.map((c) => c.name);
    const missing = [spec.x, ...(spec.y ?? []), spec.series].find((c) => c !== undefined && !columns.includes(c));
    if (missing !== undefined)
      throw workflowErrors.chartData(
        name,
        `${String(task.data)} has no column ${missing} (it has ${columns.join(', ')})`,
      );
    const result = { ...data, elapsedMs: 0 };
    const option = buildChartOption(spec, result, { title, ...SIZE });
    return { kind: 'text', text: renderChartSvg(option, SIZE) };
  },
};
