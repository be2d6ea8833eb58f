import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { Command, Option } from 'commander';
import { AGENT_FILE, WORKFLOW_FILE } from '../services/project/oxy-file-names.js';
import { UsageError } from '../errors.js';
import { checkAgentFiles } from '../services/agents/check-agent-file.js';
import { readFolderSettings } from '../services/agents/folder-agent.js';
import { findProjectRoot, readProjectFolder } from '../services/project/project-folder.js';
import { checkWorkflowFiles, type FileProblem } from '../services/workflows/check-workflow-file.js';
import { formatPath } from '../services/workflows/yaml-source.js';

const SKIPPED_FOLDERS = new Set(['node_modules', '.git', '.db', 'output']);

function projectFiles(dir: string, pattern: RegExp): string[] {
  const found: string[] = [];
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        if (!SKIPPED_FOLDERS.has(entry.name)) walk(path.join(folder, entry.name));
      } else if (pattern.test(entry.name)) found.push(path.join(folder, entry.name));
    }
  };
  walk(dir);
  return found.sort();
}

/** The model names of config.yml, or undefined when it has no readable `models` list (nothing to check against). */
function configModels(root: string): string[] | undefined {
  try {
    const { models } = readFolderSettings(root);
    if (!Array.isArray(models) || models.length === 0) return undefined;
    return models.flatMap((m) => (m && typeof m === 'object' && typeof m.name === 'string' ? [m.name as string] : []));
  } catch {
    return undefined;
  }
}

/** `oxy validate [DIR|FILE]`: checks workflow files and reports every problem with file:line:column and the field. */
export function validateCommand(): Command {
  return new Command('validate')
    .description(
      'check workflow files (*.procedure.yml, *.workflow.yml) and agent files (*.agent.yml); report every problem with file:line:column',
    )
    .argument('[path]', 'a workflow file or a folder to search (default: the project folder, else the current folder)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action((target: string | undefined, opts: { format: 'text' | 'json' }) => {
      const start = path.resolve(target ?? '.');
      if (!existsSync(start)) throw new UsageError(`${target} does not exist`, 'give a workflow file or a folder');
      const root = findProjectRoot(start);
      const project = root ? readProjectFolder(root) : undefined;
      const folder = statSync(start).isDirectory() ? (target ? start : (root ?? start)) : undefined;
      const all = folder ? [] : [start];
      const files = folder ? projectFiles(folder, WORKFLOW_FILE) : all.filter((f) => !AGENT_FILE.test(f));
      const agentFiles = folder ? projectFiles(folder, AGENT_FILE) : all.filter((f) => AGENT_FILE.test(f));
      const problems: FileProblem[] = [];
      if (project?.configProblem) {
        problems.push({
          file: path.join(project.root, 'config.yml'),
          path: [],
          message: `cannot read config.yml: ${project.configProblem}`,
          line: 1,
          column: 1,
        });
      }
      problems.push(...checkWorkflowFiles(files, project));
      problems.push(...checkAgentFiles(agentFiles, project, project ? configModels(project.root) : undefined));
      const shown = (file: string) => path.relative(process.cwd(), file) || file;
      if (opts.format === 'json') {
        const list = problems.map((p) => ({
          file: shown(p.file),
          line: p.line,
          column: p.column,
          field: formatPath(p.path),
          message: p.message,
        }));
        const checked = [...files, ...agentFiles].map(shown);
        process.stdout.write(`${JSON.stringify({ files: checked, problems: list }, null, 2)}\n`);
      } else {
        for (const p of problems) {
          const field = formatPath(p.path);
          process.stdout.write(`${shown(p.file)}:${p.line}:${p.column}: ${p.message}${field ? ` (${field})` : ''}\n`);
        }
        const agents = agentFiles.length
          ? ` and ${agentFiles.length} agent file${agentFiles.length === 1 ? '' : 's'}`
          : '';
        const summary = `${files.length} workflow file${files.length === 1 ? '' : 's'}${agents} checked, ${problems.length === 0 ? 'no problems' : `${problems.length} problem${problems.length === 1 ? '' : 's'}`}`;
        process.stderr.write(`${summary}\n`);
      }
      if (problems.length > 0) process.exitCode = 1;
    });
}
