import path from 'node:path';

/** Oxy's workflow files: `.procedure.yml` now, `.workflow.yml` and `.automation.yml` before. */
export const WORKFLOW_FILE = /\.(procedure|workflow|automation)\.ya?ml$/;
/** Oxy's agent files. */
export const AGENT_FILE = /\.agent\.ya?ml$/;

/** The name a file stands for (`workflows/monthly.procedure.yml` → `monthly`, `agents/sales.agent.yml` → `sales`). */
export function nameOfFile(file: string, kind: typeof WORKFLOW_FILE | typeof AGENT_FILE): string {
  return path.basename(file).replace(kind, '');
}
