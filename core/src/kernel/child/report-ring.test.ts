import { Worker } from 'node:worker_threads';
import type { CellReport } from '../protocol';
import { createReportRing, ReportRingReader, ReportRingWriter, type ReportBatch } from './report-ring';

const start = (cell: string): CellReport => ({ k: 'start', cell });

describe('the report ring between a kernel worker and its main thread', () => {
  it('hands over reports in order, grouped by run, drained up to a position a message carried', () => {
    const ring = createReportRing(4096);
    const writer = new ReportRingWriter(ring, () => undefined);
    const reader = new ReportRingReader(ring);
    writer.write(1, start('a'));
    writer.write(1, { k: 'finish', cell: 'a', status: 'success' });
    const mark = writer.position;
    writer.write(2, start('b'));
    expect(reader.drain(mark)).toEqual([{ runId: 1, reports: ['{"k":"start","cell":"a"}', '{"k":"finish","cell":"a","status":"success"}'] }]);
    expect(reader.drain()).toEqual([{ runId: 2, reports: ['{"k":"start","cell":"b"}'] }]);
    expect(reader.drain()).toEqual([]);
  });

  it('wraps around its end, and keeps text with newlines and characters of several bytes intact', () => {
    const ring = createReportRing(256);
    const writer = new ReportRingWriter(ring, () => undefined);
    const reader = new ReportRingReader(ring);
    const seen: CellReport[] = [];
    for (let i = 0; i < 50; i++) {
      writer.write(7, { k: 'stdout', cell: `c${i}`, data: `line ${i}\nπ≈3.14 ✓ ${'é'.repeat(i % 7)}`, stream: 'stdout' });
      for (const batch of reader.drain()) seen.push(...batch.reports.map((text) => JSON.parse(text) as CellReport));
    }
    expect(seen).toHaveLength(50);
    expect(seen[49]).toEqual({ k: 'stdout', cell: 'c49', data: `line 49\nπ≈3.14 ✓ ${'é'.repeat(0)}`, stream: 'stdout' });
  });

  it('carries a report larger than the ring from a real worker thread, which waits while the main thread drains', async () => {
    const ring = createReportRing(1024);
    const reader = new ReportRingReader(ring);
    const big = 'x'.repeat(50_000);
    const source = `
      const { parentPort, workerData } = require('node:worker_threads');
      const { ReportRingWriter } = require(${JSON.stringify(require.resolve('../../../dist/kernel/child/report-ring.js'))});
      const writer = new ReportRingWriter(workerData.ring, () => parentPort.postMessage('drain'));
      writer.write(3, { k: 'start', cell: 'big' });
      writer.write(3, { k: 'stdout', cell: 'big', data: ${JSON.stringify(big)}, stream: 'stdout' });
      writer.write(3, { k: 'finish', cell: 'big', status: 'success' });
      parentPort.postMessage('done');
    `;
    const worker = new Worker(source, { eval: true, workerData: { ring } });
    const batches: ReportBatch[] = [];
    await new Promise<void>((resolve, reject) => {
      worker.on('error', reject);
      worker.on('message', (message: string) => {
        batches.push(...reader.drain());
        if (message === 'done') resolve();
      });
    });
    await worker.terminate();
    const reports = batches.flatMap((batch) => batch.reports.map((text) => JSON.parse(text) as CellReport));
    expect(reports.map((report) => report.k)).toEqual(['start', 'stdout', 'finish']);
    expect((reports[1] as { data: string }).data).toBe(big);
  });
});
