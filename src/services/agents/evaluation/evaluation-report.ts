import type { FileOutcome, RunOutcome } from './evaluate-agent.js';
import { overallAccuracy } from './evaluate-agent.js';

export function percent(accuracy: number): string {
  return `${(accuracy * 100).toFixed(1)}%`;
}

/** One progress line per finished run (stderr): `✓ 3. How many stores are there?  (run 1)  812 ms`. */
export function progressLine(index: number, prompt: string, run: RunOutcome, runsPerCase: number): string {
  const mark = run.passed ? '✓' : '✗';
  const which = runsPerCase > 1 ? `  (run ${run.run})` : '';
  return `${mark} ${index}. ${shorten(prompt, 70)}${which}  ${run.durationMs} ms\n`;
}

/**
 * The text report: per file, one line per case with its accuracy, and under a failed run why
 * (no SQL, SQL error, different rows with a short diff); then the overall accuracy.
 */
export function textReport(files: FileOutcome[], minAccuracy: number | undefined): string {
  const lines: string[] = [];
  for (const file of files) {
    lines.push(
      `${file.file}  (agent ${file.target}, ${file.runsPerCase} run${file.runsPerCase === 1 ? '' : 's'} per case)`,
    );
    for (const c of file.cases) {
      const mark = c.passed === c.runs.length ? '✓' : c.passed === 0 ? '✗' : '~';
      lines.push(`  ${mark} ${percent(c.accuracy).padStart(6)}  ${c.index}. ${shorten(c.prompt, 90)}`);
      for (const run of c.runs.filter((r) => !r.passed)) {
        const which = file.runsPerCase > 1 ? `run ${run.run}: ` : '';
        lines.push(`      ${which}${run.reason}: ${shorten(run.detail ?? '', 200)}`);
        if (run.sql) lines.push(`      sql: ${shorten(run.sql.replace(/\s+/g, ' '), 200)}`);
      }
    }
    lines.push(
      `  accuracy ${percent(file.accuracy)} (${file.passed}/${plural(file.total, 'run')}, ${plural(file.cases.length, 'case')})`,
    );
    lines.push('');
  }
  const overall = overallAccuracy(files);
  const verdict =
    minAccuracy === undefined
      ? ''
      : overall.accuracy >= minAccuracy
        ? `  (>= ${percent(minAccuracy)})`
        : `  BELOW --min-accuracy ${percent(minAccuracy)}`;
  lines.push(
    `overall accuracy ${percent(overall.accuracy)} (${overall.passed}/${plural(overall.total, 'run')})${verdict}`,
  );
  return `${lines.join('\n')}\n`;
}

/** The JSON report: every file, case and run, and the overall accuracy (numbers are fractions 0..1). */
export function jsonReport(files: FileOutcome[], minAccuracy: number | undefined): string {
  const overall = overallAccuracy(files);
  return `${JSON.stringify(
    {
      accuracy: overall.accuracy,
      passed: overall.passed,
      total: overall.total,
      min_accuracy: minAccuracy ?? null,
      ok: minAccuracy === undefined || overall.accuracy >= minAccuracy,
      files,
    },
    null,
    2,
  )}\n`;
}

function shorten(text: string, max: number): string {
  const flat = text.replace(/\s*\n\s*/g, ' ');
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
