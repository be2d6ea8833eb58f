import { defineError } from '../../errors.js';

/** The job queue's errors users can meet (HTTP and CLI). */
export const jobErrors = {
  notFound: defineError('not_found', (id: string) => ({ message: `jobs ${id} not found` }), { status: 404 }),
  alreadyFinished: defineError(
    'job_finished',
    (id: string, status: string) => ({
      message: `job ${id} has already ${status === 'cancelled' ? 'been cancelled' : status}: there is nothing to cancel`,
      hint: 'enqueue a new job to run it again',
    }),
    { status: 409 },
  ),
  badEnqueue: defineError(
    'validation',
    (field: string, problem: string) => ({ message: `cannot enqueue the job: ${field} ${problem}` }),
    { status: 400 },
  ),
};
