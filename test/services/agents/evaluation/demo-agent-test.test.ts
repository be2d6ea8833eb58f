import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readAgentTestFile } from '../../../../src/services/agents/evaluation/agent-test-file.js';
import { comparesInOrder } from '../../../../src/services/agents/evaluation/order-intent.js';
import {
  DEMO_AGENT_FILE,
  DEMO_AGENT_TEST_FILE,
  DEMO_TEST_CASES,
  demoAgentTestYaml,
  demoAgentYaml,
} from '../../../../src/services/demo/demo-agent.js';
import { DEMO_DATABASE, DEMO_DATABASE_FILE, demoConfigYaml } from '../../../../src/services/demo/demo-content.js';
import { writeDemoDatabase } from '../../../../src/services/demo/demo-data.js';
import { ProjectDatabases } from '../../../../src/services/project/project-databases.js';
import { readProjectFolder } from '../../../../src/services/project/project-folder.js';
import { tempDir } from '../../../support/backends.js';

/**
 * The demo's agent test file: it reads as a test file, targets the demo's agent, and every
 * expected SQL runs on a freshly generated demo database (through the same read-only path the
 * evaluation uses) and answers with a non-empty result without NULLs.
 */
describe('the demo agent and its test file', () => {
  let dir: string;
  let databases: ProjectDatabases;

  beforeAll(async () => {
    dir = tempDir('oxy-demo-evals-');
    await writeDemoDatabase(path.join(dir, DEMO_DATABASE_FILE));
    fs.writeFileSync(path.join(dir, 'config.yml'), demoConfigYaml());
    fs.mkdirSync(path.join(dir, 'tests'));
    fs.writeFileSync(path.join(dir, DEMO_AGENT_TEST_FILE), demoAgentTestYaml());
    databases = new ProjectDatabases(readProjectFolder(dir), {});
  });
  afterAll(async () => {
    await databases?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reads back as a test file of at least 20 distinct questions on the demo agent', () => {
    const file = readAgentTestFile(path.join(dir, DEMO_AGENT_TEST_FILE), DEMO_AGENT_TEST_FILE);
    expect(file.target).toBe(DEMO_AGENT_FILE);
    expect(file.cases.map((c) => [c.prompt, c.expected])).toEqual(DEMO_TEST_CASES.map((c) => [c.prompt, c.expected]));
    expect(new Set(file.cases.map((c) => c.prompt)).size).toBeGreaterThanOrEqual(20);
  });

  it('names an agent with execute_sql and visualize on the demo database', () => {
    const agent = parse(demoAgentYaml()) as { model: string; tools: unknown[]; system_instructions: string };
    expect(agent.tools).toEqual([
      { name: 'execute_sql', type: 'execute_sql', database: DEMO_DATABASE },
      { name: 'visualize', type: 'visualize' },
    ]);
    expect(agent.system_instructions).toContain(`{{ databases.${DEMO_DATABASE}.ddl }}`);
  });

  it('has some cases compared in order and most as a multiset', () => {
    const ordered = DEMO_TEST_CASES.filter((c) => comparesInOrder(c.prompt, c.expected));
    expect(ordered.length).toBeGreaterThanOrEqual(3);
    expect(ordered.length).toBeLessThan(DEMO_TEST_CASES.length / 2);
  });

  for (const testCase of DEMO_TEST_CASES) {
    it(`answers: ${testCase.prompt}`, async () => {
      const result = await databases.run(DEMO_DATABASE, testCase.expected, { limit: 1000 });
      expect(result.rowCount).toBeGreaterThan(0);
      expect(result.truncated).toBe(false);
      expect(result.rows.flat().filter((cell) => cell === null)).toEqual([]);
    });
  }
});
