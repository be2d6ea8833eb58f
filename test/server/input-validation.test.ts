import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../support/backends.js';
import { testApp, type TestApp } from '../support/app.js';

for (const backend of BACKENDS) {
  describe(`input validation (${backend})`, () => {
    let t: TestApp;
    let workspaceId: string;
    let projectId: string;
    let threadId: string;
    const send = async (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) => {
      const res = await t.app.inject({
        method,
        url,
        ...(payload === undefined
          ? {}
          : {
              payload: typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : JSON.stringify(payload),
              headers: { 'content-type': 'application/json' },
            }),
      });
      return { status: res.statusCode, body: res.body ? (res.json() as any) : undefined };
    };
    const fields = (res: { body: any }) => [
      ...new Set((res.body.error.details?.fields ?? []).map((f: { field: string }) => f.field)),
    ];

    beforeAll(async () => {
      t = await testApp(backend);
      workspaceId = (await send('POST', '/api/workspaces', { name: 'W', slug: 'w' })).body.id;
      projectId = (await send('POST', '/api/projects', { workspace_id: workspaceId, name: 'p' })).body.id;
      threadId = (await send('POST', '/api/threads', { project_id: projectId, title: 't' })).body.id;
    });
    afterAll(async () => {
      await t.close();
    });

    it('refuses a number where a body expects text, naming the field', async () => {
      const res = await send('POST', '/api/projects', { workspace_id: workspaceId, name: 123 });
      expect([res.status, fields(res)]).toEqual([400, ['name']]);
    });

    it('refuses a boolean where a body expects text', async () => {
      const res = await send('POST', '/api/projects', { workspace_id: workspaceId, name: true });
      expect([res.status, fields(res)]).toEqual([400, ['name']]);
    });

    it('refuses an array where a body expects text', async () => {
      const res = await send('POST', '/api/projects', { workspace_id: workspaceId, name: ['a'] });
      expect([res.status, fields(res)]).toEqual([400, ['name']]);
    });

    it('refuses the string "true" where a body expects a boolean', async () => {
      const res = await send('PATCH', `/api/threads/${threadId}`, { is_processing: 'true' });
      expect([res.status, fields(res)]).toEqual([400, ['is_processing']]);
    });

    it('refuses an integer of 2^63', async () => {
      const res = await send(
        'POST',
        '/api/messages',
        `{"thread_id":"${threadId}","role":"user","content":"x","input_tokens":9223372036854775808}`,
      );
      expect([res.status, fields(res)]).toEqual([400, ['input_tokens']]);
    });

    it('refuses an integer of 1e300', async () => {
      const res = await send('POST', '/api/messages', {
        thread_id: threadId,
        role: 'user',
        content: 'x',
        input_tokens: 1e300,
      });
      expect([res.status, fields(res)]).toEqual([400, ['input_tokens']]);
    });

    it('accepts the largest safe integer and returns it unchanged', async () => {
      const res = await send('POST', '/api/messages', {
        thread_id: threadId,
        role: 'user',
        content: 'x',
        input_tokens: Number.MAX_SAFE_INTEGER,
      });
      expect([res.status, res.body.input_tokens]).toEqual([201, Number.MAX_SAFE_INTEGER]);
    });

    it('refuses a NUL character in text', async () => {
      const res = await send('POST', '/api/projects', { workspace_id: workspaceId, name: 'a\u0000b' });
      expect([res.status, fields(res)]).toEqual([400, ['name']]);
    });

    it('refuses a NUL character in a nested key of a json column', async () => {
      const res = await send('POST', '/api/projects', {
        workspace_id: workspaceId,
        name: 'nul-key',
        settings: { outer: { 'in\u0000ner': 1 } },
      });
      expect([res.status, fields(res)]).toEqual([400, ['settings.outer.in\u0000ner']]);
    });

    it('refuses a lone surrogate inside a json column', async () => {
      const res = await send(
        'POST',
        '/api/projects',
        `{"workspace_id":"${workspaceId}","name":"s","settings":{"list":["ok","\\ud800"]}}`,
      );
      expect([res.status, fields(res)]).toEqual([400, ['settings.list.1']]);
    });

    it('keeps a well-formed surrogate pair (an emoji) in text', async () => {
      const res = await send('POST', '/api/projects', {
        workspace_id: workspaceId,
        name: 'emoji 😀',
        settings: { '😀': '😀' },
      });
      expect([res.status, res.body.name, res.body.settings]).toEqual([201, 'emoji 😀', { '😀': '😀' }]);
    });

    it('refuses json nested deeper than 64 levels, with a 400 rather than a stack overflow', async () => {
      const res = await send(
        'POST',
        '/api/projects',
        `{"workspace_id":"${workspaceId}","name":"deep","settings":${'['.repeat(5000)}${']'.repeat(5000)}}`,
      );
      expect([res.status, res.body.error.message]).toEqual([
        400,
        expect.stringMatching(/must not nest arrays and objects more than 64 levels deep$/),
      ]);
    });

    it('accepts input nested 64 levels deep, the body counted', async () => {
      const res = await send(
        'POST',
        '/api/projects',
        `{"workspace_id":"${workspaceId}","name":"deep-ok","settings":{"a":${'['.repeat(62)}${']'.repeat(62)}}}`,
      );
      expect(res.status).toBe(201);
    });

    it('refuses a YAML definition whose escapes make a lone surrogate', async () => {
      const res = await send('POST', '/api/workflows', {
        project_id: projectId,
        name: 'lone',
        definition: 'name: "\\ud800"\n',
      });
      expect([res.status, res.body.error.message]).toEqual([
        400,
        'definition: the YAML value at /name must not contain unpaired UTF-16 surrogates',
      ]);
    });

    it('refuses a YAML definition whose escapes make a NUL character', async () => {
      const res = await send('POST', '/api/workflows', {
        project_id: projectId,
        name: 'nul',
        definition: 'name: "a\\0b"\n',
      });
      expect([res.status, res.body.error.message]).toEqual([
        400,
        'definition: the YAML value at /name must not contain NUL characters (\\u0000)',
      ]);
    });

    it('refuses a body that is not valid UTF-8', async () => {
      const body = Buffer.concat([
        Buffer.from(`{"workspace_id":"${workspaceId}","name":"`),
        Buffer.from([0xff, 0xfe]),
        Buffer.from('"}'),
      ]);
      const res = await send('POST', '/api/projects', body);
      expect([res.status, res.body.error.message]).toEqual([
        400,
        'the request body is not valid UTF-8; send JSON encoded as UTF-8',
      ]);
    });

    it('refuses a NUL character in a query string', async () => {
      const res = await send('GET', '/api/users?role=own%00er');
      expect([res.status, fields(res)]).toEqual([400, ['role']]);
    });

    it('still converts query-string text to the schema types', async () => {
      const res = await send('GET', `/api/threads?limit=1&is_processing=false&project_id=${projectId}`);
      expect([res.status, res.body.items.length]).toEqual([200, 1]);
    });

    it('stores an upper-case parent UUID in lower case', async () => {
      const res = await send('POST', '/api/threads', { project_id: projectId.toUpperCase(), title: 'upper' });
      expect([res.status, res.body.project_id]).toEqual([201, projectId]);
    });

    it('finds a row by its upper-case id', async () => {
      const res = await send('GET', `/api/projects/${projectId.toUpperCase()}`);
      expect([res.status, res.body.id]).toEqual([200, projectId]);
    });

    it('filters a list by an upper-case UUID', async () => {
      const res = await send('GET', `/api/projects?workspace_id=${workspaceId.toUpperCase()}`);
      expect(res.body.items.map((p: { id: string }) => p.id)).toContain(projectId);
    });

    it('refuses a path that is not valid percent-encoded UTF-8 in the error envelope', async () => {
      const res = await send('GET', '/api/projects/%ED%A0%80');
      expect([res.status, res.body.error.code]).toEqual([400, 'bad_url']);
    });

    it('refuses a UUID with a urn:uuid: prefix', async () => {
      const res = await send('GET', `/api/projects/urn:uuid:${projectId}`);
      expect(res.status).toBe(400);
    });

    it('refuses a timestamp in year 0000', async () => {
      const res = await send('POST', '/api/auth/api-keys', { expires_at: '0000-01-01T00:00:00Z' });
      expect([res.status, fields(res)]).toEqual([400, ['expires_at']]);
    });

    it('refuses a leap second, which is no instant both backends store', async () => {
      const res = await send('POST', '/api/auth/api-keys', { expires_at: '2026-06-30T23:59:60Z' });
      expect([res.status, fields(res)]).toEqual([400, ['expires_at']]);
    });
  });
}
