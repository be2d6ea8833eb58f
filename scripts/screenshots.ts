// Takes the README's screenshots of the real app: `npm run screenshots` (after npm run build).
// The demo project on a fresh SQLite database, served as `oxy serve` serves it; the agent's model is
// played by the scripted model server (no LLM is reachable here), answering with real SQL on the demo data.
import path from 'node:path';
import { ScriptedModelServer } from '../test/support/scripted-model-server.js';
import { isTitleRequest, launchBrowser, toolResults, useScriptedModel, withWebApp } from '../test/support/web-app.js';

const OUT = path.resolve('docs', 'screenshots');
const SQL = `select s.region, sum(l.quantity * l.unit_price) as revenue
from orders o join order_lines l using (order_id) join stores s using (store_id)
group by s.region order by revenue desc`;

const browser = await launchBrowser();
const model = await ScriptedModelServer.start();
try {
  await withWebApp(browser, { demo: true, viewport: { width: 1280, height: 900 } }, async ({ page, server }) => {
    const demo = server.demo!;
    // The model a user adds under Settings → Models (settings.test.ts drives that form).
    await useScriptedModel(server, model);
    model.script(
      { when: { test: isTitleRequest }, text: ['Revenue by region'], repeat: true },
      {
        when: { lastUserMessage: 'Which region brought the most revenue?' },
        text: ['I will add up the order lines per region.'],
        toolCalls: [{ name: 'execute_sql', arguments: { sql: SQL } }],
      },
      {
        when: { test: (r) => toolResults(r) === 1 },
        toolCalls: [
          {
            name: 'visualize',
            arguments: {
              title: 'Revenue by region',
              database: demo.database.name,
              sql: SQL,
              type: 'bar',
              x: 'region',
              y: ['revenue'],
            },
          },
        ],
      },
      {
        when: { test: (r) => toolResults(r) === 2 },
        text: ['The West region brought the most revenue, 740,469.23; the chart compares all four regions.'],
      },
    );
    await page.goto('/');
    await page.getByLabel('Agent').selectOption({ label: 'analyst' });
    await page.getByLabel('Question').fill('Which region brought the most revenue?');
    await page.getByRole('button', { name: 'Ask' }).click();
    await page.locator('canvas').first().waitFor();
    await page.getByRole('group').filter({ hasText: 'execute_sql' }).locator('summary').first().click();
    await page.waitForTimeout(800); // the chart's entry animation
    await page.getByText('the chart compares all four regions').waitFor();
    await page.screenshot({ path: path.join(OUT, 'ask.png'), fullPage: true });

    await page.goto(`/sql?database=sales&sql=${encodeURIComponent(SQL)}`);
    await page.getByRole('button', { name: 'Run' }).click();
    await page.getByRole('region', { name: 'Result rows' }).waitFor();
    await page.getByRole('button', { name: 'Chart' }).click();
    await page.getByLabel('Chart type').selectOption('bar');
    await page.getByLabel('X', { exact: true }).selectOption('region');
    await page.getByRole('group', { name: 'Y' }).getByLabel('revenue').check();
    await page
      .getByRole('img', { name: /Chart preview/ })
      .locator('canvas')
      .waitFor();
    await page.waitForTimeout(800);
    await page.screenshot({ path: path.join(OUT, 'sql.png'), fullPage: true });
    console.log(`wrote ${path.join(OUT, 'ask.png')} and sql.png`);
  });
} finally {
  await browser.close();
  await model.close();
}
