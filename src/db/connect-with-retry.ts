import { DatabaseUnavailableError } from '../errors.js';
import { connectDatabase, type AppDatabase } from './connect.js';
import type { DatabaseTarget } from './url.js';

/** Failures that waiting will not fix: a wrong password, a missing database or role. */
const PERMANENT = [/rejected the password/, /does not exist/, /refused user/];

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  /** Delay before the second attempt; doubles after each failure. */
  initialDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 7, initialDelayMs: 500, maxDelayMs: 8_000 };

/**
 * Connects like {@link connectDatabase}, retrying transient failures (server not up yet,
 * connection refused) with exponential backoff and logging each attempt; permanent ones fail at once.
 *
 * @example
 * const db = await connectWithRetry(target, (line) => process.stderr.write(line + '\n'));
 */
export async function connectWithRetry(
  target: DatabaseTarget,
  log: (line: string) => void,
  policy: RetryPolicy = DEFAULT_RETRY,
  options: { poolSize?: number } = {},
): Promise<AppDatabase> {
  let delay = policy.initialDelayMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await connectDatabase(target, options);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const permanent = !(error instanceof DatabaseUnavailableError) || PERMANENT.some((p) => p.test(message));
      if (permanent || attempt >= policy.attempts) throw error;
      log(`${message}; retrying in ${(delay / 1000).toFixed(1)} s (attempt ${attempt + 1} of ${policy.attempts})`);
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, policy.maxDelayMs);
    }
  }
}
