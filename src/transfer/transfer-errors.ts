import { OxyError } from '../errors.js';

/** The errors of `oxy migrate-sqlite`, in one place: each says what happened and the next step. */

const UNFINISHED = 'the target is recorded as unfinished';

/** The run cannot go on (or start): a refused target, a bad source, an interruption. */
export class TransferError extends OxyError {
  constructor(message: string, hint: string) {
    super('migrate_sqlite_failed', message, { hint, exitCode: 1 });
  }
}

/** Where a run was when something other than a one-line oxy error stopped it: the way out differs. */
export type InterruptedAt = 'dry-run' | 'before-ledger' | 'target-unfinished';

const AFTER_INTERRUPTION: Record<InterruptedAt, string> = {
  'dry-run': 'run the dry run again',
  'before-ledger': 'the target holds no record of this migration yet; run the same command again',
  'target-unfinished': `${UNFINISHED}; once PostgreSQL answers again, run the same command with --resume`,
};

/** Anything that is not already a one-line oxy error (a lost connection, a stopped thread) interrupted the run. */
export function asTransferError(caught: unknown, at: InterruptedAt): OxyError {
  if (caught instanceof OxyError) return caught;
  return new TransferError(
    `the migration was interrupted: ${caught instanceof Error ? caught.message : String(caught)}`,
    AFTER_INTERRUPTION[at],
  );
}

/** A source value PostgreSQL cannot take, found while copying; names table, row and column. */
export class RowConversionError extends OxyError {
  constructor(
    readonly table: string,
    readonly rowId: string,
    readonly column: string,
    readonly reason: string,
  ) {
    super('bad_source_row', `cannot copy ${table}: ${table} row ${rowId} column ${column}: ${reason}`, {
      hint: `fix or delete that row in the SQLite file (oxy migrate-sqlite --dry-run lists every such row), then run again with --resume; ${UNFINISHED}`,
      exitCode: 1,
    });
  }
}

/** Rows of the source that refer to missing rows, found when PostgreSQL re-validates foreign keys. */
export class OrphanedRowsError extends OxyError {
  constructor(table: string, column: string, parent: string, count: number, ids: string[]) {
    const more = count > ids.length ? ` and ${count - ids.length} more` : '';
    super(
      'bad_source_row',
      `cannot copy ${table}: ${table} row ${ids[0] ?? '?'} column ${column}: refers to a missing ${parent} row (orphaned foreign key; ${count} row${count === 1 ? '' : 's'}: ${ids.join(', ')}${more})`,
      {
        hint: `fix or delete those rows in the SQLite file, then run again with --restart; ${UNFINISHED}`,
        exitCode: 1,
      },
    );
  }
}

/**
 * Rows of the source that share a unique key once PostgreSQL reads them (SQLite compares UUIDs as
 * text, PostgreSQL as UUIDs: two spellings of one id in different case), found when the unique
 * constraint is re-created.
 */
export class DuplicateRowsError extends OxyError {
  constructor(table: string, columns: string[], values: string, ids: string[]) {
    super(
      'bad_source_row',
      `cannot copy ${table}: ${table} rows ${ids.join(', ')} have the same ${columns.join(', ')} (${values}), which must be unique`,
      {
        hint: `fix or delete one of those rows in the SQLite file, then run again with --restart; ${UNFINISHED}`,
        exitCode: 1,
      },
    );
  }
}

/** The target does not hold what the source holds. */
export class VerificationError extends OxyError {
  constructor(message: string) {
    super('migrate_sqlite_failed', message, { hint: `${UNFINISHED}; run again with --restart`, exitCode: 1 });
  }
}
