import cliProgress from 'cli-progress';
import type { EntityResult, TransferReport } from './migrate-sqlite.js';

/** Where migrate-sqlite tells a person what it is doing (never stdout when --json). */
export interface TransferReporter {
  note(line: string): void;
  planned(entity: string, rows: number, problems: string[]): void;
  skipped(entity: string, rows: number): void;
  entityStart(entity: string, total: number, alreadyCopied: number): void;
  entityProgress(entity: string, copied: number): void;
  /** Copied; the last batches' proof follows in the background. */
  entityCopied(entity: string, copied: number): void;
  entityDone(result: EntityResult): void;
  close(): void;
}

/**
 * Progress bars on a terminal (one per entity being copied: rows, rows/s, ETA); plain lines
 * otherwise. Writes to `stream` (the command passes stderr, so that stdout can carry --json).
 */
export function createReporter(options: {
  stream: NodeJS.WritableStream & { isTTY?: boolean };
  tty: boolean;
  quiet: boolean;
}): TransferReporter {
  const { stream } = options;
  const write = (line: string) => {
    if (!options.quiet) stream.write(`${line}\n`);
  };
  let multi: cliProgress.MultiBar | undefined;
  const bars = new Map<string, { bar: cliProgress.SingleBar; started: number; from: number }>();
  const stopBars = () => {
    multi?.stop();
    multi = undefined;
    bars.clear();
  };
  const log = (line: string) => {
    if (multi) multi.log(`${line}\n`);
    else write(line);
  };
  return {
    note: (line) => {
      stopBars();
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
      if (!options.tty)
        return write(`${entity}: copying ${total} rows${already > 0 ? ` (resuming after ${already})` : ''}`);
      multi ??= new cliProgress.MultiBar(
        {
          format: '{entity} [{bar}] {value}/{total} rows | {speed} rows/s | ETA {eta_formatted}',
          stream,
          hideCursor: true,
          clearOnComplete: true,
        },
        cliProgress.Presets.shades_classic,
      );
      bars.set(entity, {
        bar: multi.create(Math.max(total, 1), already, { entity: entity.padEnd(10), speed: '0' }),
        started: Date.now(),
        from: already,
      });
    },
    entityProgress: (entity, copied) => {
      const entry = bars.get(entity);
      if (!entry) return;
      const elapsed = (Date.now() - entry.started) / 1000;
      entry.bar.update(copied, { speed: elapsed > 0 ? Math.round((copied - entry.from) / elapsed).toString() : '0' });
    },
    entityCopied: (entity, copied) => {
      const entry = bars.get(entity);
      if (entry) {
        entry.bar.update(copied);
        multi?.remove(entry.bar);
        bars.delete(entity);
      }
      if (!options.tty) write(`${entity}: copied ${copied} rows, verifying`);
    },
    entityDone: (result) => {
      log(
        `${result.entity}: ${result.migratedRows}/${result.sourceRows} rows, checksum ${result.checksumOk ? 'ok' : 'MISMATCH'}, ${result.seconds.toFixed(2)} s`,
      );
    },
    close: stopBars,
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
