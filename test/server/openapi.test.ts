import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeOperation } from '../../src/server/openapi.js';
import { BACKENDS, tempDir } from '../support/backends.js';
import { testApp, type TestApp } from '../support/app.js';

const REDOCLY = createRequire(import.meta.url).resolve('@redocly/cli/bin/cli.js');

/** Runs `redocly lint --extends recommended` on a document and returns its JSON report. */
function redoclyLint(
  file: string,
): Promise<{ code: number | null; report: { totals: { errors: number; warnings: number }; problems: unknown[] } }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [REDOCLY, 'lint', '--extends', 'recommended', '--format', 'json', file], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, report: JSON.parse(stdout) }));
  });
}

type Operation = {
  operationId?: string;
  summary?: string;
  security?: Record<string, string[]>[];
  responses: Record<string, unknown>;
};

for (const backend of BACKENDS) {
  describe(`OpenAPI document (${backend})`, () => {
    let t: TestApp;
    let doc: {
      paths: Record<string, Record<string, Operation>>;
      components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
      servers: unknown[];
    };
    const operations = () =>
      Object.entries(doc.paths).flatMap(([url, ops]) =>
        Object.entries(ops).map(([method, op]) => ({ route: `${method.toUpperCase()} ${url}`, op })),
      );

    beforeAll(async () => {
      t = await testApp(backend);
      doc = (await t.app.inject({ url: '/api/openapi.json' })).json();
    });
    afterAll(async () => {
      await t.close();
    });

    it('passes redocly lint with the recommended rules, without a warning', async () => {
      const file = path.join(tempDir('oxy-openapi-'), 'openapi.json');
      fs.writeFileSync(file, JSON.stringify(doc));
      const { code, report } = await redoclyLint(file);
      expect({ code, totals: report.totals, problems: report.problems }).toEqual({
        code: 0,
        totals: expect.objectContaining({ errors: 0, warnings: 0 }),
        problems: [],
      });
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
    });

    it('gives every operation a unique operationId and a summary', () => {
      const ids = operations().map(({ op }) => op.operationId);
      expect(operations().filter(({ op }) => !op.operationId || !op.summary)).toEqual([]);
      expect(new Set(ids).size).toBe(ids.length);
    });

    it('names its component schemas after what they are', () => {
      expect(Object.keys(doc.components.schemas)).toEqual(
        expect.arrayContaining(['Error', 'UsersRow', 'ProjectsRow', 'SecretsRow']),
      );
      expect(Object.keys(doc.components.schemas).filter((name) => /^def-\d+$/.test(name))).toEqual([]);
    });

    it('declares the session cookie and bearer API keys as security schemes', () => {
      expect(doc.components.securitySchemes).toMatchObject({
        session: { type: 'apiKey', in: 'cookie', name: 'oxy_session' },
        apiKey: { type: 'http', scheme: 'bearer' },
      });
    });

    it('asks for no credentials on public routes', () => {
      const open = operations()
        .filter(({ op }) => op.security?.length === 0)
        .map(({ route }) => route);
      expect(open.sort()).toEqual([
        'GET /api/about',
        'GET /api/health',
        'GET /api/live',
        'GET /api/ready',
        'POST /api/auth/invitations/accept',
        'POST /api/auth/login',
        'POST /api/auth/logout',
      ]);
    });

    it('documents 401 and 403 on every route that needs credentials', () => {
      const guarded = operations().filter(({ op }) => op.security?.length);
      expect(guarded.length).toBeGreaterThan(50);
      expect(
        guarded.filter(({ op }) => !op.responses['401'] || !op.responses['403']).map(({ route }) => route),
      ).toEqual([]);
    });

    it('names the server it is served from', () => {
      expect(doc.servers).toEqual([{ url: '/', description: expect.any(String) }]);
    });

    it('documents integers with the safe-integer bounds the API enforces', () => {
      const body = (
        doc.paths['/api/messages']!.post as unknown as {
          requestBody: { content: Record<string, { schema: { properties: Record<string, unknown> } }> };
        }
      ).requestBody;
      expect(body.content['application/json']!.schema.properties.input_tokens).toMatchObject({
        type: 'integer',
        minimum: Number.MIN_SAFE_INTEGER,
        maximum: Number.MAX_SAFE_INTEGER,
      });
    });
  });
}

describe('operation names derived from the route', () => {
  it.each([
    ['GET', '/api/projects', 'listProjects', 'List projects'],
    ['POST', '/api/run_steps', 'createRunStep', 'Create run step'],
    ['GET', '/api/queries/:id', 'getQuery', 'Get query'],
    ['GET', '/api/runs/:id/steps', 'listStepsOfRun', 'List steps of run'],
    ['DELETE', '/api/auth/api-keys/:id', 'deleteApiKey', 'Delete api key'],
    ['POST', '/api/auth/login', 'login', 'Login'],
    ['POST', '/api/workspaces/:id/transfer', 'transferWorkspace', 'Transfer workspace'],
    ['PATCH', '/api/workspaces/:id/members/:userId', 'updateMemberOfWorkspace', 'Update member of workspace'],
  ])('%s %s is %s', (method, url, operationId, summary) => {
    expect(describeOperation(method, url)).toEqual({ operationId, summary });
  });
});
