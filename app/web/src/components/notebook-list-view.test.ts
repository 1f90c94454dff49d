import type { NotebookSummary } from '../api/types';
import { sizeText, visibleNotebooks, whenText } from './notebook-list-view';

const nb = (name: string, updated: string, ran: string | null = null): NotebookSummary => ({ id: name, name, updated_at: updated, last_run_at: ran });
const names = (list: NotebookSummary[]): string[] => list.map((n) => n.name);

describe('the notebook list as shown', () => {
  const all = [
    nb('Sales 2024', '2026-01-03T00:00:00Z', '2026-01-01T00:00:00Z'),
    nb('sales draft', '2026-01-05T00:00:00Z'),
    nb('Budget', '2026-01-04T00:00:00Z', '2026-01-04T00:00:00Z'),
  ];

  it('filters by every word typed, in any case', () => {
    expect(names(visibleNotebooks(all, 'SALES', 'changed'))).toEqual(['sales draft', 'Sales 2024']);
    expect(names(visibleNotebooks(all, '2024 sal', 'changed'))).toEqual(['Sales 2024']);
    expect(visibleNotebooks(all, 'nothing', 'changed')).toEqual([]);
  });

  it('sorts by last change, by name, or by last run with never-run notebooks last', () => {
    expect(names(visibleNotebooks(all, '', 'changed'))).toEqual(['sales draft', 'Budget', 'Sales 2024']);
    expect(names(visibleNotebooks(all, '', 'name'))).toEqual(['Budget', 'Sales 2024', 'sales draft']);
    expect(names(visibleNotebooks(all, '', 'ran'))).toEqual(['Budget', 'Sales 2024', 'sales draft']);
  });

  it('says sizes and times the short way', () => {
    expect(sizeText(512)).toBe('512 B');
    expect(sizeText(1_234)).toBe('1.2 KB');
    expect(sizeText(45_600_000)).toBe('46 MB');
    expect(whenText('2026-01-01T00:00:00Z', Date.parse('2026-01-01T00:05:00Z'))).toBe('5 min ago');
    expect(whenText('2026-01-01T00:00:00Z', Date.parse('2026-01-03T00:00:00Z'))).toBe('2 d ago');
  });
});
