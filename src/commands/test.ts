import { existsSync } from 'node:fs';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { UsageError } from '../errors.js';
import { findAgentTestFiles, readAgentTestFile } from '../services/agents/evaluation/agent-test-file.js';
import { evaluateTestFile, overallAccuracy, type FileOutcome } from '../services/agents/evaluation/evaluate-agent.js';
import { jsonReport, plural, progressLine, textReport } from '../services/agents/evaluation/evaluation-report.js';
import { folderAgentAsker } from '../services/agents/evaluation/folder-agent-asker.js';
import { ProjectDatabases } from '../services/project/project-databases.js';
import { findProjectRoot, readProjectFolder } from '../services/project/project-folder.js';
import { exitCodeFor, SHUTDOWN_SIGNALS } from './shutdown-signals.js';

function accuracyOption(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1)
    throw new InvalidArgumentError('a fraction from 0 to 1, e.g. 0.8');
  return n;
}

/** `oxy test [FILE|DIR]`: runs agent evaluations (*.agent.test.yml) in an Oxy project folder and prints their accuracy. */
export function testCommand(): Command {
  return new Command('test')
    .description(
      'evaluate agents with *.agent.test.yml files: run each question, compare the SQL results, print accuracy',
    )
    .argument('[path]', 'a test file or a folder to search (default: the project folder)')
    .addOption(new Option('--format <format>', 'report format').choices(['text', 'json']).default('text'))
    .option('--min-accuracy <fraction>', 'exit 1 when the overall accuracy is below this (0 to 1)', accuracyOption)
    .action(async (target: string | undefined, opts: { format: 'text' | 'json'; minAccuracy?: number }) => {
      const start = path.resolve(target ?? '.');
      if (!existsSync(start))
        throw new UsageError(`${target} does not exist`, 'give a *.agent.test.yml file or a folder');
      const root = findProjectRoot(start);
      if (!root)
        throw new UsageError(
          `${target ?? 'the current folder'} is not inside an Oxy project folder (no config.yml found upwards)`,
          'run oxy test inside the project folder, e.g. one made by oxy init --demo',
        );
      const project = readProjectFolder(root);
      if (project.configProblem)
        throw new UsageError(`cannot read ${path.join(root, 'config.yml')}: ${project.configProblem}`, 'fix its YAML');
      const shown = (file: string) => path.relative(process.cwd(), file) || file;
      const files = findAgentTestFiles(target ? start : root).map((file) => readAgentTestFile(file, shown(file)));

      const databases = new ProjectDatabases(project, process.env);
      const controller = new AbortController();
      const onSignal = (signal: NodeJS.Signals) => {
        process.stderr.write(`\n${signal}: stopping the evaluation…\n`);
        controller.abort(signal);
        for (const s of SHUTDOWN_SIGNALS) process.once(s, (again) => process.exit(exitCodeFor(again)));
      };
      for (const s of SHUTDOWN_SIGNALS) process.once(s, onSignal);
      // Progress on a terminal only: piped, stderr carries errors alone and stdout the report.
      const progress = process.stderr.isTTY ? (line: string) => process.stderr.write(line) : () => undefined;
      const outcomes: FileOutcome[] = [];
      try {
        for (const file of files) {
          const ask = await folderAgentAsker(root, file.target, process.env);
          progress(
            `${file.file}: ${plural(file.cases.length, 'case')} × ${plural(file.runs, 'run')} on ${file.target}\n`,
          );
          outcomes.push(
            await evaluateTestFile(file, {
              ask,
              query: (database, sql, limit, signal) => databases.run(database, sql, { limit, signal }),
              signal: controller.signal,
              onRun: (testCase, run) => progress(`  ${progressLine(testCase.index, testCase.prompt, run, file.runs)}`),
            }),
          );
        }
      } catch (error) {
        if (controller.signal.aborted) process.exitCode = exitCodeFor(controller.signal.reason as NodeJS.Signals);
        throw error;
      } finally {
        for (const s of SHUTDOWN_SIGNALS) process.off(s, onSignal);
        await databases.close();
      }
      const report =
        opts.format === 'json' ? jsonReport(outcomes, opts.minAccuracy) : textReport(outcomes, opts.minAccuracy);
      process.stdout.write(report);
      if (opts.minAccuracy !== undefined && overallAccuracy(outcomes).accuracy < opts.minAccuracy) process.exitCode = 1;
    });
}
