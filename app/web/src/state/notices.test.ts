import { NoticeBoard } from './notices';

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('NoticeBoard', () => {
  it('keeps the last four notices, newest last', () => {
    const board = new NoticeBoard();
    for (const n of [1, 2, 3, 4, 5]) board.notify('info', `n${n}`);
    expect(board.list.get().map((n) => n.message)).toEqual(['n2', 'n3', 'n4', 'n5']);
  });

  it('lets info go after a few seconds but keeps errors and notices with a button longer', () => {
    const board = new NoticeBoard();
    board.notify('info', 'saved');
    board.notify('error', 'refused');
    board.notify('info', 'Cell deleted', { label: 'Undo', run: () => undefined });
    jest.advanceTimersByTime(5000);
    expect(board.list.get().map((n) => n.message)).toEqual(['refused', 'Cell deleted']);
    jest.advanceTimersByTime(5000);
    expect(board.list.get()).toEqual([]);
  });

  it('dismisses one notice by its id, and reports an error by its message', () => {
    const board = new NoticeBoard();
    const first = board.notify('info', 'one');
    board.report(new Error('The cell could not be created.'));
    board.report('plain');
    board.dismiss(first);
    expect(board.list.get().map((n) => [n.kind, n.message])).toEqual([['error', 'The cell could not be created.'], ['error', 'plain']]);
  });
});
