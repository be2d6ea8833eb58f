import { defineError } from '../../errors.js';

/** Errors of syncing a database's catalog. */
export const catalogErrors = {
  cancelled: defineError(
    'sync_cancelled',
    (name: string) => ({
      message: `the catalog sync of ${name} was cancelled; the stored catalog is unchanged`,
      hint: 'run the sync again',
    }),
    { status: 409, exitCode: 1 },
  ),
};
