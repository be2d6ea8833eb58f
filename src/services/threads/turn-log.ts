import { EventEmitter } from 'node:events';

/** One event of a turn as streamed: numbered from 1 within the turn. */
export interface TurnEvent {
  seq: number;
  type: string;
  data: Record<string, unknown>;
}

/**
 * Everything one turn of a thread emitted, in order, kept in this process so a second tab or a
 * reconnecting client replays it (after a `Last-Event-ID`) and then follows it live.
 */
export class TurnLog {
  readonly events: TurnEvent[] = [];
  readonly controller = new AbortController();
  finished = false;
  /** Set by a stop request (the turn ends keeping what was said). */
  stopped = false;
  private readonly changes = new EventEmitter().setMaxListeners(0);
  private readonly ended: Promise<void>;
  private resolveEnded!: () => void;

  constructor(readonly threadId: string) {
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve));
  }

  push(type: string, data: Record<string, unknown>): void {
    this.events.push({ seq: this.events.length + 1, type, data });
    this.changes.emit('change');
  }

  finish(): void {
    this.finished = true;
    this.changes.emit('change');
    this.resolveEnded();
  }

  /** Resolves once the turn has ended and every event is in the log. */
  whenFinished(): Promise<void> {
    return this.ended;
  }

  /** Calls `listener` on every new event and at the end; returns the unsubscribe. */
  subscribe(listener: () => void): () => void {
    this.changes.on('change', listener);
    return () => this.changes.off('change', listener);
  }
}
