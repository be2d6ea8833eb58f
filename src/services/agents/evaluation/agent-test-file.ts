import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { fsReason } from '../../demo/demo-errors.js';
import { evaluationErrors } from './evaluation-errors.js';

/** Oxy's defaults (json-schemas/agent-test.json). */
export const DEFAULT_RUNS = 3;
export const DEFAULT_CONCURRENCY = 5;

/**
 * Oxy's `*.agent.test.yml` fields (json-schemas/agent-test.json), unknown fields refused. In oxy
 * `expected` is SQL: the case passes when the agent's last SQL returns the same rows.
 * `judge_model` is accepted (Oxy's field) and unused: oxy scores by execution, not by a judge.
 */
const TestFileSchema = Type.Object(
  {
    name: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    target: Type.Optional(Type.Union([Type.String({ minLength: 1 }), Type.Null()])),
    settings: Type.Optional(
      Type.Object(
        {
          runs: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
          concurrency: Type.Optional(Type.Integer({ minimum: 1, maximum: 64 })),
          judge_model: Type.Optional(Type.Union([Type.String(), Type.Null()])),
        },
        { additionalProperties: false },
      ),
    ),
    cases: Type.Array(
      Type.Object(
        {
          name: Type.Optional(Type.Union([Type.String(), Type.Null()])),
          prompt: Type.String({ minLength: 1 }),
          expected: Type.String({ minLength: 1 }),
          tags: Type.Optional(Type.Array(Type.String())),
          tool: Type.Optional(Type.Union([Type.String(), Type.Null()])),
        },
        { additionalProperties: false },
      ),
      { minItems: 1 },
    ),
  },
  { additionalProperties: false },
);

const validate = new Ajv({ allErrors: false, strict: false }).compile<Static<typeof TestFileSchema>>(TestFileSchema);

export interface TestCase {
  /** 1-based position in the file. */
  index: number;
  name: string | undefined;
  prompt: string;
  /** The SQL whose result the agent's last SQL must reproduce. */
  expected: string;
  tags: string[];
}

export interface AgentTestFile {
  /** As given (relative to the project root when inside it). */
  file: string;
  name: string | undefined;
  target: string;
  runs: number;
  concurrency: number;
  cases: TestCase[];
}

/** Reads and checks one test file; a problem is one line naming the field. */
export function readAgentTestFile(absolute: string, shownAs: string): AgentTestFile {
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (error) {
    throw evaluationErrors.unreadable(shownAs, fsReason(error));
  }
  let value: unknown;
  try {
    value = parse(text);
  } catch (error) {
    throw evaluationErrors.invalid(shownAs, `not YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  if (!validate(value)) {
    const first = validate.errors![0]!;
    const where = first.instancePath ? first.instancePath.slice(1).replaceAll('/', '.') : 'the file';
    const extra = first.params && 'additionalProperty' in first.params ? ` (${first.params.additionalProperty})` : '';
    throw evaluationErrors.invalid(shownAs, `${where} ${first.message ?? 'is invalid'}${extra}`);
  }
  if (!value.target) throw evaluationErrors.noTarget(shownAs);
  return {
    file: shownAs,
    name: value.name ?? undefined,
    target: value.target,
    runs: value.settings?.runs ?? DEFAULT_RUNS,
    concurrency: value.settings?.concurrency ?? DEFAULT_CONCURRENCY,
    cases: value.cases.map((c, i) => ({
      index: i + 1,
      name: c.name ?? undefined,
      prompt: c.prompt,
      expected: c.expected,
      tags: c.tags ?? [],
    })),
  };
}

const SKIPPED_FOLDERS = new Set(['node_modules', '.git', '.db', 'dist']);

/** The test files a path names: the file itself, or every `*.agent.test.yml` under the folder, sorted. */
export function findAgentTestFiles(target: string): string[] {
  let stat;
  try {
    stat = statSync(target);
  } catch (error) {
    throw evaluationErrors.unreadable(target, fsReason(error));
  }
  if (!stat.isDirectory()) return [target];
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.isDirectory()) {
        if (!SKIPPED_FOLDERS.has(entry.name)) walk(path.join(dir, entry.name));
      } else if (entry.name.endsWith('.agent.test.yml') || entry.name.endsWith('.agent.test.yaml')) {
        found.push(path.join(dir, entry.name));
      }
    }
  };
  walk(target);
  if (found.length === 0) throw evaluationErrors.noFiles(target);
  return found;
}
