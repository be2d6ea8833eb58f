import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, withWebApp } from '../support/web-app.js';

describe('the Settings page', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser.close();
  });

  it('writes a secret, lists it by name and never shows its value', async () => {
    await withWebApp(browser, { demo: true }, async ({ page, problems, server }) => {
      await page.goto('/settings');
      await page.getByRole('tab', { name: 'Secrets' }).waitFor();
      await page.getByLabel('Secret name').fill('WAREHOUSE_PASSWORD');
      await page.getByLabel('Secret value').fill('hunter2-very-secret');
      await page.getByRole('button', { name: 'Save secret' }).click();
      await page.getByRole('status').filter({ hasText: 'Saved secret WAREHOUSE_PASSWORD' }).waitFor();
      const table = page.getByRole('table', { name: 'Secrets of this workspace' });
      await table.getByRole('rowheader', { name: 'WAREHOUSE_PASSWORD' }).waitFor();
      expect(await page.content()).not.toContain('hunter2-very-secret');
      expect(await page.getByLabel('Secret value').inputValue()).toBe('');

      await page.getByRole('button', { name: 'Replace WAREHOUSE_PASSWORD' }).click();
      await page.getByLabel('Secret value').fill('correct-horse');
      await page.getByRole('button', { name: 'Replace secret' }).click();
      await page.getByRole('status').filter({ hasText: 'Replaced secret WAREHOUSE_PASSWORD' }).waitFor();
      const row = await server.services.repo.findBy('secrets', { name: 'WAREHOUSE_PASSWORD' });
      expect(await server.services.secrets.reveal(String(row!.id))).toBe('correct-horse');

      // A name the workspace already has: the server's words.
      await page.getByLabel('Secret name').fill('WAREHOUSE_PASSWORD');
      await page.getByLabel('Secret value').fill('again');
      await page.getByRole('button', { name: 'Save secret' }).click();
      await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/already exists/);

      page.once('dialog', (dialog) => void dialog.accept());
      await page.getByRole('button', { name: 'Delete WAREHOUSE_PASSWORD' }).click();
      await table.getByRole('rowheader', { name: 'WAREHOUSE_PASSWORD' }).waitFor({ state: 'detached' });
      expect(problems).toEqual([]);
    });
  });

  it('adds a model to the project, keeping the other settings, and shows a refused one in the server’s words', async () => {
    await withWebApp(browser, { demo: true }, async ({ page, problems, server }) => {
      const before = (await server.services.repo.get('projects', server.demo!.project.id)).settings as Record<
        string,
        unknown
      >;
      await page.goto('/settings#models');
      await page.getByRole('button', { name: 'Add model' }).click();
      await page.getByLabel('Vendor').selectOption('openai_compat');
      await page.getByLabel(/^Name/).fill('local');
      await page.getByLabel('Model id at the provider').fill('llama3');
      await page.getByRole('button', { name: 'Save model' }).click();
      await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/settings\.models\[\d+\]\.api_url/);

      await page.getByLabel('API base URL').fill('http://127.0.0.1:9/v1');
      await page.getByLabel('Key environment variable').fill('LOCAL_KEY');
      await page.getByRole('button', { name: 'Save model' }).click();
      await page.getByRole('table', { name: 'Models' }).getByRole('rowheader', { name: 'local' }).waitFor();

      await page.reload();
      await page.getByRole('table', { name: 'Models' }).getByRole('rowheader', { name: 'local' }).waitFor();
      const after = (await server.services.repo.get('projects', server.demo!.project.id)).settings as Record<
        string,
        unknown
      >;
      const models = after.models as { name: string }[];
      expect(models.at(-1)).toEqual({
        name: 'local',
        vendor: 'openai_compat',
        model_ref: 'llama3',
        api_url: 'http://127.0.0.1:9/v1',
        key_var: 'LOCAL_KEY',
      });
      for (const key of Object.keys(before).filter((k) => k !== 'models')) expect(after[key]).toEqual(before[key]);
      expect(problems).toEqual([]);
    });
  });

  it('creates an API key shown once, revokes it, and invites a user', async () => {
    await withWebApp(browser, { demo: true }, async ({ page, problems }) => {
      await page.goto('/settings#api-keys');
      await page.getByRole('button', { name: 'Create API key' }).click();
      const key = await page.getByLabel('API key', { exact: true }).inputValue();
      expect(key.length).toBeGreaterThan(20);
      const table = page.getByRole('table', { name: 'Your API keys' });
      await table.getByRole('button', { name: /^Revoke/ }).click();
      await table.getByText('revoked').waitFor();

      await page.getByRole('tab', { name: 'Users' }).click();
      await page.getByLabel('Email').fill('ada@example.com');
      await page.getByLabel('Full name').fill('Ada');
      await page.getByRole('button', { name: 'Invite' }).click();
      await page.getByRole('rowheader', { name: 'Ada' }).waitFor();
      expect((await page.getByLabel('Invitation token').inputValue()).length).toBeGreaterThan(10);
      await page.getByRole('button', { name: 'Disable ada@example.com' }).click();
      await page.getByRole('button', { name: 'Enable ada@example.com' }).waitFor();
      expect(problems).toEqual([]);
    });
  });

  it('shows the instance status: backend, schema version and the queue', async () => {
    await withWebApp(browser, { demo: true }, async ({ page, problems, server }) => {
      await server.services.jobs.enqueue({ kind: 'web.test' });
      await page.goto('/settings');
      await page.getByRole('tab', { name: 'Status' }).focus();
      await page.getByRole('tab', { name: 'Secrets' }).focus();
      await page.keyboard.press('End');
      await page.getByRole('heading', { level: 2, name: 'Status' }).waitFor();
      const fact = (name: string) => page.locator('dt', { hasText: name }).locator('xpath=following-sibling::dd[1]');
      await expect.poll(() => fact('Backend').textContent()).toBe('sqlite');
      expect(await fact('Schema version').textContent()).toMatch(/^(\d+) of \1$/);
      expect(await fact('Pending migrations').textContent()).toBe('0');
      expect(Number(await fact('Jobs queued').textContent())).toBeGreaterThanOrEqual(1);
      const row = page.getByRole('table', { name: 'Jobs by kind' }).getByRole('row', { name: /web\.test/ });
      expect(await row.getByRole('cell').allTextContents()).toEqual(['1', '0', '0', '0', '0']);
      expect(problems).toEqual([]);
    });
  });

  it('disables the write buttons on a read-only server', async () => {
    await withWebApp(browser, { demo: true, readonly: true }, async ({ page, problems }) => {
      await page.goto('/settings');
      await page.getByRole('button', { name: 'Save secret' }).waitFor();
      expect(await page.getByRole('button', { name: 'Save secret' }).isDisabled()).toBe(true);
      await page.getByRole('tab', { name: 'Models' }).click();
      expect(await page.getByRole('button', { name: 'Add model' }).isDisabled()).toBe(true);
      await page.getByRole('tab', { name: 'API keys' }).click();
      expect(await page.getByRole('button', { name: 'Create API key' }).isDisabled()).toBe(true);
      await page.getByRole('tab', { name: 'Users' }).click();
      expect(await page.getByRole('button', { name: 'Invite' }).isDisabled()).toBe(true);
      expect(problems).toEqual([]);
    });
  });
});
