import * as echarts from 'echarts/core';
import { BarChart, LineChart, PieChart, ScatterChart } from 'echarts/charts';
import { GraphicComponent, GridComponent, LegendComponent, TitleComponent } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';
import type { ChartOption } from './chart-option.js';

echarts.use([
  BarChart,
  LineChart,
  PieChart,
  ScatterChart,
  GraphicComponent,
  GridComponent,
  LegendComponent,
  TitleComponent,
  SVGRenderer,
]);

/** zrender's SVG painter, whose renderToString can leave out hover CSS (ECharts' renderToSVGString cannot). */
interface SvgPainter {
  renderToString(opts: { cssEmphasis: boolean; cssAnimation: boolean; useViewBox: boolean }): string;
}

export interface SvgOptions {
  width: number;
  height: number;
  /** Formats the y axis labels (the spec's number format; a function, so not in the JSON option). */
  yFormatter?: ((value: number) => string) | undefined;
  /** Prefix of the ids inside the SVG, so that several charts inlined in one page do not clash. */
  idPrefix?: string;
}

function withFormatter(option: ChartOption, yFormatter: SvgOptions['yFormatter']): ChartOption {
  if (!yFormatter || !option.yAxis) return option;
  const yAxis = option.yAxis as Record<string, unknown>;
  return { ...option, yAxis: { ...yAxis, axisLabel: { formatter: yFormatter } } };
}

/**
 * Draws an ECharts option as an SVG document with ECharts' server-side renderer (no DOM, no
 * canvas). The same option and size give the same bytes: no animation, no hover CSS, and
 * zrender's per-process ids replaced by `idPrefix`.
 */
export function renderChartSvg(option: ChartOption, options: SvgOptions): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: options.width, height: options.height });
  try {
    chart.setOption(withFormatter(option, options.yFormatter));
    const painter = chart.getZr().painter as unknown as SvgPainter;
    const svg = painter.renderToString({ cssEmphasis: false, cssAnimation: false, useViewBox: true });
    const prefix = options.idPrefix ?? 'chart';
    return svg.replace(/(id="|url\(#)zr\d+-/g, `$1${prefix}-`);
  } finally {
    chart.dispose();
  }
}
