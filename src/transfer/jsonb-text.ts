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

/** PostgreSQL numeric output for a JSON number lexeme. */
export function numericText(lexeme: string): string {
  if (PLAIN_INTEGER.test(lexeme)) return lexeme === '-0' ? '0' : lexeme;
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(lexeme);
  if (!m) throw new SyntaxError(`invalid number ${lexeme}`);
  const [, sign, int, frac = '', exp = '0'] = m;
  const exponent = Number(exp);
  let digits = int! + frac;
  let scale = frac.length - exponent;
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
