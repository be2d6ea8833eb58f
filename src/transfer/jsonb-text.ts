/**
 * Re-writes JSON text the way PostgreSQL prints the same value stored as jsonb (`col::text`):
 * object keys ordered by UTF-8 length then bytes, the last of duplicate keys kept, `", "` and
 * `": "` separators, strings escaped as jsonb escapes them, numbers as PostgreSQL's numeric
 * prints them (from the original digits: `1.0` stays `1.0`, `1e2` becomes `100`). This lets
 * PostgreSQL compute a transfer's checksum in SQL over `col::text` while oxy computes the same
 * text from the SQLite source. Throws SyntaxError on invalid JSON.
 *
 * @example
 * jsonbText('{"bb":1,"a":[1.50e1,true]}') // '{"a": [15.0, true], "bb": 1}'
 */
export function jsonbText(json: string): string {
  const parser = new Parser(json);
  parser.space();
  const out = parser.value();
  parser.space();
  if (parser.pos !== json.length) parser.fail('unexpected text after the JSON value');
  return out;
}

const ESCAPE: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/** A JS string as jsonb prints it. */
function quote(text: string): string {
  if (!NEEDS_QUOTING.test(text)) return `"${text}"`;
  // eslint-disable-next-line no-control-regex
  return `"${text.replace(/["\\\u0000-\u001f]/g, (c) => ESCAPE[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`;
}

// eslint-disable-next-line no-control-regex
const NEEDS_QUOTING = /["\\\u0000-\u001f]/;
// eslint-disable-next-line no-control-regex
const NON_ASCII = /[^\u0000-\u007f]/;

function compareKeys(a: string, b: string): number {
  // ASCII (the common case): UTF-8 length and byte order are the string's own.
  if (!NON_ASCII.test(a) && !NON_ASCII.test(b))
    return a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
  const la = Buffer.byteLength(a);
  const lb = Buffer.byteLength(b);
  if (la !== lb) return la - lb;
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

const PLAIN_INTEGER = /^-?(?:0|[1-9]\d*)$/;

/** numeric's limits: digits before the decimal point (NUMERIC_WEIGHT_MAX) and after it (NUMERIC_DSCALE_MAX). */
export const NUMERIC_MAX_WHOLE_DIGITS = 131072;
export const NUMERIC_MAX_SCALE = 16383;

/** numeric's input refuses exponents from this magnitude on (INT_MAX / 2), whatever the digits. */
const NUMERIC_MAX_EXPONENT = 1073741823;

/** A JSON number PostgreSQL's numeric cannot hold, so jsonb cannot store it. */
export class NumericRangeError extends RangeError {}

function outOfRange(lexeme: string, exponent = false): NumericRangeError {
  const shown =
    lexeme.length > 24 ? `${lexeme.slice(0, 12)}…${lexeme.slice(-8)} (${lexeme.length} characters)` : lexeme;
  return new NumericRangeError(
    exponent
      ? `the number ${shown} has an exponent beyond numeric's range (at most ${NUMERIC_MAX_EXPONENT - 1} either way)`
      : `the number ${shown} is beyond numeric's range: at most ${NUMERIC_MAX_WHOLE_DIGITS} digits before the point and ${NUMERIC_MAX_SCALE} after`,
  );
}

/** PostgreSQL numeric output for a JSON number lexeme; {@link NumericRangeError} for one numeric cannot hold. */
export function numericText(lexeme: string): string {
  if (PLAIN_INTEGER.test(lexeme)) {
    if (lexeme.length - (lexeme.startsWith('-') ? 1 : 0) > NUMERIC_MAX_WHOLE_DIGITS) throw outOfRange(lexeme);
    return lexeme === '-0' ? '0' : lexeme;
  }
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(lexeme);
  if (!m) throw new SyntaxError(`invalid number ${lexeme}`);
  const [, sign, int, frac = '', exp = '0'] = m;
  const exponent = Number(exp);
  // numeric refuses such an exponent before it looks at the digits, even for zero.
  if (!(Math.abs(exponent) < NUMERIC_MAX_EXPONENT)) throw outOfRange(lexeme, true);
  let digits = int! + frac;
  let scale = frac.length - exponent;
  // Judged before any padding: an exponent of a million must not build a million-digit string.
  const significant = digits.length - digits.match(/^0*/)![0].length;
  if (Math.max(0, scale) > NUMERIC_MAX_SCALE || significant - scale > NUMERIC_MAX_WHOLE_DIGITS) {
    // Zero has no digits before the point to overflow, whatever its exponent.
    if (significant > 0 || scale > NUMERIC_MAX_SCALE) throw outOfRange(lexeme);
  }
  if (significant === 0) return scale > 0 ? `0.${'0'.repeat(scale)}` : '0';
  if (scale < 0) {
    digits += '0'.repeat(-scale);
    scale = 0;
  }
  digits = digits.padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale).replace(/^0+(?=\d)/, '');
  const fraction = digits.slice(digits.length - scale);
  const text = scale > 0 ? `${whole}.${fraction}` : whole;
  return sign && /[1-9]/.test(text) ? `-${text}` : text;
}

class Parser {
  pos = 0;

  constructor(private readonly text: string) {}

  fail(message: string): never {
    throw new SyntaxError(`${message} at position ${this.pos}`);
  }

  space(): void {
    while (this.pos < this.text.length) {
      const c = this.text.charCodeAt(this.pos);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      this.pos++;
    }
  }

  value(): string {
    const c = this.text[this.pos];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return quote(this.string());
    if (c === 't') return this.literal('true');
    if (c === 'f') return this.literal('false');
    if (c === 'n') return this.literal('null');
    return this.number();
  }

  private literal(word: string): string {
    if (!this.text.startsWith(word, this.pos)) this.fail('invalid literal');
    this.pos += word.length;
    return word;
  }

  private number(): string {
    const m = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    m.lastIndex = this.pos;
    const found = m.exec(this.text);
    if (!found || found[0] === '' || found[0] === '-') this.fail('invalid value');
    this.pos += found[0].length;
    return numericText(found[0]);
  }

  private string(): string {
    const start = ++this.pos;
    let out = '';
    let chunk = start;
    for (;;) {
      if (this.pos >= this.text.length) this.fail('unterminated string');
      const c = this.text.charCodeAt(this.pos);
      if (c === 0x22) {
        out += this.text.slice(chunk, this.pos);
        this.pos++;
        return out;
      }
      if (c < 0x20) this.fail('control character in string');
      if (c !== 0x5c) {
        this.pos++;
        continue;
      }
      out += this.text.slice(chunk, this.pos);
      const e = this.text[this.pos + 1];
      if (e === 'u') {
        const hex = this.text.slice(this.pos + 2, this.pos + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('invalid \\u escape');
        out += String.fromCharCode(parseInt(hex, 16));
        this.pos += 6;
      } else {
        const simple: Record<string, string> = {
          '"': '"',
          '\\': '\\',
          '/': '/',
          b: '\b',
          f: '\f',
          n: '\n',
          r: '\r',
          t: '\t',
        };
        if (e === undefined || simple[e] === undefined) this.fail('invalid escape');
        out += simple[e];
        this.pos += 2;
      }
      chunk = this.pos;
    }
  }

  private array(): string {
    this.pos++;
    this.space();
    const items: string[] = [];
    if (this.text[this.pos] === ']') {
      this.pos++;
      return '[]';
    }
    for (;;) {
      this.space();
      items.push(this.value());
      this.space();
      const c = this.text[this.pos++];
      if (c === ']') return `[${items.join(', ')}]`;
      if (c !== ',') this.fail("expected ',' or ']'");
    }
  }

  private object(): string {
    this.pos++;
    this.space();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return '{}';
    }
    const keys: string[] = [];
    const values: string[] = [];
    // Keys that arrive in jsonb's order, as most do, need no sorting (and cannot repeat).
    let ordered = true;
    for (;;) {
      this.space();
      if (this.text[this.pos] !== '"') this.fail('expected a key');
      const key = this.string();
      this.space();
      if (this.text[this.pos++] !== ':') this.fail("expected ':'");
      this.space();
      if (ordered && keys.length > 0 && compareKeys(keys[keys.length - 1]!, key) >= 0) ordered = false;
      keys.push(key);
      values.push(this.value());
      this.space();
      const c = this.text[this.pos++];
      if (c === '}') break;
      if (c !== ',') this.fail("expected ',' or '}'");
    }
    if (ordered) {
      let out = `{${quote(keys[0]!)}: ${values[0]}`;
      for (let i = 1; i < keys.length; i++) out += `, ${quote(keys[i]!)}: ${values[i]}`;
      return `${out}}`;
    }
    const entries = new Map<string, string>();
    keys.forEach((key, i) => entries.set(key, values[i]!)); // the last of duplicate keys wins
    return `{${[...entries.keys()]
      .sort(compareKeys)
      .map((k) => `${quote(k)}: ${entries.get(k)}`)
      .join(', ')}}`;
  }
}

/**
 * The common case of {@link jsonbText}, without building strings: writes, as UTF-8 from `at` in
 * `out`, what PostgreSQL prints for `json` as jsonb, when that is `json` itself with whitespace
 * dropped, `", "` and `": "` as separators and object members in jsonb's key order: keys in ASCII
 * without escapes, none repeated; numbers already as numeric prints them (no exponent, no
 * negative zero); strings whose only escapes are those jsonb prints (and without U+FFFD, which may
 * stand for bytes that were not UTF-8). Returns where the text ends, or -1 for anything else
 * (invalid JSON included), which {@link jsonbText} then handles. `out` needs room for
 * `3 * json.length` bytes from `at` (a UTF-16 unit never takes more than 3 bytes of UTF-8, and a
 * separator adds one byte to a one-byte character).
 */
export function writeJsonbText(json: string, out: Uint8Array, at: number): number {
  const writer = new VerbatimJsonb(json, out, at);
  if (!writer.value(0)) return -1;
  writer.space();
  return writer.pos === json.length ? writer.at : -1;
}

/** Deeper than this, the general path (which reports nesting too deep for its stack). */
const VERBATIM_DEPTH = 64;

/** Escaped characters jsonb prints as they are written: `"`, `\`, b, f, n, r, t. */
const VERBATIM_ESCAPE = new Uint8Array(128);
for (const c of '"\\bfnrt') VERBATIM_ESCAPE[c.charCodeAt(0)] = 1;

/** Where {@link VerbatimJsonb} copies an object's members to put them in order (one per thread, reused). */
let scratch = new Uint8Array(4096);

class VerbatimJsonb {
  pos = 0;

  constructor(
    private readonly text: string,
    private readonly out: Uint8Array,
    public at: number,
  ) {}

  space(): void {
    const text = this.text;
    let pos = this.pos;
    for (let c = text.charCodeAt(pos); c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09; c = text.charCodeAt(pos))
      pos++;
    this.pos = pos;
  }

  value(depth: number): boolean {
    this.space();
    const c = this.text.charCodeAt(this.pos);
    if (c === 0x22) return this.string();
    if (c === 0x7b) return depth < VERBATIM_DEPTH && this.object(depth + 1);
    if (c === 0x5b) return depth < VERBATIM_DEPTH && this.array(depth + 1);
    if (c === 0x74) return this.word('true');
    if (c === 0x66) return this.word('false');
    if (c === 0x6e) return this.word('null');
    return this.number();
  }

  private byte(c: number): void {
    this.out[this.at++] = c;
  }

  private word(word: string): boolean {
    if (!this.text.startsWith(word, this.pos)) return false;
    for (let i = 0; i < word.length; i++) this.byte(word.charCodeAt(i));
    this.pos += word.length;
    return true;
  }

  /** `-?(0|[1-9][0-9]*)(\.[0-9]+)?`, not all zeros when negative (numeric has no -0). */
  private number(): boolean {
    const text = this.text;
    let pos = this.pos;
    const negative = text.charCodeAt(pos) === 0x2d;
    if (negative) pos++;
    const first = text.charCodeAt(pos);
    if (!(first >= 0x30 && first <= 0x39)) return false;
    let nonZero = first !== 0x30;
    const whole = pos++;
    if (first !== 0x30) {
      for (let c = text.charCodeAt(pos); c >= 0x30 && c <= 0x39; c = text.charCodeAt(pos)) pos++;
      // More digits than numeric holds: jsonbText names the problem.
      if (pos - whole > NUMERIC_MAX_WHOLE_DIGITS) return false;
    }
    if (text.charCodeAt(pos) === 0x2e) {
      const fraction = ++pos;
      for (let c = text.charCodeAt(pos); c >= 0x30 && c <= 0x39; c = text.charCodeAt(pos)) {
        if (c !== 0x30) nonZero = true;
        pos++;
      }
      if (pos === fraction || pos - fraction > NUMERIC_MAX_SCALE) return false;
    }
    // An exponent or another digit after a leading zero is then refused by what follows.
    if (negative && !nonZero) return false;
    for (let i = this.pos; i < pos; i++) this.byte(text.charCodeAt(i));
    this.pos = pos;
    return true;
  }

  /** A string, quotes included; false for escapes jsonb spells differently, control characters, lone surrogates. */
  private string(): boolean {
    const text = this.text;
    const out = this.out;
    let at = this.at;
    let pos = this.pos + 1;
    out[at++] = 0x22;
    for (;;) {
      if (pos >= text.length) return false;
      const c = text.charCodeAt(pos++);
      if (c === 0x22) break;
      if (c < 0x80) {
        if (c < 0x20) return false;
        out[at++] = c;
        if (c === 0x5c) {
          const e = text.charCodeAt(pos++);
          if (!(e < 0x80 && VERBATIM_ESCAPE[e])) return false;
          out[at++] = e;
        }
      } else if (c < 0x800) {
        out[at++] = 0xc0 | (c >> 6);
        out[at++] = 0x80 | (c & 0x3f);
      } else if (c >= 0xd800 && c <= 0xdfff) {
        const low = text.charCodeAt(pos);
        if (c > 0xdbff || !(low >= 0xdc00 && low <= 0xdfff)) return false;
        pos++;
        const point = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
        out[at++] = 0xf0 | (point >> 18);
        out[at++] = 0x80 | ((point >> 12) & 0x3f);
        out[at++] = 0x80 | ((point >> 6) & 0x3f);
        out[at++] = 0x80 | (point & 0x3f);
      } else {
        if (c === 0xfffd) return false; // perhaps bytes that were not UTF-8: the general path looks
        out[at++] = 0xe0 | (c >> 12);
        out[at++] = 0x80 | ((c >> 6) & 0x3f);
        out[at++] = 0x80 | (c & 0x3f);
      }
    }
    out[at++] = 0x22;
    this.at = at;
    this.pos = pos;
    return true;
  }

  private array(depth: number): boolean {
    this.pos++;
    this.byte(0x5b);
    this.space();
    if (this.text.charCodeAt(this.pos) !== 0x5d) {
      for (;;) {
        if (!this.value(depth)) return false;
        this.space();
        const c = this.text.charCodeAt(this.pos);
        if (c === 0x5d) break;
        if (c !== 0x2c) return false;
        this.pos++;
        this.byte(0x2c);
        this.byte(0x20);
      }
    }
    this.pos++;
    this.byte(0x5d);
    return true;
  }

  /**
   * An object whose keys are ASCII without escapes, none repeated. Members are written as they
   * come; when their keys are not in jsonb's order (shorter first, then by bytes), the written
   * members are then put in that order, in place.
   */
  private object(depth: number): boolean {
    const text = this.text;
    this.pos++;
    this.byte(0x7b);
    this.space();
    if (text.charCodeAt(this.pos) !== 0x7d) {
      // Per member: its key's start and length in the text, its start and end in the output.
      const members: number[] = [];
      let ordered = true;
      for (;;) {
        this.space();
        if (text.charCodeAt(this.pos) !== 0x22) return false;
        const start = this.pos + 1;
        const written = this.at;
        if (!this.string()) return false;
        const length = this.pos - 1 - start;
        for (let i = start; i < start + length; i++) {
          const c = text.charCodeAt(i);
          if (c >= 0x80 || c === 0x5c) return false;
        }
        const n = members.length;
        if (ordered && n > 0 && keyOrder(text, members[n - 4]!, members[n - 3]!, start, length) >= 0) ordered = false;
        this.space();
        if (text.charCodeAt(this.pos) !== 0x3a) return false;
        this.pos++;
        this.byte(0x3a);
        this.byte(0x20);
        if (!this.value(depth)) return false;
        members.push(start, length, written, this.at);
        this.space();
        const c = text.charCodeAt(this.pos);
        if (c === 0x7d) break;
        if (c !== 0x2c) return false;
        this.pos++;
        this.byte(0x2c);
        this.byte(0x20);
      }
      if (!ordered && !this.reorder(members)) return false;
    }
    this.pos++;
    this.byte(0x7d);
    return true;
  }

  /** Puts an object's written members in jsonb's key order; false if two keys are the same. */
  private reorder(members: number[]): boolean {
    const text = this.text;
    const count = members.length / 4;
    const order: number[] = new Array<number>(count);
    for (let i = 0; i < count; i++) order[i] = i * 4;
    const compare = (a: number, b: number) =>
      keyOrder(text, members[a]!, members[a + 1]!, members[b]!, members[b + 1]!);
    let repeated = false;
    if (count <= SMALL_OBJECT) {
      // Insertion sort: for the few members objects usually have, cheaper than a sort call.
      for (let i = 1; i < count; i++) {
        const m = order[i]!;
        let j = i - 1;
        for (; j >= 0; j--) {
          const d = compare(order[j]!, m);
          if (d === 0) repeated = true;
          if (d <= 0) break;
          order[j + 1] = order[j]!;
        }
        order[j + 1] = m;
      }
    } else {
      order.sort((a, b) => {
        const d = compare(a, b);
        if (d === 0) repeated = true;
        return d;
      });
    }
    // A repeated key: jsonb keeps the last one, which jsonbText knows how to find.
    if (repeated) return false;
    const out = this.out;
    const from = members[2]!;
    const length = this.at - from;
    if (scratch.length < length) scratch = new Uint8Array(Math.max(length, scratch.length * 2));
    const held = scratch;
    held.set(out.subarray(from, this.at));
    let at = from;
    for (let k = 0; k < count; k++) {
      const m = order[k]!;
      if (k > 0) {
        out[at++] = 0x2c;
        out[at++] = 0x20;
      }
      const start = members[m + 2]! - from;
      const end = members[m + 3]! - from;
      // A short member byte by byte: a view (subarray) for it costs more than the copy.
      if (end - start < SHORT_MEMBER) for (let i = start; i < end; i++) out[at++] = held[i]!;
      else {
        out.set(held.subarray(start, end), at);
        at += end - start;
      }
    }
    return true;
  }
}

/** Objects up to this many members are put in order by insertion sort. */
const SMALL_OBJECT = 16;
/** Members shorter than this many bytes are moved by a loop rather than a typed-array copy. */
const SHORT_MEMBER = 64;

/** The order of the ASCII keys at `a` and `b` in jsonb: negative if a's comes first, 0 if they are the same. */
function keyOrder(text: string, a: number, aLength: number, b: number, bLength: number): number {
  if (aLength !== bLength) return aLength - bLength;
  for (let i = 0; i < aLength; i++) {
    const d = text.charCodeAt(a + i) - text.charCodeAt(b + i);
    if (d !== 0) return d;
  }
  return 0;
}
