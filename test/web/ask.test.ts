import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScriptedModelServer } from '../support/scripted-model-server.js';
import { isTitleRequest, launchBrowser, toolResults, useScriptedModel, withWebApp } from '../support/web-app.js';

const SQL = 'select name, store_id from stores order by store_id';

describe('Ask and Threads pages', () => {
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

  it('asks the demo agent: streamed text, the SQL, its rows and chart, a follow-up, 409, following and stopping a turn, and the thread reopened from the list', async () => {
    await withWebApp(browser, { demo: true }, async ({ page, server, problems }) => {
      const demo = server.demo!;
      // The model a user adds under Settings → Models (settings.test.ts drives that form).
      await useScriptedModel(server, model);
      model.script(
        { when: { test: isTitleRequest }, text: ['Coffee stores'] },
        {
          when: { lastUserMessage: 'Which stores are there?' },
          text: ['Let me look.'],
          toolCalls: [{ name: 'execute_sql', arguments: { sql: SQL } }],
        },
        {
          when: { test: (r) => toolResults(r) === 1 },
          toolCalls: [
            {
              name: 'visualize',
              arguments: {
                title: 'Stores',
                database: demo.database.name,
                sql: SQL,
                type: 'bar',
                x: 'name',
                y: ['store_id'],
              },
            },
          ],
        },
        {
          when: { test: (r) => toolResults(r) === 2 },
          text: ['There are ', '7 stores; ', 'Pike Place is the first.'],
          chunkDelayMs: 700,
        },
      );

      await page.goto('/');
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Ask');
      await page.getByLabel('Agent').selectOption({ label: 'analyst' });
      await page.getByLabel('Question').fill('Which stores are there?');
      await page.getByRole('button', { name: 'Ask' }).click();

      // The answer shows as it streams, before the turn is done.
      await page.getByText('There are 7 stores;', { exact: true }).waitFor();
      expect(await page.getByRole('status').filter({ hasText: 'Answering' }).isVisible()).toBe(true);
      const answer = page.getByText('There are 7 stores; Pike Place is the first.');
      await answer.waitFor();
      expect(page.url()).toMatch(/\/threads\/[0-9a-f-]{36}$/);
      const threadUrl = page.url();
      await page.getByText('Let me look.').waitFor();
      // The SQL sits in a collapsible, closed until asked.
      const sqlText = page.getByText(SQL, { exact: true }).first();
      expect(await sqlText.isVisible()).toBe(false);
      await page.getByRole('group').filter({ hasText: 'execute_sql' }).locator('summary').click();
      await sqlText.waitFor();
      const editorLink = page.getByRole('link', { name: 'Open in SQL editor' }).first();
      const href = new URL(String(await editorLink.getAttribute('href')), server.url);
      expect(href.pathname).toBe('/sql');
      expect(href.searchParams.get('sql')).toBe(SQL);
      expect(href.searchParams.get('database')).toBe(demo.database.name);
      // The rows, and the chart drawn on a canvas.
      const table = page.getByRole('region', { name: 'Result of execute_sql' });
      await table.getByRole('cell', { name: 'Pike Place' }).waitFor();
      expect(await table.getByRole('row').count()).toBe(8);
      await page.getByRole('img', { name: 'Chart: Stores' }).locator('canvas').waitFor();
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Coffee stores');

      // A follow-up in the same thread: the model gets the earlier turn too.
      model.script({ when: { lastUserMessage: 'And the last one?' }, text: ['Peachtree is the last.'] });
      await page.getByLabel('Follow-up question').fill('And the last one?');
      await page.getByRole('button', { name: 'Ask' }).click();
      await page.getByText('Peachtree is the last.').waitFor();
      expect(page.url()).toBe(threadUrl);
      const followUp = model.requests.filter((r) => r.lastUserMessage === 'And the last one?').at(-1)!;
      expect(followUp.rawBody).toContain('Which stores are there?');
      expect(followUp.rawBody).toContain('Pike Place');

      // A turn started elsewhere: asking here is refused (409), shown in the server's words…
      model.script({ when: { lastUserMessage: 'slow?' }, fault: 'hang' });
      const threadId = threadUrl.split('/').at(-1)!;
      const elsewhere = fetch(`${server.url}/api/threads/${threadId}/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ content: 'slow?' }),
      }).then((res) => res.text());
      await expect.poll(async () => (await server.services.repo.get('threads', threadId)).is_processing).toBe(true);
      await page.getByLabel('Follow-up question').fill('Another?');
      await page.getByRole('button', { name: 'Ask' }).click();
      const refusal = page.getByRole('alert').filter({ hasText: 'still answering the previous question' });
      await refusal.waitFor();
      expect(await refusal.getAttribute('data-code')).toBe('thread_busy');

      // …reopened, the page follows the running turn and stops it, keeping what was said.
      await page.reload();
      await page.getByRole('status').filter({ hasText: 'Answering' }).waitFor();
      await page.getByText('You asked: slow?', { exact: true }).waitFor();
      await page.getByRole('button', { name: 'Stop' }).click();
      await page.getByText('Stopped: the answer ends here.').waitFor();
      await expect.poll(() => page.getByRole('button', { name: 'Stop' }).count()).toBe(0);
      await elsewhere;
      expect((await server.services.repo.get('threads', threadId)).is_processing).toBe(false);

      // Stop while this page asks (a hanging model).
      model.script({ when: { lastUserMessage: 'slower?' }, fault: 'hang' });
      await page.getByLabel('Follow-up question').fill('slower?');
      await page.getByRole('button', { name: 'Ask' }).click();
      await page.getByRole('button', { name: 'Stop' }).click();
      await expect.poll(() => page.getByText('Stopped: the answer ends here.').count()).toBe(2);
      await expect.poll(() => page.getByRole('button', { name: 'Stop' }).count()).toBe(0);

      // Another thread, then the first found again from the Threads list by its title.
      await server.services.repo.insert('threads', { project_id: demo.project.id, title: 'Unrelated question' });
      await page.getByRole('link', { name: 'Threads', exact: true }).click();
      await page.getByRole('heading', { level: 1, name: 'Threads' }).waitFor();
      const list = page.getByRole('list', { name: 'Threads' });
      await list.getByRole('link', { name: 'Unrelated question' }).waitFor();
      await page.getByLabel('Search threads by title').fill('coffee');
      await expect.poll(() => list.getByRole('link').allTextContents()).toEqual(['Coffee stores']);
      expect(await list.textContent()).toContain('analyst');
      await list.getByRole('link', { name: 'Coffee stores' }).click();
      expect(page.url()).toBe(threadUrl);
      await answer.waitFor();
      await page.getByText('Peachtree is the last.').waitFor();
      await page
        .getByRole('region', { name: 'Result of execute_sql' })
        .getByRole('cell', { name: 'Pike Place' })
        .waitFor();
      await page.getByRole('img', { name: 'Chart: Stores' }).locator('canvas').waitFor();
      expect(await page.getByText('Stopped: the answer ends here.').count()).toBe(2);
      expect(problems).toEqual([]);
    });
  });

  it('on a read-only server, 390 px wide: the question form fits and starts no thread', async () => {
    await withWebApp(
      browser,
      { demo: true, readonly: true, viewport: { width: 390, height: 800 } },
      async ({ page, problems }) => {
        await page.goto('/');
        await page.getByLabel('Agent').selectOption({ label: 'analyst' });
        await page.getByLabel('Question').fill('Which stores are there?');
        await page.getByText('This server is read-only').waitFor();
        expect(await page.getByRole('button', { name: 'Ask' }).isDisabled()).toBe(true);
        expect(await page.locator('html').evaluate((html) => html.scrollWidth)).toBeLessThanOrEqual(390);
        expect(problems).toEqual([]);
      },
    );
  });
});
