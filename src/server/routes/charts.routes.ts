import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { CHART_SIZE, type ChartSize } from '../../services/charts/chart.service.js';
import { idParams } from '../entity-schemas.js';
import type { RoutePermission } from '../permissions.js';

const permission: RoutePermission = { workspace: 'viewer', table: 'charts', target: 'row' };
const tags = ['charts'];
const errors = {
  404: { description: 'No such chart (or not in a workspace of yours).', $ref: 'error#' },
  409: { description: 'The chart cannot run: its query is gone, or the server has no SQL runner.', $ref: 'error#' },
  422: {
    description: "The chart's spec does not fit its rows (a column it names is missing, a value is not a number).",
    $ref: 'error#',
  },
};

const dimension = (what: string, fallback: number) =>
  Type.Optional(
    Type.Integer({
      minimum: CHART_SIZE.min,
      maximum: CHART_SIZE.max,
      description: `${what} in pixels (default ${fallback})`,
    }),
  );
const sizeQuery = Type.Object(
  { width: dimension('width', CHART_SIZE.width), height: dimension('height', CHART_SIZE.height) },
  { additionalProperties: false },
);

const queryResult = Type.Object(
  {
    columns: Type.Array(Type.Object({ name: Type.String(), type: Type.String() })),
    rows: Type.Array(Type.Array(Type.Any()), { description: 'arrays aligned with columns' }),
    rowCount: Type.Integer(),
    truncated: Type.Boolean(),
    elapsedMs: Type.Number(),
  },
  { description: 'what the source returned (bigint and decimal as text, timestamps ISO-8601, NULL as null)' },
);

const chartData = Type.Object({
  result: queryResult,
  option: Type.Object(
    {},
    {
      additionalProperties: true,
      description: 'the Apache ECharts option that draws it (JSON; number formats are applied by the SVG only)',
    },
  ),
});

/**
 * `GET /api/charts/:id/data` (the chart's rows and ECharts option) and `GET /api/charts/:id.svg`
 * (the chart drawn on the server), for anyone who may read the chart.
 */
export async function chartRoutes(app: FastifyInstance): Promise<void> {
  app.get(
    '/charts/:id/data',
    {
      config: { permission },
      schema: {
        tags,
        operationId: 'getChartData',
        summary: "Run a chart's source and return its rows and ECharts option",
        params: idParams,
        querystring: sizeQuery,
        response: { 200: chartData, ...errors },
      },
    },
    async (req) => {
      const { result, option } = await app.services.charts.data(
        (req.params as { id: string }).id,
        req.query as ChartSize,
      );
      return { result, option };
    },
  );
  app.get(
    '/charts/:id.svg',
    {
      config: { permission },
      schema: {
        tags,
        operationId: 'getChartSvg',
        summary: 'Draw a chart as an SVG image',
        params: idParams,
        querystring: sizeQuery,
        response: {
          200: {
            description: 'The chart as an SVG document.',
            content: { 'image/svg+xml': { schema: { type: 'string' } } },
          },
          ...errors,
        },
      },
    },
    async (req, reply) => {
      const svg = await app.services.charts.svg((req.params as { id: string }).id, req.query as ChartSize);
      return reply.type('image/svg+xml; charset=utf-8').send(svg);
    },
  );
}
