const ISO_LIKE = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * Turns a Date, an ISO-8601 string or PostgreSQL's timestamptz text into oxy's one canonical form:
 * UTC, `T` separator, `Z` suffix, milliseconds (3 digits) or, when the value carries them,
 * microseconds (6 digits). Both backends store and return exactly this string.
 *
 * @example
 * canonicalTimestamp('2026-01-02 03:04:05.1234+01') // '2026-01-02T02:04:05.123400Z'
 */
export function canonicalTimestamp(value: Date | string): string {
  if (typeof value === 'string') {
    const fast = fastPath(value);
    if (fast !== undefined) return fast;
  }
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new RangeError('invalid date');
    checkYear(value, value.toISOString());
    return value.toISOString();
  }
  const m = ISO_LIKE.exec(value.trim());
  if (!m) throw new RangeError(`not an ISO-8601 timestamp: ${JSON.stringify(value)}`);
  const [, date, time, fraction = '', zone = 'Z'] = m;
  if (!dayExists(date!)) throw new RangeError(`not a valid date: ${JSON.stringify(value)}`);
  const normalizedZone =
    zone.toUpperCase() === 'Z' ? 'Z' : zone.length === 3 ? `${zone}:00` : zone.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2');
  const whole = new Date(`${date}T${time}${normalizedZone}`);
  if (Number.isNaN(whole.getTime())) throw new RangeError(`not a valid timestamp: ${JSON.stringify(value)}`);
  checkYear(whole, value);
  const micros = (fraction + '000000').slice(0, 6);
  const iso = whole.toISOString().slice(0, 19);
  return micros.endsWith('000') ? `${iso}.${micros.slice(0, 3)}Z` : `${iso}.${micros}Z`;
}

/** Years 1 to 9999 in UTC: what the canonical form (and PostgreSQL's input without `BC`) can spell. */
function checkYear(date: Date, value: string): void {
  const year = date.getUTCFullYear();
  if (year < 1 || year > 9999)
    throw new RangeError(`timestamp outside the years 1 to 9999 in UTC: ${JSON.stringify(value)}`);
}

/** The current time in canonical form. */
export function nowTimestamp(): string {
  return new Date().toISOString();
}

const CANONICAL = /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.(\d{3}|\d{6})Z$/;
const POSTGRES_UTC =
  /^(\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])) ((?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d)(?:\.(\d{1,6}))?\+00$/;

/**
 * Strings already canonical (what oxy writes) and PostgreSQL's UTC output are converted with
 * string operations alone; the hot path of migrate-sqlite's copy and verification.
 */
function fastPath(value: string): string | undefined {
  if (value.startsWith('0000')) return undefined; // no year 0: the general path says so
  const canonical = CANONICAL.exec(value);
  if (canonical) {
    const fraction = canonical[1]!;
    if (fraction.length === 3 || !fraction.endsWith('000')) return dayExists(value) ? value : undefined;
    return undefined;
  }
  const pg = POSTGRES_UTC.exec(value);
  if (pg) {
    const micros = ((pg[3] ?? '') + '000000').slice(0, 6);
    const fraction = micros.endsWith('000') ? micros.slice(0, 3) : micros;
    return dayExists(value) ? `${pg[1]}T${pg[2]}.${fraction}Z` : undefined;
  }
  return undefined;
}

const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function dayExists(value: string): boolean {
  const month = Number(value.slice(5, 7));
  const day = Number(value.slice(8, 10));
  if (day <= 28) return true;
  if (day > DAYS[month - 1]!) return false;
  if (month !== 2 || day !== 29) return true;
  const year = Number(value.slice(0, 4));
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}
