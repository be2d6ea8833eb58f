import { ValidationError } from '../../errors.js';
import type { EntityRepository, RowValues } from '../../repositories/entity.repository.js';
import type { ChartDataSource, ChartSource, QueryResult } from './chart-data-source.js';
import { chartErrors } from './chart-errors.js';
import { buildChartOption, type ChartOption } from './chart-option.js';
import { checkChartSpec, type ChartSpec } from './chart-spec.js';
import { renderChartSvg } from './chart-svg.js';
import { numberFormatter } from './chart-values.js';

/** Rows a chart draws at most (the SQL runner's default cap). */
export const CHART_ROW_LIMIT = 10_000;
export const CHART_SIZE = { width: 800, height: 450, min: 100, max: 4000 } as const;

export interface ChartSize {
  width?: number | undefined;
  height?: number | undefined;
}

export interface ChartData {
  result: QueryResult;
  option: ChartOption;
}

/** A chart's rows and pictures: runs its source through the data source, then draws it. */
export class ChartService {
  constructor(
    private readonly repo: EntityRepository,
    private readonly source: ChartDataSource,
  ) {}

  /** The chart's query result and the ECharts option that draws it. */
  async data(id: string, size: ChartSize = {}): Promise<ChartData & { spec: ChartSpec }> {
    const chart = await this.repo.get('charts', id);
    const spec = this.storedSpec(chart);
    const result = await this.source.run(String(chart.project_id), await this.sourceOf(chart, spec), CHART_ROW_LIMIT);
    const option = buildChartOption(spec, result, {
      title: typeof chart.title === 'string' ? chart.title : '',
      width: size.width ?? CHART_SIZE.width,
      height: size.height ?? CHART_SIZE.height,
    });
    return { spec, result, option };
  }

  /** The chart as an SVG document, `size` pixels (default 800 × 450). */
  async svg(id: string, size: ChartSize = {}): Promise<string> {
    const { spec, option } = await this.data(id, size);
    return renderChartSvg(option, {
      width: size.width ?? CHART_SIZE.width,
      height: size.height ?? CHART_SIZE.height,
      yFormatter: numberFormatter(spec),
      idPrefix: `chart-${id.slice(-12)}`,
    });
  }

  private storedSpec(chart: RowValues): ChartSpec {
    try {
      return checkChartSpec(chart.spec);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      throw chartErrors.storedSpecInvalid(
        String(chart.id),
        error.message,
        (error.details as { fields: unknown }).fields,
      );
    }
  }

  /** The source to run; a saved query must still be in the chart's project. */
  private async sourceOf(chart: RowValues, spec: ChartSpec): Promise<ChartSource> {
    const { query_id: queryId, database, sql } = spec.source;
    if (queryId === undefined) return { database: database!, sql: sql! };
    const query = await this.repo.find('queries', queryId);
    if (!query || query.project_id !== chart.project_id) throw chartErrors.queryMissing(String(chart.id), queryId);
    return { query_id: queryId };
  }
}
