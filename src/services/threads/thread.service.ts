import os from 'node:os';
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { EntityRepository, RowValues } from '../../repositories/entity.repository.js';
import type { ThreadRepository } from '../../repositories/thread.repository.js';
import type { JsonValue, ToolCall, TurnMessage } from '../agents/models/model-turn.js';
import type { ThreadAgentEvent, ThreadAgentRunner } from './thread-agent.js';
import { threadErrors } from './thread-errors.js';
import { TurnLog } from './turn-log.js';
import { TurnRecorder } from './turn-recorder.js';

export interface ThreadServiceOptions {
  /** A turn whose server has not said it is alive for this long is released (default 30 s). */
  leaseMs?: number;
  /** A read-only server answers, streamed, but stores nothing. */
  readonly?: boolean;
  /** How long a finished turn stays replayable by GET events (default 5 min). */
  keepFinishedMs?: number;
}

const TITLE_WORDS = 8;
const STOP_POLL_MS = 100;
const TITLE_MAX = 80;
const INTERRUPTED = 'the answer was interrupted: the oxy server running it stopped; ask again';

/**
 * Threads answering questions: a question is stored, the thread claimed for the turn (one turn at
 * a time, across servers), the agent run with the thread's history, and every event streamed to
 * the asking client and any follower while it is stored as it happens. A stop ends the turn
 * keeping what was said; the turns of a process that died are released by the next server that
 * starts on the database, after their lease ends.
 */
export class ThreadService {
  /** This process's name on the turns it runs. */
  readonly owner = `${os.hostname()}:${String(process.pid)}:${randomUUID()}`;
  private readonly turns = new Map<string, TurnLog>();
  private readonly leaseMs: number;
  private readonly keepFinishedMs: number;
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(
    private readonly repo: EntityRepository,
    private readonly threads: ThreadRepository,
    private readonly agent: ThreadAgentRunner,
    private readonly options: ThreadServiceOptions = {},
  ) {
    this.leaseMs = options.leaseMs ?? 30_000;
    this.keepFinishedMs = options.keepFinishedMs ?? 5 * 60_000;
  }

  /** Stores the question and starts the agent's turn; resolves with the turn's log once it runs. */
  async ask(threadId: string, content: string): Promise<TurnLog> {
    const thread = await this.repo.get('threads', threadId);
    if (!thread.agent_id) throw threadErrors.noAgent(threadId);
    const current = this.turns.get(threadId);
    if (current && !current.finished) throw threadErrors.busy(threadId);
    const store = !this.options.readonly;
    const log = new TurnLog(threadId);
    this.turns.set(threadId, log);
    try {
      if (store && !(await this.threads.claim(threadId, this.owner))) throw threadErrors.busy(threadId);
    } catch (error) {
      this.turns.delete(threadId);
      throw error;
    }
    try {
      const stored = await this.threads.messages(threadId);
      const history = toHistory(stored);
      const first = !stored.some((m) => m.role === 'user');
      const question = store
        ? await this.repo.insert('messages', { thread_id: threadId, role: 'user', content })
        : undefined;
      if (store && first && String(thread.title).trim() === '')
        await this.repo.update('threads', threadId, { title: firstWords(content) });
      log.push('user-message', { content, ...(question ? { messageId: question.id } : {}) });
      this.beat();
      void this.run(thread, log, history, content, store, first && String(thread.title).trim() === '');
      return log;
    } catch (error) {
      this.turns.delete(threadId);
      if (store) await this.threads.release(threadId, this.owner);
      throw error;
    }
  }

  /** The current or last turn of the thread run by this process, for followers. */
  follow(threadId: string): TurnLog | undefined {
    return this.turns.get(threadId);
  }

  /** Ends the thread's turn, keeping what was said; resolves with the thread once it is released. */
  async stop(threadId: string): Promise<RowValues> {
    const thread = await this.repo.get('threads', threadId);
    const log = this.turns.get(threadId);
    if (log && !log.finished) {
      log.stopped = true;
      log.controller.abort();
      await log.whenFinished();
      return this.repo.get('threads', threadId);
    }
    if (thread.is_processing && (await this.threads.requestStop(threadId))) return this.awaitRelease(threadId);
    if (thread.is_processing) throw threadErrors.elsewhere(threadId);
    throw threadErrors.idle(threadId);
  }

  /** Waits for the server running the thread's turn to stop it (it looks at every heartbeat). */
  private async awaitRelease(threadId: string): Promise<RowValues> {
    // The owner looks every third of its lease; a busy machine gets a few seconds more.
    const deadline = Date.now() + Math.max(this.leaseMs, 5_000);
    for (;;) {
      const thread = await this.repo.get('threads', threadId);
      if (!thread.is_processing) return thread;
      if (Date.now() > deadline) throw threadErrors.elsewhere(threadId);
      await delay(STOP_POLL_MS);
    }
  }

  /**
   * Releases the turns of servers that stopped saying they are alive (at start-up): each thread
   * gains an assistant message saying the answer was interrupted. Resolves with their ids.
   */
  async releaseAbandoned(): Promise<string[]> {
    const before = new Date(Date.now() - this.leaseMs).toISOString();
    const released = await this.threads.releaseAbandoned(before);
    for (const id of released)
      await this.repo.insert('messages', {
        thread_id: id,
        role: 'assistant',
        content: INTERRUPTED,
        metadata: { error: { code: 'turn_interrupted', message: INTERRUPTED } },
      });
    return released;
  }

  /** Stops every turn of this process (they store what was said and release their threads). */
  async close(): Promise<void> {
    const running = [...this.turns.values()].filter((log) => !log.finished);
    for (const log of running) {
      log.stopped = true;
      log.controller.abort();
    }
    await Promise.all(running.map((log) => log.whenFinished()));
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  private async run(
    thread: RowValues,
    log: TurnLog,
    history: TurnMessage[],
    question: string,
    store: boolean,
    titled: boolean,
  ): Promise<void> {
    const threadId = String(thread.id);
    const recorder = new TurnRecorder(this.repo, thread, store);
    let ended = false;
    let failed = false;
    const emit = async (event: ThreadAgentEvent) => {
      if (ended) return;
      const { type, ...data } = event;
      if (type === 'done' || type === 'error') ended = true;
      if (type === 'error') failed = true;
      // Text streams at once; what has a stored row streams once it is stored (with its id).
      if (type === 'text-delta') {
        await recorder.record(event);
        log.push(type, data);
        return;
      }
      if (type === 'done' && log.stopped) {
        const stored = await recorder.record({ type: 'done', finishReason: 'stopped' });
        log.push(type, { finishReason: 'stopped', ...stored });
        return;
      }
      const stored = await recorder.record(event);
      log.push(type, { ...data, ...stored });
    };
    try {
      await this.agent.run(String(thread.agent_id), {
        history,
        question,
        signal: log.controller.signal,
        onEvent: emit,
        // A read-only server links nothing to the thread (its agent's charts are not stored either).
        ...(store ? { threadId } : {}),
      });
      if (!ended) await emit({ type: 'done', finishReason: log.stopped ? 'stopped' : 'other' });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const code = (error as { code?: unknown }).code;
      await emit({ type: 'error', code: typeof code === 'string' ? code : 'agent_failed', message }).catch(() => {});
    }
    try {
      if (store && titled && !failed && !log.stopped) await this.generateTitle(thread, question, log);
    } finally {
      if (store) await this.threads.release(threadId, this.owner).catch(() => {});
      log.finish();
      setTimeout(() => {
        if (this.turns.get(threadId) === log) this.turns.delete(threadId);
      }, this.keepFinishedMs).unref();
      if (![...this.turns.values()].some((l) => !l.finished) && this.heartbeat) {
        clearInterval(this.heartbeat);
        this.heartbeat = undefined;
      }
    }
  }

  /** Titles the thread from its first question with a short model call; the first words stay when it fails. */
  private async generateTitle(thread: RowValues, question: string, log: TurnLog): Promise<void> {
    const title = await this.agent
      .title?.(String(thread.agent_id), question, AbortSignal.timeout(15_000))
      .catch(() => undefined);
    const clean = title?.replace(/^["'\s]+|["'\s.]+$/g, '').slice(0, TITLE_MAX);
    if (!clean) return;
    await this.repo.update('threads', String(thread.id), { title: clean });
    log.push('title', { title: clean });
  }

  /** Says this process is alive for its running turns, every third of the lease. */
  private beat(): void {
    if (this.options.readonly || this.heartbeat) return;
    this.heartbeat = setInterval(
      () => {
        const ids = [...this.turns.values()].filter((l) => !l.finished).map((l) => l.threadId);
        void this.threads
          .heartbeat(ids, this.owner)
          .then((stop) => {
            // Another server was asked to stop these turns.
            for (const id of stop) {
              const log = this.turns.get(id);
              if (!log || log.finished) continue;
              log.stopped = true;
              log.controller.abort();
            }
          })
          .catch(() => {});
      },
      Math.max(50, Math.floor(this.leaseMs / 3)),
    );
    this.heartbeat.unref();
  }
}

/** The deterministic title: the question's first words. */
export function firstWords(question: string): string {
  const words = question.trim().split(/\s+/).slice(0, TITLE_WORDS).join(' ');
  return words.length > TITLE_MAX ? `${words.slice(0, TITLE_MAX - 1)}…` : words;
}

/** Stored messages → the model's history (failures the thread shows are not sent back). */
export function toHistory(messages: RowValues[]): TurnMessage[] {
  const history: TurnMessage[] = [];
  for (const message of messages) {
    const metadata = (message.metadata ?? {}) as Record<string, unknown>;
    // A failure the thread shows (an assistant message carrying the error) is not the model's.
    if (message.role === 'assistant' && metadata.error) continue;
    const content = String(message.content);
    if (message.role === 'user') history.push({ role: 'user', text: content });
    else if (message.role === 'assistant') {
      const toolCalls = metadata.toolCalls as ToolCall[] | undefined;
      history.push({ role: 'assistant', text: content, ...(toolCalls?.length ? { toolCalls } : {}) });
    } else if (message.role === 'tool')
      history.push({
        role: 'tool',
        toolCallId: String(metadata.toolCallId),
        toolName: String(metadata.toolName),
        output: (metadata.result ?? metadata.error ?? content) as JsonValue,
        ...(metadata.ok === false ? { isError: true } : {}),
      });
  }
  return history;
}
