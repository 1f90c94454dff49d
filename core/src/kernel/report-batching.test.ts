/**
 * A plan of quick cells reaches the server in a few frames of reports, not one or two per cell: the worker writes
 * its reports into shared memory and the kernel's main thread takes them a frame at a time (child/report-ring.ts).
 * Real kernel process, fake language.
 */
import type { CellReport, PlanItem } from './protocol';
import { KernelManager } from './kernel-manager';
import { fakeLanguage } from '../testing/fake-language';

describe('reports of a plan', () => {
  it('arrive in order and complete, a 300-cell chain in far fewer batches than cells', async () => {
    const manager = new KernelManager({ languages: [fakeLanguage()], warmProcesses: 0 });
    try {
      const batches: CellReport[][] = [];
      let done: () => void = () => undefined;
      const finished = new Promise<void>((resolve) => (done = resolve));
      const session = await manager.openSession('owner', 'nb', {
        onReports: (_runId, reports) => void batches.push(reports),
        onRunDone: () => done(),
        onLost: () => undefined,
        pluginSettings: () => ({}),
      });
      const plan: PlanItem[] = Array.from({ length: 300 }, (_, i) => ({
        cellId: `c${i}`,
        language: 'fake',
        code: i === 0 ? 'x0 = 0' : `x${i} = x${i - 1} + 1`,
        defines: [`x${i}`],
        references: i === 0 ? [] : [`x${i - 1}`],
        parents: i === 0 ? [] : [i - 1],
      }));
      session.run(1, plan);
      await finished;
      const reports = batches.flat();
      expect(reports.filter((r) => r.k === 'finish').map((r) => r.cell)).toEqual(plan.map((item) => item.cellId));
      expect(reports.every((r) => r.k !== 'finish' || r.status === 'success')).toBe(true);
      // Each cell's start comes before its finish, and after the previous cell's finish.
      expect(reports.filter((r) => r.k === 'start' || r.k === 'finish').map((r) => `${r.k} ${r.cell}`).slice(0, 4)).toEqual(['start c0', 'finish c0', 'start c1', 'finish c1']);
      // One batch per cell (or two) before; now one per frame of the main thread's timer while the plan runs.
      expect(batches.length).toBeLessThan(100);
    } finally {
      await manager.shutdown();
    }
  }, 60_000);
});
