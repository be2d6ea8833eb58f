import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Type, type TSchema } from '@sinclair/typebox';
import type nunjucks from 'nunjucks';
import { findUnstorable } from '../../db/storable-value.js';
import { TASK_TYPES, UNSUPPORTED_OXY_TYPES } from './tasks/index.js';
import type { DefinitionPath, DefinitionProblem, TaskType } from './tasks/task-type.js';
import { checkTemplate, createTemplateEnvironment } from './template-environment.js';
import { parseYamlSource, type YamlSource } from './yaml-source.js';
import { variableSpecs } from './workflow-variables.js';

const ajv = new Ajv({ allErrors: true, strict: false });

const EXPORT_FORMATS = ['sql', 'csv', 'json', 'txt', 'docx'];
const COMMON_FIELDS: Record<string, TSchema> = {
  name: Type.String(),
  type: Type.String(),
  cache: Type.Union([
    Type.Object(
      { enabled: Type.Optional(Type.Boolean()), path: Type.String({ minLength: 1 }) },
      { additionalProperties: false },
    ),
    Type.Null(),
  ]),
  export: Type.Union([
    Type.Object(
      { path: Type.String({ minLength: 1 }), format: Type.Union(EXPORT_FORMATS.map((f) => Type.Literal(f))) },
      { additionalProperties: false },
    ),
    Type.Null(),
  ]),
  mode: Type.Union([Type.Literal('client'), Type.Literal('server')]),
};
const TASK_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

const TOP_LEVEL_FIELDS = ['name', 'description', 'variables', 'tasks', 'retrieval', 'consistency_prompt'];
const topLevel = ajv.compile({
  type: 'object',
  properties: {
    name: Type.String({ minLength: 1 }),
    description: Type.String(),
    variables: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
    tasks: Type.Array(Type.Unknown(), { minItems: 1 }),
    retrieval: Type.Unknown(),
    consistency_prompt: Type.Union([Type.String(), Type.Null()]),
  },
  required: ['tasks'],
  additionalProperties: false,
});

const taskValidators = new Map<string, ValidateFunction>();
function validatorFor(taskType: TaskType): ValidateFunction {
  let validate = taskValidators.get(taskType.type);
  if (!validate) {
    validate = ajv.compile({
      type: 'object',
      properties: { ...COMMON_FIELDS, ...taskType.fields },
      required: ['name', 'type', ...taskType.required],
      additionalProperties: false,
    });
    taskValidators.set(taskType.type, validate);
  }
  return validate;
}

export interface WorkflowCheck {
  /** The definition as JSON when the YAML parsed (even with problems: callers decide). */
  definition: Record<string, unknown> | undefined;
  problems: DefinitionProblem[];
  source: YamlSource;
}

/**
 * Checks a workflow file's text against Oxy's workflow format as oxy runs it: YAML syntax, every
 * field of every task (nested ones included), task names, variables' schemas, and the syntax and
 * filters of every template. All problems are reported, each with its field path, line and column.
 */
export function checkWorkflow(text: string): WorkflowCheck {
  const source = parseYamlSource(text);
  if (source.problems.length > 0) return { definition: undefined, problems: source.problems, source };
  const value = source.value;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return {
      definition: undefined,
      problems: [{ path: [], message: 'a workflow must be a YAML mapping', line: 1, column: 1 }],
      source,
    };
  }
  const unstorable = findUnstorable(value);
  const problems: Located[] = [];
  if (unstorable) problems.push({ path: [], message: `the value at ${unstorable.path} ${unstorable.message}` });
  const definition = value as Record<string, unknown>;
  if (!topLevel(definition)) problems.push(...schemaProblems(topLevel.errors ?? [], [], TOP_LEVEL_FIELDS));
  problems.push(...variableSpecs(definition.variables, ajv).problems);
  if (Array.isArray(definition.tasks))
    problems.push(...checkTasks(definition.tasks, ['tasks'], createTemplateEnvironment()));
  const placed = problems.map((p) => positioned(p, source));
  placed.sort((a, b) => a.line! - b.line! || a.column! - b.column!);
  return { definition, problems: placed, source };
}

/** Calls `visit` for every task, nested ones included, with its path in the definition. */
export function eachTask(
  tasks: unknown,
  path: DefinitionPath,
  visit: (task: Record<string, unknown>, path: DefinitionPath) => void,
): void {
  if (!Array.isArray(tasks)) return;
  tasks.forEach((task, index) => {
    if (!task || typeof task !== 'object' || Array.isArray(task)) return;
    const record = task as Record<string, unknown>;
    const taskPath = [...path, index];
    visit(record, taskPath);
    const type = TASK_TYPES.get(String(record.type));
    for (const nested of type?.nested?.(record) ?? []) eachTask(nested.tasks, [...taskPath, ...nested.path], visit);
  });
}

function checkTasks(tasks: unknown[], path: DefinitionPath, env: nunjucks.Environment): Located[] {
  const problems: Located[] = [];
  const seen = new Map<string, number>();
  tasks.forEach((task, index) => {
    const taskPath = [...path, index];
    if (!task || typeof task !== 'object' || Array.isArray(task)) {
      problems.push({ path: taskPath, message: 'a task must be a mapping with `name` and `type`' });
      return;
    }
    const record = task as Record<string, unknown>;
    if (typeof record.name === 'string') {
      if (!TASK_NAME.test(record.name)) {
        problems.push({
          path: [...taskPath, 'name'],
          message: `task name \`${record.name}\` must start with a letter and hold only letters, digits and underscores`,
        });
      } else if (seen.has(record.name)) {
        problems.push({
          path: [...taskPath, 'name'],
          message: `task name \`${record.name}\` is used twice in this list (also task ${seen.get(record.name)})`,
        });
      } else seen.set(record.name, index);
    }
    problems.push(...checkTask(record, taskPath, env));
  });
  return problems;
}

function checkTask(task: Record<string, unknown>, path: DefinitionPath, env: nunjucks.Environment): Located[] {
  if (typeof task.type !== 'string') {
    const missing = task.type === undefined ? 'missing field `type`' : '`type` must be a string';
    return [
      {
        path: task.type === undefined ? path : [...path, 'type'],
        message: `${missing} (one of: ${[...TASK_TYPES.keys()].join(', ')})`,
      },
    ];
  }
  const taskType = TASK_TYPES.get(task.type);
  if (!taskType) {
    const why = UNSUPPORTED_OXY_TYPES.includes(task.type)
      ? `is an Oxy task type oxy cannot run`
      : `is not a task type${suggest(task.type, [...TASK_TYPES.keys()])}`;
    return [
      { path: [...path, 'type'], message: `\`${task.type}\` ${why} (one of: ${[...TASK_TYPES.keys()].join(', ')})` },
    ];
  }
  const problems: Located[] = [];
  const validate = validatorFor(taskType);
  if (!validate(task))
    problems.push(
      ...schemaProblems(validate.errors ?? [], path, Object.keys({ ...COMMON_FIELDS, ...taskType.fields })),
    );
  for (const problem of taskType.check?.(task) ?? []) problems.push({ ...problem, path: [...path, ...problem.path] });
  for (const templatePath of taskType.templates?.(task) ?? []) {
    const text = valueAt(task, templatePath);
    if (typeof text !== 'string') continue;
    for (const issue of checkTemplate(env, text)) {
      const where = issue.line !== undefined && text.includes('\n') ? ` (template line ${issue.line})` : '';
      problems.push({ path: [...path, ...templatePath], message: `${issue.message}${where}` });
    }
  }
  for (const nested of taskType.nested?.(task) ?? []) {
    if (Array.isArray(nested.tasks)) problems.push(...checkTasks(nested.tasks, [...path, ...nested.path], env));
  }
  return problems;
}

function valueAt(value: unknown, path: DefinitionPath): unknown {
  return path.reduce<unknown>(
    (v, segment) => (v && typeof v === 'object' ? (v as Record<string | number, unknown>)[segment] : undefined),
    value,
  );
}

/** Ajv's errors as one problem per field: unions collapsed ("must be a string or null"), unknown fields with a suggestion. */
type Located = DefinitionProblem & { key?: boolean };

function schemaProblems(errors: ErrorObject[], base: DefinitionPath, known: string[] = []): Located[] {
  const byPath = new Map<string, ErrorObject[]>();
  for (const error of errors) {
    const key =
      error.keyword === 'required' || error.keyword === 'additionalProperties'
        ? `${error.instancePath}/${(error.params as { missingProperty?: string; additionalProperty?: string }).missingProperty ?? (error.params as { additionalProperty: string }).additionalProperty}`
        : error.instancePath;
    byPath.set(key, [...(byPath.get(key) ?? []), error]);
  }
  // A union (`object | null`) whose object branch failed deeper says more there: drop the parent's "must be null".
  const paths = [...byPath.keys()];
  const groups = [...byPath.entries()]
    .filter(
      ([key, group]) =>
        !(
          group.every((e) => e.keyword === 'type' || e.keyword === 'anyOf') &&
          paths.some((p) => p.startsWith(`${key}/`))
        ),
    )
    .map(([, group]) => group);
  return groups.map((group): Located => {
    const first = group.find((e) => e.keyword !== 'anyOf') ?? group[0]!;
    const path = [...base, ...pointerSegments(first.instancePath)];
    if (first.keyword === 'required') {
      const field = (first.params as { missingProperty: string }).missingProperty;
      return { path, message: `missing field \`${field}\`` };
    }
    if (first.keyword === 'additionalProperties') {
      const field = (first.params as { additionalProperty: string }).additionalProperty;
      return { path: [...path, field], message: `unknown field \`${field}\`${suggest(field, known)}`, key: true };
    }
    const types = [
      ...new Set(group.filter((e) => e.keyword === 'type').map((e) => (e.params as { type: string }).type)),
    ];
    const consts = group
      .filter((e) => e.keyword === 'const')
      .map((e) => JSON.stringify((e.params as { allowedValue: unknown }).allowedValue));
    if (consts.length > 0) return { path, message: `must be one of: ${consts.join(', ')}` };
    if (types.length > 1 || (types.length === 1 && group.some((e) => e.keyword === 'anyOf')))
      return { path, message: `must be ${types.map(article).join(' or ')}` };
    if (first.keyword === 'type')
      return { path, message: `must be ${article((first.params as { type: string }).type)}` };
    return { path, message: first.message ?? 'is not valid' };
  });
}

function pointerSegments(pointer: string): (string | number)[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function article(type: string): string {
  return type === 'null'
    ? 'null'
    : type === 'array' || type === 'object' || type === 'integer'
      ? `an ${type}`
      : `a ${type}`;
}

/** ` (did you mean \`x\`?)` when a known name is one or two edits away. */
function suggest(word: string, known: string[]): string {
  const best = known
    .map((k) => ({ k, d: editDistance(word.toLowerCase(), k.toLowerCase()) }))
    .sort((a, b) => a.d - b.d)[0];
  return best && best.d <= Math.max(1, Math.min(2, Math.floor(word.length / 3)))
    ? ` (did you mean \`${best.k}\`?)`
    : '';
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

function positioned(problem: Located, source: YamlSource): DefinitionProblem {
  if (problem.line !== undefined) return problem;
  const { key, ...rest } = problem;
  return { ...rest, ...source.position(problem.path, { key: key ?? false }) };
}
