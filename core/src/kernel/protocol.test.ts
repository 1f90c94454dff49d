import { parseKernelMessage, ProtocolError } from './protocol';

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
