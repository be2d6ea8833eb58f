import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ModelClient } from '../../../../src/services/agents/models/model-client.js';
import type { ModelConfig } from '../../../../src/services/agents/models/model-config.js';
import type { ModelEvent } from '../../../../src/services/agents/models/model-turn.js';
import { workspaceKeySource } from '../../../../src/services/agents/models/workspace-keys.js';
import { testApp, type TestApp } from '../../../support/app.js';
import { BACKENDS } from '../../../support/backends.js';
import { ScriptedModelServer } from '../../../support/scripted-model-server.js';

/** key_secret read from the workspace's secrets on the application database, both backends. */
for (const backend of BACKENDS) {
  describe(`model keys from workspace secrets (${backend})`, () => {
    let t: TestApp;
    let server: ScriptedModelServer;
    let workspace: string;
    let other: string;
    const key = `sk-ant-${randomUUID()}`;

    beforeAll(async () => {
      t = await testApp(backend);
      server = await ScriptedModelServer.start();
      const owner = String((await t.services.auth.ensureLocalOwner()).id);
      workspace = String((await t.services.workspaces.create({ name: 'W', slug: `w-${backend}` }, owner)).id);
      other = String((await t.services.workspaces.create({ name: 'O', slug: `o-${backend}` }, owner)).id);
      await t.services.secrets.create({ workspace_id: workspace, name: 'anthropic-key', value: key });
    });
    afterAll(async () => {
      await server?.close();
      await t?.close();
    });
    beforeEach(() => server.reset());

    const model: () => ModelConfig = () => ({
      name: 'claude',
      vendor: 'anthropic',
      model_ref: 'claude-test',
      api_url: server.anthropicUrl,
      key_secret: 'anthropic-key',
    });
    const turn = async (workspaceId: string) => {
      const keys = workspaceKeySource({}, t.services.repo, t.services.secrets, workspaceId);
      const events: ModelEvent[] = [];
      for await (const event of new ModelClient({ keys }).streamTurn({
        model: model(),
        messages: [{ role: 'user', text: 'hi' }],
      }))
        events.push(event);
      return events;
    };

    it("sends the workspace secret's value as the key, and nowhere else", async () => {
      server.script({ text: ['ok'] });
      const events = await turn(workspace);
      expect(events.at(-1)).toEqual({ type: 'finish', reason: 'stop' });
      expect(server.requests[0]!.headers['x-api-key']).toBe(key);
      expect(server.requests[0]!.rawBody).not.toContain(key);
    });

    it("does not find another workspace's secret", async () => {
      server.script({ text: ['not taken'] });
      const events = await turn(other);
      expect(events).toEqual([
        expect.objectContaining({
          type: 'error',
          code: 'model_key_missing',
          message: expect.stringContaining('anthropic-key'),
        }),
      ]);
      expect(server.requests).toHaveLength(0);
    });
  });
}
