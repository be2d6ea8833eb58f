import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startServer, type RunningServer } from '../../src/server/run-server.js';
import { createDemo, type DemoOutcome } from '../../src/services/demo/create-demo.js';
import type { AppServices } from '../../src/services/app-services.js';
import { freshDatabase, tempDir, type Backend } from './backends.js';
import type { RecordedRequest, ScriptedModelServer } from './scripted-model-server.js';

/**
 * Debian's chromium (installed by .ci/run), or OXY_TEST_CHROMIUM. The flags keep it off the
 * network it cannot reach here (background updates, sync, QUIC) and run it as root without a sandbox.
 */
export const CHROMIUM = process.env.OXY_TEST_CHROMIUM ?? '/usr/bin/chromium';

/** Where a failing browser test leaves its screenshot (and the page's HTML). */
export const FAILURE_DIR = path.resolve('.tmp', 'e2e-failures');

export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM))
    throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (or set OXY_TEST_CHROMIUM)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

export interface WebServer {
  /** The app's origin, e.g. http://127.0.0.1:41234 */
  url: string;
  services: AppServices;
  running: RunningServer;
  stateDir: string;
  /** The demo project, when made (`demo: true`). */
  demo: DemoOutcome | undefined;
  close(): Promise<void>;
}

/**
 * `oxy serve` as the CLI starts it (startServer: migrations, the built web app from dist/web, a
 * job worker) on a fresh database and state folder, listening on a free port of 127.0.0.1.
 * `demo: true` makes the demo project first, as `oxy init --demo` does.
 */
export interface WebServerOptions {
  backend?: Backend;
  auth?: 'none' | 'password';
  readonly?: boolean;
  demo?: boolean;
}

export async function startWebServer(options: WebServerOptions = {}): Promise<WebServer> {
  const db = await freshDatabase(options.backend ?? 'sqlite');
  const stateDir = tempDir('oxy-web-state-');
  const config = loadConfig({
    OXY_STATE_DIR: stateDir,
    OXY_DATABASE_URL: db.url,
    OXY_AUTH: options.auth ?? 'none',
    OXY_LOG_LEVEL: 'warn',
  });
  const quiet = { log: () => undefined, logStream: fs.createWriteStream('/dev/null') };
  let demo: DemoOutcome | undefined;
  if (options.demo || options.readonly) {
    // Made by a read-write start, as a user would before serving read-only.
    const setup = await startServer(
      config,
      { port: 0, host: '127.0.0.1', readonly: false, http2Only: false, worker: false },
      quiet,
    );
    if (options.demo)
      demo = await createDemo(setup.app.services, { dir: path.join(stateDir, 'oxy-demo'), force: false });
    await setup.close();
  }
  const running = await startServer(
    config,
    { port: 0, host: '127.0.0.1', readonly: Boolean(options.readonly), http2Only: false },
    quiet,
  );
  const { port } = running.app.server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    services: running.app.services,
    running,
    stateDir,
    demo,
    async close() {
      await running.close();
      await db.cleanup();
      fs.rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

export interface CheckedPage {
  page: Page;
  context: BrowserContext;
  /** Console errors and uncaught exceptions seen so far (a CSP refusal is one). */
  problems: string[];
}

/** A screenshot, the page's HTML and its console problems in .tmp/e2e-failures, named after the test. */
async function saveFailure({ page, problems }: CheckedPage): Promise<void> {
  fs.mkdirSync(FAILURE_DIR, { recursive: true });
  const name = (expect.getState().currentTestName ?? 'failure').replace(/[^a-z0-9]+/gi, '-').slice(0, 100);
  await page.screenshot({ path: path.join(FAILURE_DIR, `${name}.png`), fullPage: true }).catch(() => undefined);
  fs.writeFileSync(path.join(FAILURE_DIR, `${name}.html`), await page.content().catch(() => ''));
  if (problems.length) fs.writeFileSync(path.join(FAILURE_DIR, `${name}.console.txt`), problems.join('\n'));
}

/**
 * A new browser context and page on `baseURL` that records console errors and page errors.
 */
export async function openPage(
  browser: Browser,
  baseURL: string,
  viewport = { width: 1280, height: 860 },
): Promise<CheckedPage> {
  const context = await browser.newContext({ baseURL, viewport });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    // A refusal the page expects and handles (401 before signing in, a 4xx shown as a message) is
    // logged by Chromium too; anything else is a problem (a 5xx, a CSP refusal, an exception).
    if (message.type() === 'error' && !/status of 4\d\d/.test(message.text()))
      problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  return { page, context, problems };
}

/**
 * A server (startWebServer) and a checked page on it for the length of `fn`; then the browser
 * context closes before the server does (an open keep-alive connection would hold the close).
 *
 * @example
 * await withWebApp(browser, { demo: true }, async ({ page, server }) => { await page.goto('/'); });
 */
export async function withWebApp(
  browser: Browser,
  options: WebServerOptions & { viewport?: { width: number; height: number } },
  fn: (session: CheckedPage & { server: WebServer }) => Promise<void>,
): Promise<void> {
  const server = await startWebServer(options);
  try {
    const checked = await openPage(browser, server.url, options.viewport);
    try {
      await fn({ ...checked, server });
    } catch (error) {
      // While the page is still open: afterwards there is nothing left to look at.
      await saveFailure(checked);
      throw error;
    } finally {
      await checked.context.close();
    }
  } finally {
    await server.close();
  }
}

/** The demo project's model `default` played by `model` (what a user adds under Settings → Models). */
export async function useScriptedModel(server: WebServer, model: ScriptedModelServer): Promise<void> {
  await server.services.repo.update('projects', server.demo!.project.id, {
    settings: {
      models: [{ name: 'default', vendor: 'openai_compat', model_ref: 'scripted', api_url: model.openaiUrl }],
    },
  });
}

/** How many tool results a model request carries: which step of a scripted turn it is. */
export const toolResults = (request: RecordedRequest): number =>
  (request.body.messages ?? []).filter((m) => m.role === 'tool').length;

/** The request a thread makes for its title after the first answer. */
export const isTitleRequest = (request: RecordedRequest): boolean =>
  JSON.stringify(request.body).includes('Give a title');
