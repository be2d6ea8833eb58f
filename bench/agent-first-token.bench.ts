/**
 * Agent first-token benchmark: what oxy's agent turn (runAgentTurn: history and question assembled,
 * the model client's stream mapped to agent events) adds to the time to the first streamed token,
 * beside the model client alone sending the same system prompt, tools and question to the same
 * scripted server, which waits a fixed delay before its first token. The agent is prepared once
 * (its catalog read, its prompt rendered), as a server keeps it for a thread. Rounds are
 * interleaved in a rotating order after warm-up rounds; min and median are printed.
 *
 *   npm run bench:agent-first-token [-- --rounds 40 --delay 50 --json]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { stringify } from 'yaml';
import { prepareFolderAgent, runAgentTurn, type PreparedAgent } from '../src/services/agents/agent-turn.js';
import { ScriptedModelServer, type Protocol } from '../test/support/scripted-model-server.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const rounds = option('--rounds', 40);
const warmup = option('--warmup', 5);
const delayMs = option('--delay', 50);
const ENV = { BENCH_KEY: 'sk-bench-key' };
const question = 'Which stores sold the most last quarter?';

const server = await ScriptedModelServer.start();
server.script({ text: ['first', ' token', ' and more'], usage: { input: 10, output: 3 }, delayMs, repeat: true });

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'oxy-bench-agent-'));
const db = new Database(path.join(root, 'shop.sqlite'));
db.exec(
  'CREATE TABLE stores (id INTEGER PRIMARY KEY, name TEXT, region TEXT); CREATE TABLE orders (id INTEGER, store_id INTEGER, total REAL)',
);
db.close();
fs.writeFileSync(
  path.join(root, 'config.yml'),
  stringify({
    databases: [{ name: 'shop', type: 'sqlite', path: 'shop.sqlite' }],
    models: [
      { name: 'openai', vendor: 'openai', model_ref: 'gpt-bench', api_url: server.openaiUrl, key_var: 'BENCH_KEY' },
      {
        name: 'anthropic',
        vendor: 'anthropic',
        model_ref: 'claude-bench',
        api_url: server.anthropicUrl,
        key_var: 'BENCH_KEY',
      },
    ],
  }),
);
for (const protocol of ['openai', 'anthropic'])
  fs.writeFileSync(
    path.join(root, `${protocol}.agent.yml`),
    stringify({
      model: protocol,
      system_instructions: 'You answer questions about the shop in {{ databases.shop.dialect }}.',
      tools: [
        { name: 'execute_sql', type: 'execute_sql', database: 'shop' },
        { name: 'visualize', type: 'visualize' },
      ],
    }),
  );

const agents = {
  openai: await prepareFolderAgent(root, 'openai', ENV),
  anthropic: await prepareFolderAgent(root, 'anthropic', ENV),
} satisfies Record<Protocol, PreparedAgent>;

/** ms to the first text delta of an agent turn (the turn is read to its end). */
async function viaAgent(protocol: Protocol): Promise<number> {
  const start = performance.now();
  let first: number | undefined;
  await runAgentTurn(agents[protocol], {
    history: [],
    question,
    signal: new AbortController().signal,
    onEvent: (event) => {
      if (event.type === 'text-delta') first ??= performance.now() - start;
      if (event.type === 'error') throw new Error(event.message);
    },
  });
  if (first === undefined) throw new Error('no text streamed');
  return first;
}

/** ms to the first text delta through the same agent's model client, same prompt and tools. */
async function viaClient(protocol: Protocol): Promise<number> {
  const agent = agents[protocol];
  const start = performance.now();
  let first: number | undefined;
  for await (const event of agent.client.streamTurn({
    model: agent.model,
    system: agent.system,
    tools: agent.tools,
    messages: [{ role: 'user', text: question }],
  })) {
    if (event.type === 'text-delta') first ??= performance.now() - start;
    if (event.type === 'error') throw new Error(event.message);
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
  ['model client', viaClient],
  ['agent turn', viaAgent],
] as const;
const results: Array<{ protocol: Protocol; path: string; min: number; median: number }> = [];
try {
  for (const protocol of ['openai', 'anthropic'] as const) {
    const samples: number[][] = peers.map(() => []);
    for (let round = 0; round < warmup + rounds; round++) {
      const order = round % 2 === 0 ? [0, 1] : [1, 0];
      for (const i of order) {
        const ms = await peers[i]![1](protocol);
        if (round >= warmup) samples[i]!.push(ms);
      }
    }
    peers.forEach(([name], i) =>
      results.push({ protocol, path: name, min: min(samples[i]!), median: median(samples[i]!) }),
    );
  }
} finally {
  await agents.openai.close();
  await agents.anthropic.close();
  await server.close();
  fs.rmSync(root, { recursive: true, force: true });
}

if (args.includes('--json')) {
  console.log(JSON.stringify({ rounds, delayMs, results }, null, 2));
} else {
  console.log(
    `agent time to first token, server first-token delay ${delayMs} ms, ${rounds} interleaved rounds (+${warmup} warm-up)`,
  );
  console.log('protocol   path             min ms   median ms   median vs model client');
  for (const r of results) {
    const peer = results.find((b) => b.protocol === r.protocol && b.path === 'model client')!;
    const vs =
      r === peer ? 'peer' : `x${(r.median / peer.median).toFixed(3)}, +${(r.median - peer.median).toFixed(2)} ms`;
    console.log(
      `${r.protocol.padEnd(10)} ${r.path.padEnd(16)} ${r.min.toFixed(2).padStart(6)}   ${r.median.toFixed(2).padStart(9)}   ${vs}`,
    );
  }
}
