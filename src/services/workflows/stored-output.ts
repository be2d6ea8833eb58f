import type { TaskOutput } from './task-output.js';

/** Most rows of one SQL result kept in a run step; the row count says how many there were. */
export const STORED_ROWS = 1_000;

/**
 * An output as a run step stores it: SQL results cut to STORED_ROWS rows (loops and groups
 * included). `complete` says whether nothing was cut: only complete outputs are reused by a retry,
 * the others are run again.
 */
export function storedOutput(output: TaskOutput): { output: TaskOutput; complete: boolean } {
  switch (output.kind) {
    case 'text':
      return { output, complete: true };
    case 'table':
      return output.rows.length <= STORED_ROWS
        ? { output, complete: true }
        : { output: { ...output, rows: output.rows.slice(0, STORED_ROWS) }, complete: false };
    case 'loop': {
      let complete = true;
      const iterations = output.iterations.map((iteration) => {
        const stored = storedOutputs(iteration.outputs);
        complete &&= stored.complete;
        return { value: iteration.value, outputs: stored.outputs };
      });
      return { output: { kind: 'loop', iterations }, complete };
    }
    case 'group': {
      const stored = storedOutputs(output.outputs);
      return { output: { kind: 'group', outputs: stored.outputs }, complete: stored.complete };
    }
  }
}

function storedOutputs(outputs: Record<string, TaskOutput>) {
  let complete = true;
  const kept: Record<string, TaskOutput> = {};
  for (const [name, output] of Object.entries(outputs)) {
    const stored = storedOutput(output);
    complete &&= stored.complete;
    kept[name] = stored.output;
  }
  return { outputs: kept, complete };
}

/** Whether a stored output kept every row (a retry reuses only such outputs). */
export function isComplete(output: TaskOutput): boolean {
  switch (output.kind) {
    case 'text':
      return true;
    case 'table':
      return output.rows.length === output.rowCount;
    case 'loop':
      return output.iterations.every((iteration) => Object.values(iteration.outputs).every(isComplete));
    case 'group':
      return Object.values(output.outputs).every(isComplete);
  }
}
