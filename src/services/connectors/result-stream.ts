import type { Cell, ResultColumn, ResultStream } from './connector.js';

/** What a connector's reader yields: the columns once, first, then batches of converted rows. */
export type StreamPart = { columns: ResultColumn[] } | { rows: Cell[][] };

/**
 * A `ResultStream` over a connector's reader: waits for the columns and the first batch (so an
 * error of the statement, or no row within the timeout, surfaces here, before anything was
 * sent), then hands out the batches as they are asked for. `close()` ends the reader, whose
 * `finally` stops the statement and frees the connection.
 */
export async function openResultStream(parts: AsyncGenerator<StreamPart, void, undefined>): Promise<ResultStream> {
  const head = await parts.next();
  if (head.done || !('columns' in head.value)) {
    await parts.return();
    throw new Error('a result reader yields its columns first');
  }
  const first = await parts.next();
  const firstRows = first.done || !('rows' in first.value) ? undefined : first.value.rows;
  return {
    columns: head.value.columns,
    batches: batchesOf(firstRows, first.done === true, parts),
    close: async () => {
      await parts.return();
    },
  };
}

async function* batchesOf(
  first: Cell[][] | undefined,
  done: boolean,
  parts: AsyncGenerator<StreamPart, void, undefined>,
): AsyncGenerator<Cell[][]> {
  if (first) yield first;
  if (done) return;
  for (let part = await parts.next(); !part.done; part = await parts.next())
    if ('rows' in part.value) yield part.value.rows;
}
