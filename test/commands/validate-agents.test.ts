import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runOxy } from '../support/run-cli.js';
import { agentFolder, shopAgent } from '../services/agents/folder-fixture.js';

/** `oxy validate` checks agent files beside workflow files, each problem at its file:line:column. */
describe('oxy validate, agent files', () => {
  it('passes a good agent and names the line of each bad field', async () => {
    const { root } = agentFolder('http://127.0.0.1:9/v1', { good: shopAgent('gpt') });
    fs.writeFileSync(
      path.join(root, 'agents', 'bad.agent.yml'),
      [
        'model: nowhere',
        'system_instructions: "{{ databases.shop.dialect | shout }}"',
        'tools:',
        '  - name: sql',
        '    type: execute_sql',
        '    database: warehouse',
      ].join('\n'),
    );
    fs.writeFileSync(
      path.join(root, 'agents', 'worse.agent.yml'),
      'model: gpt\nsystem_instructions: hi\ntools:\n  - name: x\n    type: teleport\n',
    );
    const res = await runOxy(['validate'], {}, { cwd: root });
    expect(res.code).toBe(1);
    expect(res.stdout.split('\n').filter(Boolean).sort()).toEqual([
      'agents/bad.agent.yml:1:8: config.yml has no model nowhere (it has gpt, claude) (model)',
      'agents/bad.agent.yml:2:22: unknown template filter `shout` (system_instructions)',
      'agents/bad.agent.yml:6:15: config.yml has no database warehouse (tools[0].database)',
      'agents/worse.agent.yml:5:11: must be one of execute_sql, validate_sql, visualize, workflow (tools[0].type)',
    ]);
    expect(res.stderr).toBe('0 workflow files and 3 agent files checked, 4 problems\n');
  });
});
