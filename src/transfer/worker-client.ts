import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * A request/response channel to one transfer worker. When the compiled worker file is not there
 * (running from TypeScript sources, as unit tests do), `run` is called inline instead.
 */
export class WorkerClient<Req, Res> {
  private worker: Worker | undefined;
  private failure: Error | undefined;
  private next = 0;
  private readonly pending = new Map<number, { resolve: (value: Res) => void; reject: (error: Error) => void }>();

  constructor(
    workerData: unknown,
    private readonly inline: (request: Req) => Promise<Res>,
  ) {
    const file = fileURLToPath(new URL('./transfer-worker.js', import.meta.url));
    if (!fs.existsSync(file)) return;
    this.worker = new Worker(file, { workerData });
    this.worker.on('message', (msg: { id: number; result?: Res; error?: string }) => {
      const settle = (id: number) => {
        const waiting = this.pending.get(id);
        this.pending.delete(id);
        if (!waiting) return;
        if (msg.error !== undefined) waiting.reject(new Error(msg.error));
        else waiting.resolve(msg.result as Res);
      };
      if (msg.id === -1) {
        this.failure = new Error(msg.error);
        for (const id of [...this.pending.keys()]) settle(id);
      } else settle(msg.id);
    });
    this.worker.on('error', (error) => {
      this.failure = error;
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
    });
  }

  request(request: Req & object): Promise<Res> {
    if (!this.worker) return this.inline(request);
    if (this.failure) return Promise.reject(this.failure);
    const id = this.next++;
    return new Promise<Res>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker!.postMessage({ id, ...request });
    });
  }

  async close(): Promise<void> {
    if (!this.worker) return;
    this.worker.postMessage('close');
    await new Promise((resolve) => this.worker!.once('exit', resolve));
  }
}
