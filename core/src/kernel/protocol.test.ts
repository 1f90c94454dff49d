import { parseCellEntered, parseKernelMessage, ProtocolError } from './protocol';

const reports = (report: Record<string, unknown>): string => JSON.stringify({ t: 'reports', session: 's', runId: 1, reports: [report] });

describe('kernel reports of printed text', () => {
  it('keep the stream a cell wrote to', () => {
    expect(parseKernelMessage(reports({ k: 'stdout', cell: 'c', data: 'oops\n', stream: 'stderr' }))).toEqual({
      t: 'reports', session: 's', runId: 1, reports: [{ k: 'stdout', cell: 'c', data: 'oops\n', stream: 'stderr' }],
    });
  });

  it('read a report without a stream as stdout and refuse an unknown stream', () => {
    const parsed = parseKernelMessage(reports({ k: 'stdout', cell: 'c', data: 'hi' }));
    expect(parsed.t === 'reports' && parsed.reports[0]).toEqual({ k: 'stdout', cell: 'c', data: 'hi', stream: 'stdout' });
    expect(() => parseKernelMessage(reports({ k: 'stdout', cell: 'c', data: 'hi', stream: 'stdin' }))).toThrow(ProtocolError);
  });
});

describe('kernel answers to runtime calls', () => {
  const reply = (fields: Record<string, unknown>): string => JSON.stringify({ t: 'call_reply', session: 's', callId: 7, ...fields });

  it('carry a value or a typed failure', () => {
    expect(parseKernelMessage(reply({ ok: true, value: { options: [] } }))).toEqual({ t: 'call_reply', session: 's', callId: 7, ok: true, value: { options: [] } });
    expect(parseKernelMessage(reply({ ok: false, failure: 'busy', error: 'running' }))).toEqual({ t: 'call_reply', session: 's', callId: 7, ok: false, failure: 'busy', error: 'running' });
  });

  it('are refused when malformed: no value, an unknown failure, a bad call id or an error that is not text', () => {
    for (const bad of [
      reply({ ok: true }),
      reply({ ok: false, failure: 'exploded', error: 'x' }),
      reply({ ok: 'yes', value: 1 }),
      reply({ ok: false, failure: 'failed', error: { message: 'x' } }),
      JSON.stringify({ t: 'call_reply', session: 's', callId: -1, ok: true, value: 1 }),
      JSON.stringify({ t: 'call_reply', session: 's', callId: 1.5, ok: true, value: 1 }),
    ]) {
      expect(() => parseKernelMessage(bad)).toThrow(ProtocolError);
    }
  });
});

describe('the cell-entered channel', () => {
  it('reads a worker line and refuses anything else', () => {
    expect(parseCellEntered('["nb-1",7,"cell-a"]')).toEqual({ session: 'nb-1', entered: { runId: 7, cellId: 'cell-a' } });
    expect(parseCellEntered('["nb-1","7","cell-a"]')).toBeNull();
    expect(parseCellEntered('{"session":"nb-1"}')).toBeNull();
    expect(parseCellEntered('not json')).toBeNull();
    expect(parseCellEntered(`["${'x'.repeat(5000)}",1,"c"]`)).toBeNull();
  });
});
