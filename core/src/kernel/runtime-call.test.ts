/**
 * The channel from a client to a language runtime (LanguageRuntime.call),
 * through a real kernel process with the fake language: answers, limits,
 * the time budget, busy while a cell computes, and a kernel that lives on.
 */
import { NotebookError, RuntimeCallError } from '../errors';
import { createTestKernel, type TestKernel } from '../testing';
import { notebookWith } from '../testing/notebook-fixture';

let kernel: TestKernel;
beforeAll(async () => {
  kernel = await createTestKernel({
    manager: { limits: { runtimeCallTimeoutMs: 400, runtimeCallRequestChars: 1000, runtimeCallAnswerChars: 2000, interruptGraceMs: 60_000 } },
  });
});
afterAll(() => kernel.close());

const owner = 'rhea';
const call = (notebookId: string, method: string, payload: unknown = null, language = 'fake') =>
  kernel.service.callRuntime(owner, notebookId, language, method, payload as never);

async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string; name: string }> {
  try {
    await promise;
  } catch (error) {
    const e = error as NotebookError;
    return { code: e.code, message: e.message, name: e.name };
  }
  throw new Error('expected the call to fail');
}

describe('runtime calls', () => {
  it('answers with what the runtime returns, and sees the values cells defined', async () => {
    const nb = await notebookWith(kernel, owner, ['alpha = 1', 'alps = 2', 'beta = 3']);
    expect(await call(nb.notebookId, 'echo', { hello: ['world', 1, true, null] })).toEqual({ hello: ['world', 1, true, null] });
    for (const index of [0, 1, 2]) await nb.run(index);
    expect(await call(nb.notebookId, 'names', { prefix: 'al' })).toEqual(['alpha', 'alps']);
  });

  it('refuses a request over the size limit without asking the runtime', async () => {
    const nb = await notebookWith(kernel, owner, ['a = 1']);
    const refused = await failure(call(nb.notebookId, 'echo', { text: 'x'.repeat(2000) }));
    expect(refused).toMatchObject({ code: 'RNB_ERR_PAYLOAD_TOO_LARGE', name: 'RuntimeCallError' });
    expect(new RuntimeCallError('too_large', '').status).toBe(413);
  });

  it('refuses an answer over the size limit, an unknown method and a runtime that throws, as failed calls', async () => {
    const nb = await notebookWith(kernel, owner, ['a = 1']);
    expect(await call(nb.notebookId, 'big', { chars: 100 })).toBe('x'.repeat(100));
    expect(await failure(call(nb.notebookId, 'big', { chars: 5000 }))).toMatchObject({ code: 'RNB_ERR_RUNTIME_CALL_FAILED', message: expect.stringMatching(/limit is 2000/) });
    expect(await failure(call(nb.notebookId, 'nonsense'))).toMatchObject({ code: 'RNB_ERR_RUNTIME_CALL_FAILED', message: expect.stringMatching(/no method "nonsense"/) });
    expect(await failure(call(nb.notebookId, 'fail'))).toMatchObject({ code: 'RNB_ERR_RUNTIME_CALL_FAILED', message: expect.stringMatching(/asked to fail/) });
  });

  it('times out a runtime that never answers, and the kernel keeps its values and runs cells', async () => {
    const nb = await notebookWith(kernel, owner, ['kept = 41', 'print kept + 1']);
    await nb.run(0);
    expect(await failure(call(nb.notebookId, 'hang'))).toMatchObject({ code: 'RNB_ERR_RUNTIME_TIMEOUT', message: expect.stringMatching(/within 400 ms/) });
    await nb.run(1);
    expect((await nb.state())[1]).toMatchObject({ status: 'success', stdout: '42\n' });
    expect(kernel.eventsOf(nb.notebookId, 'kernel_restarted')).toEqual([]);
    expect(await call(nb.notebookId, 'echo', 'still here')).toBe('still here');
  });

  it('is answered while a cell awaits, and refused as busy while a cell computes without yielding', async () => {
    const nb = await notebookWith(kernel, owner, ['sleep 600', 'spin']);
    await kernel.service.runCell(owner, nb.notebookId, nb.cellIds[0]!);
    await waitFor(async () => (await nb.state())[0]!.status === 'running');
    expect(await call(nb.notebookId, 'echo', 'during sleep')).toBe('during sleep');
    await kernel.service.whenIdle(owner, nb.notebookId);

    await kernel.service.runCell(owner, nb.notebookId, nb.cellIds[1]!);
    await waitFor(async () => (await nb.state())[1]!.status === 'running');
    expect(await failure(call(nb.notebookId, 'echo', 'during spin'))).toMatchObject({ code: 'RNB_ERR_RUNTIME_BUSY' });
    await kernel.service.interrupt(owner, nb.notebookId);
    await kernel.service.whenIdle(owner, nb.notebookId);
    // The refused call was dropped, not answered late, and the channel works again.
    expect(await call(nb.notebookId, 'echo', 'after')).toBe('after');
    expect(kernel.eventsOf(nb.notebookId, 'kernel_restarted')).toEqual([]);
  });

  it('is "not found" for another user, and refuses an unknown language or a malformed method', async () => {
    const nb = await notebookWith(kernel, owner, ['a = 1']);
    await expect(kernel.service.callRuntime('mallory', nb.notebookId, 'fake', 'echo', 1)).rejects.toMatchObject({ code: 'RNB_ERR_NOTEBOOK_NOT_FOUND' });
    expect(await failure(call(nb.notebookId, 'echo', 1, 'cobol'))).toMatchObject({ code: 'RNB_ERR_UNKNOWN_LANGUAGE' });
    expect(await failure(call(nb.notebookId, '__proto__'))).toMatchObject({ code: 'RNB_ERR_INVALID_INPUT' });
  });
});

async function waitFor(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('a runtime call that opens the kernel', () => {
  it('does not strand a run asked for while the kernel was opening', async () => {
    const nb = await notebookWith(kernel, owner, ['print "ran"']);
    const answered = call(nb.notebookId, 'echo', 'first');
    await kernel.service.runCell(owner, nb.notebookId, nb.cellIds[0]!);
    expect(await answered).toBe('first');
    await kernel.service.whenIdle(owner, nb.notebookId);
    expect((await nb.state())[0]).toMatchObject({ status: 'success', stdout: 'ran\n' });
  });
});
