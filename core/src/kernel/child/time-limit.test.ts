import type { CellReport } from '../protocol';
import { CellTimeLimit } from './time-limit';

const finish = (report: Partial<CellReport> & { cell: string }): string => JSON.stringify({ k: 'finish', status: 'error', ...report });

describe('what the kernel says about the cell time limit', () => {
  it('names the limit as people read it, with the advice on how to change it', () => {
    const limit = new CellTimeLimit(120_000, 'Change it in the settings.');
    expect(limit.text).toBe('2 min');
    expect(new CellTimeLimit(1500).text).toBe('1.5 s');
    expect(limit.message(undefined)).toBe('This cell ran longer than the cell time limit of 2 min and was stopped. Change it in the settings.');
    expect(limit.message('KeyboardInterrupt')).toBe('This cell ran longer than the cell time limit of 2 min and was stopped. Change it in the settings.\n\nKeyboardInterrupt');
    expect(limit.restartCellError).toMatch(/^This cell ran longer than the cell time limit of 2 min and did not stop .* values were lost\. Change it in the settings\.$/);
    expect(new CellTimeLimit(1000).restartReason).toBe('a cell ran longer than the cell time limit of 1 s and did not stop when interrupted, so the kernel was restarted');
  });

  it('rewrites only the failed finish of the cell it stopped; a traceback stays apart', () => {
    const limit = new CellTimeLimit(1000);
    expect(limit.finishOf(JSON.stringify({ k: 'start', cell: 'a' }), 'a')).toBeNull();
    expect(limit.finishOf(finish({ cell: 'b' }), 'a')).toBeNull();
    const ok = finish({ cell: 'a', status: 'success' });
    expect(limit.finishOf(ok, 'a')).toBe(ok);
    expect(JSON.parse(limit.finishOf(finish({ cell: 'a', error: 'KeyboardInterrupt' }), 'a')!)).toMatchObject({ error: 'This cell ran longer than the cell time limit of 1 s and was stopped.\n\nKeyboardInterrupt', errorKind: 'time-limit' });
    expect(JSON.parse(limit.finishOf(finish({ cell: 'a', error: 'KeyboardInterrupt', traceback: 'line 1' }), 'a')!)).toMatchObject({ error: 'This cell ran longer than the cell time limit of 1 s and was stopped.', errorKind: 'time-limit' });
  });
});
