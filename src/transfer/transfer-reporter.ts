import cliProgress from 'cli-progress';
import type { EntityResult, TransferReport } from './migrate-sqlite.js';

/** Where migrate-sqlite tells a person what it is doing (never stdout when --json). */
export interface TransferReporter {
  note(line: string): void;
  planned(entity: string, rows: number, problems: string[]): void;
  skipped(entity: string, rows: number): void;
  entityStart(entity: string, total: number, alreadyCopied: number): void;
  entityProgress(entity: string, copied: number): void;
  /** Copied; verification follows in the background. */
  entityCopied(entity: string, copied: number): void;
  entityDone(result: EntityResult): void;
  close(): void;
}

/** Progress bars on a terminal (rows, rows/s, ETA); plain lines otherwise. Writes to stderr. */
export function createReporter(options: { tty: boolean; quiet: boolean }): TransferReporter {
  const write = (line: string) => {
    if (!options.quiet) process.stderr.write(`${line}\n`);
  };
  let bar: cliProgress.SingleBar | undefined;
  const stopBar = () => {
    bar?.stop();
    bar = undefined;
  };
  return {
    note: (line) => {
      stopBar();
      write(line);
    },
    planned: (entity, rows, problems) => {
      write(
        `${entity.padEnd(10)} ${String(rows).padStart(10)} rows  ${problems.length === 0 ? 'ok' : `${problems.length} problem(s)`}`,
      );
      for (const p of problems) write(`  - ${p}`);
    },
    skipped: (entity, rows) =>
      write(`${entity.padEnd(10)} ${String(rows).padStart(10)} rows  already copied and verified`),
    entityStart: (entity, total, already) => {
      if (options.quiet) return;
      if (options.tty) {
        bar = new cliProgress.SingleBar(
          {
            format: `${entity.padEnd(10)} [{bar}] {value}/{total} rows | {speed} rows/s | ETA {eta_formatted}`,
            stream: process.stderr,
            hideCursor: true,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(Math.max(total, 1), already, { speed: '0' });
      } else {
        write(`${entity}: copying ${total} rows${already > 0 ? ` (resuming after ${already})` : ''}`);
      }
    },
    entityProgress: (_entity, copied) => {
      if (!bar) return;
      const elapsed = (Date.now() - (bar as unknown as { startTime: number }).startTime) / 1000;
      bar.update(copied, { speed: elapsed > 0 ? Math.round(copied / elapsed).toString() : '0' });
    },
    entityCopied: (entity, copied) => {
      bar?.update(copied);
      stopBar();
      if (!options.tty) write(`${entity}: copied ${copied} rows, verifying`);
    },
    entityDone: (result) => {
      write(
        `${result.entity}: ${result.migratedRows}/${result.sourceRows} rows, checksum ${result.checksumOk ? 'ok' : 'MISMATCH'}, ${result.seconds.toFixed(2)} s`,
      );
    },
    close: stopBar,
  };
}

/** The final per-entity table. */
export function formatReport(report: TransferReport): string {
  const header = ['entity', 'source rows', 'migrated rows', 'checksum', 'seconds'];
  const rows = report.entities.map((e) => [
    e.entity,
    String(e.sourceRows),
    report.dryRun ? '-' : String(e.migratedRows),
    e.checksumOk === null ? '-' : e.checksumOk ? 'ok' : 'MISMATCH',
    e.seconds.toFixed(2),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const total = report.entities.reduce((n, e) => n + (report.dryRun ? e.sourceRows : e.migratedRows), 0);
  const rate = report.seconds > 0 ? Math.round(total / report.seconds) : 0;
  const verdict = report.dryRun
    ? report.ok
      ? `dry run: ${total} rows would be copied; nothing was written`
      : `dry run found problems: ${report.error ?? ''}`
    : report.ok
      ? `migrated ${total} rows in ${report.seconds.toFixed(2)} s (${rate} rows/s); every count and checksum matches`
      : `migration failed: ${report.error ?? ''}`;
  return [line(header), ...rows.map(line), '', verdict].join('\n');
}
