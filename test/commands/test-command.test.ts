import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import {
  DEMO_AGENT_FILE,
  DEMO_AGENT_TEST_FILE,
  DEMO_MODEL,
  DEMO_TEST_CASES,
  demoAgentTestYaml,
  demoAgentYaml,
} from '../../src/services/demo/demo-agent.js';
import { DEMO_DATABASE, DEMO_DATABASE_FILE, demoConfigYaml } from '../../src/services/demo/demo-content.js';
import { writeDemoDatabase } from '../../src/services/demo/demo-data.js';
import { tempDir } from '../support/backends.js';
import { runOxy } from '../support/run-cli.js';
import { ScriptedModelServer, type RecordedRequest } from '../support/scripted-model-server.js';

/**
 * `oxy test` on the built CLI in a demo folder, its agent's model played by the scripted model
 * server: each question of the demo's test file is answered by a scripted turn matched on the
 * question, some with SQL that returns the expected rows (the expected SQL itself, or an
 * equivalent one in another column order or row order), some wrong in each way the report
 * distinguishes. The accuracy the CLI prints must be the share of the plan that is right.
 */

type Plan =
  | { kind: 'right'; sql: string }
  | { kind: 'different-rows'; sql: string }
  | { kind: 'sql-error'; sql: string }
  | { kind: 'no-sql' }
  | { kind: 'agent-error' };

const byPrompt = (start: string) => {
  const index = DEMO_TEST_CASES.findIndex((c) => c.prompt.startsWith(start));
  if (index < 0) throw new Error(`no demo case starts with ${start}`);
  return index;
};

/** What the scripted model answers to each demo question (by index); every other one gets its expected SQL. */
const PLAN: Record<number, Plan> = {
  // Right, written differently: the columns swapped, an extra column, the rows in another order.
  [byPrompt('What was the revenue of each region')]: {
    kind: 'right',
    sql: `select sum(l.quantity * l.unit_price) as total, count(*) as lines, s.region
from order_lines l join orders o using (order_id) join stores s using (store_id) group by s.region order by total`,
  },
  // Wrong rows: the right rows in the wrong order where the question asks for an order.
  [byPrompt('What are the top 5 products')]: {
    kind: 'different-rows',
    sql: `select * from (${DEMO_TEST_CASES[byPrompt('What are the top 5 products')]!.expected}) t order by revenue asc`,
  },
  [byPrompt('How many stores are there')]: { kind: 'different-rows', sql: 'select count(*) + 1 as stores from stores' },
  [byPrompt('How many customers are in the business')]: {
    kind: 'different-rows',
    sql: "select count(*) from customers where segment = 'consumer'",
  },
  [byPrompt('What is the most expensive product')]: { kind: 'sql-error', sql: 'select name from product_list' },
  [byPrompt('Which store opened most recently')]: { kind: 'no-sql' },
  [byPrompt('What is the average number of lines')]: { kind: 'agent-error' },
};

const planFor = (index: number): Plan => PLAN[index] ?? { kind: 'right', sql: DEMO_TEST_CASES[index]!.expected };
const RIGHT = DEMO_TEST_CASES.filter((_, i) => planFor(i).kind === 'right').length;
const TOTAL = DEMO_TEST_CASES.length;

const lastRole = (request: RecordedRequest) => request.body.messages?.at(-1)?.role;

function scriptTheModel(server: ScriptedModelServer): void {
  DEMO_TEST_CASES.forEach((testCase, index) => {
    const plan = planFor(index);
    if (plan.kind === 'agent-error') {
      server.script({
        when: { lastUserMessage: testCase.prompt },
        repeat: true,
        fault: 'status',
        status: 400,
        message: 'this model does not support tools',
      });
      return;
    }
    if (plan.kind === 'no-sql') {
      server.script({ when: { lastUserMessage: testCase.prompt }, repeat: true, text: ['I cannot tell.'] });
      return;
    }
    server.script(
      {
        when: { lastUserMessage: testCase.prompt, test: (r) => lastRole(r) === 'user' },
        repeat: true,
        toolCalls: [{ name: 'execute_sql', arguments: { sql: plan.sql } }],
        usage: { input: 100, output: 20 },
      },
      {
        when: { lastUserMessage: testCase.prompt, test: (r) => lastRole(r) === 'tool' },
        repeat: true,
        text: ['Here is the answer.'],
        usage: { input: 150, output: 5 },
      },
    );
  });
}

describe('oxy test', () => {
  let server: ScriptedModelServer;
  let dir: string;
  const env = () => ({ EVAL_MODEL_KEY: 'sk-evals' });
  const oxy = (...args: string[]) => runOxy(['test', ...args], env(), { cwd: dir, timeoutMs: 180_000 });

  beforeAll(async () => {
    server = await ScriptedModelServer.start();
    dir = tempDir('oxy-test-command-');
    await writeDemoDatabase(path.join(dir, DEMO_DATABASE_FILE));
    fs.writeFileSync(
      path.join(dir, 'config.yml'),
      stringify({
        databases: [{ name: DEMO_DATABASE, type: 'duckdb', path: DEMO_DATABASE_FILE }],
        models: [
          {
            name: DEMO_MODEL,
            vendor: 'openai',
            model_ref: 'gpt-test',
            api_url: server.openaiUrl,
            key_var: 'EVAL_MODEL_KEY',
          },
        ],
      }),
    );
    for (const [file, text] of [
      [DEMO_AGENT_FILE, demoAgentYaml()],
      [DEMO_AGENT_TEST_FILE, demoAgentTestYaml()],
    ] as const) {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), text);
    }
  });
  afterAll(async () => {
    await server?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    server.reset();
    scriptTheModel(server);
  });

  it('prints accuracy per case and overall, and why each failed case failed', async () => {
    const res = await oxy(DEMO_AGENT_TEST_FILE);
    expect([res.code, res.stderr]).toEqual([0, '']); // progress is for terminals only
    const lines = res.stdout.split('\n');
    expect(lines.at(-2)).toBe(`overall accuracy ${((RIGHT / TOTAL) * 100).toFixed(1)}% (${RIGHT}/${TOTAL} runs)`);
    expect(lines.filter((l) => /^ {2}✓ +100\.0% {2}\d+\. /.test(l))).toHaveLength(RIGHT);
    expect(res.stdout).toContain('different-rows: the same rows in another order, and the question asks for an order');
    expect(res.stdout).toContain('different-rows: missing (7); unexpected (8)');
    expect(res.stdout).toMatch(/sql-error: .*product_list/);
    expect(res.stdout).toContain('no-sql: the agent ran no SQL');
    expect(res.stdout).toMatch(/agent-error: .*this model does not support tools/);
  });

  it('--format json reports every case with its reason, matching the plan', async () => {
    const res = await oxy('--format', 'json');
    expect(res.code).toBe(0);
    const report = JSON.parse(res.stdout) as {
      accuracy: number;
      files: { file: string; cases: { index: number; runs: { passed: boolean; reason?: string; sql?: string }[] }[] }[];
    };
    expect(report.accuracy).toBeCloseTo(RIGHT / TOTAL, 10);
    expect(report.files.map((f) => f.file)).toEqual([DEMO_AGENT_TEST_FILE]);
    const reasons = report.files[0]!.cases.map((c) => c.runs.map((r) => r.reason ?? 'passed'));
    expect(reasons).toEqual(
      DEMO_TEST_CASES.map((_, i) => {
        const kind = planFor(i).kind;
        return [kind === 'right' ? 'passed' : kind];
      }),
    );
    const sqls = report.files[0]!.cases.map((c) => c.runs[0]!.sql);
    expect(sqls).toEqual(
      DEMO_TEST_CASES.map((_, i) => ('sql' in planFor(i) ? (planFor(i) as { sql: string }).sql : undefined)),
    );
  });

  it('--min-accuracy exits 1 below it and 0 at or above it', async () => {
    const below = await oxy(DEMO_AGENT_TEST_FILE, '--min-accuracy', String((RIGHT + 0.5) / TOTAL));
    expect([below.code, below.stdout]).toEqual([1, expect.stringMatching(/BELOW --min-accuracy/)]);
    server.reset();
    scriptTheModel(server);
    const at = await oxy(DEMO_AGENT_TEST_FILE, '--min-accuracy', String((RIGHT - 0.5) / TOTAL));
    expect(at.code).toBe(0);
  });

  it('runs each case `runs` times and asks the model once per turn step', async () => {
    const file = path.join(dir, 'tests', 'two.agent.test.yml');
    const two = DEMO_TEST_CASES.slice(0, 2);
    fs.writeFileSync(file, stringify({ target: DEMO_AGENT_FILE, settings: { runs: 3, concurrency: 2 }, cases: two }));
    try {
      const res = await oxy('tests/two.agent.test.yml', '--format', 'json');
      const report = JSON.parse(res.stdout) as { total: number; files: { cases: { runs: unknown[] }[] }[] };
      const expectedPasses = two.filter((_, i) => planFor(i).kind === 'right').length * 3;
      expect([res.code, report.total, report.files[0]!.cases.map((c) => c.runs.length)]).toEqual([0, 6, [3, 3]]);
      expect((JSON.parse(res.stdout) as { passed: number }).passed).toBe(expectedPasses);
      const system = server.requests[0]!.body.messages![0]!;
      expect([system.role, system.content]).toEqual(['system', expect.stringContaining('(duckdb)')]);
      expect(system.content).toContain('CREATE TABLE "main"."order_lines"');
      expect(server.requests[0]!.body.tools!.map((t) => (t as { function: { name: string } }).function.name)).toEqual([
        'execute_sql',
        'visualize',
      ]);
      const asked = server.requests.filter((r) => lastRole(r) === 'user').map((r) => r.lastUserMessage);
      expect(asked.sort()).toEqual(
        [...two.map((c) => c.prompt), ...two.map((c) => c.prompt), ...two.map((c) => c.prompt)].sort(),
      );
    } finally {
      fs.rmSync(file);
    }
  });

  it('reports expected SQL that fails as a fault of the test file (expected-error), not of the agent', async () => {
    const file = path.join(dir, 'tests', 'broken.agent.test.yml');
    const first = DEMO_TEST_CASES[1]!;
    fs.writeFileSync(
      file,
      stringify({
        target: DEMO_AGENT_FILE,
        settings: { runs: 1 },
        cases: [{ prompt: first.prompt, expected: 'select * from nowhere' }],
      }),
    );
    try {
      const res = await oxy('tests/broken.agent.test.yml', '--format', 'json', '--min-accuracy', '0.5');
      const report = JSON.parse(res.stdout) as {
        ok: boolean;
        files: { cases: { runs: { reason: string; detail: string }[] }[] }[];
      };
      const run = report.files[0]!.cases[0]!.runs[0]!;
      expect([res.code, report.ok, run.reason, run.detail]).toEqual([
        1,
        false,
        'expected-error',
        expect.stringMatching(/^the expected SQL failed: .*nowhere/),
      ]);
    } finally {
      fs.rmSync(file);
    }
  });

  it('refuses a test file with an unknown field, the demo before a model is added, and a path outside a project folder, in one line', async () => {
    const bad = path.join(dir, 'tests', 'bad.agent.test.yml');
    fs.writeFileSync(
      bad,
      stringify({ target: DEMO_AGENT_FILE, cases: [{ prompt: 'q', expected: 'select 1', answer: 2 }] }),
    );
    try {
      const res = await oxy('tests/bad.agent.test.yml');
      expect([res.code, res.stderr.split('\n')[0]]).toEqual([
        1,
        'Error: tests/bad.agent.test.yml: cases.0 must NOT have additional properties (answer)',
      ]);
    } finally {
      fs.rmSync(bad);
    }
    const demo = tempDir('oxy-test-no-model-');
    try {
      fs.copyFileSync(path.join(dir, DEMO_DATABASE_FILE), path.join(demo, DEMO_DATABASE_FILE));
      fs.writeFileSync(path.join(demo, 'config.yml'), demoConfigYaml());
      for (const [file, text] of [
        [DEMO_AGENT_FILE, demoAgentYaml()],
        [DEMO_AGENT_TEST_FILE, demoAgentTestYaml()],
      ] as const) {
        fs.mkdirSync(path.dirname(path.join(demo, file)), { recursive: true });
        fs.writeFileSync(path.join(demo, file), text);
      }
      const res = await runOxy(['test'], env(), { cwd: demo });
      expect([res.code, res.stderr.split('\n').slice(0, 2)]).toEqual([
        1,
        [`Error: no model is named "${DEMO_MODEL}"`, 'Hint: add it to the models list of config.yml'],
      ]);
    } finally {
      fs.rmSync(demo, { recursive: true, force: true });
    }
    const outside = tempDir('oxy-test-outside-');
    try {
      const res = await runOxy(['test'], env(), { cwd: outside });
      expect([res.code, res.stderr.split('\n')[0]]).toEqual([
        2,
        'Error: the current folder is not inside an Oxy project folder (no config.yml found upwards)',
      ]);
    } finally {
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });
});
