import { InvalidArgumentError } from 'commander';

/** Parses a flag that counts something (--workers): a whole number from `min` to 1000. */
export function countParser(min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > 1000)
      throw new InvalidArgumentError(`'${value}' is not a count (${min}-1000).`);
    return n;
  };
}
