import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { Command, Option } from 'commander';
import { UsageError } from '../errors.js';
import { folderWorkflowAgents } from '../services/agents/workflow-agents.js';
import { ProjectDatabases } from '../services/project/project-databases.js';
import { ProjectFiles } from '../services/project/project-files.js';
import { findProjectRoot, readProjectFolder } from '../services/project/project-folder.js';
import type { RunEvent } from '../services/workflows/run-context.js';
import { markdownTable, summarize, type TaskOutput } from '../services/workflows/task-output.js';
import { WorkflowRunner } from '../services/workflows/workflow-runner.js';
import { variableFromText, variableSpecs } from '../services/workflows/workflow-variables.js';
import { parse } from 'yaml';
import { exitCodeFor, SHUTDOWN_SIGNALS } from './shutdown-signals.js';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `-v name=value` pairs typed by the workflow's variables. */
function parseVariables(pairs: string[], declared: unknown): Record<string, unknown> {
  const { specs } = variableSpecs(declared, new Ajv({ strict: false }));
  const values: Record<string, unknown> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`-v ${pair}: expected name=value`, 'e.g. -v region=north -v year=2024');
    const name = pair.slice(0, at);
    try {
      values[name] = variableFromText(
        specs.find((s) => s.name === name),
        pair.slice(at + 1),
      );
    } catch (error) {
      throw new UsageError(
        `variable ${name} ${(error as Error).message}`,
        "the workflow's variables say each one's type",
      );
    }
  }
  return values;
}

/** One line per finished step (stderr), indented by depth: `✓ per_store[0].line  3 rows  12 ms`. */
function progressLine(event: Extract<RunEvent, { type: 'step_finished' }>, colour: boolean): string {
  const mark = { succeeded: '✓', reused: '↺', failed: '✗', cancelled: '■' }[event.status];
  const paint = (code: number, text: string) => (colour ? `\u001b[${code}m${text}\u001b[0m` : text);
  const coloured = event.status === 'failed' ? paint(31, mark) : event.status === 'succeeded' ? paint(32, mark) : mark;
  const detail = event.output ? summarize(event.output) : (event.error ?? '');
  return `${coloured} ${event.path}  ${paint(2, `${detail}  ${event.durationMs} ms`)}\n`;
}

function finalText(output: TaskOutput | undefined): string {
  if (!output) return '';
  if (output.kind === 'text') return output.text.endsWith('\n') ? output.text : `${output.text}\n`;
  if (output.kind === 'table') return `${markdownTable(output)}\n`;
  return `${JSON.stringify(output, null, 2)}\n`;
}

/** `oxy run FILE [-v name=value …]`: a workflow run in the terminal, in its Oxy project folder, no server needed. */
export function runCommand(): Command {
  return new Command('run')
    .description('run a workflow file (*.procedure.yml) in the terminal with live step progress, no server needed')
    .argument('<file>', 'the workflow file; its project folder (config.yml, found upwards) names the databases')
    .option('-v, --variable <name=value>', "a variable, typed by the workflow's variables (repeatable)", collect, [])
    .addOption(
      new Option('--format <format>', "what to print when done: the last task's output, or every output as JSON")
        .choices(['text', 'json'])
        .default('text'),
    )
    .action(async (file: string, opts: { variable: string[]; format: 'text' | 'json' }) => {
      const absolute = path.resolve(file);
      let text: string;
      try {
        text = readFileSync(absolute, 'utf8');
      } catch (error) {
        throw new UsageError(
          `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
          'give the path of a *.procedure.yml file',
        );
      }
      const root = findProjectRoot(path.dirname(absolute));
      const project = readProjectFolder(root ?? path.dirname(absolute));
      if (project.configProblem && root)
        throw new UsageError(`cannot read ${path.join(root, 'config.yml')}: ${project.configProblem}`, 'fix its YAML');
      let declared: unknown;
      try {
        declared = (parse(text) as { variables?: unknown } | null)?.variables;
      } catch {
        declared = undefined; // the runner reports the syntax error with its position
      }
      const variables = parseVariables(opts.variable, declared);
      const databases = new ProjectDatabases(project, process.env);
      const controller = new AbortController();
      const onSignal = (signal: NodeJS.Signals) => {
        process.stderr.write(`\n${signal}: cancelling the run…\n`);
        controller.abort(signal);
        for (const s of SHUTDOWN_SIGNALS) process.once(s, (again) => process.exit(exitCodeFor(again)));
      };
      for (const s of SHUTDOWN_SIGNALS) process.once(s, onSignal);
      const colour = Boolean(process.stderr.isTTY) && !process.env.NO_COLOR;
      const started = performance.now();
      try {
        const runner = new WorkflowRunner({
          databases,
          files: new ProjectFiles(project.root),
          agents: folderWorkflowAgents(project.root, process.env),
          variables,
          signal: controller.signal,
          source: path.relative(project.root, absolute),
          onEvent: (event) => {
            if (event.type === 'step_finished') process.stderr.write(progressLine(event, colour));
          },
        });
        const outputs = await runner.run(text);
        const took = Math.round(performance.now() - started);
        process.stderr.write(`run succeeded in ${took} ms\n`);
        if (opts.format === 'json') process.stdout.write(`${JSON.stringify(outputs, null, 2)}\n`);
        else process.stdout.write(finalText(Object.values(outputs).at(-1)));
      } catch (error) {
        if (controller.signal.aborted) process.exitCode = exitCodeFor(controller.signal.reason as NodeJS.Signals);
        throw error;
      } finally {
        for (const s of SHUTDOWN_SIGNALS) process.off(s, onSignal);
        await databases.close();
      }
    });
}
