import { describe, expect, it } from 'vitest';
import { compareResults } from '../../../../src/services/agents/evaluation/result-comparison.js';
import {
  asksForOrder,
  comparesInOrder,
  hasTopLevelOrderBy,
} from '../../../../src/services/agents/evaluation/order-intent.js';

const unordered = { ordered: false };
const ordered = { ordered: true };

describe('compareResults', () => {
  it('accepts the same rows in another order unless the order is compared', () => {
    const want = [
      ['West', 10],
      ['South', 5],
    ];
    const got = [
      ['South', 5],
      ['West', 10],
    ];
    expect(compareResults(want, got, unordered)).toEqual({ equal: true });
    expect(compareResults(want, got, ordered)).toEqual({
      equal: false,
      diff: 'the same rows in another order, and the question asks for an order',
    });
    expect(compareResults(want, want, ordered)).toEqual({ equal: true });
  });

  it('ignores column names and order, and extra columns of the answer', () => {
    const want = [
      ['Pike Place', '1200.50'],
      ['Old Town', '80.00'],
    ];
    const got = [
      [80, 'Boston', 'Old Town'],
      [1200.5, 'Seattle', 'Pike Place'],
    ];
    expect(compareResults(want, got, unordered)).toEqual({ equal: true });
    expect(compareResults(want, [['Pike Place'], ['Old Town']], unordered)).toEqual({
      equal: false,
      diff: 'expected 2 columns, got 1; missing (Pike Place, 1200.5) (Old Town, 80); unexpected (Pike Place) (Old Town)',
    });
  });

  it('compares numbers within a small relative tolerance, decimals given as strings normalised', () => {
    expect(compareResults([['0.30']], [[0.1 + 0.2]], unordered).equal).toBe(true);
    expect(compareResults([['1234567.000']], [[1234567.0004]], unordered).equal).toBe(true);
    expect(compareResults([['12345678901234567890']], [['12345678901234567890.0']], unordered).equal).toBe(true);
    expect(compareResults([['25.12']], [[25.1234]], unordered)).toEqual({
      equal: false,
      diff: 'missing (25.12); unexpected (25.1234)',
    });
    expect(compareResults([[1]], [[1.000004]], unordered)).toEqual({
      equal: false,
      diff: 'numbers differ by more than the tolerance (1e-6 relative)',
    });
  });

  it('treats NULL as equal only to NULL', () => {
    expect(compareResults([[null, 'a']], [[null, 'a']], unordered).equal).toBe(true);
    expect(compareResults([[null]], [[0]], unordered)).toEqual({
      equal: false,
      diff: 'missing (NULL); unexpected (0)',
    });
    expect(compareResults([[null]], [['']], unordered).equal).toBe(false);
  });

  it('counts duplicates: a multiset, not a set', () => {
    expect(compareResults([['a'], ['a'], ['b']], [['a'], ['b'], ['b']], unordered)).toEqual({
      equal: false,
      diff: 'missing (a); unexpected (b)',
    });
    expect(compareResults([['a'], ['a']], [['a']], unordered)).toEqual({
      equal: false,
      diff: 'expected 2 rows, got 1; missing (a)',
    });
  });

  it('equals a timestamp at midnight with its date, and empty results with each other', () => {
    expect(compareResults([['2025-12-01']], [['2025-12-01T00:00:00.000Z']], unordered).equal).toBe(true);
    expect(compareResults([['2025-12-01']], [['2025-12-01T10:00:00.000Z']], unordered).equal).toBe(false);
    expect(compareResults([], [], unordered).equal).toBe(true);
  });

  it('pairs columns by their values even when two columns could match one', () => {
    const want = [
      [1, 2],
      [2, 1],
    ];
    expect(
      compareResults(
        want,
        [
          [2, 1],
          [1, 2],
        ],
        ordered,
      ).equal,
    ).toBe(true);
    expect(
      compareResults(
        [
          [1, 2],
          [2, 3],
        ],
        [
          [2, 1],
          [3, 3],
        ],
        unordered,
      ).equal,
    ).toBe(false);
  });

  it('shortens a long diff to three rows each way', () => {
    const want = Array.from({ length: 6 }, (_, i) => [i]);
    const got = Array.from({ length: 6 }, (_, i) => [i + 10]);
    expect(compareResults(want, got, unordered)).toEqual({
      equal: false,
      diff: 'missing (0) (1) (2) and 3 more; unexpected (10) (11) (12) and 3 more',
    });
  });
});

describe('comparesInOrder', () => {
  it('needs a top-level ORDER BY in the expected SQL', () => {
    expect(hasTopLevelOrderBy('select * from t order by 1')).toBe(true);
    expect(hasTopLevelOrderBy('select rank() over (order by x) from t')).toBe(false);
    expect(hasTopLevelOrderBy("select 'order by' as s from t -- order by x\n")).toBe(false);
    expect(hasTopLevelOrderBy('select * from (select * from t order by 1) s')).toBe(false);
  });

  it('and a question that asks for an order in words', () => {
    expect(asksForOrder('Revenue per month, in chronological order')).toBe(true);
    expect(asksForOrder('Top 5 products by revenue')).toBe(true);
    expect(asksForOrder('Stores by revenue, largest first')).toBe(true);
    expect(asksForOrder('Which store sold the most?')).toBe(false);
    expect(asksForOrder('How many orders per region?')).toBe(false);
    expect(comparesInOrder('Stores sorted by revenue', 'select 1 order by 1')).toBe(true);
    expect(comparesInOrder('Stores sorted by revenue', 'select 1')).toBe(false);
    expect(comparesInOrder('Revenue per store', 'select 1 order by 1')).toBe(false);
  });
});
