import { stringify } from 'yaml';
import type { ChartSpec } from '../charts/chart-spec.js';
import { DEMO_YEAR, DEMO_TABLES, type DemoTableCounts } from './demo-data.js';

/** Names the demo gives its project, its database and the DuckDB file in the folder. */
export const DEMO_PROJECT = 'demo';
export const DEMO_DATABASE = 'sales';
export const DEMO_DATABASE_FILE = 'sales.duckdb';

export interface DemoQuery {
  /** The saved query's name, and its file under `queries/` (`<name>.sql`). */
  name: string;
  description: string;
  sql: string;
}

/** The three saved queries, written to `queries/<name>.sql` and stored as `queries` rows. */
export const DEMO_QUERIES = [
  {
    name: 'monthly_revenue',
    description: `Revenue and orders per month of ${DEMO_YEAR}`,
    sql: `select date_trunc('month', o.order_date)::date as month,
       count(distinct o.order_id) as orders,
       sum(l.quantity * l.unit_price) as revenue
from orders o
join order_lines l using (order_id)
group by 1
order by 1`,
  },
  {
    name: 'revenue_by_store',
    description: 'Revenue per store over the year, largest first',
    sql: `select s.name as store, s.city, s.region,
       sum(l.quantity * l.unit_price) as revenue
from orders o
join order_lines l using (order_id)
join stores s using (store_id)
group by s.name, s.city, s.region
order by revenue desc`,
  },
  {
    name: 'top_products',
    description: 'The ten products that brought the most revenue',
    sql: `select p.name as product, p.category,
       sum(l.quantity) as units,
       sum(l.quantity * l.unit_price) as revenue
from order_lines l
join products p using (product_id)
group by p.name, p.category
order by revenue desc
limit 10`,
  },
] as const satisfies readonly DemoQuery[];

export type DemoQueryName = (typeof DEMO_QUERIES)[number]['name'];

/** The demo's workflow, in Oxy's procedure format: written to `workflows/<name>.procedure.yml` and stored as a `workflows` row. */
export const DEMO_WORKFLOW = {
  name: 'store_report',
  definition: `# A workflow in Oxy's format: run it with \`oxy run workflows/store_report.procedure.yml -v region=South\`
name: store_report
description: Revenue of every store of one region over the year, as a short report
variables:
  region:
    type: string
    description: West, Midwest, Northeast or South
    default: West
tasks:
  - name: stores
    type: execute_sql
    database: ${DEMO_DATABASE}
    sql_query: |
      select s.name as store, s.city, sum(l.quantity * l.unit_price) as revenue
      from orders o
      join order_lines l using (order_id)
      join stores s using (store_id)
      where s.region = {{ variables.region | sqlquote }}
      group by s.name, s.city
      order by revenue desc
  - name: report
    type: formatter
    template: |
      {{ stores | length }} {{ 'store' if (stores | length) == 1 else 'stores' }} in the {{ variables.region }} region in ${DEMO_YEAR}:
      {% for row in stores %}- {{ row.store }} ({{ row.city }}): {{ row.revenue }}
      {% endfor %}
`,
} as const;

export interface DemoChart {
  title: string;
  query: DemoQueryName;
  spec: (queryId: string) => ChartSpec;
}

/** The two charts, each drawing one of the saved queries. */
export const DEMO_CHARTS: readonly DemoChart[] = [
  {
    title: `Monthly revenue, ${DEMO_YEAR}`,
    query: 'monthly_revenue',
    spec: (queryId) => ({
      type: 'line',
      source: { query_id: queryId },
      x: 'month',
      y: ['revenue'],
      x_label: 'Month',
      y_label: 'Revenue',
      date_format: 'month',
      number_format: { style: 'compact', prefix: '$' },
    }),
  },
  {
    title: `Revenue by store, ${DEMO_YEAR}`,
    query: 'revenue_by_store',
    spec: (queryId) => ({
      type: 'bar',
      source: { query_id: queryId },
      x: 'store',
      y: ['revenue'],
      x_label: 'Store',
      y_label: 'Revenue',
      number_format: { style: 'compact', prefix: '$' },
    }),
  },
];

/**
 * `config.yml` in Oxy's field names: the DuckDB file by a path relative to the folder. Oxy's
 * schema requires `models`; the demo needs none, so the list is empty until an agent needs one.
 */
export function demoConfigYaml(): string {
  const header = '# An Oxy project written by `oxy init --demo`. Add a model under `models` to ask agents.\n';
  return (
    header +
    stringify({
      databases: [{ name: DEMO_DATABASE, type: 'duckdb', path: DEMO_DATABASE_FILE }],
      models: [],
      defaults: { database: DEMO_DATABASE },
    })
  );
}

/** `queries/<name>.sql`: the query with its description as a comment. */
export function demoQueryFile(query: DemoQuery): string {
  return `-- ${query.description}\n${query.sql};\n`;
}

/** The folder's README: what it is, what is in it, how to use it (`testCases`: questions of the agent's test file). */
export function demoReadme(counts: DemoTableCounts, testCases: number): string {
  const tables = DEMO_TABLES.map((t) => `| \`${t}\` | ${counts[t].toLocaleString('en-US')} |`).join('\n');
  const queries = DEMO_QUERIES.map((q) => `- \`queries/${q.name}.sql\`: ${q.description.toLowerCase()}`).join('\n');
  return `# oxy demo: sample sales data

Written by \`oxy init --demo\`. Everything here is generated (no download): a small chain of
coffee shops with ${counts.stores} stores, ${counts.products} products, ${counts.customers} customers and every order of
${DEMO_YEAR}, day by day, with a December peak and busier weekends. The numbers come from fixed
seeds, so every machine gets the same ones.

| table | rows |
|---|---|
${tables}

- \`${DEMO_DATABASE_FILE}\`: the DuckDB database (\`config.yml\` names it \`${DEMO_DATABASE}\`)
${queries}
- \`workflows/${DEMO_WORKFLOW.name}.procedure.yml\`: a workflow (Oxy's format): \`oxy run workflows/${DEMO_WORKFLOW.name}.procedure.yml -v region=South\`
- \`agents/analyst.agent.yml\`: an agent that answers questions with SQL and charts, and
  \`tests/analyst.agent.test.yml\`: ${testCases} questions with the SQL that answers each. The agent
  needs a model: add one named \`default\` under \`models:\` in \`config.yml\` (see the agent file), then
  \`oxy test tests/analyst.agent.test.yml\` prints how many it gets right.

Run \`oxy serve\` and open the charts and queries of the project \`${DEMO_PROJECT}\`, or ask the database directly:

    oxy query ${DEMO_DATABASE} "select region, count(*) from stores group by region" --project ${DEMO_PROJECT}

Run \`oxy init --demo --force\` to generate it again.
`;
}
