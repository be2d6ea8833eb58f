import { InvalidArgumentError } from 'commander';

/** Parses a flag that counts something (--workers, --concurrency): a whole number 0-1000. */
export function parseCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 1000) throw new InvalidArgumentError(`'${value}' is not a count (0-1000).`);
  return n;
}
