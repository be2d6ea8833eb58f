import { stringify } from 'yaml';
import { DEMO_DATABASE } from './demo-content.js';
import { DEMO_YEAR } from './demo-data.js';

/** The demo's agent: `agents/<name>.agent.yml`; its model is a name the user adds to config.yml `models`. */
export const DEMO_AGENT = 'analyst';
export const DEMO_AGENT_FILE = `agents/${DEMO_AGENT}.agent.yml`;
export const DEMO_AGENT_TEST_FILE = `tests/${DEMO_AGENT}.agent.test.yml`;
/** The model name the agent asks for: add an entry of this name under `models:` in config.yml. */
export const DEMO_MODEL = 'default';

/** `agents/analyst.agent.yml`, in Oxy's agent format. */
export function demoAgentYaml(): string {
  return `# An agent in Oxy's format. It needs a model: add one named "${DEMO_MODEL}" under models: in config.yml, e.g.
#   models:
#     - name: ${DEMO_MODEL}
#       vendor: openai
#       model_ref: gpt-4.1-mini
#       key_var: OPENAI_API_KEY
# then: oxy ask ${DEMO_AGENT} "Which region sold the most?"  and  oxy test ${DEMO_AGENT_TEST_FILE}
name: ${DEMO_AGENT}
description: Answers questions about the coffee chain's ${DEMO_YEAR} sales with SQL and charts
model: ${DEMO_MODEL}
system_instructions: |
  You are a data analyst for a small chain of coffee shops. Answer the user's question by writing
  one SQL query for the ${DEMO_DATABASE} database ({{ databases.${DEMO_DATABASE}.dialect }}) and running it with execute_sql;
  if it fails, read the error, fix the query and run it again. Then answer in one or two sentences
  with the numbers. Draw a chart with visualize when the answer is a series (per month, per store).
  Revenue is quantity * unit_price of order_lines. Every order is from ${DEMO_YEAR}.
  Select only the columns the question asks for, and order the rows when it asks for an order.

  The database's tables:
  {{ databases.${DEMO_DATABASE}.ddl }}
tools:
  - name: execute_sql
    type: execute_sql
    database: ${DEMO_DATABASE}
  - name: visualize
    type: visualize
`;
}

export interface DemoTestCase {
  prompt: string;
  /** SQL on the demo database whose result the agent's last SQL must reproduce. */
  expected: string;
  tags: string[];
}

/**
 * The questions of `tests/analyst.agent.test.yml`, each with the SQL that answers it; a test runs
 * every expected SQL on a freshly generated database, so a change to the data shows there.
 * Expected SQL selects only what the question asks for (the scorer ignores extra columns of the
 * agent's answer), and orders rows only where the question asks for an order.
 */
export const DEMO_TEST_CASES: readonly DemoTestCase[] = [
  { prompt: 'How many stores are there?', expected: 'select count(*) from stores', tags: ['count'] },
  { prompt: `How many orders were placed in ${DEMO_YEAR}?`, expected: 'select count(*) from orders', tags: ['count'] },
  {
    prompt: `What was the total revenue in ${DEMO_YEAR}?`,
    expected: 'select sum(quantity * unit_price) from order_lines',
    tags: ['revenue'],
  },
  {
    prompt: 'What was the revenue of each region?',
    expected: `select s.region, sum(l.quantity * l.unit_price)
from orders o join order_lines l on l.order_id = o.order_id join stores s on s.store_id = o.store_id
group by s.region`,
    tags: ['revenue', 'group'],
  },
  {
    prompt: 'How many stores does each region have?',
    expected: 'select region, count(*) from stores group by region',
    tags: ['count', 'group'],
  },
  {
    prompt: 'Which store took the most orders?',
    expected: `select s.name from orders o join stores s on s.store_id = o.store_id
group by s.name order by count(*) desc limit 1`,
    tags: ['superlative'],
  },
  {
    prompt: 'What are the top 5 products by revenue, highest first?',
    expected: `select p.name, sum(l.quantity * l.unit_price) as revenue
from order_lines l join products p on p.product_id = l.product_id
group by p.name order by revenue desc limit 5`,
    tags: ['revenue', 'ranking', 'ordered'],
  },
  {
    prompt: 'What was the revenue of each product category?',
    expected: `select p.category, sum(l.quantity * l.unit_price)
from order_lines l join products p on p.product_id = l.product_id group by p.category`,
    tags: ['revenue', 'group'],
  },
  {
    prompt: 'How many customers are in the business segment?',
    expected: "select count(*) from customers where segment = 'business'",
    tags: ['count', 'filter'],
  },
  {
    prompt: `What was the revenue of each month of ${DEMO_YEAR}, in chronological order, with each month given as its first day?`,
    expected: `select date_trunc('month', o.order_date)::date as month, sum(l.quantity * l.unit_price)
from orders o join order_lines l on l.order_id = o.order_id group by 1 order by 1`,
    tags: ['revenue', 'time', 'ordered'],
  },
  {
    prompt: 'What was the average revenue per order?',
    expected: 'select sum(quantity * unit_price) / count(distinct order_id) from order_lines',
    tags: ['revenue', 'average'],
  },
  {
    prompt: 'Which month number (1 to 12) had the highest revenue?',
    expected: `select month(o.order_date) from orders o join order_lines l on l.order_id = o.order_id
group by 1 order by sum(l.quantity * l.unit_price) desc limit 1`,
    tags: ['time', 'superlative'],
  },
  {
    prompt: 'How many Espresso Machines were sold in total?',
    expected: `select sum(l.quantity) from order_lines l join products p on p.product_id = l.product_id
where p.name = 'Espresso Machine'`,
    tags: ['filter'],
  },
  {
    prompt: 'What is the most expensive product?',
    expected: 'select name from products order by price desc limit 1',
    tags: ['superlative'],
  },
  {
    prompt: 'How many products are in each category?',
    expected: 'select category, count(*) from products group by category',
    tags: ['count', 'group'],
  },
  {
    prompt: `What was the revenue in December ${DEMO_YEAR}?`,
    expected: `select sum(l.quantity * l.unit_price) from orders o join order_lines l on l.order_id = o.order_id
where o.order_date >= date '${DEMO_YEAR}-12-01' and o.order_date < date '${DEMO_YEAR + 1}-01-01'`,
    tags: ['revenue', 'time', 'filter'],
  },
  {
    prompt: `How many different customers ordered on Christmas Eve (December 24, ${DEMO_YEAR})?`,
    expected: `select count(distinct customer_id) from orders where order_date = date '${DEMO_YEAR}-12-24'`,
    tags: ['count', 'time', 'filter'],
  },
  {
    prompt: 'How many orders were placed on weekends (Saturday or Sunday)?',
    expected: 'select count(*) from orders where isodow(order_date) in (6, 7)',
    tags: ['count', 'time'],
  },
  {
    prompt: 'What was the revenue of each store in the West region, largest first?',
    expected: `select s.name, sum(l.quantity * l.unit_price) as revenue
from orders o join order_lines l on l.order_id = o.order_id join stores s on s.store_id = o.store_id
where s.region = 'West' group by s.name order by revenue desc`,
    tags: ['revenue', 'filter', 'ordered'],
  },
  {
    prompt: 'Which store opened most recently?',
    expected: 'select name from stores order by opened_on desc limit 1',
    tags: ['superlative', 'time'],
  },
  {
    prompt: 'What is the average number of lines per order?',
    expected: 'select count(*)::double / count(distinct order_id) from order_lines',
    tags: ['average'],
  },
  {
    prompt: 'What was the revenue of each customer segment?',
    expected: `select c.segment, sum(l.quantity * l.unit_price)
from orders o join order_lines l on l.order_id = o.order_id join customers c on c.customer_id = o.customer_id
group by c.segment`,
    tags: ['revenue', 'group'],
  },
  {
    prompt: 'How many customers have Old Town as their home store?',
    expected: `select count(*) from customers c join stores s on s.store_id = c.home_store_id where s.name = 'Old Town'`,
    tags: ['count', 'filter'],
  },
  {
    prompt: 'Who are the top 3 customers by revenue, highest first?',
    expected: `select c.name, sum(l.quantity * l.unit_price) as revenue
from orders o join order_lines l on l.order_id = o.order_id join customers c on c.customer_id = o.customer_id
group by c.name order by revenue desc limit 3`,
    tags: ['revenue', 'ranking', 'ordered'],
  },
];

/** `tests/analyst.agent.test.yml`, in Oxy's test format; `expected` is SQL (oxy scores by execution). */
export function demoAgentTestYaml(): string {
  const header = `# Agent evaluations in Oxy's format: oxy test ${DEMO_AGENT_TEST_FILE} [--min-accuracy 0.8]
# Each case passes when the agent's last SQL returns the rows of \`expected\` (SQL): rows in any order
# unless the question asks for one, column names ignored, numbers within a small tolerance.
`;
  return (
    header +
    stringify(
      {
        target: DEMO_AGENT_FILE,
        settings: { runs: 1, concurrency: 4 },
        cases: DEMO_TEST_CASES.map((c) => ({ prompt: c.prompt, expected: c.expected, tags: c.tags })),
      },
      { lineWidth: 0, blockQuote: 'literal' },
    )
  );
}
