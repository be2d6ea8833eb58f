import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../support/backends.js';
import { ScriptedModelServer } from '../support/scripted-model-server.js';
import { isTitleRequest, launchBrowser, toolResults, useScriptedModel, withWebApp } from '../support/web-app.js';

const SQL = 'select region, count(*) as stores from stores group by region order by stores desc, region';

/**
 * The whole path for a new user, one page after another, on both application databases:
 * first visit → the demo project → ask (a scripted model) → the table and chart → open the SQL →
 * run it in the editor → save it as a query → chart it → run a workflow and watch its steps.
 * (Signing in and out and the read-only banner: app-shell.test.ts.)
 */
describe('a new user’s first session in the browser', () => {
  let browser: Browser;
  let model: ScriptedModelServer;
  beforeAll(async () => {
    browser = await launchBrowser();
    model = await ScriptedModelServer.start();
  });
  afterAll(async () => {
    await browser?.close();
    await model?.close();
  });

  for (const backend of BACKENDS)
    it(`asks, opens the SQL, saves and charts it, runs a workflow (${backend})`, async () => {
      model.reset();
      await withWebApp(browser, { demo: true, backend }, async ({ page, server, problems }) => {
        const demo = server.demo!;
        // The model a user adds under Settings → Models (settings.test.ts drives that form).
        await useScriptedModel(server, model);
        model.script(
          { when: { test: isTitleRequest }, text: ['Stores per region'], repeat: true },
          {
            when: { lastUserMessage: 'How many stores per region?' },
            toolCalls: [{ name: 'execute_sql', arguments: { sql: SQL } }],
          },
          {
            when: { test: (r) => toolResults(r) === 1 },
            toolCalls: [
              {
                name: 'visualize',
                arguments: {
                  title: 'Stores per region',
                  database: demo.database.name,
                  sql: SQL,
                  type: 'bar',
                  x: 'region',
                  y: ['stores'],
                },
              },
            ],
          },
          { when: { test: (r) => toolResults(r) === 2 }, text: ['Each region has its stores counted above.'] },
        );

        // First visit: the demo project is the one in use.
        await page.goto('/');
        await expect.poll(() => page.getByRole('combobox', { name: 'Project' }).inputValue()).toBe(demo.project.id);

        // Ask: the answer with its table and chart.
        await page.getByLabel('Agent').selectOption({ label: 'analyst' });
        await page.getByLabel('Question').fill('How many stores per region?');
        await page.getByRole('button', { name: 'Ask' }).click();
        await page.getByText('Each region has its stores counted above.').waitFor();
        await page.getByRole('columnheader', { name: 'stores' }).first().waitFor();
        await page.locator('canvas').first().waitFor();

        // Open the SQL in the editor and run it there.
        await page.getByRole('group').filter({ hasText: 'execute_sql' }).locator('summary').first().click();
        await page.getByRole('link', { name: 'Open in SQL editor' }).first().click();
        await page.getByRole('heading', { name: 'SQL editor', level: 1 }).waitFor();
        await expect.poll(() => page.getByRole('textbox', { name: 'SQL' }).textContent()).toBe(SQL);
        await page.getByRole('button', { name: 'Run' }).click();
        const grid = page.getByRole('region', { name: 'Result rows' });
        await grid.getByRole('columnheader', { name: 'region' }).waitFor();

        // Save it as a query; it is in the library.
        await page.getByLabel('Query name').fill('stores_per_region');
        await page.getByRole('button', { name: 'Save as query' }).click();
        await page.getByRole('link', { name: 'stores_per_region' }).waitFor();

        // Chart it, save the chart; both are in the library, the chart drawn.
        await page.getByRole('button', { name: 'Chart' }).click();
        await page.getByLabel('Chart type').selectOption('bar');
        await page.getByLabel('X', { exact: true }).selectOption('region');
        await page.getByRole('group', { name: 'Y' }).getByLabel('stores').check();
        await page
          .getByRole('img', { name: /Chart preview/ })
          .locator('canvas')
          .waitFor();
        await page.getByLabel('Chart title').fill('Stores per region (editor)');
        await page.getByRole('button', { name: 'Save chart' }).click();
        await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Queries & charts' }).click();
        await page.getByRole('listitem', { name: 'stores_per_region' }).waitFor();
        await page
          .getByRole('listitem', { name: 'Stores per region (editor)' })
          .getByRole('img', { name: 'Chart: Stores per region (editor)' })
          .locator('canvas')
          .waitFor();

        // Run the demo's workflow and watch its steps finish.
        await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Workflows' }).click();
        await page.getByRole('link', { name: 'store_report' }).click();
        const form = page.getByRole('form', { name: 'Run workflow' });
        await form.getByRole('button', { name: 'Run' }).click();
        await page.waitForURL('**/runs/*');
        const steps = page.getByRole('list', { name: 'Steps' });
        await steps
          .getByRole('listitem', { name: /: succeeded$/ })
          .first()
          .waitFor({ timeout: 30_000 });
        await expect
          .poll(() => page.getByRole('status', { name: /^Run status: / }).getAttribute('aria-label'), {
            timeout: 30_000,
          })
          .toBe('Run status: succeeded');

        expect(problems).toEqual([]);
      });
    });
});
