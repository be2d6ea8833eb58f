// The server's own chart code, bundled for the browser: the preview is drawn by the very functions
// that GET /api/charts/:id/data uses (browser-safe: TypeBox and echarts/core, no node imports).
import { buildChartOption, type ChartOption } from '../../../../src/services/charts/chart-option.js';
import {
  CHART_TYPES,
  checkChartSpec,
  type ChartSpec,
  type ChartType,
} from '../../../../src/services/charts/chart-spec.js';
import type { QueryResult } from '../../../../src/services/charts/chart-data-source.js';

export { CHART_TYPES, type ChartSpec, type ChartType, type QueryResult };

/** The preview's size: the server's default chart size (CHART_SIZE), so what is saved looks the same. */
export const PREVIEW = { width: 800, height: 360 };

/** The checked spec and its ECharts option, or the server code's own error (a bad field, a missing column). */
export function previewChart(
  spec: unknown,
  result: QueryResult,
  title: string,
): { spec: ChartSpec; option: ChartOption } | { error: Error } {
  try {
    const checked = checkChartSpec(spec);
    return { spec: checked, option: buildChartOption(checked, result, { title, ...PREVIEW }) };
  } catch (error) {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }
}
