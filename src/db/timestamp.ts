const ISO_LIKE =
  /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * Turns a Date, an ISO-8601 string or PostgreSQL's timestamptz text into oxy's one canonical form:
 * UTC, `T` separator, `Z` suffix, milliseconds (3 digits) or, when the value carries them,
 * microseconds (6 digits). Both backends store and return exactly this string.
 *
 * @example
 * canonicalTimestamp('2026-01-02 03:04:05.1234+01') // '2026-01-02T02:04:05.123400Z'
 */
export function canonicalTimestamp(value: Date | string): string {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new RangeError('invalid date');
    return value.toISOString();
  }
  const m = ISO_LIKE.exec(value.trim());
  if (!m) throw new RangeError(`not an ISO-8601 timestamp: ${JSON.stringify(value)}`);
  const [, date, time, fraction = '', zone = 'Z'] = m;
  const normalizedZone = zone.toUpperCase() === 'Z' ? 'Z' : zone.length === 3 ? `${zone}:00` : zone.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2');
  const whole = new Date(`${date}T${time}${normalizedZone}`);
  if (Number.isNaN(whole.getTime())) throw new RangeError(`not a valid timestamp: ${JSON.stringify(value)}`);
  const micros = (fraction + '000000').slice(0, 6);
  const iso = whole.toISOString().slice(0, 19);
  return micros.endsWith('000') ? `${iso}.${micros.slice(0, 3)}Z` : `${iso}.${micros}Z`;
}

/** The current time in canonical form. */
export function nowTimestamp(): string {
  return new Date().toISOString();
}
