import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, withWebApp } from '../support/web-app.js';

/** Replaces the editor's text by typing (as a user does), so completion and keys are CodeMirror's own. */
async function typeSql(page: Page, sql: string): Promise<void> {
  const editor = page.getByRole('textbox', { name: 'SQL' });
  await editor.click();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(sql);
}

async function openEditor(page: Page): Promise<void> {
  await page.goto('/sql');
  await page.getByRole('heading', { name: 'SQL editor', level: 1 }).waitFor();
  // The database picker fills from the project's databases; the editor is CodeMirror once loaded.
  await expect
    .poll(() => page.getByRole('combobox', { name: 'Database' }).locator('option').count())
    .toBeGreaterThan(0);
  await page.locator('.cm-content').waitFor();
}

describe('SQL editor and Queries & charts in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('completion offers a demo table, Ctrl+Enter runs, rows show; bad SQL shows the server error', async () => {
    await withWebApp(browser, { demo: true }, async ({ page, problems }) => {
      await openEditor(page);
      const editor = page.getByRole('textbox', { name: 'SQL' });
      await editor.click();
      await page.keyboard.type('select * from stor');
      const option = page.getByRole('option', { name: /^stores/ }).first();
      await option.click();
      await expect.poll(() => editor.textContent()).toMatch(/from stores/);
      await page.keyboard.press('Control+Enter');
      const summary = page.getByRole('status').filter({ hasText: /rows? .*in \d+ ms/ });
      await summary.waitFor();
      const grid = page.getByRole('region', { name: 'Result rows' });
      await grid.getByRole('columnheader', { name: 'region' }).waitFor();
      expect(await grid.locator('tbody tr:not([aria-hidden])').count()).toBeGreaterThan(0);

      await typeSql(page, 'select no_such_column from stores');
      await page.getByRole('button', { name: 'Run' }).click();
      const alert = page.getByRole('alert');
      await alert.waitFor();
      expect(await alert.textContent()).toMatch(/no_such_column/);
      expect(problems).toEqual([]);
    });
  });

  it('10,000 rows: only a window of rows is in the page, and it scrolls to the last one', async () => {
    await withWebApp(browser, { demo: true }, async ({ page, problems }) => {
      await openEditor(page);
      await typeSql(page, 'select range as n from range(10000)');
      await page.keyboard.press('Control+Enter');
      await page.getByRole('status').filter({ hasText: '10,000 rows' }).waitFor();
      const grid = page.getByRole('region', { name: 'Result rows' });
      const rows = grid.locator('tbody tr:not([aria-hidden])');
      await rows.first().waitFor();
      expect(await rows.count()).toBeLessThan(100);
      await grid.evaluate((el) => el.scrollTo(0, el.scrollHeight));
      await grid.getByRole('cell', { name: '9999', exact: true }).waitFor();
      expect(await rows.count()).toBeLessThan(100);
      expect(problems).toEqual([]);
    });
  });

  it('save as query → in the library, open it, rename, delete with confirm', async () => {
    await withWebApp(browser, { demo: true }, async ({ page, problems }) => {
      await openEditor(page);
      await typeSql(page, 'select region, count(*) as n from stores group by region order by region');
      await page.getByLabel('Query name').fill('stores_per_region');
      await page.getByRole('button', { name: 'Save as query' }).click();
      await page.getByRole('link', { name: 'stores_per_region' }).click();
      await page.getByRole('heading', { name: 'Queries & charts', level: 1 }).waitFor();
      const item = page.getByRole('listitem', { name: 'stores_per_region' });
      await item.waitFor();

      await item.getByRole('link', { name: 'stores_per_region' }).click();
      await page.waitForURL(/\/sql\?query=/);
      await expect
        .poll(() => page.getByRole('textbox', { name: 'SQL' }).textContent())
        .toMatch(/count\(\*\) as n from stores/);

      await page.goto('/library');
      await item.getByRole('button', { name: 'Rename' }).click();
      await item.getByLabel('New name for stores_per_region').fill('regions');
      await item.getByRole('button', { name: 'Save name' }).click();
      const renamed = page.getByRole('listitem', { name: 'regions', exact: true });
      await renamed.waitFor();
      await renamed.getByRole('button', { name: 'Delete' }).click();
      await renamed.getByRole('button', { name: 'Confirm delete' }).click();
      await renamed.waitFor({ state: 'detached' });
      expect(problems).toEqual([]);
    });
  });

  it('bar chart: preview drawn in the browser, saved, drawn in the library', async () => {
    await withWebApp(browser, { demo: true }, async ({ page, problems }) => {
      await openEditor(page);
      await typeSql(page, 'select region, count(*) as stores from stores group by region order by region');
      await page.keyboard.press('Control+Enter');
      await page.getByRole('region', { name: 'Result rows' }).waitFor();
      await page.getByRole('button', { name: 'Chart' }).click();
      await page.getByLabel('Chart type').selectOption('bar');
      await page.getByLabel('X', { exact: true }).selectOption('region');
      const y = page.getByRole('group', { name: 'Y' });
      await y.getByLabel('stores').check();
      // Text is no y value: the server's own option builder says so, in the browser.
      await y.getByLabel('region').check();
      await page.getByRole('alert').filter({ hasText: 'not a number' }).waitFor();
      await y.getByLabel('region').uncheck();
      const preview = page.getByRole('img', { name: /Chart preview/ });
      await preview.locator('canvas').waitFor();
      await page.getByLabel('Chart title').fill('Stores per region');
      await page.getByRole('button', { name: 'Save chart' }).click();
      await page.getByRole('link', { name: 'Stores per region' }).click();
      const item = page.getByRole('listitem', { name: 'Stores per region' });
      await item.getByRole('img', { name: 'Chart: Stores per region' }).locator('canvas').waitFor();
      expect(problems).toEqual([]);
    });
  });

  it('/sql?database=<name>&sql=<text> prefills the editor (the Ask page links so)', async () => {
    await withWebApp(browser, { demo: true }, async ({ page, problems }) => {
      const sql = 'select count(*) as n from orders';
      await page.goto(`/sql?database=sales&sql=${encodeURIComponent(sql)}`);
      await page.locator('.cm-content').waitFor();
      await expect.poll(() => page.getByRole('textbox', { name: 'SQL' }).textContent()).toBe(sql);
      const db = page.getByRole('combobox', { name: 'Database' });
      await expect.poll(() => db.locator('option:checked').textContent()).toMatch(/^sales/);
      await page.getByRole('button', { name: 'Run' }).click();
      await page.getByRole('status').filter({ hasText: '1 row ' }).waitFor();
      expect(problems).toEqual([]);
    });
  });
});
