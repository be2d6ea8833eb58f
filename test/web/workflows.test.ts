import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_WORKFLOW } from '../../src/services/demo/demo-content.js';
import { launchBrowser, withWebApp } from '../support/web-app.js';

/** Replaces the text of the page's YAML editor (CodeMirror, once loaded) as typing would. */
async function setYaml(page: Page, text: string): Promise<void> {
  await page.locator('.cm-editor').waitFor();
  const editor = page.locator('.cm-content[aria-label="Workflow YAML"]');
  await editor.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(text);
}

/** Makes a workflow in the demo project through the API, as the page's create form would. */
async function createWorkflow(page: Page, projectId: string, name: string, definition: string): Promise<string> {
  const res = await page.request.post('/api/workflows', { data: { project_id: projectId, name, definition } });
  expect(res.status(), await res.text()).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

const runStatus = (page: Page) => page.getByRole('status', { name: /^Run status: / }).getAttribute('aria-label');

describe('workflows in the web app', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('edits the demo workflow with the server checking it as typed, saves it, runs it with variables and shows its steps', async () => {
    await withWebApp(browser, { demo: true }, async ({ page, problems }) => {
      await page.goto('/workflows');
      await page.getByRole('heading', { name: 'Workflows', level: 1 }).waitFor();
      await page.getByRole('link', { name: 'store_report' }).click();
      await page.getByRole('heading', { name: 'store_report', level: 1 }).waitFor();
      await page.getByText('No problems.').waitFor();

      // A typo in a task field: the problem appears inline and in the list, with its line.
      const broken = DEMO_WORKFLOW.definition.replace('sql_query:', 'sql_qurey:');
      const line = broken.split('\n').findIndex((l) => l.includes('sql_qurey')) + 1;
      await setYaml(page, broken);
      const list = page.getByRole('list', { name: 'Problems' });
      await expect.poll(() => list.textContent()).toMatch(new RegExp(`Line ${line}, column \\d+.*sql_qurey`));
      await expect.poll(() => page.locator('.cm-lintRange-error').count()).toBeGreaterThan(0);

      // Fixed (and described differently): no problems, and it saves.
      await setYaml(page, DEMO_WORKFLOW.definition.replace('as a short report', 'as a report'));
      await page.getByText('No problems.').waitFor();
      expect(await page.locator('.cm-lintRange-error').count()).toBe(0);
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();

      // Run it for the South: the run page follows it to the end.
      const form = page.getByRole('form', { name: 'Run workflow' });
      await form.getByLabel('region').fill('South');
      await form.getByRole('button', { name: 'Run' }).click();
      await page.waitForURL('**/runs/*');
      await expect.poll(() => runStatus(page), { timeout: 20_000 }).toBe('Run status: succeeded');
      const steps = page.getByRole('list', { name: 'Steps' });
      await steps.getByRole('listitem', { name: 'Step stores: succeeded' }).waitFor();
      await steps.getByRole('listitem', { name: 'Step report: succeeded' }).waitFor();
      expect(await steps.getByRole('listitem', { name: 'Step stores: succeeded' }).textContent()).toMatch(
        /\d+(\.\d)? m?s/,
      );
      const table = page.getByRole('region', { name: 'Output of stores' });
      await table.waitFor();
      expect(await table.textContent()).toContain('revenue');
      expect(await page.getByLabel('Output of report').textContent()).toContain('in the South region');

      // The workflow's history lists the run.
      await page.getByRole('link', { name: /store_report/ }).click();
      await page.getByRole('link', { name: 'Run #1' }).waitFor();
      const saved = await (await page.request.get(page.url().replace(/.*\/workflows\//, '/api/workflows/'))).json();
      expect(saved.definition).toContain('as a report');
      expect(problems).toEqual([]);
    });
  });

  it('shows a failed step in the server words; fixed, Retry finishes the run', async () => {
    await withWebApp(browser, { demo: true }, async ({ page, problems, server }) => {
      await page.goto('/workflows');
      const definition = (sql: string) =>
        `name: failing\ntasks:\n  - name: counted\n    type: execute_sql\n    database: sales\n    sql_query: ${sql}\n  - name: said\n    type: formatter\n    template: "{{ counted | length }} rows"\n`;
      const id = await createWorkflow(
        page,
        server.demo!.project.id,
        'failing',
        definition('select * from no_such_table'),
      );
      await page.goto(`/workflows/${id}`);
      await page.getByRole('button', { name: 'Run' }).click();
      await page.waitForURL('**/runs/*');
      await expect.poll(() => runStatus(page), { timeout: 20_000 }).toBe('Run status: failed');
      const failed = page.getByRole('listitem', { name: 'Step counted: failed' });
      await failed.waitFor();
      expect(await failed.getByRole('alert').textContent()).toMatch(/no_such_table/);

      const fixed = await page.request.patch(`/api/workflows/${id}`, {
        data: { definition: definition('select * from stores') },
      });
      expect(fixed.status()).toBe(200);
      await page.getByRole('button', { name: 'Retry' }).click();
      await expect.poll(() => runStatus(page), { timeout: 20_000 }).toBe('Run status: succeeded');
      await page.getByRole('listitem', { name: 'Step counted: succeeded' }).waitFor();
      await page.getByRole('listitem', { name: 'Step said: succeeded' }).waitFor();
      expect(await page.getByRole('alert').count()).toBe(0);
      expect(problems).toEqual([]);
    });
  });

  it('cancels a slow run', async () => {
    await withWebApp(browser, { demo: true }, async ({ page, problems, server }) => {
      await page.goto('/workflows');
      const id = await createWorkflow(
        page,
        server.demo!.project.id,
        'slow',
        'name: slow\ntasks:\n  - name: long\n    type: execute_sql\n    database: sales\n    sql_query: select sum(a.range * b.range) from range(200000) a, range(200000) b\n',
      );
      await page.goto(`/workflows/${id}`);
      await page.getByRole('button', { name: 'Run' }).click();
      await page.waitForURL('**/runs/*');
      await page.getByRole('listitem', { name: 'Step long: running' }).waitFor({ timeout: 20_000 });
      await page.getByRole('button', { name: 'Cancel' }).click();
      await expect.poll(() => runStatus(page), { timeout: 20_000 }).toBe('Run status: cancelled');
      expect(await page.getByRole('button', { name: 'Cancel' }).count()).toBe(0);
      await page.getByRole('button', { name: 'Retry' }).waitFor();
      expect(problems).toEqual([]);
    });
  });
});
