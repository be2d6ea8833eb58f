import type { QueryResult } from '../../connectors/connector.js';
import type { AgentTestFile, TestCase } from './agent-test-file.js';
import { comparesInOrder } from './order-intent.js';
import { compareResults } from './result-comparison.js';

/** Rows read from each side of a comparison; a result larger than this cannot be compared. */
export const EVALUATION_ROW_LIMIT = 10_000;

/** What one agent turn left behind for scoring: its last SQL, or none. */
export interface AnsweredTurn {
  lastSql?: { database: string; sql: string } | undefined;
  usage?: { inputTokens: number; outputTokens: number };
}

/** What an evaluation needs from the outside: the agent, and the read-only SQL path. */
export interface EvaluationDeps {
  /** One fresh turn (no history) of the file's target on `question`. */
  ask(question: string, signal: AbortSignal): Promise<AnsweredTurn>;
  /** Runs SQL on a database of the project (read-only, capped at `limit`, timed out). */
  query(database: string, sql: string, limit: number, signal: AbortSignal): Promise<QueryResult>;
  signal: AbortSignal;
  /** Called as each run finishes (progress). */
  onRun?: (testCase: TestCase, run: RunOutcome) => void;
}

export type FailureReason = 'no-sql' | 'sql-error' | 'different-rows' | 'agent-error' | 'expected-error';

export interface RunOutcome {
  /** 1-based. */
  run: number;
  passed: boolean;
  reason?: FailureReason;
  /** Why, in one line: the SQL error, or the row diff. */
  detail?: string;
  database?: string;
  sql?: string;
  /** Whether rows were compared in order (see order-intent.ts). */
  ordered: boolean;
  durationMs: number;
  inputTokens: number;
  outputTokens: number;
}

export interface CaseOutcome {
  index: number;
  name: string | undefined;
  prompt: string;
  tags: string[];
  /** Passed runs / runs. */
  accuracy: number;
  passed: number;
  runs: RunOutcome[];
}

export interface FileOutcome {
  file: string;
  name: string | undefined;
  target: string;
  runsPerCase: number;
  /** Passed runs / all runs of the file. */
  accuracy: number;
  passed: number;
  total: number;
  cases: CaseOutcome[];
}

/**
 * Runs every case of a test file `runs` times (at most `concurrency` turns at once) and scores
 * each run by execution: the agent's last SQL and the case's expected SQL are both run on the
 * database the agent queried, and their rows compared (compareResults; in order only when
 * comparesInOrder says the question asks for one).
 */
export async function evaluateTestFile(file: AgentTestFile, deps: EvaluationDeps): Promise<FileOutcome> {
  const expected = new Map<string, Promise<QueryResult>>();
  const expectedResult = (testCase: TestCase, database: string) => {
    const key = `${testCase.index}\u0000${database}`;
    let result = expected.get(key);
    if (!result) {
      result = deps.query(database, testCase.expected, EVALUATION_ROW_LIMIT, deps.signal);
      result.catch(() => undefined); // awaited by every run that needs it
      expected.set(key, result);
    }
    return result;
  };

  const jobs = file.cases.flatMap((testCase) =>
    Array.from({ length: file.runs }, (_, i) => ({ testCase, run: i + 1 })),
  );
  const outcomes = new Map<TestCase, RunOutcome[]>(file.cases.map((c) => [c, []]));
  let next = 0;
  const worker = async () => {
    while (next < jobs.length && !deps.signal.aborted) {
      const job = jobs[next++]!;
      const outcome = await runOnce(job.testCase, job.run, deps, expectedResult);
      outcomes.get(job.testCase)!.push(outcome);
      deps.onRun?.(job.testCase, outcome);
    }
  };
  await Promise.all(Array.from({ length: Math.min(file.concurrency, jobs.length) }, worker));
  deps.signal.throwIfAborted();

  const cases = file.cases.map((testCase) => {
    const runs = outcomes.get(testCase)!.sort((a, b) => a.run - b.run);
    const passed = runs.filter((r) => r.passed).length;
    return {
      index: testCase.index,
      name: testCase.name,
      prompt: testCase.prompt,
      tags: testCase.tags,
      accuracy: passed / runs.length,
      passed,
      runs,
    };
  });
  const passed = cases.reduce((n, c) => n + c.passed, 0);
  const total = cases.reduce((n, c) => n + c.runs.length, 0);
  return {
    file: file.file,
    name: file.name,
    target: file.target,
    runsPerCase: file.runs,
    accuracy: total === 0 ? 0 : passed / total,
    passed,
    total,
    cases,
  };
}

async function runOnce(
  testCase: TestCase,
  run: number,
  deps: EvaluationDeps,
  expectedResult: (testCase: TestCase, database: string) => Promise<QueryResult>,
): Promise<RunOutcome> {
  const started = performance.now();
  const ordered = comparesInOrder(testCase.prompt, testCase.expected);
  const base = { run, ordered, inputTokens: 0, outputTokens: 0 };
  const done = (rest: Partial<RunOutcome> & { passed: boolean }): RunOutcome => ({
    ...base,
    ...rest,
    durationMs: Math.round(performance.now() - started),
  });
  let turn: AnsweredTurn;
  try {
    turn = await deps.ask(testCase.prompt, deps.signal);
  } catch (error) {
    if (deps.signal.aborted) throw error;
    return done({ passed: false, reason: 'agent-error', detail: oneLine(error) });
  }
  Object.assign(base, { inputTokens: turn.usage?.inputTokens ?? 0, outputTokens: turn.usage?.outputTokens ?? 0 });
  const last = turn.lastSql;
  if (!last) return done({ passed: false, reason: 'no-sql', detail: 'the agent ran no SQL' });
  const where = { database: last.database, sql: last.sql };
  let want: QueryResult;
  try {
    want = await expectedResult(testCase, last.database);
  } catch (error) {
    return done({
      ...where,
      passed: false,
      reason: 'expected-error',
      detail: `the expected SQL failed: ${oneLine(error)}`,
    });
  }
  if (want.truncated)
    return done({
      ...where,
      passed: false,
      reason: 'expected-error',
      detail: `the expected SQL returns more than ${EVALUATION_ROW_LIMIT} rows; make it aggregate`,
    });
  let got: QueryResult;
  try {
    got = await deps.query(last.database, last.sql, EVALUATION_ROW_LIMIT, deps.signal);
  } catch (error) {
    if (deps.signal.aborted) throw error;
    return done({ ...where, passed: false, reason: 'sql-error', detail: oneLine(error) });
  }
  if (got.truncated)
    return done({
      ...where,
      passed: false,
      reason: 'different-rows',
      detail: `expected ${want.rowCount} rows, got more than ${EVALUATION_ROW_LIMIT}`,
    });
  const comparison = compareResults(want.rows, got.rows, { ordered });
  return comparison.equal
    ? done({ ...where, passed: true })
    : done({ ...where, passed: false, reason: 'different-rows', detail: comparison.diff });
}

function oneLine(error: unknown): string {
  return ((error as Error)?.message ?? String(error)).split('\n')[0]!;
}

/** Passed runs over all runs of all files. */
export function overallAccuracy(files: FileOutcome[]): { accuracy: number; passed: number; total: number } {
  const passed = files.reduce((n, f) => n + f.passed, 0);
  const total = files.reduce((n, f) => n + f.total, 0);
  return { accuracy: total === 0 ? 0 : passed / total, passed, total };
}
