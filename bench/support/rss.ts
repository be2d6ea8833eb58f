import fs from 'node:fs';

/** Resident memory of a process (Linux /proc), in MiB; undefined once it has gone. */
export function rssMiB(pid: number): number | undefined {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Samples a process's RSS every `everyMs` until stopped: the samples, in order. */
export function sampleRss(pid: number, everyMs = 25): { stop(): number[] } {
  const samples: number[] = [];
  const take = () => {
    const rss = rssMiB(pid);
    if (rss !== undefined) samples.push(rss);
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return samples;
    },
  };
}

export const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
export const min = (values: number[]) => Math.min(...values);
