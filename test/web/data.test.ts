import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqlite } from '../../src/db/sqlite-driver.js';
import { tempDir } from '../support/backends.js';
import { launchBrowser, withWebApp } from '../support/web-app.js';

/** A SQLite file with one table, as a user's own database. */
function shopFile(): string {
  const file = path.join(tempDir('oxy-web-data-'), 'shop.sqlite');
  const db = openSqlite(file);
  db.exec(
    "CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT NOT NULL); INSERT INTO customers VALUES (1, 'a@b.c');",
  );
  db.close();
  return file;
}

describe('the Data page', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser.close();
  });

  it('adds a SQLite database, tests it, syncs it and describes a column (kept after a reload)', async () => {
    const file = shopFile();
    await withWebApp(browser, { demo: true }, async ({ page, problems }) => {
      await page.goto('/data');
      await expect.poll(() => page.getByRole('heading', { level: 1, name: 'Data' }).isVisible()).toBe(true);
      await page.getByRole('button', { name: 'Add database' }).click();
      await page.getByLabel('Name').fill('shop');
      await page.getByLabel('Kind').selectOption('sqlite');
      await page.getByLabel('File path').fill(file);
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByRole('heading', { level: 2, name: /shop/ }).waitFor();

      await page.getByRole('button', { name: 'Test connection' }).click();
      await page.getByRole('status').filter({ hasText: 'Connected' }).waitFor();

      await page.getByRole('button', { name: 'Sync' }).click();
      await page.getByRole('status').filter({ hasText: 'Sync succeeded' }).waitFor({ timeout: 20_000 });
      expect(await page.getByRole('progressbar').getAttribute('value')).toBe(
        await page.getByRole('progressbar').getAttribute('max'),
      );
      await page.getByRole('button', { name: 'customers' }).click();
      await page.getByRole('table', { name: 'Columns of customers' }).waitFor();
      await page.getByRole('button', { name: 'Edit description of column email' }).click();
      await page.getByLabel('Description of column email').fill('where receipts go');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByText('where receipts go').waitFor();

      await page.reload();
      await page.getByRole('button', { name: /^shop/ }).click();
      await page.getByRole('button', { name: 'customers' }).click();
      await page.getByText('where receipts go').waitFor();
      expect(problems).toEqual([]);
    });
  });

  it("shows the server's reason when a connection fails, and refuses a form the server refuses", async () => {
    await withWebApp(browser, { demo: true }, async ({ page, problems }) => {
      await page.goto('/data');
      await page.getByRole('button', { name: 'Add database' }).click();
      await page.getByLabel('Name').fill('gone');
      await page.getByLabel('Kind').selectOption('sqlite');
      await page.getByLabel('File path').fill('relative.sqlite');
      await page.getByRole('button', { name: 'Save' }).click();
      await expect.poll(() => page.getByRole('alert').textContent()).toContain('config.path must be an absolute path');

      await page.getByLabel('File path').fill('/nonexistent/dir/gone.sqlite');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByRole('heading', { level: 2, name: /gone/ }).waitFor();
      await page.getByRole('button', { name: 'Test connection' }).click();
      const alert = page.getByRole('alert').filter({ hasText: 'Connection failed' });
      await alert.waitFor();
      expect(await alert.textContent()).toMatch(/Connection failed: \S/);
      expect(problems).toEqual([]);
    });
  });

  it('disables the write buttons on a read-only server', async () => {
    await withWebApp(browser, { demo: true, readonly: true }, async ({ page, problems }) => {
      await page.goto('/data');
      await page.getByRole('button', { name: 'Test connection' }).waitFor();
      expect(await page.getByRole('button', { name: 'Add database' }).isDisabled()).toBe(true);
      expect(await page.getByRole('button', { name: 'Edit', exact: true }).isDisabled()).toBe(true);
      expect(await page.getByRole('button', { name: 'Sync' }).isDisabled()).toBe(true);
      expect(problems).toEqual([]);
    });
  });

  it("lets a workspace editor sync and describe, not add or change databases (the workspace admins' part)", async () => {
    await withWebApp(browser, { auth: 'password' }, async ({ page, problems, server }) => {
      const { auth, repo, workspaces } = server.services;
      const owner = await auth.createUser({
        email: 'own@example.com',
        password: 'correct horse battery',
        role: 'owner',
      });
      const workspace = await workspaces.create({ name: 'Shop', slug: 'shop' }, String(owner.id));
      const project = await repo.insert('projects', { workspace_id: workspace.id, name: 'shop' });
      await repo.insert('databases', {
        project_id: project.id,
        name: 'shop',
        kind: 'sqlite',
        config: { path: shopFile() },
      });
      const user = await auth.createUser({
        email: 'ed@example.com',
        password: 'correct horse battery',
        role: 'member',
      });
      await repo.insert('workspace_members', { workspace_id: workspace.id, user_id: String(user.id), role: 'editor' });
      await page.goto('/data');
      await page.getByLabel('Email').fill('ed@example.com');
      await page.getByLabel('Password').fill('correct horse battery');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { level: 1, name: 'Data' }).waitFor();
      await page.getByText('Workspace admins add and change databases').waitFor();
      expect(await page.getByRole('button', { name: 'Add database' }).isDisabled()).toBe(true);
      expect(await page.getByRole('button', { name: 'Edit', exact: true }).isDisabled()).toBe(true);
      expect(await page.getByRole('button', { name: 'Test connection' }).isDisabled()).toBe(true);
      expect(await page.getByRole('button', { name: 'Sync' }).isDisabled()).toBe(false);
      expect(problems).toEqual([]);
    });
  });
});
