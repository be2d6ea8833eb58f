import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, withWebApp } from '../support/web-app.js';

describe('Queries & charts in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('charts drawn from GET /api/charts/:id/data; edit title and spec (a bad spec refused in the server words); delete', async () => {
    await withWebApp(browser, { demo: true }, async ({ page, problems }) => {
      await page.goto('/library');
      await page.getByRole('heading', { name: 'Queries & charts', level: 1 }).waitFor();
      const charts = page.getByRole('list', { name: 'Charts' });
      await expect.poll(() => charts.getByRole('listitem').count()).toBe(2);
      const chart = charts.getByRole('listitem').first();
      const title = (await chart.getByRole('heading').textContent())!;
      await chart
        .getByRole('img', { name: `Chart: ${title}` })
        .locator('canvas')
        .waitFor();

      await chart.getByRole('button', { name: 'Edit' }).click();
      const spec = chart.getByLabel('Spec (JSON)');
      const good = await spec.inputValue();
      await spec.fill(good.replace(/"type": "\w+"/, '"type": "line", "stack": true'));
      await chart.getByRole('button', { name: 'Save chart' }).click();
      // Past the body schema, the chart rules of the server (checkChartSpec) answer in their own words.
      await chart.getByRole('alert').filter({ hasText: 'spec.stack applies to bar and area charts only' }).waitFor();

      await spec.fill(good.replace(/"type": "\w+"/, '"type": "area"'));
      await chart.getByLabel('Title').fill('Renamed chart');
      await chart.getByRole('button', { name: 'Save chart' }).click();
      const renamed = charts.getByRole('listitem', { name: 'Renamed chart' });
      await renamed.getByRole('img', { name: 'Chart: Renamed chart' }).locator('canvas').waitFor();

      await renamed.getByRole('button', { name: 'Delete' }).click();
      await renamed.getByRole('button', { name: 'Cancel' }).click();
      await renamed.getByRole('button', { name: 'Delete' }).click();
      await renamed.getByRole('button', { name: 'Confirm delete' }).click();
      await expect.poll(() => charts.getByRole('listitem').count()).toBe(1);
      expect(problems).toEqual([]);
    });
  });

  it('read-only: the write buttons are disabled; charts still draw and the SQL editor still runs', async () => {
    await withWebApp(browser, { demo: true, readonly: true }, async ({ page, problems }) => {
      await page.goto('/library');
      const query = page.getByRole('list', { name: 'Saved queries' }).getByRole('listitem').first();
      await query.waitFor();
      expect(await query.getByRole('button', { name: 'Delete' }).isDisabled()).toBe(true);
      expect(await query.getByRole('button', { name: 'Rename' }).isDisabled()).toBe(true);
      await page
        .getByRole('img', { name: /^Chart: / })
        .first()
        .locator('canvas')
        .waitFor();
      await query.getByRole('link').click();
      await page.waitForURL(/\/sql\?query=/);
      await page.getByRole('button', { name: 'Run' }).click();
      await page.getByRole('region', { name: 'Result rows' }).waitFor();
      await page.getByLabel('Query name').fill('copy');
      expect(await page.getByRole('button', { name: 'Save as query' }).isDisabled()).toBe(true);
      expect(problems).toEqual([]);
    });
  });
});
