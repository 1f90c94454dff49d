import { NotFoundError, type NotebookOperations } from '@rnb/core';
import { LocalEventBus } from '../events/event-bus';
import { silentLogger } from '../logger';
import { LocalCommandRouter } from './local-command-router';

/**
 * The router's own bookkeeping, against a service whose runCell the test
 * settles by hand (the real service settles it too fast to observe).
 */
function controllableService() {
  const calls: string[] = [];
  const pending: { owner: string; settle: () => void; fail: (e: Error) => void }[] = [];
  const idle: (() => void)[] = [];
  const service = {
    runCell: (owner: string, notebookId: string, cellId: string) =>
      new Promise<void>((resolve, reject) => {
        calls.push(`run ${owner} ${notebookId} ${cellId}`);
        pending.push({ owner, settle: resolve, fail: reject });
      }),
    interrupt: async (owner: string, notebookId: string) => {
      calls.push(`interrupt ${owner} ${notebookId}`);
    },
    whenIdle: () => new Promise<void>((resolve) => idle.push(resolve)),
    deleteNotebook: async () => undefined,
  } as unknown as NotebookOperations;
  return { service, calls, pending, idle };
}

describe('LocalCommandRouter', () => {
  it('answers repeated run_cell requests for a cell still being queued with the one request in flight', async () => {
    const { service, calls, pending } = controllableService();
    const router = new LocalCommandRouter(service, new LocalEventBus(), silentLogger);
    const runs = Array.from({ length: 1000 }, () => router.dispatch('ann', 'nb1', { type: 'run_cell', cellId: 'c1' }));
    expect(calls).toEqual(['run ann nb1 c1']);
    pending[0]!.settle();
    await Promise.all(runs);
    // Once queued, a new request goes through again.
    void router.dispatch('ann', 'nb1', { type: 'run_cell', cellId: 'c1' });
    expect(calls).toHaveLength(2);
  });

  it("never hands one user's pending run to another user", async () => {
    const { service, calls, pending } = controllableService();
    const router = new LocalCommandRouter(service, new LocalEventBus(), silentLogger);
    const anns = router.dispatch('ann', 'nb1', { type: 'run_cell', cellId: 'c1' });
    const bobs = router.dispatch('bob', 'nb1', { type: 'run_cell', cellId: 'c1' });
    expect(calls).toEqual(['run ann nb1 c1', 'run bob nb1 c1']);
    pending[1]!.fail(new NotFoundError('notebook', 'nb1'));
    pending[0]!.settle();
    await expect(bobs).rejects.toThrow(NotFoundError);
    await expect(anns).resolves.toBeUndefined();
  });

  it('keeps one idle watcher per busy notebook, interrupts busy notebooks on drain, then refuses commands', async () => {
    const { service, calls, pending, idle } = controllableService();
    const router = new LocalCommandRouter(service, new LocalEventBus(), silentLogger);
    for (const cellId of ['a', 'b', 'c']) {
      const run = router.dispatch('ann', 'nb1', { type: 'run_cell', cellId });
      pending[pending.length - 1]!.settle();
      await run;
    }
    expect(idle).toHaveLength(1);
    const drained = router.drain(60_000);
    await Promise.resolve();
    expect(calls).toContain('interrupt ann nb1');
    for (const resolve of idle.splice(0)) resolve();
    await new Promise((resolve) => setImmediate(resolve));
    for (const resolve of idle.splice(0)) resolve();
    await drained;
    await expect(router.dispatch('ann', 'nb1', { type: 'interrupt' })).rejects.toMatchObject({ status: 503, code: 'RNB_ERR_SHUTTING_DOWN' });
  });

  it('announces a deleted notebook so its clients can be let go', async () => {
    const { service } = controllableService();
    const events = new LocalEventBus();
    const seen: string[] = [];
    events.subscribe((id, event) => seen.push(`${id} ${event.type}`));
    await new LocalCommandRouter(service, events, silentLogger).dispatch('ann', 'nb9', { type: 'delete_notebook' });
    expect(seen).toEqual(['nb9 notebook_deleted']);
  });
});
