/**
 * A `Content-Disposition` for a download named after `name`: an ASCII `filename` anyone can
 * read (characters a file system or a header would choke on as `_`), and the exact name as
 * `filename*` (RFC 6266).
 */
export function attachment(name: string, extension: string): string {
  const base = name.trim() === '' ? 'result' : name.trim().slice(0, 150);
  const ascii = base.replace(/[^A-Za-z0-9 ._()-]/g, '_').replace(/^\.+/, '_');
  return `attachment; filename="${ascii}.${extension}"; filename*=UTF-8''${rfc5987(`${base}.${extension}`)}`;
}

function rfc5987(text: string): string {
  return encodeURIComponent(text).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
