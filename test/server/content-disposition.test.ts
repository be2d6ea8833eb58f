import { describe, expect, it } from 'vitest';
import { attachment } from '../../src/server/content-disposition.js';

/** The download name of a CSV export: safe as a header and as a file name, exact in `filename*`. */
describe('attachment', () => {
  it('keeps a plain name as it is', () => {
    expect(attachment('Revenue by month', 'csv')).toBe(
      `attachment; filename="Revenue by month.csv"; filename*=UTF-8''Revenue%20by%20month.csv`,
    );
  });

  it('replaces quotes, slashes, control characters and non-ASCII in filename', () => {
    const header = attachment('a"b/c\\d\r\ne ü', 'csv');
    expect(header.split(';')[1]).toBe(' filename="a_b_c_d__e _.csv"');
  });

  it('does not start a file name with a dot', () => {
    expect(attachment('..hidden', 'csv')).toMatch(/filename="_hidden\.csv"/);
  });

  it('names an empty query name "result"', () => {
    expect(attachment('  ', 'csv')).toMatch(/filename="result\.csv"/);
  });

  it("percent-encodes the characters RFC 5987 keeps out of filename*: ' ( ) *", () => {
    expect(attachment("it's (final) *", 'csv')).toMatch(/filename\*=UTF-8''it%27s%20%28final%29%20%2A\.csv$/);
  });
});
