import { Readable, pipeline } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { Cell, ResultStream } from './connector.js';

/**
 * A result stream as CSV text (RFC 4180: CRLF line ends, fields with `,` `"` or line breaks
 * quoted, quotes doubled), a header row first. Cells are written as the JSON result holds them:
 * NULL as an empty field, booleans as true/false, JSON values as JSON text. Rows are pulled
 * from the stream only as fast as the CSV is read; destroying the returned stream (the client
 * went away) or an error of the statement closes the result stream, which frees its connection.
 */
export function resultCsv(result: ResultStream): Readable {
  const csv = stringify({
    header: true,
    columns: result.columns.map((c, i) => ({ key: String(i), header: c.name })),
    record_delimiter: 'windows',
    // RFC 4180 quotes any line break, a lone LF too (csv-stringify quotes only the record delimiter).
    quoted_match: /[\r\n]/,
    cast: {
      boolean: (value) => String(value),
      object: (value) => JSON.stringify(value),
    },
  });
  pipeline(Readable.from(rowsOf(result), { objectMode: true, highWaterMark: 64 }), csv, () => undefined);
  return csv;
}

async function* rowsOf(result: ResultStream): AsyncGenerator<Cell[]> {
  try {
    for await (const batch of result.batches) yield* batch;
  } finally {
    await result.close();
  }
}
