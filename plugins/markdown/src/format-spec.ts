/**
 * Python's format-spec mini-language in JavaScript, for `{name:spec}` in markdown cells:
 * `[[fill]align][sign][z][#][0][width][grouping][.precision][type]` with the types b c d e E f F g G n o s x X %,
 * and Python's messages when a spec does not fit a value. Values are what the namespace gives (plain JavaScript):
 * a whole number is an int (Pyodide turns Python's 3.0 into 3 as well), any other number a float.
 * Imports nothing: the runtime loads it inside the kernel.
 */

export interface FormatSpec {
  fill: string;
  align: '<' | '>' | '=' | '^' | null;
  sign: '+' | '-' | ' ' | null;
  /** `z`: negative zero after rounding prints as zero. */
  coerceZero: boolean;
  /** `#`: 0b/0o/0x prefixes, a decimal point always, trailing zeros kept in g. */
  alternate: boolean;
  /** `0` before the width: zero padding after the sign. */
  zeroPad: boolean;
  width: number | null;
  grouping: ',' | '_' | null;
  precision: number | null;
  type: string | null;
}

const SPEC = /^(?:(.)?([<>=^]))?([-+ ])?(z)?(#)?(0)?(\d+)?([,_])?(?:\.(\d+))?([bcdeEfFgGnosxX%])?$/su;

/** Parses a spec; throws Python's "Invalid format specifier" for anything else. */
export function parseFormatSpec(spec: string): FormatSpec {
  const match = SPEC.exec(spec);
  if (!match) throw new Error(`Invalid format specifier '${spec}'`);
  const [, fill, align, sign, z, alternate, zero, width, grouping, precision, type] = match;
  return {
    fill: fill ?? (zero ? '0' : ' '),
    align: (align as FormatSpec['align']) ?? null,
    sign: (sign as FormatSpec['sign']) ?? null,
    coerceZero: z !== undefined,
    alternate: alternate !== undefined,
    zeroPad: zero !== undefined,
    width: width === undefined ? null : Number(width),
    grouping: (grouping as FormatSpec['grouping']) ?? null,
    precision: precision === undefined ? null : Number(precision),
    type: type ?? null,
  };
}

/** What `format(value, spec)` gives in Python for the value's Python counterpart. Throws Python's errors. */
export function formatValue(value: unknown, spec: string, str: (value: unknown) => string): string {
  const parsed = parseFormatSpec(spec);
  if (typeof value === 'boolean') return spec === '' ? (value ? 'True' : 'False') : formatNumber(value ? 1 : 0, parsed, 'bool');
  if (typeof value === 'bigint') return formatNumber(value, parsed, 'int');
  if (typeof value === 'number') return formatNumber(value, parsed, Number.isInteger(value) ? 'int' : 'float');
  if (typeof value === 'string') return formatString(value, parsed, 'str');
  if (spec === '') return str(value);
  if (value instanceof Date) return formatString(str(value), parsed, 'datetime');
  const typeName = value === null || value === undefined ? 'NoneType' : Array.isArray(value) ? 'list' : 'dict';
  throw new TypeError(`unsupported format string passed to ${typeName}.__format__`);
}

function formatString(text: string, spec: FormatSpec, typeName: string): string {
  if (spec.type !== null && spec.type !== 's') throw new Error(`Unknown format code '${spec.type}' for object of type '${typeName}'`);
  if (spec.sign) throw new Error('Sign not allowed in string format specifier');
  if (spec.alternate) throw new Error('Alternate form (#) not allowed in string format specifier');
  if (spec.align === '=') throw new Error("'=' alignment not allowed in string format specifier");
  if (spec.grouping) throw new Error(`Cannot specify '${spec.grouping}' with 's'.`);
  const chars = [...text];
  const body = spec.precision === null ? text : chars.slice(0, spec.precision).join('');
  return pad(body, '', spec, '<');
}

function formatNumber(value: number | bigint, spec: FormatSpec, kind: 'int' | 'float' | 'bool'): string {
  const type = spec.type;
  const integerType = type !== null && 'bcdoxXn'.includes(type) && !(kind === 'float' && type === 'n');
  if (type === 's') throw new Error(`Unknown format code 's' for object of type '${kind}'`);
  if (integerType) {
    if (kind === 'float') throw new Error(`Unknown format code '${type}' for object of type 'float'`);
    if (spec.precision !== null) throw new Error('Precision not allowed in integer format specifier');
    return formatInteger(BigInt(value), spec);
  }
  if (type === null && kind !== 'float' && spec.precision === null) return formatInteger(BigInt(value), { ...spec, type: 'd' });
  return formatFloat(Number(value), spec);
}

function formatInteger(value: bigint, spec: FormatSpec): string {
  const type = spec.type === 'n' ? 'd' : (spec.type ?? 'd');
  if (type === 'c') {
    if (spec.sign) throw new Error('Sign not allowed with integer format specifier \'c\'');
    if (value < 0n || value > 0x10ffffn) throw new RangeError('%c arg not in range(0x110000)');
    return pad(String.fromCodePoint(Number(value)), '', spec, '<');
  }
  if (spec.grouping === ',' && type !== 'd') throw new Error(`Cannot specify ',' with '${type}'.`);
  const negative = value < 0n;
  const magnitude = negative ? -value : value;
  const radix = type === 'b' ? 2 : type === 'o' ? 8 : type === 'x' || type === 'X' ? 16 : 10;
  let digits = magnitude.toString(radix);
  if (type === 'X') digits = digits.toUpperCase();
  const prefix = spec.alternate && radix !== 10 ? `0${type === 'X' ? 'X' : type}` : '';
  const groupSize = radix === 10 ? 3 : 4;
  return padNumber(signOf(negative, spec) + prefix, digits, '', spec, groupSize);
}

function formatFloat(value: number, spec: FormatSpec): string {
  const type = spec.type;
  let negative = value < 0 || Object.is(value, -0);
  const magnitude = Math.abs(value);
  let body: string;
  let suffix = '';
  if (!Number.isFinite(magnitude)) {
    body = Number.isNaN(magnitude) ? 'nan' : 'inf';
    if (type !== null && 'EFG'.includes(type)) body = body.toUpperCase();
    if (Number.isNaN(magnitude)) negative = false;
    if (type === '%') suffix = '%';
    return padNumber(signOf(negative, spec), body, suffix, spec, 3);
  }
  switch (type) {
    case 'f':
    case 'F':
      body = toFixed(magnitude, spec.precision ?? 6, spec.alternate);
      break;
    case '%':
      body = toFixed(magnitude * 100, spec.precision ?? 6, spec.alternate);
      suffix = '%';
      break;
    case 'e':
    case 'E':
      body = toScientific(magnitude, spec.precision ?? 6, spec.alternate);
      if (type === 'E') body = body.toUpperCase();
      break;
    case 'g':
    case 'G':
    case 'n':
      body = toGeneral(magnitude, spec.precision ?? 6, spec.alternate, false);
      if (type === 'G') body = body.toUpperCase();
      break;
    default:
      // No type: repr() without a precision, else 'g' that keeps one digit after the point.
      body = spec.precision === null ? pythonRepr(magnitude) : toGeneral(magnitude, spec.precision, spec.alternate, true);
  }
  if (negative && spec.coerceZero && !/[1-9]/.test(body.split(/e/i)[0]!)) negative = false;
  const [mantissa, exponent] = splitExponent(body);
  const [whole, fraction] = mantissa.split('.') as [string, string | undefined];
  const tail = (fraction !== undefined ? `.${fraction}` : mantissa.endsWith('.') ? '.' : '') + exponent + suffix;
  return padNumber(signOf(negative, spec), whole, tail, spec, 3);
}

/**
 * JavaScript rounds an exact tie up (2.5.toFixed(0) is 3); Python rounds it to even (format(2.5, '.0f') is 2).
 * A tie shows in the exact expansion as a 5 followed only by zeros; only then does the result differ.
 */
function fixedHalfEven(magnitude: number, digits: number): string {
  const rounded = magnitude.toFixed(digits);
  if (digits + 40 > 100) return rounded;
  const exact = magnitude.toFixed(digits + 40);
  const cut = exact.length - 40;
  if (!/^50*$/.test(exact.slice(cut))) return rounded;
  const truncated = exact.slice(0, digits === 0 ? cut - 1 : cut);
  return Number(truncated.replace('.', '').slice(-1)) % 2 === 0 ? truncated : rounded;
}

function exponentialHalfEven(magnitude: number, digits: number): string {
  const rounded = magnitude.toExponential(digits);
  if (digits + 40 > 100) return rounded;
  const [exactMantissa, exactExponent] = magnitude.toExponential(digits + 40).split('e') as [string, string];
  const cut = exactMantissa.length - 40;
  if (!/^50*$/.test(exactMantissa.slice(cut))) return rounded;
  const truncated = exactMantissa.slice(0, digits === 0 ? cut - 1 : cut);
  return Number(truncated.replace('.', '').slice(-1)) % 2 === 0 ? `${truncated}e${exactExponent}` : rounded;
}

function splitExponent(body: string): [string, string] {
  const at = body.search(/[eE]/);
  return at < 0 ? [body, ''] : [body.slice(0, at), body.slice(at)];
}

function toFixed(magnitude: number, precision: number, alternate: boolean): string {
  const text = magnitude >= 1e21 ? bigFixed(magnitude, precision) : fixedHalfEven(magnitude, Math.min(precision, 100));
  const padded = precision > 100 ? text + '0'.repeat(precision - 100) : text;
  return alternate && precision === 0 ? `${padded}.` : padded;
}

/** toFixed gives exponents from 1e21 on; Python writes every digit. */
function bigFixed(magnitude: number, precision: number): string {
  const whole = BigInt(magnitude).toString();
  return precision > 0 ? `${whole}.${'0'.repeat(precision)}` : whole;
}

function toScientific(magnitude: number, precision: number, alternate: boolean): string {
  const text = exponentialHalfEven(magnitude, Math.min(precision, 100));
  const [mantissa, exponent] = text.split('e') as [string, string];
  const digits = Number(exponent);
  const exp = `e${digits < 0 ? '-' : '+'}${String(Math.abs(digits)).padStart(2, '0')}`;
  return `${alternate && precision === 0 ? `${mantissa}.` : mantissa}${exp}`;
}

/** Python's 'g' (and the no-type form with a precision, which keeps a digit after the point). */
function toGeneral(magnitude: number, precision: number, alternate: boolean, keepPoint: boolean): string {
  const p = precision === 0 ? 1 : precision;
  if (magnitude === 0) return alternate ? `0.${'0'.repeat(p - 1)}` : keepPoint ? '0.0' : '0';
  const exp = Number(exponentialHalfEven(magnitude, p - 1).split('e')[1]);
  let text: string;
  // Python: the no-type form switches to scientific one exponent earlier (`format(123.0, '.3')` is 1.23e+02).
  if (exp >= -4 && exp < (keepPoint ? p - 1 : p)) {
    text = fixedHalfEven(magnitude, Math.max(0, p - 1 - exp));
    if (!alternate && text.includes('.')) text = text.replace(/0+$/, '').replace(/\.$/, keepPoint ? '.0' : '');
    else if (keepPoint && !text.includes('.')) text = `${text}.0`;
    if (alternate && !text.includes('.')) text = `${text}.`;
  } else {
    text = toScientific(magnitude, p - 1, alternate);
    if (!alternate) text = text.replace(/\.?0+e/, 'e');
  }
  return text;
}

/** repr(float): the shortest digits that round-trip, fixed from 1e-4 up to 1e16, scientific outside. */
export function pythonRepr(magnitude: number): string {
  if (magnitude === 0) return '0.0';
  const [mantissa, exponent] = magnitude.toExponential().split('e') as [string, string];
  const exp = Number(exponent);
  const digits = mantissa.replace('.', '');
  if (exp >= -4 && exp < 16) {
    if (exp < 0) return `0.${'0'.repeat(-exp - 1)}${digits}`;
    const whole = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
    const fraction = digits.slice(exp + 1);
    return `${whole}.${fraction || '0'}`;
  }
  const shortMantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${shortMantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}

function signOf(negative: boolean, spec: FormatSpec): string {
  if (negative) return '-';
  return spec.sign === '+' ? '+' : spec.sign === ' ' ? ' ' : '';
}

/**
 * Groups the whole digits and pads a number: `=` (the default with `0`) pads between the sign and the digits, with
 * the grouping continued through the zeros as Python does (`format(1234, '010,')` is `00,001,234`).
 */
function padNumber(sign: string, whole: string, tail: string, spec: FormatSpec, groupSize: number): string {
  const align = spec.align ?? (spec.zeroPad ? '=' : '>');
  let digits = whole;
  let grouped = group(digits, spec.grouping, groupSize);
  if (align === '=' && spec.width !== null && spec.fill === '0' && spec.grouping && /^\d+$/.test(whole)) {
    while (sign.length + grouped.length + tail.length < spec.width) {
      digits = `0${digits}`;
      grouped = group(digits, spec.grouping, groupSize);
    }
    if (grouped.startsWith(spec.grouping)) grouped = `0${grouped}`;
    return sign + grouped + tail;
  }
  return pad(grouped + tail, sign, { ...spec, align }, '>');
}

function group(digits: string, separator: string | null, size: number): string {
  if (!separator || !/^\d+$|^[0-9a-fA-F]+$/.test(digits)) return digits;
  const out: string[] = [];
  for (let end = digits.length; end > 0; end -= size) out.unshift(digits.slice(Math.max(0, end - size), end));
  return out.join(separator);
}

/** Fill and align to the width; `=` puts the fill between the sign (and prefix) and the body. */
function pad(body: string, sign: string, spec: FormatSpec, defaultAlign: '<' | '>'): string {
  const width = spec.width ?? 0;
  const length = [...sign].length + [...body].length;
  if (length >= width) return sign + body;
  const fill = spec.fill.repeat(width - length);
  const align = spec.align ?? defaultAlign;
  if (align === '<') return sign + body + fill;
  if (align === '=') return sign + fill + body;
  if (align === '^') {
    const left = Math.floor((width - length) / 2);
    return spec.fill.repeat(left) + sign + body + spec.fill.repeat(width - length - left);
  }
  return fill + sign + body;
}
