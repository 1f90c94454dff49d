import type { NotebookEvent } from '@rnb/core';
import { EventBatches } from './event-batches';

const status = (cellId: string): NotebookEvent => ({ type: 'cell_status', cellId, status: 'running' });
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('EventBatches', () => {
  it("sends each notebook's events of one turn as one batch, in order, at the end of the turn", async () => {
    const sent: Array<[string, string[]]> = [];
    const batches = new EventBatches((id, events) => sent.push([id, events.map((e) => (e as { cellId: string }).cellId)]));
    batches.add('nb1', status('a'));
    batches.add('nb2', status('x'));
    batches.add('nb1', status('b'));
    expect(sent).toEqual([]);
    await nextTurn();
    expect(sent).toEqual([['nb1', ['a', 'b']], ['nb2', ['x']]]);
    batches.add('nb1', status('c'));
    await nextTurn();
    expect(sent[2]).toEqual(['nb1', ['c']]);
  });

  it("flushes one notebook on demand, so an event sent unbatched does not overtake what is pending", async () => {
    const sent: Array<[string, number]> = [];
    const batches = new EventBatches((id, events) => sent.push([id, events.length]));
    batches.add('nb1', status('a'));
    batches.add('nb2', status('x'));
    batches.flush('nb1');
    expect(sent).toEqual([['nb1', 1]]);
    await nextTurn();
    expect(sent).toEqual([['nb1', 1], ['nb2', 1]]);
  });

  it('sends a batch at once when it reaches its bound, and drops what is pending when cleared', async () => {
    const sent: number[] = [];
    const batches = new EventBatches((_id, events) => sent.push(events.length), 3);
    for (const cell of ['a', 'b', 'c', 'd']) batches.add('nb1', status(cell));
    expect(sent).toEqual([3]);
    batches.clear();
    await nextTurn();
    expect(sent).toEqual([3]);
  });
});
