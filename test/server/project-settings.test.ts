import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../support/backends.js';
import { testApp, type TestApp } from '../support/app.js';

/** A project's settings.models are checked when written (the Settings page edits them), on both backends. */
for (const backend of BACKENDS) {
  describe(`project settings.models (${backend})`, () => {
    let t: TestApp;
    let project: string;
    beforeAll(async () => {
      t = await testApp(backend);
      const ws = await t.app.inject({ method: 'POST', url: '/api/workspaces', payload: { name: 'W', slug: 'w' } });
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/projects',
        payload: { workspace_id: ws.json().id, name: 'P' },
      });
      project = res.json().id;
    });
    afterAll(async () => {
      await t?.close();
    });

    it('keeps good models and other settings keys', async () => {
      const settings = {
        defaults: { database: 'shop' },
        models: [{ name: 'fast', vendor: 'openai', model_ref: 'gpt-4o-mini', key_secret: 'OPENAI' }],
      };
      const res = await t.app.inject({ method: 'PATCH', url: `/api/projects/${project}`, payload: { settings } });
      expect(res.statusCode).toBe(200);
      expect(res.json().settings).toEqual(settings);
    });

    it('refuses a bad model in one line naming the field', async () => {
      const settings = { models: [{ name: 'x', vendor: 'openai_compat', model_ref: 'm', key_var: 'K' }] };
      const res = await t.app.inject({ method: 'PATCH', url: `/api/projects/${project}`, payload: { settings } });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.message).toMatch(/^settings\.models\[0\]\.api_url /);
    });
  });
}
