/**
 * The server's bookkeeping of runtime calls against a kernel that answers
 * wrongly on purpose: the kernel is untrusted, so only the answer to a call
 * it was asked, for the session it was asked about, within the size limit,
 * settles anything.
 */
import { DEFAULT_LIMITS } from './kernel-manager';
import type { KernelProcess } from './kernel-process';
import type { ServerMessage } from './protocol';
import { RuntimeCalls } from './runtime-calls';

function setup() {
  const sent: Extract<ServerMessage, { t: 'call' }>[] = [];
  const process = { send: (message: ServerMessage) => message.t === 'call' && sent.push(message) } as unknown as KernelProcess;
  const calls = new RuntimeCalls(process, { ...DEFAULT_LIMITS, runtimeCallAnswerChars: 100, runtimeCallTimeoutMs: 60_000 });
  return { sent, calls };
}

const settled = async (promise: Promise<unknown>): Promise<string> => {
  const marker = Symbol('pending');
  const result = await Promise.race([promise.then((v) => `value ${JSON.stringify(v)}`, (e: Error & { code?: string }) => `${e.name} ${e.code ?? ''}`), new Promise((r) => setImmediate(() => r(marker)))]);
  return result === marker ? 'pending' : (result as string);
};

describe('runtime calls from the server side', () => {
  it('settles a call only with the answer for its own id and session', async () => {
    const { sent, calls } = setup();
    const asked = calls.ask('nb1', 'python', 'complete', { code: 'x', cursor: 1 });
    const { callId } = sent[0]!;
    calls.answered({ t: 'call_reply', session: 'nb2', callId, ok: true, value: 'from another notebook' });
    calls.answered({ t: 'call_reply', session: 'nb1', callId: callId + 1000, ok: true, value: 'never asked' });
    expect(await settled(asked)).toBe('pending');
    calls.answered({ t: 'call_reply', session: 'nb1', callId, ok: true, value: 'right' });
    expect(await settled(asked)).toBe('value "right"');
    // Once settled, a repeat changes nothing.
    calls.answered({ t: 'call_reply', session: 'nb1', callId, ok: false, failure: 'failed', error: 'late' });
  });

  it('refuses an answer over the size limit and passes a failure on with its kind', async () => {
    const { sent, calls } = setup();
    const big = calls.ask('nb1', 'python', 'complete', null);
    calls.answered({ t: 'call_reply', session: 'nb1', callId: sent[0]!.callId, ok: true, value: 'x'.repeat(200) });
    expect(await settled(big)).toBe('RuntimeCallError RNB_ERR_RUNTIME_CALL_FAILED');
    const busy = calls.ask('nb1', 'python', 'complete', null);
    calls.answered({ t: 'call_reply', session: 'nb1', callId: sent[1]!.callId, ok: false, failure: 'busy', error: 'running' });
    expect(await settled(busy)).toBe('RuntimeCallError RNB_ERR_RUNTIME_BUSY');
  });

  it('fails what is pending when the process ends', async () => {
    const { calls } = setup();
    const pending = calls.ask('nb1', 'python', 'complete', null);
    calls.failAll('the kernel process exited');
    expect(await settled(pending)).toBe('KernelError RNB_ERR_KERNEL');
  });
});
