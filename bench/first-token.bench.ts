/**
 * First-token benchmark: the time from asking to the first streamed text delta through oxy's model
 * client (key lookup, the AI SDK's request building and stream parsing, oxy's event mapping),
 * beside a bare `fetch` that reads the same scripted server's stream until its first text chunk.
 * The server waits a fixed delay before the first token (a model "thinking"); both paths see the
 * same delay, so the difference is what oxy adds. Rounds are interleaved in a rotating order,
 * after warm-up rounds; min and median are printed, and the overhead in ms.
 *
 *   npm run bench:first-token [-- --rounds 40 --delay 50 --json]
 */
import { keySource } from '../src/services/agents/models/key-source.js';
import { ModelClient } from '../src/services/agents/models/model-client.js';
import type { ModelConfig } from '../src/services/agents/models/model-config.js';
import { ScriptedModelServer, type Protocol } from '../test/support/scripted-model-server.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const rounds = option('--rounds', 40);
const warmup = option('--warmup', 5);
const delayMs = option('--delay', 50);
const KEY = 'sk-bench-key';

const server = await ScriptedModelServer.start();
server.script({ text: ['first', ' token', ' and more'], usage: { input: 10, output: 3 }, delayMs, repeat: true });
const client = new ModelClient({ keys: keySource({ BENCH_KEY: KEY }) });
const question = 'Which stores sold the most last quarter?';

const models: Record<Protocol, ModelConfig> = {
  openai: { name: 'o', vendor: 'openai', model_ref: 'gpt-bench', api_url: server.openaiUrl, key_var: 'BENCH_KEY' },
  anthropic: {
    name: 'a',
    vendor: 'anthropic',
    model_ref: 'claude-bench',
    api_url: server.anthropicUrl,
    key_var: 'BENCH_KEY',
  },
};

/** ms to the first text delta through the model client; the rest of the stream is read too. */
async function viaClient(protocol: Protocol): Promise<number> {
  const start = performance.now();
  let first: number | undefined;
  for await (const event of client.streamTurn({
    model: models[protocol],
    messages: [{ role: 'user', text: question }],
  })) {
    if (event.type === 'text-delta') first ??= performance.now() - start;
    if (event.type === 'error') throw new Error(event.message);
  }
  if (first === undefined) throw new Error('no text streamed');
  return first;
}

/** ms to the first text chunk with a bare fetch: the floor any client has on this server. */
async function viaFetch(protocol: Protocol): Promise<number> {
  const start = performance.now();
  const openai = protocol === 'openai';
  const response = await fetch(`${server.url}/v1/${openai ? 'chat/completions' : 'messages'}`, {
    method: 'POST',
    headers: openai
      ? { 'content-type': 'application/json', authorization: `Bearer ${KEY}` }
      : { 'content-type': 'application/json', 'x-api-key': KEY, 'anthropic-version': '2023-06-01' },
    body: JSON.stringify({
      model: 'bench',
      stream: true,
      max_tokens: 100,
      ...(openai ? { stream_options: { include_usage: true } } : {}),
      messages: [{ role: 'user', content: question }],
    }),
  });
  const marker = openai ? '"content":"first"' : '"text":"first"';
  const decoder = new TextDecoder();
  let seen = '';
  let first: number | undefined;
  for await (const bytes of response.body!) {
    seen += decoder.decode(bytes as Uint8Array, { stream: true });
    if (first === undefined && seen.includes(marker)) first = performance.now() - start;
  }
  if (first === undefined) throw new Error('no text streamed');
  return first;
}

const min = (xs: number[]) => Math.min(...xs);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

const peers = [
  ['bare fetch', viaFetch],
  ['oxy model client', viaClient],
] as const;
const results: Array<{ protocol: Protocol; path: string; min: number; median: number }> = [];
try {
  for (const protocol of ['openai', 'anthropic'] as const) {
    const samples: number[][] = peers.map(() => []);
    for (let round = 0; round < warmup + rounds; round++) {
      // Rotate who goes first, so neither always meets a warm or a cold connection.
      const order = round % 2 === 0 ? [0, 1] : [1, 0];
      for (const i of order) {
        const ms = await peers[i]![1](protocol);
        if (round >= warmup) samples[i]!.push(ms);
      }
    }
    peers.forEach(([path], i) => results.push({ protocol, path, min: min(samples[i]!), median: median(samples[i]!) }));
  }
} finally {
  await server.close();
}

if (args.includes('--json')) {
  console.log(JSON.stringify({ rounds, delayMs, results }, null, 2));
} else {
  console.log(
    `time to first token, server first-token delay ${delayMs} ms, ${rounds} interleaved rounds (+${warmup} warm-up)`,
  );
  console.log('protocol   path               min ms   median ms   median vs bare');
  for (const r of results) {
    const bare = results.find((b) => b.protocol === r.protocol && b.path === 'bare fetch')!;
    const vs =
      r === bare ? 'peer' : `x${(r.median / bare.median).toFixed(3)}, +${(r.median - bare.median).toFixed(2)} ms`;
    console.log(
      `${r.protocol.padEnd(10)} ${r.path.padEnd(18)} ${r.min.toFixed(2).padStart(6)}   ${r.median.toFixed(2).padStart(9)}   ${vs}`,
    );
  }
}
