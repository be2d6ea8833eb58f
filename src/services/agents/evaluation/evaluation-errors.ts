import { defineError } from '../../../errors.js';

/** Errors of `oxy test`: each names the problem and the fix in one line. */
export const evaluationErrors = {
  unreadable: defineError(
    'test_file_unreadable',
    (file: string, reason: string) => ({
      message: `cannot read ${file}: ${reason}`,
      hint: 'give a *.agent.test.yml file or a folder holding some',
    }),
    { status: 400, exitCode: 2 },
  ),
  invalid: defineError(
    'test_file_invalid',
    (file: string, problem: string) => ({
      message: `${file}: ${problem}`,
      hint: 'a test file has target (the agent), optional settings {runs, concurrency}, and cases [{prompt, expected}] where expected is SQL',
    }),
    { status: 400, exitCode: 1 },
  ),
  noTarget: defineError(
    'test_file_no_target',
    (file: string) => ({
      message: `${file} names no agent (target)`,
      hint: 'add target: agents/NAME.agent.yml (or the agent name) to the file',
    }),
    { status: 400, exitCode: 1 },
  ),
  noFiles: defineError(
    'test_files_none',
    (where: string) => ({
      message: `no *.agent.test.yml file in ${where}`,
      hint: 'name a test file (oxy test tests/analyst.agent.test.yml) or a folder holding some',
    }),
    { status: 400, exitCode: 2 },
  ),
};
