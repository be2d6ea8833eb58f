import { DuckDBInstance } from '@duckdb/node-api';

/** The year of orders the demo holds; the numbers are the same on every machine. */
export const DEMO_YEAR = 2025;

/**
 * Pseudo-random numbers in [0, 1) from plain integer arithmetic (two rounds of a quadratic mix
 * modulo the prime 2^31 - 1, every product below 2^63 so BIGINT suffices; HUGEINT was 40 times
 * slower), keyed by a stream and an index: DuckDB's random() depends on threads and versions,
 * this does not, so every machine generates the same rows and the tests can assert exact totals.
 */
const RANDOM_MACROS = `
create temp macro demo_mix(x) as (((x * x) % 2147483647 * 48271 + x * 69621 + 12345) % 2147483647);
create temp macro demo_rand(stream, n) as
  demo_mix(demo_mix((stream::bigint * 1000003 + n + 20250101) % 2147483647)) / 2147483647.0;
`;

const STORES = `
create table stores (
  store_id integer primary key, name varchar not null, city varchar not null,
  region varchar not null, opened_on date not null);
insert into stores values
  (1, 'Pike Place', 'Seattle', 'West', date '2015-03-14'),
  (2, 'Harborside', 'San Diego', 'West', date '2018-06-01'),
  (3, 'Lakeside', 'Chicago', 'Midwest', date '2016-09-10'),
  (4, 'Riverside', 'Columbus', 'Midwest', date '2020-11-20'),
  (5, 'Union Square', 'New York', 'Northeast', date '2014-04-05'),
  (6, 'Old Town', 'Boston', 'Northeast', date '2019-02-22'),
  (7, 'Peachtree', 'Atlanta', 'South', date '2021-08-30');
create temp table store_traffic as
  select * from (values (1, 16), (2, 11), (3, 13), (4, 8), (5, 15), (6, 9), (7, 10)) t(store_id, daily_orders);
`;

const PRODUCTS = `
create table products (
  product_id integer primary key, name varchar not null, category varchar not null,
  price decimal(10, 2) not null);
insert into products values
  (1, 'Espresso Beans 1kg', 'Coffee', 24.00),
  (2, 'House Blend 500g', 'Coffee', 12.50),
  (3, 'Decaf Colombia 500g', 'Coffee', 13.75),
  (4, 'Cold Brew Pack', 'Coffee', 9.99),
  (5, 'Single Origin Ethiopia', 'Coffee', 17.25),
  (6, 'Matcha Tin', 'Tea', 19.90),
  (7, 'Earl Grey 100 bags', 'Tea', 8.40),
  (8, 'Chamomile 50 bags', 'Tea', 6.20),
  (9, 'Sencha Loose Leaf', 'Tea', 11.60),
  (10, 'Chai Spice Mix', 'Tea', 7.80),
  (11, 'Pour-Over Kettle', 'Equipment', 54.00),
  (12, 'Burr Grinder', 'Equipment', 129.00),
  (13, 'French Press', 'Equipment', 34.50),
  (14, 'Espresso Machine', 'Equipment', 449.00),
  (15, 'Milk Frother', 'Equipment', 39.95),
  (16, 'Ceramic Mug', 'Accessories', 14.00),
  (17, 'Travel Tumbler', 'Accessories', 24.90),
  (18, 'Paper Filters x100', 'Accessories', 4.50),
  (19, 'Tea Infuser', 'Accessories', 9.25),
  (20, 'Gift Card 50', 'Accessories', 50.00),
  (21, 'Almond Biscotti', 'Bakery', 5.40),
  (22, 'Butter Croissant Box', 'Bakery', 11.00),
  (23, 'Chocolate Chip Cookies', 'Bakery', 6.75),
  (24, 'Banana Bread Loaf', 'Bakery', 8.90);
-- Cheaper products sell more often: each product's slice of [0, 1) is proportional to 1/sqrt(price).
create temp table product_odds as
select product_id,
  coalesce(sum(w) over (order by product_id rows between unbounded preceding and 1 preceding), 0) / total as lo,
  sum(w) over (order by product_id) / total as hi
from (select product_id, 1.0 / sqrt(price::double) as w, sum(1.0 / sqrt(price::double)) over () as total from products);
`;

const CUSTOMERS = `
create table customers (
  customer_id integer primary key, name varchar not null, segment varchar not null,
  home_store_id integer not null);
insert into customers
select i, printf('Customer %04d', i),
  case when demo_rand(1, i) < 0.8 then 'consumer' else 'business' end,
  1 + floor(demo_rand(2, i) * 7)::integer
from range(1, 601) r(i);
`;

/** Orders per store and day: the store's traffic × the month (a December peak, a summer bump) × weekends × a slow growth × noise. */
const ORDERS = `
create temp table store_days as
select d::date as order_date, t.store_id,
  greatest(1, round(t.daily_orders
    * [0.85, 0.8, 0.9, 0.95, 1.0, 1.05, 1.1, 1.05, 0.95, 1.0, 1.2, 1.5][month(d)]
    * (0.95 + 0.1 * dayofyear(d) / 365.0)
    * case when isodow(d) >= 6 then 1.3 else 1.0 end
    * (0.75 + 0.5 * demo_rand(3, datediff('day', date '${DEMO_YEAR}-01-01', d) * 16 + t.store_id))))::integer as n
from range(date '${DEMO_YEAR}-01-01', date '${DEMO_YEAR + 1}-01-01', interval 1 day) r(d), store_traffic t;

-- The large tables have no key constraints: their indexes would make the file five times larger
-- (the ids are unique and every reference resolves by construction; the tests check both).
create table orders (
  order_id integer not null, order_date date not null, store_id integer not null, customer_id integer not null);
insert into orders
select row_number() over (order by order_date, store_id, k)::integer, order_date, store_id,
  1 + floor(demo_rand(4, datediff('day', date '${DEMO_YEAR}-01-01', order_date) * 16000 + store_id * 1000 + k) * 600)::integer
from (select order_date, store_id, unnest(range(n)) as k from store_days)
order by 1;

create table order_lines (
  order_id integer not null, line_no integer not null, product_id integer not null,
  quantity integer not null, unit_price decimal(10, 2) not null);
insert into order_lines
select l.order_id, l.line_no, o.product_id,
  case when p.category = 'Equipment' then 1 else 1 + floor(pow(l.q, 2.5) * 4)::integer end, p.price
from (
  select order_id, line_no, demo_rand(6, order_id * 8 + line_no) as pick, demo_rand(7, order_id * 8 + line_no) as q
  from (select order_id, unnest(range(1, 2 + floor(demo_rand(5, order_id) * 4)::integer)) as line_no from orders)
) l
join product_odds o on l.pick >= o.lo and l.pick < o.hi
join products p on p.product_id = o.product_id
order by 1, 2;
`;

/** What each table and its less obvious columns mean, for the catalog and the agents that read it. */
const COMMENTS = `
comment on table stores is 'The chain''s coffee shops, one row per store';
comment on column stores.region is 'West, Midwest, Northeast or South';
comment on column stores.opened_on is 'The day the store opened';
comment on table products is 'What the stores sell, one row per product';
comment on column products.category is 'Coffee, Tea, Equipment, Accessories or Bakery';
comment on column products.price is 'List price in US dollars';
comment on table customers is 'Customers who ordered at least once';
comment on column customers.segment is 'consumer or business';
comment on column customers.home_store_id is 'The store the customer signed up at (stores.store_id)';
comment on table orders is 'One row per order, every day of ${DEMO_YEAR}';
comment on column orders.store_id is 'The store that took the order (stores.store_id)';
comment on column orders.customer_id is 'Who ordered (customers.customer_id)';
comment on table order_lines is 'The products of each order; revenue is quantity * unit_price';
comment on column order_lines.order_id is 'The order (orders.order_id)';
comment on column order_lines.line_no is 'The line''s number within its order, from 1';
comment on column order_lines.product_id is 'The product (products.product_id)';
comment on column order_lines.unit_price is 'Price of one unit in US dollars, the product''s list price';
`;

/** The demo's tables, in the order they are created. */
export const DEMO_TABLES = ['stores', 'products', 'customers', 'orders', 'order_lines'] as const;

export type DemoTableCounts = Record<(typeof DEMO_TABLES)[number], number>;

/**
 * Writes the demo's sales database to `file` (which must not exist) with DuckDB itself: stores,
 * products, customers and a year of daily orders with their lines, all generated offline from
 * fixed seeds. Resolves to each table's row count.
 */
export async function writeDemoDatabase(file: string): Promise<DemoTableCounts> {
  const instance = await DuckDBInstance.create(file);
  try {
    const connection = await instance.connect();
    try {
      for (const part of [RANDOM_MACROS, STORES, PRODUCTS, CUSTOMERS, ORDERS, COMMENTS]) await connection.run(part);
      await connection.run('checkpoint');
      const counts = {} as DemoTableCounts;
      for (const table of DEMO_TABLES) {
        const reader = await connection.runAndReadAll(`select count(*) from ${table}`);
        counts[table] = Number(reader.getRows()[0]![0]);
      }
      return counts;
    } finally {
      connection.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}
