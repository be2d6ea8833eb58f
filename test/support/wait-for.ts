import { setTimeout as delay } from 'node:timers/promises';

/** Polls `check` until it returns a truthy value, or fails after `ms`. */
export async function waitFor<T>(check: () => Promise<T | undefined | false>, ms = 10_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error(`condition not met within ${ms} ms`);
    await delay(25);
  }
}
