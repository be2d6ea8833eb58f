import { ApiError } from '../api/client';

/** A failure shown where it happened, in the server's own words (role="alert" so it is announced). */
export function ErrorNote({ error }: { error: unknown }) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : String(error);
  const code = error instanceof ApiError ? error.code : undefined;
  return (
    <p className="error-note" role="alert" data-code={code}>
      {message}
    </p>
  );
}
