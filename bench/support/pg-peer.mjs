// The bare-driver peer, in a process of its own: `node pg-peer.mjs URL SQL query|copy`.
// query: pg's client.query (rows as arrays) after connecting; copy: COPY (SQL) TO STDOUT CSV,
// counting bytes and lines. Prints {ms, rows, bytes, peakRssMiB} of the timed part.
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';

const [url, sql, mode] = process.argv.slice(2);
const client = new pg.Client({ connectionString: url });
await client.connect();
let rows = 0;
let bytes = 0;
let peak = 0;
const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 25);
const started = performance.now();
if (mode === 'copy') {
  const stream = client.query(copyTo(`copy (${sql}) to stdout with (format csv, header)`));
  for await (const chunk of stream) {
    bytes += chunk.length;
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) rows++;
  }
  rows -= 1;
} else {
  const result = await client.query({ text: sql, rowMode: 'array' });
  rows = result.rows.length;
}
const ms = performance.now() - started;
clearInterval(sample);
peak = Math.max(peak, process.memoryUsage.rss());
await client.end();
console.log(JSON.stringify({ ms, rows, bytes, peakRssMiB: peak / 1024 / 1024 }));
