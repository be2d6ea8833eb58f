import v8 from 'node:v8';
import vm from 'node:vm';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/**
 * Samples the live heap (after a forced full GC, so garbage not yet collected does not count)
 * every `everyMs` while work runs: `stop()` gives the highest growth over the start, in bytes.
 * For memory-flat checks with a loose bound, never for timings.
 */
export function liveHeapGrowth(everyMs = 50): { stop(): number } {
  gc();
  const baseline = process.memoryUsage().heapUsed;
  let peak = 0;
  const sample = () => {
    gc();
    peak = Math.max(peak, process.memoryUsage().heapUsed - baseline);
  };
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return peak;
    },
  };
}
