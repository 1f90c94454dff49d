import { createLogger, redact, redactString } from './logger';

describe('structured logs', () => {
  it('writes one JSON object per line at or above the level', () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'warn', write: (line) => lines.push(line), fields: { app: 'nb' } });
    log.info('hidden');
    log.warn('shown', { n: 1 });
    log.child({ component: 'socket' }).error('child', { ok: false });
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[0]!)).toEqual({ time: expect.any(String), level: 'warn', msg: 'shown', app: 'nb', n: 1 });
    expect(JSON.parse(lines[1]!)).toMatchObject({ level: 'error', msg: 'child', app: 'nb', component: 'socket', ok: false });
  });

  it('never writes tokens, passwords or connection strings', () => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyXzEifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
    const lines: string[] = [];
    const log = createLogger({ write: (line) => lines.push(line) });
    log.info(`got ${jwt}`, {
      token: 'opaque-secret-1',
      authorization: 'Bearer opaque-secret-2',
      connection_string: 'postgresql://u:pw-secret-3@db/x',
      nested: { db_conn_string: 'x', detail: 'failed to reach postgresql://admin:pw-secret-4@10.0.0.1/db', note: 'Bearer opaque-secret-5' },
      error: new Error(`bad token ${jwt}`),
    });
    const text = lines.join('\n');
    for (const secret of [jwt, 'opaque-secret-1', 'opaque-secret-2', 'pw-secret-3', 'pw-secret-4', 'opaque-secret-5']) expect(text).not.toContain(secret);
    expect(text).toContain('10.0.0.1/db');
    expect(redactString('host=db password=hunter2 user=x')).toBe('host=db password=[redacted] user=x');
    expect(redact({ list: ['postgres://a:b@h/d'] })).toEqual({ list: ['postgres://[redacted]@h/d'] });
  });

  it('survives values that cannot be serialised', () => {
    const lines: string[] = [];
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    createLogger({ write: (line) => lines.push(line) }).info('cyclic', { cyclic, big: 10n });
    expect(JSON.parse(lines[0]!)).toMatchObject({ msg: 'cyclic' });
  });
});
