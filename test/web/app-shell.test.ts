import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../support/app.js';
import { tempDir } from '../support/backends.js';
import { launchBrowser, withWebApp } from '../support/web-app.js';

describe('the web app is served by the API server', () => {
  let t: TestApp;
  let root: string;
  beforeAll(async () => {
    root = tempDir('oxy-web-root-');
    fs.mkdirSync(path.join(root, 'assets'));
    fs.writeFileSync(
      path.join(root, 'index.html'),
      '<!doctype html><title>oxy</title><script type="module" src="/assets/index-abc123.js"></script>',
    );
    fs.writeFileSync(path.join(root, 'assets', 'index-abc123.js'), `console.log(${JSON.stringify('x'.repeat(4000))});`);
    fs.writeFileSync(path.join(root, 'robots.txt'), 'User-agent: *\n');
    t = await testApp('sqlite', { webRoot: root });
  });
  afterAll(async () => {
    await t.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('answers / and any page path with index.html, never cached', async () => {
    for (const url of ['/', '/threads/123', '/sql?x=1', '/workflows/abc/runs']) {
      const res = await t.app.inject({ url, headers: { accept: 'text/html' } });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.body).toContain('<title>oxy</title>');
    }
  });

  it('serves hashed assets for a year, compressed, with the security headers', async () => {
    const res = await t.app.inject({ url: '/assets/index-abc123.js', headers: { 'accept-encoding': 'gzip' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(Number(res.headers['content-length'] ?? res.rawPayload.length)).toBeLessThan(1000);
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    const plain = await t.app.inject({ url: '/robots.txt' });
    expect(plain.headers['cache-control']).toBe('no-cache');
  });

  it('keeps 404s for unknown API paths, missing files and paths outside the folder', async () => {
    for (const url of ['/api/nope', '/api', '/assets/missing-123.js', '/../package.json', '/%2e%2e/package.json']) {
      const res = await t.app.inject({ url, headers: { accept: 'text/html' } });
      expect(res.statusCode, url).toBe(404);
      expect(res.json().error.code, url).toBe('not_found');
    }
  });

  it('does not compress the API (server-sent events must not wait in a compressor)', async () => {
    const res = await t.app.inject({ url: '/api/openapi.json', headers: { 'accept-encoding': 'gzip' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-encoding']).toBeUndefined();
  });

  it('says how to build the app when dist/web is missing', async () => {
    const bare = await testApp('sqlite', { webRoot: path.join(root, 'not-there') });
    try {
      const res = await bare.app.inject({ url: '/', headers: { accept: 'text/html' } });
      expect(res.statusCode).toBe(404);
      expect(res.json().error.message).toMatch(/npm run build/);
    } finally {
      await bare.close();
    }
  });

  it('GET /api/about tells the page how to sign in and whether writes are refused', async () => {
    const res = await t.app.inject({ url: '/api/about' });
    expect(res.json()).toMatchObject({ auth: 'none', readonly: false });
  });
});

describe('the built web app in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('first visit: the frame, the demo project picked, no console error (CSP included)', async () => {
    await withWebApp(browser, { demo: true }, async ({ page, problems, server }) => {
      await page.goto('/');
      const nav = page.getByRole('navigation', { name: 'Main' });
      await nav.getByRole('link', { name: 'SQL' }).waitFor();
      const picker = page.getByRole('combobox', { name: 'Project' });
      await expect.poll(() => picker.inputValue()).toBe(server.demo!.project.id);
      await nav.getByRole('link', { name: 'Workflows' }).click();
      await page.waitForURL('**/workflows');
      await page.reload();
      await expect.poll(() => nav.getByRole('link', { name: 'Workflows' }).getAttribute('aria-current')).toBe('page');
      expect(problems).toEqual([]);
    });
  });

  it('narrow screen, no project yet: how to make the demo is shown, and the navigation folds behind a menu button', async () => {
    await withWebApp(browser, { viewport: { width: 390, height: 800 } }, async ({ page }) => {
      await page.goto('/');
      // No project yet: the page says how to make one.
      await page.getByRole('note').filter({ hasText: 'oxy init --demo' }).waitFor();
      const nav = page.getByRole('navigation', { name: 'Main' });
      await page.getByRole('button', { name: 'Menu' }).waitFor();
      expect(await nav.isVisible()).toBe(false);
      await page.getByRole('button', { name: 'Menu' }).click();
      expect(await nav.isVisible()).toBe(true);
    });
  });

  it('password mode: sign in, see the app, sign out, back to the form', async () => {
    await withWebApp(browser, { auth: 'password' }, async ({ page, problems, server }) => {
      await server.services.auth.createUser({
        email: 'ada@example.com',
        password: 'correct horse battery',
        role: 'owner',
      });
      await page.goto('/sql');
      await page.getByRole('heading', { name: 'Sign in to oxy' }).waitFor();
      await page.getByLabel('Email').fill('ada@example.com');
      await page.getByLabel('Password').fill('wrong password here');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('alert').waitFor();
      expect(await page.getByRole('alert').textContent()).toMatch(/password/i);
      await page.getByLabel('Password').fill('correct horse battery');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText('ada@example.com').waitFor();
      expect(page.url()).toMatch(/\/sql$/);
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'Sign in to oxy' }).waitFor();
      expect(problems).toEqual([]);
    });
  });

  it('read-only: a banner says so', async () => {
    await withWebApp(browser, { readonly: true, demo: true }, async ({ page }) => {
      await page.goto('/');
      await page.getByRole('status').filter({ hasText: 'Read-only' }).waitFor();
    });
  });
});
