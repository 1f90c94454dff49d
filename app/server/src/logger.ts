export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

/** Structured logs: one JSON object per line. */
export interface Logger {
  readonly level: LogLevel;
  log(level: LogLevel, message: string, fields?: LogFields): void;
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger that adds these fields to every line. */
  child(fields: LogFields): Logger;
  isEnabled(level: LogLevel): boolean;
}

export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LoggerOptions {
  level?: LogLevel;
  /** Where lines go (default: stdout). */
  write?: (line: string) => void;
  fields?: LogFields;
}

// Field names whose values are secrets whatever they hold.
const SECRET_KEY = /token|authorization|password|passwd|secret|cookie|api[-_]?key|conn(ection)?[-_]?str|db_conn|credential/i;
// A JWT anywhere in a string (three base64url parts, the first a JSON header).
const JWT = /eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;
// Credentials inside a URL: scheme://user:password@host
const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/)[^\s/@:]*:[^\s/@]*@/gi;
const BEARER = /(bearer\s+)[^\s,;]+/gi;
const KEY_VALUE_PASSWORD = /(password=)[^\s&;]+/gi;

/** Hides tokens and connection-string credentials in a log value. */
export function redactString(value: string): string {
  return value
    .replace(JWT, '[redacted-token]')
    .replace(BEARER, '$1[redacted]')
    .replace(URL_CREDENTIALS, '$1[redacted]@')
    .replace(KEY_VALUE_PASSWORD, '$1[redacted]');
}

export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactString(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 4) return '[…]';
  if (value instanceof Error) return { name: value.name, message: redactString(value.message) };
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) out[key] = SECRET_KEY.test(key) ? '[redacted]' : redact(v, depth + 1);
  return out;
}

export function parseLogLevel(value: string | undefined): LogLevel | undefined {
  const v = value?.trim().toLowerCase();
  return v && (LOG_LEVELS as readonly string[]).includes(v) ? (v as LogLevel) : undefined;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? 'info';
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const base = options.fields ?? {};
  const isEnabled = (l: LogLevel): boolean => RANK[l] >= RANK[level];
  const log = (l: LogLevel, message: string, fields?: LogFields): void => {
    if (!isEnabled(l)) return;
    const entry = { time: new Date().toISOString(), level: l, msg: redactString(message), ...(redact({ ...base, ...fields }) as LogFields) };
    let line: string;
    try {
      line = JSON.stringify(entry);
    } catch {
      line = JSON.stringify({ time: entry.time, level: l, msg: entry.msg, note: 'fields could not be serialised' });
    }
    write(line);
  };
  return {
    level,
    log,
    debug: (m, f) => log('debug', m, f),
    info: (m, f) => log('info', m, f),
    warn: (m, f) => log('warn', m, f),
    error: (m, f) => log('error', m, f),
    child: (fields) => createLogger({ level, write, fields: { ...base, ...fields } }),
    isEnabled,
  };
}

/** Discards everything (tests, embedding without logs). */
export const silentLogger: Logger = createLogger({ level: 'error', write: () => undefined });
