import { InvalidArgumentError } from 'commander';

/** Parses a flag that counts something (--workers, --threads): a whole number from `min` to `max`. */
export function countParser(min: number, max = 1000): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`'${value}' is not a count (${min}-${max}).`);
    return n;
  };
}
