/** A run's or step's status as a badge (its colour class: `status-succeeded`, `status-failed`…). */
export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge status-${status}`}>{status}</span>;
}

/** A duration in words: 850 ms, 2.4 s, 3 min 5 s. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** From two ISO timestamps (the second missing: still going, measured to now). */
export function durationBetween(start: string | null | undefined, end: string | null | undefined): number | undefined {
  if (!start) return undefined;
  return (end ? Date.parse(end) : Date.now()) - Date.parse(start);
}

export function formatTime(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString() : '';
}
