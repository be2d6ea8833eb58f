/**
 * PostgreSQL's binary COPY format, as migrate-sqlite writes it: a header, then per row a 16-bit
 * field count and per field a 32-bit length (-1 for NULL) and the value in the type's binary form,
 * then a trailer. https://www.postgresql.org/docs/current/sql-copy.html#id-1.9.3.55.9.4
 *
 * PostgreSQL reads it without parsing text (a third to a half of its work per row for timestamps
 * and UUIDs), and prints it back, for the proof of each batch, byte for byte as it was sent: every
 * type oxy stores has exactly one binary form (jsonb's is its text, which jsonb-text.ts spells as
 * PostgreSQL does).
 */

import { writeJsonbText } from './jsonb-text.js';

/** jsonb's binary form: this version byte, then its text. */
export const JSONB_VERSION = 1;

/** `PGCOPY\n\377\r\n\0`, no flags, no header extension. */
export const COPY_HEADER = Buffer.from([
  0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00, 0, 0, 0, 0, 0, 0, 0, 0,
]);
/** A field count of -1. */
export const COPY_TRAILER = Buffer.from([0xff, 0xff]);

/** Days from 1970-01-01 to PostgreSQL's epoch, 2000-01-01. */
const POSTGRES_EPOCH_DAYS = 10_957;
const DAY_MICROS = 86_400_000_000;
/** Further from 2000 than this many days (about 285 years), microseconds no longer fit a double exactly. */
const EXACT_DAYS = Math.floor(Number.MAX_SAFE_INTEGER / DAY_MICROS) - 1;
const TWO_32 = 0x1_0000_0000;

/** Hex digit values by character code (either case), -1 for anything else. */
const HEX = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) {
  HEX['0123456789abcdef'.charCodeAt(i)] = i;
  HEX['0123456789ABCDEF'.charCodeAt(i)] = i;
}

/** Buffer's own UTF-8 writer (what `write(string, offset, 'utf8')` calls after checking its arguments). */
type Utf8Writable = Buffer & { utf8Write(value: string, offset: number): number };

/**
 * One chunk of COPY rows, written field by field into a buffer of its own (transferable to the
 * main thread): no intermediate strings, no re-encoding.
 */
export class CopyBinaryWriter {
  private buffer: Buffer;
  length = 0;

  constructor(capacity: number) {
    this.buffer = Buffer.allocUnsafeSlow(capacity);
  }

  row(fields: number): void {
    this.room(2);
    this.buffer[this.length++] = fields >> 8;
    this.buffer[this.length++] = fields & 0xff;
  }

  null(): void {
    this.room(4);
    this.int32(-1);
  }

  boolean(value: boolean): void {
    this.room(5);
    this.int32(1);
    this.buffer[this.length++] = value ? 1 : 0;
  }

  /** A UUID in its 36-character text form, either case; false (nothing written) if it is not one. */
  uuid(text: string): boolean {
    if (
      text.length !== 36 ||
      text.charCodeAt(8) !== 0x2d ||
      text.charCodeAt(13) !== 0x2d ||
      text.charCodeAt(18) !== 0x2d ||
      text.charCodeAt(23) !== 0x2d
    )
      return false;
    this.room(20);
    const start = this.length;
    this.int32(16);
    for (let i = 0; i < 36; i += 2) {
      if (i === 8 || i === 13 || i === 18 || i === 23) i++;
      const high = HEX[text.charCodeAt(i)] ?? -1;
      const low = HEX[text.charCodeAt(i + 1)] ?? -1;
      if (high < 0 || low < 0) {
        this.length = start;
        return false;
      }
      this.buffer[this.length++] = (high << 4) | low;
    }
    return true;
  }

  /** A text (or, with `prefix`, jsonb: its version byte) value as UTF-8. */
  text(value: string, prefix?: number): void {
    // A UTF-16 code unit never takes more than 3 bytes of UTF-8.
    this.room(5 + value.length * 3);
    const at = this.length;
    this.length += 4;
    if (prefix !== undefined) this.buffer[this.length++] = prefix;
    this.length += (this.buffer as Utf8Writable).utf8Write(value, this.length);
    const end = this.length;
    this.length = at;
    this.int32(end - at - 4);
    this.length = end;
  }

  /**
   * A jsonb value (its version byte, then its text) from JSON text that jsonb prints as it is
   * spaced (writeJsonbText); false (nothing written) for any other JSON.
   */
  jsonb(json: string): boolean {
    this.room(5 + json.length * 3);
    const at = this.length;
    this.buffer[at + 4] = JSONB_VERSION;
    const end = writeJsonbText(json, this.buffer, at + 5);
    if (end < 0) return false;
    this.int32(end - at - 4);
    this.length = end;
    return true;
  }

  bytes(value: Uint8Array): void {
    this.room(4 + value.length);
    this.int32(value.length);
    this.buffer.set(value, this.length);
    this.length += value.length;
  }

  /** A bigint column's value from its decimal text (as SQLite casts it). */
  int8(decimal: string): void {
    this.room(12);
    this.int32(8);
    // Up to 15 characters (sign included) is below 2^53: exact as a double.
    if (decimal.length <= 15) this.int64(Number(decimal));
    else {
      this.buffer.writeBigInt64BE(BigInt(decimal), this.length);
      this.length += 8;
    }
  }

  /**
   * A timestamptz from oxy's canonical text (`YYYY-MM-DDTHH:MM:SS.fff[fff]Z`, a date that exists,
   * year 1 or later): microseconds since 2000-01-01 UTC.
   */
  timestamp(canonical: string): void {
    const digits = (from: number, to: number) => {
      let n = 0;
      for (let i = from; i < to; i++) n = n * 10 + canonical.charCodeAt(i) - 0x30;
      return n;
    };
    const days = daysFromCivil(digits(0, 4), digits(5, 7), digits(8, 10)) - POSTGRES_EPOCH_DAYS;
    const fraction = canonical.length === 24 ? digits(20, 23) * 1000 : digits(20, 26);
    const dayMicros = (digits(11, 13) * 3600 + digits(14, 16) * 60 + digits(17, 19)) * 1_000_000 + fraction;
    this.room(12);
    this.int32(8);
    if (days > -EXACT_DAYS && days < EXACT_DAYS) this.int64(days * DAY_MICROS + dayMicros);
    else {
      this.buffer.writeBigInt64BE(BigInt(days) * BigInt(DAY_MICROS) + BigInt(dayMicros), this.length);
      this.length += 8;
    }
  }

  /** The rows written, as a view of a buffer that nothing else shares. */
  finish(): Uint8Array {
    return new Uint8Array(this.buffer.buffer, 0, this.length);
  }

  private int32(value: number): void {
    const b = this.buffer;
    let at = this.length;
    b[at++] = value >>> 24;
    b[at++] = (value >>> 16) & 0xff;
    b[at++] = (value >>> 8) & 0xff;
    b[at++] = value & 0xff;
    this.length = at;
  }

  /** A whole number of magnitude below 2^53, as a big-endian 64-bit integer. */
  private int64(value: number): void {
    const high = Math.floor(value / TWO_32);
    this.int32(high | 0);
    this.int32((value - high * TWO_32) >>> 0);
  }

  private room(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    const next = Buffer.allocUnsafeSlow(Math.max(this.buffer.length * 2, this.length + bytes));
    this.buffer.copy(next, 0, 0, this.length);
    this.buffer = next;
  }
}

/** Days since 1970-01-01 of a proleptic Gregorian date (https://howardhinnant.github.io/date_algorithms.html#days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}
