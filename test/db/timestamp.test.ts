import { describe, expect, it } from 'vitest';
import { canonicalTimestamp } from '../../src/db/timestamp.js';
import { isStorableTimestamp } from '../../src/server/input-rules.js';

describe('canonicalTimestamp', () => {
  it('refuses instants outside the years 1 to 9999 in UTC, also when an offset moves them there', () => {
    for (const value of [
      '0000-06-01T00:00:00.000Z',
      '0000-01-01T00:30:00+01:00',
      '0001-01-01T00:30:00+01:00',
      '9999-12-31T23:00:00-05:00',
      '0000-01-01 00:00:00+00',
    ]) {
      expect(() => canonicalTimestamp(value), value).toThrow(RangeError);
      expect(isStorableTimestamp(value.replace(' ', 'T').replace(/\+00$/, 'Z')), value).toBe(false);
    }
    expect(() => canonicalTimestamp(new Date(Date.UTC(10000, 0, 1)))).toThrow(RangeError);
  });

  it('keeps the first and last instants of that range', () => {
    expect(canonicalTimestamp('0001-01-01T00:30:00-01:00')).toBe('0001-01-01T01:30:00.000Z');
    expect(canonicalTimestamp('9999-12-31T23:59:59.999999Z')).toBe('9999-12-31T23:59:59.999999Z');
    expect(canonicalTimestamp('0001-01-01 00:00:00+00')).toBe('0001-01-01T00:00:00.000Z');
    expect(isStorableTimestamp('9999-12-31T18:00:00-05:00')).toBe(true);
  });
});
